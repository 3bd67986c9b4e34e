import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { establishCredential, hasStartToken } from './api/credential.js';
import { App } from './app/App.js';
import { browserSessionStore } from './terminals/session-store.js';
import { TerminalHub } from './terminals/terminal-hub.js';
import { installTestHooks, testHooksRequested } from './testing/test-hooks.js';

// A start URL pasted into this tab only changes the fragment, which loads
// nothing: trade the new token, then start over with it (fresh sockets).
window.addEventListener('hashchange', () => {
  if (hasStartToken()) void establishCredential().then(() => window.location.reload());
});

function render(): void {
  // One hub for the page's lifetime: terminals outlive any React render.
  const hub = new TerminalHub(browserSessionStore);
  if (testHooksRequested(window.location.search)) installTestHooks(hub);

  const root = document.getElementById('root');
  if (!root) throw new Error('index.html lacks #root');
  createRoot(root).render(
    <StrictMode>
      <App hub={hub} />
    </StrictMode>,
  );
}

// The credential first, so that no request goes out without it. A missing or
// refused one still renders the page: its banner says to open the start link.
void establishCredential().then(render, render);
