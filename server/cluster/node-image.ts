// Which kind node image `up` uses. With internet, kind's official image. On a
// machine that cannot pull (our CI, an air-gapped workshop) but has built the
// offline image (`npm run build:node-image`), that one — said out loud.
import { execa } from 'execa';
import { DEFAULT_NODE_IMAGE, OFFLINE_NODE_IMAGE } from '../config.js';

export interface NodeImageChoice {
  image: string;
  /** Why this image, for the terminal. */
  reason: string;
}

export type ImagePresence = (image: string) => Promise<boolean>;

export function dockerImagePresence(docker: string): ImagePresence {
  return async (image) => {
    const result = await execa(docker, ['image', 'inspect', '--format', '{{.Id}}', image], { timeout: 15_000, reject: false });
    return result.exitCode === 0;
  };
}

export async function chooseNodeImage(explicit: string | undefined, present: ImagePresence): Promise<NodeImageChoice> {
  if (explicit) return { image: explicit, reason: 'chosen with --image / HARDENING_LAB_NODE_IMAGE' };
  if (await present(DEFAULT_NODE_IMAGE)) return { image: DEFAULT_NODE_IMAGE, reason: 'kind’s official image, already pulled' };
  if (await present(OFFLINE_NODE_IMAGE)) {
    return {
      image: OFFLINE_NODE_IMAGE,
      reason: `the locally built offline image (${DEFAULT_NODE_IMAGE} is not pulled; pass --image ${DEFAULT_NODE_IMAGE} to use it instead)`,
    };
  }
  return { image: DEFAULT_NODE_IMAGE, reason: 'kind’s official image (kind pulls it; offline? build one with `npm run build:node-image`)' };
}
