// Image presence through the cluster provider: each node's containerd is
// asked with crictl (here: a TEST DOUBLE provider whose "nodes" answer from a
// table), the host's Docker and the registry are injected. No process other
// than `sh -c exit N`, no network.
import { describe, expect, it } from 'vitest';
import type { ClusterNode, ClusterStatus } from '../protocol.js';
import { ImagePresence } from './image-presence.js';
import type { ClusterProvider, Command } from './provider.js';

/** TEST DOUBLE: two nodes whose containerd holds the images listed per node; loadImages adds them. */
class TableProvider implements ClusterProvider {
  readonly name = 'table';
  readonly kind = 'test-double';
  readonly loaded: string[][] = [];
  readonly asked: string[][] = [];
  constructor(
    readonly images: Record<string, Set<string>>,
    private readonly canLoad = true,
  ) {}
  async nodes(): Promise<ClusterNode[]> {
    return Object.keys(this.images).map((target) => ({
      target,
      container: `table-${target}`,
      role: target === 'control-plane' ? ('control-plane' as const) : ('worker' as const),
    }));
  }
  nodeCommand(target: string, argv: string[]): Command {
    this.asked.push([target, ...argv]);
    const has = argv[0] === 'crictl' && argv[1] === 'inspecti' && this.images[target]?.has(argv.at(-1) ?? '');
    return { file: 'sh', args: ['-c', has ? 'exit 0' : 'exit 1'] };
  }
  get loadImages() {
    if (!this.canLoad) return undefined;
    return async (images: readonly string[], say: (line: string) => void) => {
      this.loaded.push([...images]);
      for (const set of Object.values(this.images))
        for (const image of images) set.add(image.includes('/') ? image : `docker.io/library/${image}`);
      say('loaded');
    };
  }
  ensure = async () => {};
  status = async (): Promise<ClusterStatus> => ({ name: this.name, provider: this.kind, state: 'running', nodes: [] });
  kubeconfigPath = () => '/dev/null';
  nodeShellCommand = (): Command => ({ file: 'true', args: [] });
  delete = async () => {};
}

const NGINX = 'docker.io/library/nginx:1.27';

describe('ImagePresence', () => {
  it('reports an image every node has as available, asking neither Docker nor the registry', async () => {
    const provider = new TableProvider({ 'control-plane': new Set([NGINX]), worker: new Set([NGINX]) });
    const presence = new ImagePresence({
      provider,
      env: {},
      registryReachable: () => Promise.reject(new Error('must not be asked')),
      hostHas: () => Promise.reject(new Error('must not be asked')),
    });
    expect(await presence.reports(['nginx:1.27'])).toEqual([{ capability: 'image nginx:1.27', available: true }]);
    expect(provider.asked).toContainEqual(['worker', 'crictl', 'inspecti', '-q', NGINX]);
  });

  it('reports a missing image as available when its registry answers (the nodes pull it)', async () => {
    const hosts: string[] = [];
    const presence = new ImagePresence({
      provider: new TableProvider({ 'control-plane': new Set(), worker: new Set() }),
      env: {},
      registryReachable: async (host) => (hosts.push(host), true),
      hostHas: async () => false,
    });
    expect(await presence.reports(['falcosecurity/falco:0.41.3'])).toEqual([
      { capability: 'image falcosecurity/falco:0.41.3', available: true },
    ]);
    expect(hosts).toEqual(['registry-1.docker.io']);
  });

  it('offline, names the nodes that lack it and the fix, depending on whether the host has it', async () => {
    const provider = new TableProvider({ 'control-plane': new Set([NGINX]), worker: new Set() });
    const onHost = new ImagePresence({ provider, env: { HARDENING_LAB_OFFLINE: '1' }, hostHas: async () => true });
    const [loadable] = await onHost.reports(['nginx:1.27']);
    expect(loadable?.available).toBe(false);
    expect(loadable?.reason).toBe(
      "The image nginx:1.27 is not in node worker, and its registry (registry-1.docker.io) cannot be reached from this host. It is in this host's Docker: run `hardening-lab up` again (it loads the labs' images) or `kind load docker-image nginx:1.27 --name table`.",
    );
    const absent = new ImagePresence({ provider, env: { HARDENING_LAB_OFFLINE: '1' }, hostHas: async () => false });
    const [missing] = await absent.reports(['nginx:1.27', 'falcosecurity/falco:0.41.3']);
    expect(missing?.reason).toContain('`npm run build:node-image` builds an offline stand-in for it');
    const [, falco] = await absent.reports(['nginx:1.27', 'falcosecurity/falco:0.41.3']);
    expect(falco?.reason).toContain('docker save falcosecurity/falco:0.41.3 -o image.tar');
  });

  it('preload loads what the nodes lack and the host has, in one call, and says what is left', async () => {
    const provider = new TableProvider({ 'control-plane': new Set(), worker: new Set() });
    const presence = new ImagePresence({
      provider,
      env: { HARDENING_LAB_OFFLINE: '1' },
      hostHas: async (image) => image !== 'falcosecurity/falco:0.41.3',
    });
    const lines: string[] = [];
    const states = await presence.preload(
      ['nginx:1.27', 'busybox:1.36', 'docker.io/library/nginx:1.27', 'falcosecurity/falco:0.41.3'],
      (l) => lines.push(l),
    );
    expect(provider.loaded).toEqual([['nginx:1.27', 'busybox:1.36']]);
    expect(states.map((s) => [s.image, s.missingOn])).toEqual([
      ['nginx:1.27', []],
      ['busybox:1.36', []],
      ['falcosecurity/falco:0.41.3', ['control-plane', 'worker']],
    ]);
    expect(lines[0]).toBe('Checking the 3 images the labs use in each node…');
    expect(lines).toContain("Loading nginx:1.27, busybox:1.36 from this host's Docker into the nodes…");
    expect(lines.find((l) => l.startsWith('✗ The image falcosecurity/falco:0.41.3'))).toBeDefined();
    expect(lines.at(-1)).toBe('Images: 2 of 3 in every node (2 loaded).');
  });

  it('says nothing about images when there is no cluster to ask', async () => {
    const provider = new TableProvider({});
    provider.nodes = () => Promise.reject(new Error('Docker did not answer'));
    const presence = new ImagePresence({ provider, env: {} });
    expect(await presence.reports(['nginx:1.27'])).toEqual([]);
  });
});
