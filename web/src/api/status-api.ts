import { z } from 'zod';
import { clusterStatusSchema } from '../../../server/protocol.js';
import { getJson } from './http.js';

/** GET /api/status (the shape is written in protocol.ts's route list, not as a schema). */
export const statusResponseSchema = z.object({ cluster: clusterStatusSchema, version: z.string() });
export type StatusResponse = z.infer<typeof statusResponseSchema>;

export function fetchStatus(signal?: AbortSignal): Promise<StatusResponse> {
  return getJson('/api/status', statusResponseSchema, signal);
}
