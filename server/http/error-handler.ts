// The server's one error handler: whatever went wrong while serving a
// request, the answer is JSON with a status, a short code and a message. Never
// a stack trace, a file path or a piece of the request: Express's default
// handler sends an HTML page with the stack (source paths included), and a
// parser error's message can quote the body it choked on — which, for the
// session exchange, is the token. Only HttpErrors (messages written for the
// learner) keep their words; 4xx from the framework get a fixed sentence per
// status; the rest is "internal". 5xx are logged with the route, without the
// query string, so a log line never carries what a client sent.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/** Fixed wording for client errors raised by express and its parsers. */
const CLIENT_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad-request', message: 'The request is malformed.' },
  403: { code: 'forbidden', message: 'This request is not allowed.' },
  404: { code: 'not-found', message: 'There is nothing here.' },
  405: { code: 'method-not-allowed', message: 'This method is not allowed here.' },
  413: { code: 'too-large', message: 'The request body is too large.' },
  415: { code: 'unsupported-media-type', message: 'Send the body as application/json.' },
};

function frameworkStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate =
    (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === 'number' && candidate >= 400 && candidate < 500 ? candidate : undefined;
}

/** The route for a log line: the path only (no query), quoted so odd bytes cannot forge lines. */
export function describeRequest(req: Request): string {
  const raw = req.originalUrl ?? req.url ?? '';
  const queryAt = raw.indexOf('?');
  const pathOnly = (queryAt >= 0 ? raw.slice(0, queryAt) : raw).slice(0, 200);
  return `${req.method} ${JSON.stringify(pathOnly)}`;
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return typeof error;
}

export function jsonErrorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Half an answer is already out: all that is left is to end it.
      res.destroy();
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (error instanceof HttpError) {
      if (error.status >= 500)
        log(`request failed: ${describeRequest(req)} → ${error.status}: ${describeCause(error)}`);
      res.status(error.status).json({ error: error.code, message: error.message });
      return;
    }
    const status = frameworkStatus(error);
    if (status !== undefined) {
      const known = CLIENT_ERRORS[status] ?? { code: 'bad-request', message: 'The request is malformed.' };
      res.status(status).json({ error: known.code, message: known.message });
      return;
    }
    log(`request failed: ${describeRequest(req)} → 500: ${describeCause(error)}`);
    res.status(500).json({ error: 'internal', message: 'Something went wrong on the server; its terminal says what.' });
  };
}

/**
 * A request target that does not decode (`/%zz`), or that starts with `//`
 * (what a URL parser reads as another host), is refused up front with a JSON
 * 400, instead of reaching the page's fallback route or a router that would
 * throw on it.
 */
export const rejectMalformedPath: RequestHandler = (req, _res, next) => {
  const raw = req.originalUrl ?? req.url ?? '';
  const queryAt = raw.indexOf('?');
  const pathOnly = queryAt >= 0 ? raw.slice(0, queryAt) : raw;
  let malformed = pathOnly.startsWith('//') || !pathOnly.startsWith('/');
  try {
    decodeURIComponent(pathOnly);
  } catch {
    malformed = true;
  }
  next(malformed ? new HttpError(400, 'bad-request', 'The request is malformed.') : undefined);
};

/** The last route: anything not served above is a JSON 404. */
export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not-found', message: 'There is nothing here.' });
};
