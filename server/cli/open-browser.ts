// Open the start URL in the learner's browser, best effort: a missing opener
// (a server without a desktop) is not an error, the URL is printed anyway.
//
// The start URL carries the token, and a child's command line is readable by
// every user of the machine (/proc/<pid>/cmdline, `ps`) — the opener's and
// the browser's it starts. So, as Jupyter does, the opener only gets the path
// of a 0600 HTML file in the state directory that sends the browser on to
// the start URL. The opener's environment loses HARDENING_LAB_TOKEN too: the
// browser and everything it starts have no use for it.
import path from 'node:path';
import { execa } from 'execa';
import { TOKEN_ENV } from '../config.js';
import { ensurePrivateDir, writePrivateFile } from '../state/private-files.js';

export interface OpenBrowserOptions {
  /** The state directory; the redirect file goes there. */
  stateDir: string;
  /** The server's port: one redirect file per server. */
  port: number;
  /** The opener to run (tests); the platform's by default. The file path is its last argument. */
  opener?: { command: string; args: string[] };
  env?: NodeJS.ProcessEnv;
}

export interface OpenedBrowser {
  opened: boolean;
  /** The redirect file; remove it when the server stops. */
  file: string;
}

function platformOpener(): { command: string; args: string[] } {
  if (process.platform === 'darwin') return { command: 'open', args: [] };
  if (process.platform === 'win32') return { command: 'explorer', args: [] };
  return { command: 'xdg-open', args: [] };
}

function escapeHtmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function redirectFilePath(stateDir: string, port: number): string {
  return path.join(stateDir, `open-${port}.html`);
}

/** A page that forwards to the start URL at once (no script needed), with a link if it does not. */
export function redirectPage(startUrl: string): string {
  const url = escapeHtmlAttribute(startUrl);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${url}">`,
    '<title>Hardening Lab</title>',
    '</head>',
    `<body><p>Opening Hardening Lab… If nothing happens, <a href="${url}">open it here</a>.</p></body>`,
    '</html>',
    '',
  ].join('\n');
}

/** Writes the redirect file (0600, state directory 0700) and returns its path. */
export function writeRedirectFile(startUrl: string, stateDir: string, port: number): string {
  ensurePrivateDir(stateDir);
  const file = redirectFilePath(stateDir, port);
  writePrivateFile(file, redirectPage(startUrl));
  return file;
}

export async function openBrowser(startUrl: string, options: OpenBrowserOptions): Promise<OpenedBrowser> {
  const file = writeRedirectFile(startUrl, options.stateDir, options.port);
  const opener = options.opener ?? platformOpener();
  const env = Object.fromEntries(Object.entries(options.env ?? process.env).filter(([name]) => name !== TOKEN_ENV));
  try {
    const child = execa(opener.command, [...opener.args, file], {
      detached: true,
      stdio: 'ignore',
      timeout: 10_000,
      reject: false,
      env,
      extendEnv: false,
    });
    child.unref();
    const result = await child;
    return { opened: result.exitCode === 0, file };
  } catch {
    return { opened: false, file };
  }
}
