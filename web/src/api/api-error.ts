// A failed API call, typed so the page can say what went wrong and where
// (headlamp style): the status tells "not there yet" (404) from "not allowed
// yet" (403) from "server broke" (5xx); `path` names the request.
export class ApiError extends Error {
  readonly status: number;
  readonly path: string;
  /** The server's machine-readable error code, when it sent one. */
  readonly code: string | undefined;

  constructor(message: string, status: number, path: string, code?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.path = path;
    this.code = code;
  }
}

/** A message fit to show the learner, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status}, ${error.path})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
