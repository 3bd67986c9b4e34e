import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveToken } from './token-source.js';

const TOKEN = 'file-token-0123456789abcdef';

function tokenFile(mode: number, content = `${TOKEN}\n`): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hl-token-')), 'token');
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
  return file;
}

describe('where the token comes from', () => {
  it('reads --token-file (trimmed) when only its owner can read it', () => {
    expect(resolveToken({ host: '127.0.0.1', tokenFile: tokenFile(0o600) }, {})).toEqual({
      ok: true,
      token: TOKEN,
      warnings: [],
    });
    expect(resolveToken({ host: '0.0.0.0', tokenFile: tokenFile(0o400) }, {})).toMatchObject({
      ok: true,
      token: TOKEN,
    });
  });

  it('refuses a token file other users can read, saying how to fix it', () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const result = resolveToken({ host: '127.0.0.1', tokenFile: tokenFile(mode) }, {});
      expect(result).toMatchObject({ ok: false });
      expect(!result.ok && result.error).toContain('chmod 600');
    }
    expect(resolveToken({ host: '127.0.0.1', tokenFile: '/nonexistent/token' }, {})).toMatchObject({ ok: false });
  });

  it('takes HARDENING_LAB_TOKEN without a warning, and --token with one', () => {
    expect(resolveToken({ host: '127.0.0.1' }, { HARDENING_LAB_TOKEN: TOKEN })).toEqual({
      ok: true,
      token: TOKEN,
      warnings: [],
    });
    const flag = resolveToken({ host: '127.0.0.1', token: TOKEN }, {});
    expect(flag).toMatchObject({ ok: true, token: TOKEN });
    expect(flag.ok && flag.warnings.join()).toMatch(/command line.*--token-file.*HARDENING_LAB_TOKEN/);
  });

  it('refuses both flags at once, a short token, and an exposed bind without a fixed token', () => {
    expect(resolveToken({ host: '127.0.0.1', token: TOKEN, tokenFile: tokenFile(0o600) }, {})).toMatchObject({
      ok: false,
    });
    expect(resolveToken({ host: '127.0.0.1', tokenFile: tokenFile(0o600, 'short\n') }, {})).toMatchObject({
      ok: false,
    });
    const exposed = resolveToken({ host: '0.0.0.0' }, {});
    expect(!exposed.ok && exposed.error).toContain('--token-file');
  });

  it('makes a random 256-bit token otherwise', () => {
    const a = resolveToken({ host: '127.0.0.1' }, {});
    const b = resolveToken({ host: '127.0.0.1' }, {});
    expect(a.ok && a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.ok && b.ok && a.token !== b.token).toBe(true);
  });
});
