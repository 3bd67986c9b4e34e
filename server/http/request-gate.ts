// Every request's way in, HTTP and socket.io alike, decided from the headers
// alone before any route runs:
//
//   1. Host must be one of ours (DNS rebinding).
//   2. An Origin, when sent, must be exactly ours (scheme, host, port).
//   3. Where a browser would have sent an Origin — any method but GET/HEAD,
//      every socket.io request — its absence is only accepted together with
//      a valid `Authorization: Bearer`, which browsers cannot attach to a
//      cross-origin request without a CORS preflight we never grant: that is
//      a CLI client or a test, not a page.
//   4. The API and the sockets refuse requests a browser labels as coming
//      from another origin (Sec-Fetch-Site), which covers the requests that
//      carry no Origin at all (<img>, <script>, no-cors fetch).
//   5. The API needs a credential (auth.ts) and, for state changes, the
//      custom header that a cross-origin form can never send.
//
// The page itself (HTML, JS, CSS) holds no secret and is served to anyone
// who passes 1-3, so a learner can open it and paste the start URL.
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { CSRF_HEADER } from '../protocol.js';
import { bearerCredential, type Credentials } from './auth.js';
import { HttpError } from './http-error.js';
import { crossOriginFetch, hostAllowed, judgeOrigin, type AllowList } from './host-origin.js';

export interface GateOptions {
  allow: AllowList;
  /** Our exact origins; filled in once the server listens (the port may be 0 until then). */
  origins: ReadonlySet<string>;
  credentials: Credentials;
}

/** Why a request was refused, or undefined when it may go on to its route. */
export type Refusal = HttpError | undefined;

const readOnly = (method: string | undefined): boolean => method === 'GET' || method === 'HEAD';

function hasValidBearer(req: IncomingMessage, credentials: Credentials): boolean {
  return credentials.accepts(bearerCredential(req));
}

/**
 * Steps 1-3: for every request, the page's own files included.
 * `originExpected`: a browser would have sent an Origin with this request.
 */
export function checkSender(req: IncomingMessage, gate: GateOptions, originExpected: boolean): Refusal {
  if (!hostAllowed(req, gate.allow)) return new HttpError(403, 'forbidden-host', 'Forbidden: unexpected Host header.');
  const origin = judgeOrigin(req, gate.origins);
  if (origin === 'foreign') {
    return new HttpError(403, 'forbidden-origin', 'Forbidden: requests from other origins are refused.');
  }
  if (origin === 'absent' && originExpected && !hasValidBearer(req, gate.credentials)) {
    return new HttpError(403, 'origin-required', 'Forbidden: this request needs an Origin header or a bearer token.');
  }
  return undefined;
}

/** Express middleware for steps 1-3. */
export function senderGate(gate: GateOptions): RequestHandler {
  return (req, _res, next) => {
    next(checkSender(req, gate, !readOnly(req.method)));
  };
}

/** Express middleware for steps 4-5, mounted on /api after the public routes (the exchange). */
export function apiGate(gate: GateOptions): RequestHandler {
  return (req, _res, next) => {
    if (crossOriginFetch(req)) {
      next(new HttpError(403, 'forbidden-origin', 'Forbidden: requests from other origins are refused.'));
      return;
    }
    if (!hasValidBearer(req, gate.credentials)) {
      next(new HttpError(401, 'unauthorized', 'Missing or wrong credential. Open the link hardening-lab printed.'));
      return;
    }
    if (!readOnly(req.method) && req.header(CSRF_HEADER) !== '1') {
      next(new HttpError(403, 'csrf', `State-changing requests need the ${CSRF_HEADER}: 1 header.`));
      return;
    }
    next();
  };
}

/**
 * For every engine.io request (the polling handshake, each later polling
 * request, the websocket upgrade), which express never sees. Browsers send
 * Origin on every websocket handshake; a page's polling GET could omit it
 * (same-origin), so there too its absence needs a bearer. The credential
 * itself is checked per namespace (socket-auth.ts), where the page's `auth`
 * payload arrives.
 */
export function checkSocketRequest(req: IncomingMessage, gate: GateOptions): Refusal {
  const sender = checkSender(req, gate, true);
  if (sender) return sender;
  if (crossOriginFetch(req))
    return new HttpError(403, 'forbidden-origin', 'Forbidden: requests from other origins are refused.');
  return undefined;
}
