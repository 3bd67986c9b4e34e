// Remembers which server-side shell each terminal tab was attached to, so a
// page reload reattaches to the same shell (with its scrollback). Kept in
// sessionStorage: it survives a reload but a second browser tab gets shells
// of its own instead of fighting over the same ones.

const KEY_PREFIX = 'hardening-lab:terminal-session:';
const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

export interface SessionStore {
  get(target: string): string | undefined;
  set(target: string, sessionId: string): void;
  forget(target: string): void;
}

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    // Storage disabled (privacy settings): reloads simply start new shells.
    return undefined;
  }
}

export const browserSessionStore: SessionStore = {
  get(target) {
    const id = storage()?.getItem(KEY_PREFIX + target) ?? undefined;
    // Only hand the server something its handshake schema accepts.
    return id !== undefined && SESSION_ID.test(id) ? id : undefined;
  },
  set(target, sessionId) {
    storage()?.setItem(KEY_PREFIX + target, sessionId);
  },
  forget(target) {
    storage()?.removeItem(KEY_PREFIX + target);
  },
};
