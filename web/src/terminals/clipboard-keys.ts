// Terminal-style clipboard keys. Ctrl-C must stay SIGINT, so copy is
// Ctrl-Shift-C (and copy-on-select); Ctrl-Shift-V is left to the browser,
// whose native paste event xterm.js already turns into input (with bracketed
// paste when the shell asks for it).
import type { Terminal } from '@xterm/xterm';
import { copyText } from '../app/clipboard.js';

export function installClipboardKeys(term: Terminal): void {
  term.attachCustomKeyEventHandler((event) => {
    const ctrlShift = event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey;
    if (!ctrlShift) return true;
    if (event.code === 'KeyC') {
      // Also stops Chromium's Ctrl-Shift-C (inspect element).
      event.preventDefault();
      if (event.type === 'keydown' && term.hasSelection()) void copyText(term.getSelection());
      return false;
    }
    if (event.code === 'KeyV') return false;
    return true;
  });
  term.onSelectionChange(() => {
    if (term.hasSelection()) void copyText(term.getSelection());
  });
}
