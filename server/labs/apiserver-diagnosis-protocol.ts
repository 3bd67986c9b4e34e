// Wire contract of the apiserver break-glass panel, shared by the server
// route, the web component and the labs whose checks report apiserver health.
// Kept free of Node imports so the web page can import it.
import { z } from 'zod';

/**
 * The `expected` text of a check finding about apiserver health. The page
 * shows the break-glass panel when such a finding fails, so every lab that
 * edits the apiserver manifest should use this exact text.
 */
export const APISERVER_HEALTH_EXPECTED = 'kube-apiserver answers /readyz with "ok"';

export const containerStateSchema = z.enum(['running', 'exited', 'created', 'unknown']);
export type ApiserverContainerState = z.infer<typeof containerStateSchema>;

export const apiserverContainerSchema = z.object({
  id: z.string(),
  state: containerStateSchema,
  attempt: z.number().int(),
  /** Milliseconds since the epoch. */
  createdAt: z.number(),
});
export type ApiserverContainer = z.infer<typeof apiserverContainerSchema>;

export const apiserverDiagnosisSchema = z.object({
  /** /readyz answered "ok" on the control-plane node. */
  healthy: z.boolean(),
  /** What /readyz (curl) said, one line. */
  readyz: z.string(),
  /** `crictl ps -a --name kube-apiserver` as the node printed it. */
  crictlPs: z.string(),
  containers: z.array(apiserverContainerSchema),
  /** The container whose log is shown (the newest one), if any. */
  containerId: z.string().optional(),
  /** Last lines of that container's log (`crictl logs --tail 30`). */
  logTail: z.string(),
  /** When no container exists: kubelet's recent complaints about the manifest. */
  kubeletTail: z.string().optional(),
  /** The likely cause in plain words, when recognised. */
  hint: z.string().optional(),
  /** Backed-up files the Restore button would put back. */
  restorable: z.array(z.string()),
  checkedAt: z.string(),
});
export type ApiserverDiagnosis = z.infer<typeof apiserverDiagnosisSchema>;

export const restoreResultSchema = z.object({
  ok: z.boolean(),
  /** Files put back, as node:path. */
  restored: z.array(z.string()),
  log: z.string(),
});
export type RestoreResult = z.infer<typeof restoreResultSchema>;

/**
 * Routes (behind the page credential; POST needs the CSRF header):
 *   GET  /api/labs/:lab/diagnosis        → ApiserverDiagnosis
 *   POST /api/labs/:lab/restore-backups  → RestoreResult
 */
export const diagnosisPath = (labId: string): string => `/api/labs/${encodeURIComponent(labId)}/diagnosis`;
export const restoreBackupsPath = (labId: string): string => `/api/labs/${encodeURIComponent(labId)}/restore-backups`;
