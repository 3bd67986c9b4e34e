import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkDocker, checkInotify, checkKind, checkMemory, checkPort } from './preflight.js';

describe('preflight', () => {
  it('names the cause and the fix when docker is not installed', async () => {
    const result = await checkDocker({ PATH: '/nonexistent' });
    expect(result.level).toBe('error');
    expect(result.detail).toMatch(/not installed/);
    expect(result.fix).toMatch(/apt-get install -y docker.io/);
  });

  it('names the cause and the fix when kind is missing', async () => {
    const result = await checkKind({ PATH: '/nonexistent', GOPATH: '/nonexistent', HOME: '/nonexistent' });
    expect(result.level).toBe('error');
    expect(result.fix).toMatch(/go install sigs.k8s.io\/kind@v0.30.0/);
  });

  it('refuses too little memory and warns on little', () => {
    expect(checkMemory(1000).level).toBe('error');
    expect(checkMemory(3000).level).toBe('warn');
    expect(checkMemory(16000).level).toBe('ok');
  });

  it('warns about low inotify limits with the sysctl fix', () => {
    const low = checkInotify((name) => (name === 'max_user_watches' ? 8192 : 128));
    if (process.platform !== 'linux') return;
    expect(low.level).toBe('warn');
    expect(low.fix).toMatch(/sysctl fs.inotify.max_user_watches=524288/);
    expect(checkInotify(() => 1_000_000).level).toBe('ok');
  });

  it('reports a taken port with another port to use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await checkPort('127.0.0.1', port);
      expect(result.level).toBe('error');
      expect(result.fix).toContain(`--port ${port + 1}`);
    } finally {
      blocker.close();
    }
    expect((await checkPort('127.0.0.1', port)).level).toBe('ok');
  });
});
