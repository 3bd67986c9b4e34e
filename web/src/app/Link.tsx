// An <a> that navigates in-page (keeps terminals connected) yet still works
// with middle-click / open-in-new-tab because it has a real href.
import type { MouseEvent, ReactNode } from 'react';
import { navigate, routePath, type Route } from './routing.js';

export function Link({ to, className, children }: { to: Route; className?: string; children: ReactNode }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={routePath(to) + window.location.search} className={className} onClick={onClick}>
      {children}
    </a>
  );
}
