// POST /api/session: the page trades the master token from the start URL's
// fragment for a page credential (auth.ts). The one API route without a
// bearer: the token is in the body. It is reached only past the sender gate,
// so a browser must be on our exact origin, and it demands the CSRF header
// and a JSON body, neither of which a cross-origin form can send.
import express, { type Router } from 'express';
import { CSRF_HEADER, SESSION_PATH, sessionRequestSchema, type SessionResponse } from '../protocol.js';
import type { Credentials } from './auth.js';
import { HttpError } from './http-error.js';

export function createSessionRouter(credentials: Credentials): Router {
  const router = express.Router();
  router.post(SESSION_PATH, express.json({ limit: '4kb' }), (req, res) => {
    if (req.header(CSRF_HEADER) !== '1') {
      throw new HttpError(403, 'csrf', `State-changing requests need the ${CSRF_HEADER}: 1 header.`);
    }
    const body = sessionRequestSchema.safeParse(req.body);
    if (!body.success || !credentials.isMasterToken(body.data.token)) {
      throw new HttpError(401, 'unauthorized', 'The token in this link is wrong. Use the link the server printed.');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ credential: credentials.issue() } satisfies SessionResponse);
  });
  return router;
}
