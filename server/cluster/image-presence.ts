// Whether the images a lab declares can run in the cluster's nodes, and
// putting them there. A node gets an image in one of two ways: it is already
// in the node's containerd (kind-loaded), or the node pulls it from its
// registry. Offline hosts have only the first, so `up` loads every declared
// image the host's Docker has, and the lab list names any that neither way
// can provide, with the fix, before a learner meets an ImagePullBackOff.
import { execa } from 'execa';
import type { CapabilityReport } from '../protocol.js';
import { canonicalImage, registryOf } from '../labs/lab-images.js';
import { NodeAccess } from '../checks/node-access.js';
import type { ClusterProvider } from './provider.js';
import { findDocker } from './kind-tool.js';

export const REGISTRY_PROBE_TIMEOUT_MS = 2_500;

/** Images the offline build makes from Debian packages (scripts/offline/standin-lib.sh). */
const OFFLINE_STAND_INS = new Set(['nginx:1.27', 'busybox:1.36'].map(canonicalImage));
const NODE_PROBE_TIMEOUT_MS = 5_000;
const DOCKER_TIMEOUT_MS = 10_000;

/** Where one image stands for this cluster. */
export interface ImageState {
  image: string;
  /** Nodes whose containerd lacks it (empty: every node has it). */
  missingOn: string[];
  /** The host's Docker has it, so `kind load` can copy it in. */
  onHost: boolean;
  /** Its registry answered: the nodes can pull it themselves. */
  pullable: boolean;
}

export interface ImagePresenceOptions {
  provider: ClusterProvider;
  env?: NodeJS.ProcessEnv;
  /** True when the registry answers at all (any HTTP status) within the deadline. */
  registryReachable?: (host: string, timeoutMs: number) => Promise<boolean>;
  /** True when the host's Docker has the image. */
  hostHas?: (image: string) => Promise<boolean>;
}

async function defaultRegistryReachable(host: string, timeoutMs: number): Promise<boolean> {
  try {
    // The v2 endpoint answers 401 without credentials: any answer means reachable.
    await fetch(`https://${host}/v2/`, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

function defaultHostHas(env: NodeJS.ProcessEnv): (image: string) => Promise<boolean> {
  return async (image) => {
    const docker = findDocker(env);
    if (!docker) return false;
    const result = await execa(docker, ['image', 'inspect', '--format', '{{.Id}}', image], {
      timeout: DOCKER_TIMEOUT_MS,
      reject: false,
      env,
    });
    return result.exitCode === 0;
  };
}

export class ImagePresence {
  private readonly provider: ClusterProvider;
  private readonly nodeAccess: NodeAccess;
  private readonly env: NodeJS.ProcessEnv;
  private readonly registryReachable: (host: string, timeoutMs: number) => Promise<boolean>;
  private readonly hostHas: (image: string) => Promise<boolean>;

  constructor(options: ImagePresenceOptions) {
    this.provider = options.provider;
    this.nodeAccess = new NodeAccess(options.provider, NODE_PROBE_TIMEOUT_MS);
    this.env = options.env ?? process.env;
    this.registryReachable = options.registryReachable ?? defaultRegistryReachable;
    this.hostHas = options.hostHas ?? defaultHostHas(this.env);
  }

  /** HARDENING_LAB_OFFLINE=1 means "no registry" without asking; =0 "registries work". */
  private async pullable(image: string): Promise<boolean> {
    const mode = this.env.HARDENING_LAB_OFFLINE;
    if (mode === '1') return false;
    if (mode === '0') return true;
    return this.registryReachable(registryOf(image), REGISTRY_PROBE_TIMEOUT_MS);
  }

  /** Asks every node's containerd (crictl inspecti), the host's Docker and the registry. */
  async states(images: readonly string[]): Promise<ImageState[]> {
    const nodes = await this.provider.nodes();
    return Promise.all(
      images.map(async (image): Promise<ImageState> => {
        const present = await Promise.all(
          nodes.map(async (node) => {
            const result = await this.nodeAccess
              .execOnNode(node.target, ['crictl', 'inspecti', '-q', canonicalImage(image)])
              .catch(() => undefined);
            return result?.exitCode === 0;
          }),
        );
        const missingOn = nodes.filter((_, i) => !present[i]).map((n) => n.target);
        if (missingOn.length === 0 && nodes.length > 0) return { image, missingOn, onHost: false, pullable: false };
        const [onHost, pullable] = await Promise.all([this.hostHas(image), this.pullable(image)]);
        return { image, missingOn, onHost, pullable };
      }),
    );
  }

  /** One report per image for the lab list: available, or why not and the fix. */
  async reports(images: readonly string[]): Promise<CapabilityReport[]> {
    if (images.length === 0) return [];
    let states: ImageState[];
    try {
      states = await this.states(images);
    } catch {
      // No cluster (or Docker not answering): the page already says how to
      // start one; an image report on top would only repeat it.
      return [];
    }
    return states.map((state) => imageReport(state, this.provider.name));
  }

  /**
   * Copies into the nodes every image a node lacks and the host's Docker
   * has (one `kind load` for all of them), and says what happens to the rest.
   */
  async preload(images: readonly string[], say: (line: string) => void): Promise<ImageState[]> {
    // The first spelling of each image wins: that is how the labs name it.
    const byName = new Map<string, string>();
    for (const image of images) if (!byName.has(canonicalImage(image))) byName.set(canonicalImage(image), image);
    const unique = [...byName.values()];
    if (unique.length === 0) return [];
    say(`Checking the ${unique.length} images the labs use in each node…`);
    const states = await this.states(unique);
    const loadable = states.filter((s) => s.missingOn.length > 0 && s.onHost).map((s) => s.image);
    if (loadable.length > 0) {
      if (!this.provider.loadImages) {
        say(`This cluster provider (${this.provider.kind}) cannot load images; the nodes will pull them.`);
      } else {
        say(`Loading ${loadable.join(', ')} from this host's Docker into the nodes…`);
        await this.provider.loadImages(loadable, say);
      }
    }
    const after = loadable.length > 0 ? await this.states(unique) : states;
    for (const state of after) {
      if (state.missingOn.length === 0) continue;
      say(
        state.pullable
          ? `${state.image}: not in the nodes yet; they will pull it from its registry on first use.`
          : `✗ ${imageReport(state, this.provider.name).reason ?? ''}`,
      );
    }
    const ready = after.filter((s) => s.missingOn.length === 0).length;
    say(
      `Images: ${ready} of ${after.length} in every node${loadable.length > 0 ? ` (${loadable.length} loaded)` : ''}.`,
    );
    return after;
  }
}

/** The capability name the lab list shows for an image. */
export function imageCapability(image: string): string {
  return `image ${image}`;
}

export function imageReport(state: ImageState, cluster: string): CapabilityReport {
  const capability = imageCapability(state.image);
  if (state.missingOn.length === 0 || state.pullable) return { capability, available: true };
  const where = `not in node${state.missingOn.length > 1 ? 's' : ''} ${state.missingOn.join(', ')}`;
  const fix = state.onHost
    ? `It is in this host's Docker: run \`hardening-lab up\` again (it loads the labs' images) or \`kind load docker-image ${state.image} --name ${cluster}\`.`
    : OFFLINE_STAND_INS.has(canonicalImage(state.image))
      ? `\`npm run build:node-image\` builds an offline stand-in for it into this host's Docker; then run \`hardening-lab up\` again.`
      : `Bring it into this host's Docker (on a machine with internet: \`docker save ${state.image} -o image.tar\`; here: \`docker load -i image.tar\`), then run \`hardening-lab up\` again.`;
  return {
    capability,
    available: false,
    reason: `The image ${state.image} is ${where}, and its registry (${registryOf(state.image)}) cannot be reached from this host. ${fix}`,
  };
}
