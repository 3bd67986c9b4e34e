// Typed calls for the lab routes listed at the bottom of server/protocol.ts.
import { z } from 'zod';
import {
  checkResultSchema,
  healthItemSchema,
  labDetailSchema,
  labSummarySchema,
  resetResultSchema,
  solutionSchema,
  type CheckResult,
  type HealthItem,
  type LabDetail,
  type LabSummary,
  type ResetResult,
  type Solution,
} from '../../../server/protocol.js';
import { getJson, postIgnoringBody, postJson } from './http.js';

export const hintResponseSchema = z.object({ hint: z.string(), index: z.number() });
export type HintResponse = z.infer<typeof hintResponseSchema>;

const labPath = (labId: string): string => `/api/labs/${encodeURIComponent(labId)}`;
const stepPath = (labId: string, stepId: string): string => `${labPath(labId)}/steps/${encodeURIComponent(stepId)}`;

export function fetchLabs(signal?: AbortSignal): Promise<LabSummary[]> {
  return getJson('/api/labs', z.array(labSummarySchema), signal);
}

/** The learner opens the lab: the server starts it the first time (backups, files, setup), hence a POST. */
export function openLab(labId: string, signal?: AbortSignal): Promise<LabDetail> {
  return postJson(`${labPath(labId)}/start`, {}, labDetailSchema, signal);
}

export function checkStep(labId: string, stepId: string): Promise<CheckResult> {
  return postJson(`${stepPath(labId, stepId)}/check`, {}, checkResultSchema);
}

export function revealHint(labId: string, stepId: string): Promise<HintResponse> {
  return postJson(`${stepPath(labId, stepId)}/hint`, {}, hintResponseSchema);
}

export function fetchSolution(labId: string, stepId: string): Promise<Solution> {
  return postJson(`${stepPath(labId, stepId)}/solution`, {}, solutionSchema);
}

export function resetLab(labId: string): Promise<ResetResult> {
  return postJson(`${labPath(labId)}/reset`, {}, resetResultSchema);
}

/** Every cluster component, looked at now (polled while a reset waits for the cluster). */
export function fetchClusterHealth(signal?: AbortSignal): Promise<HealthItem[]> {
  return getJson('/api/cluster/health', z.array(healthItemSchema), signal);
}

export async function reportCurrentStep(labId: string, stepId: string): Promise<void> {
  await postIgnoringBody(`${labPath(labId)}/current`, { stepId });
}

/** Where a lab's images live; relative paths in its Markdown resolve here. */
export function labAssetUrl(labId: string, relativePath: string): string {
  const clean = relativePath
    .replace(/^\.\//, '')
    .split('/')
    // Markdown may carry the path percent-encoded or not; encode exactly once.
    .map((part) => encodeURIComponent(safeDecode(part)))
    .join('/');
  return `${labPath(labId)}/assets/${clean}`;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
