// Which container images a lab uses, read from its files, so that `validate`
// can hold lab.yaml's `images:` to the truth and `up` can put exactly those
// images into the nodes before a learner needs them (offline hosts have no
// registry: an undeclared image is an ImagePullBackOff in the middle of a step).
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One image as a file uses it, with the place it was seen. */
export interface ImageUse {
  image: string;
  file: string;
  line?: number;
}

/**
 * The name containerd stores: registry, repository and tag (or digest),
 * with Docker Hub's defaults filled in. `nginx:1.27` →
 * `docker.io/library/nginx:1.27`; `falcosecurity/falco` →
 * `docker.io/falcosecurity/falco:latest`.
 */
export function canonicalImage(reference: string): string {
  let ref = reference.trim();
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  // A first part with a dot or a port, or "localhost", names a registry.
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = `docker.io/${ref}`;
  const [registry = '', ...rest] = ref.split('/');
  let repository = rest.join('/');
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  const lastPart = repository.slice(repository.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !repository.includes('@')) repository = `${repository}:latest`;
  return `${registry}/${repository}`;
}

/** The registry host an image is pulled from (Docker Hub's API host for docker.io). */
export function registryOf(reference: string): string {
  const registry = canonicalImage(reference).split('/')[0] ?? 'docker.io';
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** Whether a declared list covers an image, comparing canonical names. */
export function isDeclared(image: string, declared: readonly string[]): boolean {
  const wanted = canonicalImage(image);
  return declared.some((d) => canonicalImage(d) === wanted);
}

// `image: nginx:1.27` in YAML (manifests, heredocs in scripts and Markdown).
const YAML_IMAGE_LINE = /^\s*(?:-\s+)?image:\s*["']?([^\s"'#]+)/;
// `kubectl run --image=busybox:1.36`, `kubectl debug --image busybox:1.36`.
const IMAGE_FLAG = /--image[= ]["']?([^\s"'\\]+)/g;

/** Images named in shell or Markdown text, line by line. */
export function imagesInText(text: string, file: string): ImageUse[] {
  const uses: ImageUse[] = [];
  text.split('\n').forEach((lineText, i) => {
    const yamlLine = YAML_IMAGE_LINE.exec(lineText);
    if (yamlLine?.[1] && !yamlLine[1].startsWith('$')) uses.push({ image: yamlLine[1], file, line: i + 1 });
    for (const flag of lineText.matchAll(IMAGE_FLAG)) {
      if (flag[1] && !flag[1].startsWith('$')) uses.push({ image: flag[1], file, line: i + 1 });
    }
  });
  return uses;
}

/** Images in a YAML file: every `image` string anywhere in every document. */
export function imagesInYaml(text: string, file: string): ImageUse[] {
  const uses: ImageUse[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'image' && typeof inner === 'string') uses.push({ image: inner, file });
        else walk(inner);
      }
    }
  };
  for (const doc of parseAllDocuments(text)) {
    // A YAML file that does not parse is reported by other checks; read its lines instead.
    if ('errors' in doc && doc.errors.length > 0) return imagesInText(text, file);
    walk(doc.toJS());
  }
  return uses;
}

/** Files whose contents reach the cluster or the learner's terminal. */
const SCANNED = /\.(ya?ml|sh|md)$/;
/** Recordings and tests describe clusters, they do not create anything. */
const SKIPPED_DIRS = new Set(['fixtures', 'node_modules']);

/** Every image the lab's manifests, scripts and texts use (lab.yaml itself excluded). */
export async function imagesUsedByLab(labDir: string): Promise<ImageUse[]> {
  const uses: ImageUse[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(labDir, full);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await visit(full);
      } else if (SCANNED.test(entry.name) && rel !== 'lab.yaml') {
        const text = await fs.readFile(full, 'utf8');
        uses.push(...(/\.ya?ml$/.test(entry.name) ? imagesInYaml(text, rel) : imagesInText(text, rel)));
      }
    }
  };
  await visit(labDir);
  return uses;
}
