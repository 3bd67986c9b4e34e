// The engine as the CLI mounts it: the lab routes and the break-glass routes
// behind the real server (cluster = the local-shell stand-in, a test double).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { startServer, type RunningServer } from '../http/server.js';
import { apiserverDiagnosisSchema, diagnosisPath } from './apiserver-diagnosis-protocol.js';
import { createLabEngine, type LabEngine } from './lab-engine.js';

const TOKEN = 'engine-test-token-0123456789abcdef';

describe('lab engine mounted in the server (local-shell stand-in cluster)', () => {
  let engine: LabEngine;
  let server: RunningServer;
  beforeAll(async () => {
    const provider = new LocalShellStandInProvider();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-engine-'));
    engine = await createLabEngine({ stateDir, provider, log: () => undefined });
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      provider,
      apiRouters: [engine.router],
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server.close();
    engine.close();
  });

  const get = (p: string) => fetch(`${server.url}/api${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  it('serves the shipped labs', async () => {
    const labs = (await (await get('/labs')).json()) as { id: string }[];
    expect(labs.map((l) => l.id)).toEqual(
      expect.arrayContaining(['immutable-pods', 'api-auditing', 'strace-on-etcd', 'seccomp', 'apparmor', 'falco']),
    );
  });

  it('serves the break-glass diagnosis beside the lab routes', async () => {
    const reply = await get(diagnosisPath('api-auditing').replace(/^\/api/, ''));
    expect(reply.status).toBe(200);
    const diagnosis = apiserverDiagnosisSchema.parse(await reply.json());
    // The stand-in "node" is this machine, which runs no kube-apiserver.
    expect(diagnosis.healthy).toBe(false);
  });
});
