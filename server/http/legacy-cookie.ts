// Versions before the page credential kept the master token in a cookie,
// which browsers send to every port of the host. A learner who upgraded still
// has it; it would keep reaching other local web servers until the browser
// closes. The server never accepts it, and expires it wherever it sees it.
import type { RequestHandler } from 'express';

export const LEGACY_AUTH_COOKIE = 'hardening_lab_token';

const EXPIRED = `${LEGACY_AUTH_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`;

function carriesLegacyCookie(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(';').some((part) => part.trim().startsWith(`${LEGACY_AUTH_COOKIE}=`));
}

export const expireLegacyCookie: RequestHandler = (req, res, next) => {
  if (carriesLegacyCookie(req.headers.cookie)) res.append('Set-Cookie', EXPIRED);
  next();
};
