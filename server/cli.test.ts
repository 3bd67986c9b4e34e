// The CLI as a learner meets it: a real child process of server/bin.mjs.
import fs from 'node:fs';
import net from 'node:net';
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

  it.runIf(process.platform === 'linux')(
    '`serve` opens the browser through a 0600 redirect file: the token is on no command line, the state is private under umask 000',
    async () => {
      const token = 'env-token-0123456789abcdef0123';
      const env = isolatedEnv({ HARDENING_LAB_TOKEN: token });
      const bin = path.join(env.HOME ?? '', 'bin');
      const record = path.join(env.HOME ?? '', 'opener-argv');
      // TEST DOUBLE for xdg-open: records its arguments and environment.
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(bin, 'xdg-open'),
        `#!/bin/sh\nprintf '%s\\n' "$@" > ${record}\n/usr/bin/env > ${record}.env\n`,
        { mode: 0o755 },
      );
      // A state directory an older version left world-readable.
      const state = env.HARDENING_LAB_STATE_DIR ?? '';
      fs.mkdirSync(state, { mode: 0o755 });
      fs.chmodSync(state, 0o755);
      const child = execa(
        '/bin/sh',
        ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, 'serve', '--no-cluster', '--port', '0'],
        { env: { ...env, PATH: bin }, extendEnv: false, reject: false, all: true },
      );
      let output = '';
      child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await expect
          .poll(() => fs.existsSync(`${record}.env`) && output.includes('Opened it'), { timeout: 100_000 })
          .toBe(true);
        const redirect = fs.readFileSync(record, 'utf8').trim();
        expect(redirect).toMatch(new RegExp(`^${state}/open-\\d+\\.html$`));
        expect(fs.readFileSync(redirect, 'utf8')).toContain(`#token=${token}`);
        expect(fs.readFileSync(`${record}.env`, 'utf8')).not.toContain(token);
        // What every local user can read: the server's own command line.
        expect(fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')).not.toContain(token);
        // Malformed requests carrying the token (the old server logged it with the error).
        const port = Number(/open-(\d+)\.html$/.exec(redirect)?.[1]);
        for (const target of [`//%zz?token=${token}`, `/api/%zz?token=${token}`]) {
          await new Promise<void>((resolve, reject) => {
            const socket = net.connect(port, '127.0.0.1', () =>
              socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
            );
            socket.on('data', () => undefined);
            socket.on('close', () => resolve());
            socket.on('error', reject);
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        // The token is printed once, in the start URL, and nowhere else.
        expect(output.split(token)).toHaveLength(2);
        expect((fs.statSync(state).mode & 0o777).toString(8)).toBe('700');
        for (const file of fs.readdirSync(state)) {
          expect(`${file} ${(fs.statSync(path.join(state, file)).mode & 0o777).toString(8)}`).toMatch(/ (600|700)$/);
        }
      } finally {
        child.kill('SIGTERM');
        await child;
      }
      // The redirect file goes with the server.
      expect(fs.readdirSync(state).filter((f) => f.startsWith('open-'))).toEqual([]);
    },
  );

  it('--help prefers --token-file and the environment over --token', async () => {
    const result = await execa(process.execPath, [BIN, 'serve', '--help'], {
      env: isolatedEnv(),
      extendEnv: false,
      reject: false,
    });
    expect(result.stdout).toContain('--token-file <file>');
    expect(result.stdout).toContain('HARDENING_LAB_TOKEN');
    expect(result.stdout).toMatch(/--token <token>\s+fixed access token on the command line\s+\(discouraged/);
  });

  it('test-lab --help offers --no-answers to skip the wrong-answer catalogues', async () => {
    const result = await execa(process.execPath, [BIN, 'test-lab', '--help'], {
      env: isolatedEnv(),
      extendEnv: false,
      reject: false,
    });
    expect(result.stdout).toMatch(/--no-answers\s+skip the wrong-answer catalogues/);
    expect(result.stdout).toContain("wrong-answer catalogue is judged");
  });
});
