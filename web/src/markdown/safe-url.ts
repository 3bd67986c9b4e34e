// marked no longer sanitizes; links and images from lab text pass through
// here so no `javascript:` (or any other odd scheme) reaches the DOM.

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** http(s)/mailto, in-page anchors and relative paths; undefined otherwise. */
export function safeLinkHref(href: string): string | undefined {
  const trimmed = href.trim();
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return trimmed;
  return scheme === 'http' || scheme === 'https' || scheme === 'mailto' ? trimmed : undefined;
}

export function isExternal(href: string): boolean {
  return /^https?:/i.test(href);
}

/** Images in lab text are relative to the lab's directory; anything with a scheme is refused (and CSP would block it anyway). */
export function isRelativeAsset(href: string): boolean {
  const trimmed = href.trim();
  return (
    !SCHEME.test(trimmed) && !trimmed.startsWith('/') && !trimmed.startsWith('//') && !trimmed.split('/').includes('..')
  );
}
