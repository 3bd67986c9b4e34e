// Where a fixed access token comes from. A command line is public on this
// machine — every local user reads /proc/<pid>/cmdline (and `ps` shows it) —
// so --token-file and HARDENING_LAB_TOKEN are the ways to fix one; --token
// still works (scripts use it) but says why it should not be used. Without
// any of them the server makes a random 256-bit token.
import fs from 'node:fs';
import { TOKEN_ENV } from '../config.js';
import { generateToken } from '../http/auth.js';
import { isLoopbackHost } from '../http/host-origin.js';

export const MIN_TOKEN_LENGTH = 16;

export interface TokenOptions {
  host: string;
  token?: string | undefined;
  tokenFile?: string | undefined;
}

export type TokenResolution = { ok: true; token: string; warnings: string[] } | { ok: false; error: string };

function readTokenFile(file: string): { token: string } | { error: string } {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { error: `Cannot read the token file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.` };
  }
  if ((stat.mode & 0o077) !== 0) {
    return {
      error: `The token file ${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}). Fix: chmod 600 ${file}`,
    };
  }
  return { token: text.trim() };
}

export function resolveToken(options: TokenOptions, env: NodeJS.ProcessEnv = process.env): TokenResolution {
  const warnings: string[] = [];
  if (options.token !== undefined && options.tokenFile !== undefined) {
    return { ok: false, error: 'Use --token-file or --token, not both.' };
  }
  let explicit: string | undefined;
  if (options.tokenFile !== undefined) {
    const read = readTokenFile(options.tokenFile);
    if ('error' in read) return { ok: false, error: read.error };
    explicit = read.token;
  } else if (options.token !== undefined) {
    explicit = options.token;
    warnings.push(
      `! --token puts the token on the command line, where every user of this machine can read it (ps, /proc/<pid>/cmdline). Prefer --token-file <file> (mode 600) or ${TOKEN_ENV}.`,
    );
  } else {
    explicit = env[TOKEN_ENV] || undefined;
  }
  if (explicit !== undefined && explicit.length < MIN_TOKEN_LENGTH) {
    return {
      ok: false,
      error: `The token is too short (${explicit.length} characters). Use at least ${MIN_TOKEN_LENGTH} random characters, e.g. \`openssl rand -hex 32 > token && chmod 600 token\`.`,
    };
  }
  if (!isLoopbackHost(options.host) && explicit === undefined) {
    return {
      ok: false,
      error: `--host ${options.host} exposes root shells to your network.\n  Fix: pass --token-file <file> (or set ${TOKEN_ENV}) so only people you give the token to can connect — or keep the default --host 127.0.0.1.`,
    };
  }
  return { ok: true, token: explicit ?? generateToken(), warnings };
}
