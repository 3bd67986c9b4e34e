// The shape of labs/<id>/lab.yaml. Paths in it are relative to the lab's
// directory; the loader checks that they exist and stay inside it.
import { z } from 'zod';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Node targets as the page and the provider name them. */
export const TARGET = /^[a-z0-9-]{1,40}$/;

export const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the lab directory (relative, no "..")',
  });

export const labStepFileSchema = z.strictObject({
  id: z.string().regex(ID, 'lowercase letters, digits and dashes'),
  title: z.string().min(1),
  /** Markdown file with the step's text. */
  text: relativeFile,
  /** Name of a function exported by checks.ts. */
  check: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'a JavaScript identifier exported by checks.ts'),
  hints: z.array(z.string().min(1)).default([]),
  /** Reference solution (bash), run on `runOn` by test-lab and shown to the learner. */
  solution: relativeFile,
  /** Node the solution runs on; the control plane has kubectl configured. */
  runOn: z.string().regex(TARGET).default('control-plane'),
});

export const backupSchema = z.strictObject({
  node: z.string().regex(TARGET),
  /** Absolute path of a file on the node, e.g. a static-pod manifest. */
  path: z.string().regex(/^\/[^\0]*$/, 'an absolute path on the node'),
});

/** A container image reference with an explicit tag or digest (no implicit :latest). */
const imageReference = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._\-/:]*(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/,
    'an image reference with a tag or digest, e.g. nginx:1.27',
  )
  .refine((ref) => /[:@][^/]+$/.test(ref), { message: 'name a tag or digest, e.g. nginx:1.27' });

export const labFileSchema = z.strictObject({
  id: z.string().regex(ID, 'lowercase letters, digits and dashes'),
  title: z.string().min(1),
  summary: z.string().min(1),
  minutes: z.number().int().positive(),
  /** Host capabilities the lab needs (e.g. "apparmor", "btf"); see server/labs/capabilities.ts. */
  requires: z.array(z.string().min(1)).default([]),
  /** Markdown file shown above the steps. */
  intro: relativeFile,
  /** Module with the named checks; defaults to checks.ts. */
  checks: relativeFile.default('checks.ts'),
  /** Run at lab start (after backups) and by test-lab after cleanup. */
  setup: relativeFile.optional(),
  /** Undo everything the lab's steps create; must succeed when nothing exists. */
  cleanup: relativeFile,
  /** Node on which setup and cleanup run. */
  runOn: z.string().regex(TARGET).default('control-plane'),
  /**
   * Every container image the lab's manifests, scripts and texts use. `up`
   * puts them into the nodes; `validate` rejects a file using any other.
   */
  images: z.array(imageReference).default([]),
  /** Node files the steps edit: copied at lab start, restored on reset. */
  backups: z.array(backupSchema).default([]),
  steps: z.array(labStepFileSchema).min(1),
});

export type LabFile = z.infer<typeof labFileSchema>;
export type LabStepFile = z.infer<typeof labStepFileSchema>;
export type BackupSpec = z.infer<typeof backupSchema>;
