// KubeClusterView against local stand-ins for an apiserver: one that
// answers, one that refuses connections, one that accepts and never answers.
// No cluster needed; what matters is the deadline and the plain-words error.
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { CheckRunner } from './check-runner.js';
import { ClusterUnreachableError } from './cluster-unreachable.js';
import { KubeClusterView, execResultOf } from './kube-cluster-view.js';

let tmp: string;
const closers: (() => void)[] = [];

async function kubeconfig(server: string): Promise<string> {
  const file = path.join(tmp, `kubeconfig-${closers.length}-${Math.random().toString(36).slice(2)}`);
  await fs.writeFile(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  return file;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-kcv-'));
});
afterAll(async () => {
  for (const close of closers) close();
  await fs.rm(tmp, { recursive: true, force: true });
});

function viewFor(file: string, defaultTimeoutMs = 5000): KubeClusterView {
  const view = new KubeClusterView({
    provider: new LocalShellStandInProvider({ home: tmp }),
    kubeconfigPath: file,
    defaultTimeoutMs,
  });
  closers.push(() => view.close());
  return view;
}

describe('KubeClusterView', () => {
  it('reads a pod through the object-parameter API and maps 404 to undefined', async () => {
    const requests: string[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
        res.setHeader('content-type', 'application/json');
        if (req.url === '/api/v1/namespaces/ns/pods/web') {
          res.end(
            JSON.stringify({
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: 'web', namespace: 'ns' },
              spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
            }),
          );
        } else {
          res.statusCode = 404;
          res.end(
            JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }),
          );
        }
      }),
    );
    const view = viewFor(await kubeconfig(`http://127.0.0.1:${port}`));
    const pod = await view.getPod('ns', 'web');
    expect(pod?.spec?.containers[0]?.image).toBe('nginx:1.27');
    expect(await view.getPod('ns', 'nope')).toBeUndefined();
    expect(requests[0]).toBe('GET /api/v1/namespaces/ns/pods/web Bearer t');
  });

  describe('podLogs on the answers a real apiserver gives', () => {
    // Shapes seen on kind v1.34: an empty log is a 200 with no body and no
    // Content-Type; a missing previous instance is a 400 Status; a missing
    // pod is a 404 Status; a log is text/plain.
    async function logServer(): Promise<{ view: KubeClusterView; requests: string[] }> {
      const requests: string[] = [];
      const port = await listen(
        http.createServer((req, res) => {
          requests.push(req.url ?? '');
          const url = new URL(req.url ?? '/', 'http://x');
          const status = (code: number, message: string) => {
            res.statusCode = code;
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code }));
          };
          if (url.pathname === '/api/v1/namespaces/ns/pods/silent/log') {
            res.statusCode = 200;
            res.removeHeader('content-type');
            res.end();
          } else if (url.pathname === '/api/v1/namespaces/ns/pods/web/log') {
            if (url.searchParams.get('previous') === 'true')
              status(400, 'previous terminated container "nginx" in pod "web" not found');
            else {
              res.setHeader('content-type', 'text/plain');
              res.end(
                '2026/12/03 [emerg] 1#1: mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)\n',
              );
            }
          } else if (url.pathname === '/api/v1/namespaces/ns/pods/broken/log') {
            status(500, 'etcd is unhappy');
          } else {
            status(404, 'pods "x" not found');
          }
        }),
      );
      return { view: viewFor(await kubeconfig(`http://127.0.0.1:${port}`)), requests };
    }

    it('reads an empty log (200, no body, no Content-Type) as an empty string', async () => {
      const { view } = await logServer();
      expect(await view.podLogs('ns', 'silent', { container: 'nginx' })).toBe('');
    });

    it('reads a text log whatever its content type, passing container, previous and tailLines', async () => {
      const { view, requests } = await logServer();
      expect(await view.podLogs('ns', 'web', { container: 'nginx', tailLines: 20 })).toContain('[emerg]');
      expect(requests.at(-1)).toBe('/api/v1/namespaces/ns/pods/web/log?container=nginx&tailLines=20');
    });

    it('reads a previous instance that does not exist (400) and a missing pod (404) as no logs', async () => {
      const { view } = await logServer();
      expect(await view.podLogs('ns', 'web', { container: 'nginx', previous: true })).toBe('');
      expect(await view.podLogs('ns', 'gone')).toBe('');
    });

    it('names any other failure with the apiserver’s own message', async () => {
      const { view } = await logServer();
      await expect(view.podLogs('ns', 'broken')).rejects.toThrow('logs of ns/broken failed: HTTP 500 etcd is unhappy');
    });

    it('explains a log read against a refused connection as the cluster not answering', async () => {
      const closed = net.createServer();
      const port = await listen(closed);
      closed.close();
      const view = viewFor(await kubeconfig(`http://127.0.0.1:${port}`));
      await expect(view.podLogs('ns', 'web')).rejects.toBeInstanceOf(ClusterUnreachableError);
    });
  });

  it('explains a refused connection in plain words', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    closed.close();
    const view = viewFor(await kubeconfig(`http://127.0.0.1:${port}`));
    const error = await view.getPod('ns', 'web').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as ClusterUnreachableError).reason).toBe('refused');
    expect((error as Error).message).toContain(`The API server at http://127.0.0.1:${port} refused the connection`);
    expect((error as Error).message).toContain('crictl ps -a --name kube-apiserver');
  });

  it('gives up at the deadline when the apiserver accepts but never answers', async () => {
    const port = await listen(net.createServer(() => {}));
    const view = viewFor(await kubeconfig(`http://127.0.0.1:${port}`), 300);
    const runner = new CheckRunner({ view: () => view });
    const started = performance.now();
    const result = await runner.run({
      name: 'x',
      check: async (v) => [{ ok: !!(await v.getPod('ns', 'web')), expected: 'pod', found: 'pod' }],
    });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(result.ok).toBe(false);
    expect(result.error).toContain(`The API server at http://127.0.0.1:${port} did not answer within 0.3 s.`);
    expect(result.error).toContain('/etc/kubernetes/manifests/kube-apiserver.yaml');
  });

  it('runs node commands through the provider with argv arrays', async () => {
    const view = viewFor(await kubeconfig('http://127.0.0.1:1'));
    await fs.writeFile(path.join(tmp, 'file with spaces; $(echo no)'), 'content\n');
    expect(await view.readNodeFile('control-plane', path.join(tmp, 'file with spaces; $(echo no)'))).toBe('content\n');
    expect(await view.readNodeFile('control-plane', path.join(tmp, 'absent'))).toBeUndefined();
    expect(await view.execOnNode('worker', ['sh', '-c', 'echo $STAND_IN_NODE; exit 3'])).toEqual({
      exitCode: 3,
      stdout: 'worker\n',
      stderr: '',
    });
    await expect(view.execOnNode('worker', ['sleep', '5'], { timeoutMs: 200 })).rejects.toThrow(
      'did not answer within 0.2 s',
    );
  });
});

describe('execResultOf', () => {
  it('maps the exec status channel to exit codes and failures', () => {
    expect(execResultOf({ status: 'Success' }, 'out', '')).toEqual({ exitCode: 0, stdout: 'out', stderr: '' });
    expect(
      execResultOf(
        { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '1' }] } },
        '',
        'touch: Read-only file system',
      ),
    ).toEqual({ exitCode: 1, stdout: '', stderr: 'touch: Read-only file system' });
    expect(
      execResultOf(
        { status: 'Failure', reason: 'InternalError', message: 'exec: "bash": executable file not found in $PATH' },
        '',
        '',
      ),
    ).toEqual({
      exitCode: null,
      stdout: '',
      stderr: '',
      failure: 'exec: "bash": executable file not found in $PATH',
    });
    expect(execResultOf(undefined, '', '').exitCode).toBeNull();
  });
});

describe('a connection accepted and closed without an answer (kind with the apiserver down)', () => {
  it('is explained as the apiserver not answering', async () => {
    const port = await listen(net.createServer((socket) => socket.destroy()));
    const view = viewFor(await kubeconfig(`http://127.0.0.1:${port}`));
    const error = await view.getPod('ns', 'web').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toContain(`The API server at http://127.0.0.1:${port} did not answer`);
    expect((error as Error).message).toContain('crictl ps -a --name kube-apiserver');
  });
});
