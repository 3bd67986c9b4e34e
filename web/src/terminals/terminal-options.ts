// One set of xterm.js options for every terminal, including the offscreen one
// the benchmark creates (so it measures the same parser and renderer setup).
import type { ITerminalOptions } from '@xterm/xterm';

export const TERMINAL_OPTIONS: ITerminalOptions = {
  cursorBlink: true,
  // System monospace fonts only: the CSP allows no external font, and we ship none.
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
  fontSize: 13,
  lineHeight: 1.15,
  scrollback: 5000,
  // Lab commands print long lines (kubectl get -o yaml); keep the wheel useful.
  scrollSensitivity: 2,
  macOptionIsMeta: true,
  theme: {
    background: '#14161b',
    foreground: '#e3e6eb',
    cursor: '#f5c76a',
    selectionBackground: '#3d5a80',
    black: '#1d1f24',
    brightBlack: '#5c6370',
    red: '#e06c75',
    brightRed: '#ff7b86',
    green: '#98c379',
    brightGreen: '#b5e890',
    yellow: '#e5c07b',
    brightYellow: '#ffd98e',
    blue: '#61afef',
    brightBlue: '#82c4ff',
    magenta: '#c678dd',
    brightMagenta: '#de95f5',
    cyan: '#56b6c2',
    brightCyan: '#76d6e2',
    white: '#d7dae0',
    brightWhite: '#ffffff',
  },
};
