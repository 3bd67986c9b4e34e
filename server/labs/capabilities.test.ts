// falco-images: preloaded in every node, or a registry that answers; otherwise
// a reason that names the way that is open on this host. Docker and the
// registry are injected: these tests start no process and send no request.
import { describe, expect, it } from 'vitest';
import { FALCO_IMAGE, falcoImagesCapability, probeHostCapabilities } from './capabilities.js';

type Reply = { exitCode: number | undefined; stdout: string };

/** A fake docker CLI: `ps` lists the nodes, `exec … crictl inspecti` finds the image where told. */
function fakeDocker(nodes: string[], withImage: string[], onHost = false) {
  const calls: string[][] = [];
  const run = async (args: string[]): Promise<Reply> => {
    calls.push(args);
    if (args[0] === 'ps') return { exitCode: 0, stdout: nodes.join('\n') };
    if (args[0] === 'exec') return { exitCode: withImage.includes(args[1] ?? '') ? 0 : 1, stdout: '' };
    if (args[0] === 'image') return { exitCode: onHost ? 0 : 1, stdout: onHost ? 'sha256:abc' : '' };
    return { exitCode: 1, stdout: '' };
  };
  return { run, calls };
}

const NODES = ['hardening-lab-control-plane', 'hardening-lab-worker'];
const never = async () => false;

describe('falco-images capability', () => {
  it('is available when every node has the image, without asking the registry', async () => {
    const docker = fakeDocker(NODES, NODES);
    let asked = false;
    const probe = falcoImagesCapability({
      env: {},
      docker: docker.run,
      registryReachable: async () => ((asked = true), false),
    });
    expect(await probe()).toEqual({ available: true });
    expect(asked).toBe(false);
    expect(docker.calls).toContainEqual(['exec', 'hardening-lab-worker', 'crictl', 'inspecti', '-q', FALCO_IMAGE]);
    expect(docker.calls[0]).toEqual([
      'ps',
      '--filter',
      'label=io.x-k8s.kind.cluster=hardening-lab',
      '--format',
      '{{.Names}}',
    ]);
  });

  it('is available when the registry answers', async () => {
    const probe = falcoImagesCapability({
      env: {},
      docker: fakeDocker(NODES, []).run,
      registryReachable: async () => true,
    });
    expect(await probe()).toEqual({ available: true });
  });

  it('names the nodes without the image and the kind load fix when the host has it', async () => {
    const probe = falcoImagesCapability({
      env: {},
      docker: fakeDocker(NODES, ['hardening-lab-control-plane'], true).run,
      registryReachable: never,
    });
    const result = await probe();
    expect(result.available).toBe(false);
    expect(result.reason).toContain('not preloaded in the nodes (hardening-lab-worker)');
    expect(result.reason).toContain('Docker Hub did not answer within 2.5 s');
    expect(result.reason).toContain('kind load docker-image falcosecurity/falco:0.41.3 --name hardening-lab');
  });

  it('honours HARDENING_LAB_OFFLINE like scripts/test-cluster.sh', async () => {
    let asked = false;
    const offline = falcoImagesCapability({
      env: { HARDENING_LAB_OFFLINE: '1', HARDENING_LAB_CLUSTER: 'hardening-lab-test' },
      docker: undefined,
      registryReachable: async () => ((asked = true), true),
    });
    const result = await offline();
    expect(asked).toBe(false);
    expect(result.reason).toMatch(
      /not preloaded in the nodes of cluster "hardening-lab-test" and this host is marked offline/,
    );
    expect(result.reason).toMatch(/docker load -i/);
    const online = falcoImagesCapability({
      env: { HARDENING_LAB_OFFLINE: '0' },
      docker: undefined,
      registryReachable: never,
    });
    expect(await online()).toEqual({ available: true });
  });

  it('probes once and caches the answer for a while', async () => {
    let clock = 0;
    let probes = 0;
    const probe = falcoImagesCapability({
      env: {},
      docker: undefined,
      registryReachable: async () => (probes++, false),
      now: () => clock,
    });
    await Promise.all([probe(), probe()]);
    clock += 60_000;
    await probe();
    expect(probes).toBe(1);
    clock += 5 * 60_000;
    await probe();
    expect(probes).toBe(2);
  });

  it('is a known host capability', async () => {
    const [btf] = await probeHostCapabilities(['btf']);
    expect(btf?.capability).toBe('btf');
    const [unknown] = await probeHostCapabilities(['falco-image']);
    expect(unknown?.reason).toContain('falco-images');
  });
});

describe('GET /api/labs carries the capability reasons', () => {
  it('says before the learner starts why apparmor and falco cannot run here, and which hosts can', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { PROJECT_ROOT } = await import('../config.js');
    const { LocalShellStandInProvider } = await import('../cluster/local-shell-stand-in.js');
    const { startServer } = await import('../http/server.js');
    const { labSummarySchema } = await import('../protocol.js');
    const { createLabEngine } = await import('./lab-engine.js');
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-capabilities-'));
    // No registry request from a test: the probe reads this at call time.
    const offline = process.env.HARDENING_LAB_OFFLINE;
    process.env.HARDENING_LAB_OFFLINE = '1';
    const provider = new LocalShellStandInProvider({ home: tmp });
    const engine = await createLabEngine({
      labsDir: path.join(PROJECT_ROOT, 'labs'),
      stateDir: path.join(tmp, 'state'),
      provider,
      log: () => {},
    });
    const token = 'capability-test-token-0123456789';
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token,
      provider,
      apiRouters: [engine.router],
      log: () => {},
    });
    try {
      const res = await fetch(`${server.url}/api/labs`, { headers: { authorization: `Bearer ${token}` } });
      const labs = labSummarySchema.array().parse(await res.json());
      for (const id of ['apparmor', 'falco']) {
        const lab = labs.find((l) => l.id === id);
        expect(lab?.capabilities.map((c) => c.capability)).toEqual(lab?.requires);
        // Every capability the host lacks comes with a reason; runnable follows.
        for (const c of lab?.capabilities ?? []) if (!c.available) expect(c.reason?.length ?? 0).toBeGreaterThan(40);
        expect(lab?.runnable).toBe(lab?.capabilities.every((c) => c.available));
      }
      const falcoImages = labs.find((l) => l.id === 'falco')?.capabilities.find((c) => c.capability === 'falco-images');
      if (falcoImages && !falcoImages.available)
        expect(falcoImages.reason).toContain('kind load docker-image falcosecurity/falco:0.41.3');
    } finally {
      if (offline === undefined) delete process.env.HARDENING_LAB_OFFLINE;
      else process.env.HARDENING_LAB_OFFLINE = offline;
      await server.close();
      engine.close();
      await fs.rm(tmp, { recursive: true, force: true });
    }
    // Loading every lab and starting the real server takes seconds on a busy two-core machine.
  }, 60_000);
});
