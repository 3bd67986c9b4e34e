// The CLI as a learner meets it: a real child process of server/bin.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './config.js';

const BIN = path.join(PROJECT_ROOT, 'server', 'bin.mjs');

function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-cli-home-'));
  return {
    // No docker, no kind anywhere: PATH, GOPATH and HOME all point nowhere useful.
    PATH: '/nonexistent',
    HOME: home,
    GOPATH: path.join(home, 'go'),
    HARDENING_LAB_STATE_DIR: path.join(home, 'state'),
    ...extra,
  };
}

// Each test starts node + tsx cold; on a loaded two-core machine that alone can take tens of seconds.
describe('hardening-lab CLI', { timeout: 120_000 }, () => {
  it('`up` without Docker exits non-zero with a one-screen explanation and leaves nothing behind', async () => {
    const env = isolatedEnv();
    const result = await execa(process.execPath, [BIN, 'up', '--no-open', '--port', '0'], {
      env,
      extendEnv: false,
      reject: false,
      all: true,
      timeout: 110_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain('Docker');
    expect(result.all).toContain('apt-get install -y docker.io');
    expect(result.all).toContain('go install sigs.k8s.io/kind@v0.30.0');
    expect(result.all).toContain('Nothing was created');
    expect(result.all?.split('\n').length).toBeLessThan(25);
    expect(fs.existsSync(env.HARDENING_LAB_STATE_DIR ?? '')).toBe(false);
  });

  it('refuses a non-loopback --host without a token, saying why', async () => {
    const result = await execa(
      process.execPath,
      [BIN, 'serve', '--no-cluster', '--no-open', '--host', '0.0.0.0', '--port', '0'],
      {
        env: isolatedEnv(),
        extendEnv: false,
        reject: false,
        all: true,
        timeout: 110_000,
      },
    );
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/--token/);
  });

  it('rejects a bad port with a clear message', async () => {
    const result = await execa(process.execPath, [BIN, 'up', '--port', 'eighty'], {
      env: isolatedEnv(),
      extendEnv: false,
      reject: false,
      all: true,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain('a port is a whole number');
  });

  it('`serve --no-cluster` serves and prints the start URL with a token', async () => {
    const child = execa(process.execPath, [BIN, 'serve', '--no-cluster', '--no-open', '--port', '0'], {
      env: isolatedEnv(),
      extendEnv: false,
      reject: false,
      all: true,
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in: ${output}`)), 100_000);
      child.all?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{40,})/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    try {
      const base = new URL(url);
      const unauth = await fetch(new URL('/api/status', base));
      expect(unauth.status).toBe(401);
      const authed = await fetch(new URL('/api/status', base), {
        headers: { authorization: `Bearer ${new URLSearchParams(base.hash.slice(1)).get('token')}` },
      });
      expect(authed.status).toBe(200);
      expect(((await authed.json()) as { cluster: { state: string } }).cluster.state).toBe('disabled');
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });
});
