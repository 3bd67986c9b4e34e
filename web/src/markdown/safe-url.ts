// marked no longer sanitizes; links and images from lab text pass through
// here so no `javascript:` (or any other odd scheme) reaches the DOM.
//
// The verdict is taken on the URL as the browser will parse it (the WHATWG
// URL parser, the same one the browser uses for href), never on the text: a
// pattern over the text misses what the parser forgives — a tab or newline
// inside the scheme (`java\tscript:`), leading control characters or spaces,
// backslashes read as slashes (`\\evil.example`).

const ALLOWED_LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** A base no real link resolves to: what lands on it was a relative reference. */
const RELATIVE_BASE = 'https://relative.invalid/';
const RELATIVE_ORIGIN = new URL(RELATIVE_BASE).origin;

interface Parsed {
  url: URL;
  /** True for a reference the page resolves against itself (#step, other/page). */
  relative: boolean;
}

function parse(href: string): Parsed | undefined {
  let url: URL;
  try {
    url = new URL(href, RELATIVE_BASE);
  } catch {
    return undefined;
  }
  return { url, relative: url.origin === RELATIVE_ORIGIN };
}

/**
 * http(s)/mailto (as the parser serialized it, so what is checked is what the
 * browser gets), in-page anchors and relative paths; undefined otherwise.
 */
export function safeLinkHref(href: string): string | undefined {
  const parsed = parse(href);
  if (!parsed) return undefined;
  if (parsed.relative) return href.trim();
  return ALLOWED_LINK_PROTOCOLS.has(parsed.url.protocol) ? parsed.url.href : undefined;
}

/** An absolute http(s) link: opened in a new tab, without opener or referrer. */
export function isExternal(href: string): boolean {
  const parsed = parse(href);
  return (
    parsed !== undefined && !parsed.relative && (parsed.url.protocol === 'http:' || parsed.url.protocol === 'https:')
  );
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Images in lab text are relative to the lab's directory: a relative
 * reference, not rooted, with no `.`/`..` segment even once decoded, no
 * backslash. Anything with a scheme or a host is refused (CSP would block it
 * anyway).
 */
export function isRelativeAsset(href: string): boolean {
  const trimmed = href.trim();
  const parsed = parse(trimmed);
  if (!parsed?.relative || trimmed.startsWith('/') || trimmed.includes('\\')) return false;
  return trimmed
    .replace(/^\.\//, '')
    .split('/')
    .every((part) => {
      const decoded = safeDecode(part);
      return part !== '' && decoded !== '.' && decoded !== '..' && !decoded.includes('/') && !decoded.includes('\\');
    });
}
