// The one place the page talks HTTP to its server. Every request carries the
// page credential as a bearer (never a cookie: credentials 'omit'); every
// response is parsed with the zod schema from server/protocol.ts, so a server
// that drifts from the wire contract fails loudly here instead of deep inside
// a component.
import { z } from 'zod';
import { CSRF_HEADER } from '../../../server/protocol.js';
import { ApiError } from './api-error.js';
import { authorizationHeader } from './credential.js';

const errorBodySchema = z.object({ error: z.string().optional(), message: z.string().optional() });

async function readError(response: Response, path: string): Promise<ApiError> {
  let code: string | undefined;
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = errorBodySchema.safeParse(await response.json());
    if (body.success) {
      code = body.data.error;
      message = body.data.message ?? body.data.error ?? message;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status line will do.
  }
  return new ApiError(message, response.status, path, code);
}

async function parseBody<T>(response: Response, path: string, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new ApiError('The server sent something that is not JSON.', response.status, path, 'bad-json', { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(
      `The server's answer does not match the protocol: ${z.prettifyError(parsed.error)}`,
      response.status,
      path,
      'bad-shape',
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

export async function getJson<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, {
    credentials: 'omit',
    headers: { accept: 'application/json', ...authorizationHeader() },
    signal,
  });
  if (!response.ok) throw await readError(response, path);
  return parseBody(response, path, schema);
}

/** A binary resource behind the credential (a lab's image), which an <img src> could not fetch. */
export async function getBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  const response = await fetch(path, { credentials: 'omit', headers: authorizationHeader(), signal });
  if (!response.ok) throw await readError(response, path);
  return response.blob();
}

async function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'omit',
    // The CSRF header the server demands on every state change.
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      [CSRF_HEADER]: '1',
      ...authorizationHeader(),
    },
    body: JSON.stringify(body ?? {}),
    signal,
  });
  if (!response.ok) throw await readError(response, path);
  return response;
}

export async function postJson<T>(path: string, body: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  return parseBody(await post(path, body, signal), path, schema);
}

/** A POST whose answer carries nothing the page needs (it may be empty). */
export async function postIgnoringBody(path: string, body: unknown, signal?: AbortSignal): Promise<void> {
  await post(path, body, signal);
}
