// The page's credential (server/http/auth.ts explains the design). The start
// URL carries the server's token in its fragment, which no request ever
// sends; the page trades it once for a page credential and keeps that in
// sessionStorage: per origin — port included, unlike cookies — and per tab,
// and it survives a reload. Only this page's own code sends it: as a bearer
// on fetch, in each socket's `auth` payload. Nothing attaches it by itself,
// so no other origin, another port of this host included, ever receives it.
import { z } from 'zod';
import { CSRF_HEADER, SESSION_PATH, START_TOKEN_PARAM, sessionResponseSchema } from '../../../server/protocol.js';

const STORAGE_KEY = 'hardening-lab:credential';
const credentialSchema = z.string().min(1).max(512);

/** Where the credential lives when sessionStorage is off (privacy settings): this document only. */
let inMemory: string | undefined;

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function currentCredential(): string | undefined {
  const stored = storage()?.getItem(STORAGE_KEY) ?? inMemory;
  const parsed = credentialSchema.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

function remember(credential: string | undefined): void {
  inMemory = credential;
  const store = storage();
  if (credential === undefined) store?.removeItem(STORAGE_KEY);
  else store?.setItem(STORAGE_KEY, credential);
}

/** Headers that prove who the page is; empty without a credential (the server then answers 401). */
export function authorizationHeader(): Record<string, string> {
  const credential = currentCredential();
  return credential ? { authorization: `Bearer ${credential}` } : {};
}

/** Whether the address bar carries a start token (a fresh start URL, pasted or opened). */
export function hasStartToken(): boolean {
  return new URLSearchParams(window.location.hash.slice(1)).has(START_TOKEN_PARAM);
}

/** Takes the token out of the fragment — and so out of the address bar and this history entry. */
function takeStartToken(): string | undefined {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get(START_TOKEN_PARAM);
  if (token === null) return undefined;
  params.delete(START_TOKEN_PARAM);
  const rest = params.toString();
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${search}${rest ? `#${rest}` : ''}`);
  return token;
}

export type CredentialOutcome =
  /** A credential is in hand (fresh from the start URL, or kept from before a reload). */
  | 'ready'
  /** Neither a start token nor a kept credential: the learner must open the printed link. */
  | 'missing'
  /** The server refused the start token (an old link, a restarted server). */
  | 'refused';

/** Before anything talks to the server: trade a start token if there is one. */
export async function establishCredential(): Promise<CredentialOutcome> {
  const token = takeStartToken();
  if (token === undefined) return currentCredential() ? 'ready' : 'missing';
  try {
    const response = await fetch(SESSION_PATH, {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      headers: { accept: 'application/json', 'content-type': 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify({ token }),
    });
    const parsed = response.ok ? sessionResponseSchema.safeParse(await response.json()) : undefined;
    if (!parsed?.success) {
      remember(undefined);
      return 'refused';
    }
    remember(parsed.data.credential);
    return 'ready';
  } catch {
    remember(undefined);
    return 'refused';
  }
}
