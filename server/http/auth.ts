// Who may use the server: whoever presents the master token (printed once in
// the start URL, or fixed with --token-file / HARDENING_LAB_TOKEN) or a page
// credential derived from it.
//
// The credential is never a cookie. Browsers send a host's cookies to every
// port of that host, so a cookie would hand the key to any other web server
// on this machine the learner's browser talks to. Instead the page trades the
// token for a page credential (POST /api/session, our exact Origin only),
// keeps it in sessionStorage — which, unlike cookies, is per origin, port
// included — and presents it itself: `Authorization: Bearer` on fetch, the
// socket.io `auth` payload on sockets. Nothing attaches it automatically, so
// no other origin ever receives it. See docs/security.md.
//
// A page credential is "p1.<nonce>.<HMAC(token, nonce)>": stateless, so a
// server restarted with the same fixed token still accepts an open page (its
// terminals reconnect), and a new token invalidates every page at once. It
// cannot be turned back into the token.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const PAGE_CREDENTIAL_PREFIX = 'p1';
const PAGE_CREDENTIAL = /^p1\.([A-Za-z0-9_-]{22,64})\.([A-Za-z0-9_-]{43})$/;
/** Longest credential worth comparing; anything longer is refused unread. */
const MAX_PRESENTED = 512;

/** 256 random bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison so the token cannot be guessed byte by byte. */
export function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > MAX_PRESENTED) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class Credentials {
  constructor(private readonly token: string) {}

  private mac(nonce: string): string {
    return createHmac('sha256', this.token).update(`hardening-lab page credential ${nonce}`).digest('base64url');
  }

  /** A fresh page credential (one per exchange: per tab, per start-URL visit). */
  issue(): string {
    const nonce = randomBytes(18).toString('base64url');
    return `${PAGE_CREDENTIAL_PREFIX}.${nonce}.${this.mac(nonce)}`;
  }

  /** The master token itself (CLI clients, the exchange) or a page credential derived from it. */
  accepts(presented: unknown): boolean {
    if (typeof presented !== 'string' || presented.length > MAX_PRESENTED) return false;
    const page = PAGE_CREDENTIAL.exec(presented);
    if (page?.[1] && page[2]) return tokensMatch(this.mac(page[1]), page[2]);
    return tokensMatch(this.token, presented);
  }

  /** The exchange only takes the master token, never a page credential. */
  isMasterToken(presented: unknown): boolean {
    return tokensMatch(this.token, presented);
  }
}

/** `Authorization: Bearer <credential>`, the only place a request may carry it. */
export function bearerCredential(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  return match?.[1];
}
