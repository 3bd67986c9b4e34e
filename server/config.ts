// Where the product keeps its own state, and the defaults every command shares.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in <root>/server). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_CLUSTER_NAME = 'hardening-lab';
export const DEFAULT_PORT = 7681;
export const DEFAULT_HOST = '127.0.0.1';
/** kind's official node image for kind v0.30.0 with Kubernetes 1.34 (users with internet). */
export const DEFAULT_NODE_IMAGE = 'kindest/node:v1.34.0';
/** The image `npm run build:node-image` builds for machines without a registry. */
export const OFFLINE_NODE_IMAGE = 'hardening-lab/node:v1.34.0-offline';
export const DEFAULT_KIND_CONFIG = path.join(PROJECT_ROOT, 'kind-config', 'cluster.yaml');
/** Detached terminals are reaped after this long without a viewer. */
export const DEFAULT_TERMINAL_GRACE_MS = 30 * 60 * 1000;
/** Environment variable that fixes the auth token (instead of a random one). */
export const TOKEN_ENV = 'HARDENING_LAB_TOKEN';

/**
 * The product's state directory: $XDG_STATE_HOME/hardening-lab or
 * ~/.local/state/hardening-lab. HARDENING_LAB_STATE_DIR overrides (tests).
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HARDENING_LAB_STATE_DIR) return env.HARDENING_LAB_STATE_DIR;
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'hardening-lab');
}

/** Per-cluster state (kubeconfig, backups) lives below the state directory. */
export function clusterStateDir(clusterName: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'clusters', clusterName);
}
