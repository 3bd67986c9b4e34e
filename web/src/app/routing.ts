// Two pages, so no router library: `/` lists labs, `/labs/<id>` opens one.
// The server answers every non-API path with index.html, so real paths work
// on reload. The query string (e.g. ?testHooks=1) is kept across navigation.
import { useEffect, useState } from 'react';

export type Route = { page: 'labs' } | { page: 'lab'; labId: string };

export function parseRoute(pathname: string): Route {
  const match = /^\/labs\/([^/]+)\/?$/.exec(pathname);
  if (match?.[1]) {
    try {
      return { page: 'lab', labId: decodeURIComponent(match[1]) };
    } catch {
      return { page: 'labs' };
    }
  }
  return { page: 'labs' };
}

export function routePath(route: Route): string {
  return route.page === 'lab' ? `/labs/${encodeURIComponent(route.labId)}` : '/';
}

const NAVIGATE_EVENT = 'hardening-lab:navigate';

export function navigate(route: Route): void {
  window.history.pushState(null, '', routePath(route) + window.location.search);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}
