import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { App } from './app/App.js';
import { browserSessionStore } from './terminals/session-store.js';
import { TerminalHub } from './terminals/terminal-hub.js';
import { installTestHooks, testHooksRequested } from './testing/test-hooks.js';

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
