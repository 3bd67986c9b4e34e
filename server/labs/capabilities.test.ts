// Host capabilities (lab.yaml `requires`) and the lab list that carries
// their reasons, with the images each lab declares.
import { describe, expect, it } from 'vitest';
import { probeHostCapabilities } from './capabilities.js';

describe('host capabilities', () => {
  it('knows btf and names the known ones for an unknown name', async () => {
    const [btf] = await probeHostCapabilities(['btf']);
    expect(btf?.capability).toBe('btf');
    const [unknown] = await probeHostCapabilities(['falco-images']);
    expect(unknown?.available).toBe(false);
    expect(unknown?.reason).toBe('Unknown capability "falco-images" (known: apparmor, btf, seccomp).');
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
        // Host capabilities first, then one report per declared image.
        expect(lab?.capabilities.map((c) => c.capability).slice(0, lab.requires.length)).toEqual(lab?.requires);
        // Every capability the host lacks comes with a reason; runnable follows.
        for (const c of lab?.capabilities ?? []) if (!c.available) expect(c.reason?.length ?? 0).toBeGreaterThan(40);
        expect(lab?.runnable).toBe(lab?.capabilities.every((c) => c.available));
      }
      const falcoImage = labs
        .find((l) => l.id === 'falco')
        ?.capabilities.find((c) => c.capability === 'image falcosecurity/falco:0.41.3');
      // The stand-in nodes are local shells without crictl, and the host is marked offline.
      expect(falcoImage?.available).toBe(false);
      expect(falcoImage?.reason).toContain('cannot be reached from this host');
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
