// The opener as a learner's desktop would run it, replaced by a recording
// stand-in: what reached its command line and environment is what every
// local user could have read in /proc.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatStartUrl } from '../http/server.js';
import { openBrowser, redirectPage } from './open-browser.js';

const TOKEN = 'opener-token-0123456789abcdef';

let tmp: string;
let savedUmask: number;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-opener-'));
  savedUmask = process.umask(0o000);
});
afterEach(() => {
  process.umask(savedUmask);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** TEST DOUBLE for xdg-open: records its argv and environment as JSON. */
function recordingOpener(out: string): { command: string; args: string[] } {
  const script = path.join(tmp, 'opener.mjs');
  fs.writeFileSync(
    script,
    `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env }));\n`,
  );
  return { command: process.execPath, args: [script] };
}

describe('openBrowser', () => {
  it('hands the opener a 0600 redirect file, never the token, and not the token variable either', async () => {
    const state = path.join(tmp, 'state');
    fs.mkdirSync(state, { mode: 0o755 });
    const out = path.join(tmp, 'opener.json');
    const startUrl = formatStartUrl('http://127.0.0.1:7681', TOKEN);
    const result = await openBrowser(startUrl, {
      stateDir: state,
      port: 7681,
      opener: recordingOpener(out),
      env: { ...process.env, HARDENING_LAB_TOKEN: TOKEN },
    });
    expect(result.opened).toBe(true);
    const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(seen.argv).toEqual([path.join(state, 'open-7681.html')]);
    expect(JSON.stringify(seen)).not.toContain(TOKEN);
    expect(seen.env.HARDENING_LAB_TOKEN).toBeUndefined();
    expect((fs.statSync(result.file).mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(state).mode & 0o777).toString(8)).toBe('700');
    expect(fs.readFileSync(result.file, 'utf8')).toContain(`content="0;url=${startUrl}"`);
  });

  it('reports a missing opener as not opened, leaving the file for the printed link', async () => {
    const result = await openBrowser('http://127.0.0.1:1/#token=x', {
      stateDir: tmp,
      port: 1,
      opener: { command: path.join(tmp, 'no-such-opener'), args: [] },
    });
    expect(result.opened).toBe(false);
  });

  it('escapes the URL in the redirect page', () => {
    const page = redirectPage('http://127.0.0.1:1/#token="><script>x</script>');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;');
  });
});
