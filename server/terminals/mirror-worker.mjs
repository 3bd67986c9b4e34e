// Worker thread that owns the headless xterm.js mirrors of all terminals.
// Parsing a flood costs real CPU (roughly a core per 25 MB/s) and xterm.js
// parses in slices of ~12 ms; on the server's event loop that would delay
// acks, keystrokes and other tabs' output behind it. Here it runs beside it.
//
// Plain JavaScript on purpose: worker threads do not inherit the tsx loader
// the server runs under, so a .ts worker would not start. The message shapes
// are typed on the other side, in terminal-mirror.ts.
//
// Floods of plain text (`yes`, `cat` of a log, base64) are mostly lines that
// scroll out of the scrollback anyway. While a run of such text lasts, only
// its first line and its last lines are parsed; the lines in between are
// dropped unparsed when that provably cannot change the screen or the
// scrollback (see canDrop and trimRun). The page still gets every byte; only
// the replay copy skips work whose result would be thrown away.
import { parentPort } from 'node:worker_threads';
import headless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';

if (!parentPort) throw new Error('mirror-worker.mjs must run as a worker thread');
const port = parentPort;

/** Printable ASCII, CR and LF only: no escape sequence can start in it, nothing but text changes. */
const PLAIN = /^[\x20-\x7e\r\n]*$/;
/** A byte that ends any CSI or ESC sequence a previous message may have left open. */
const FINAL_BYTE = /[\x40-\x7e]/;
/** Protocol bound on rows (terminalAttachSchema). */
const MAX_ROWS = 500;
/** Trim only once this many lines beyond the kept ones have piled up (fewer, larger cuts). */
const TRIM_SLACK_LINES = 2_000;
/** A run that cannot be trimmed (no CRLF line ends, one endless line) is parsed once this big. */
const MAX_HELD_CHARS = 2_000_000;
/** Parse a held run once the flood pauses this long. */
const IDLE_FLUSH_MS = 20;

/**
 * @typedef {{
 *   head: string, headDone: boolean, pieces: string[], lines: number, chars: number,
 *   stateOk: boolean | undefined,
 * }} PlainRun
 * @typedef {{
 *   id: string,
 *   term: InstanceType<typeof headless.Terminal>,
 *   serializer: InstanceType<typeof serializeAddon.SerializeAddon>,
 *   keepLines: number,
 *   run: PlainRun | null,
 *   idle: ReturnType<typeof setTimeout> | null,
 *   pendingWrites: number,
 * }} Mirror
 */

/** @type {Map<string, Mirror>} */
const mirrors = new Map();

/** @param {string} id @param {number} chars @param {boolean} [skipped] dropped unparsed (tests count these) */
function parsed(id, chars, skipped = false) {
  if (chars > 0) port.postMessage({ type: 'parsed', id, chars, skipped });
}

/** @param {Mirror} mirror @param {string} data */
function writeParsed(mirror, data) {
  if (data.length === 0) return;
  mirror.pendingWrites++;
  mirror.term.write(data, () => {
    mirror.pendingWrites--;
    parsed(mirror.id, data.length);
  });
}

/** @param {string} text */
function countNewlines(text) {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Whether the terminal, once everything before the run is parsed, is in a
 * state where text lines simply scroll: normal buffer, scroll region = the
 * whole screen, no insert mode. Anything unusual (or unknown): never drop.
 * @param {Mirror} mirror
 */
function canDrop(mirror) {
  const term = mirror.term;
  // Private, but read-only and guarded: if a release renames it, we only lose the shortcut.
  const core = /** @type {{ _core?: { buffer?: { scrollTop?: number, scrollBottom?: number } } }} */ (
    /** @type {unknown} */ (term)
  )._core;
  const buffer = core?.buffer;
  return (
    term.buffer.active.type === 'normal' &&
    !term.modes.insertMode &&
    buffer?.scrollTop === 0 &&
    buffer.scrollBottom === term.rows - 1
  );
}

/** Parse whatever the current run holds. @param {Mirror} mirror */
function flushRun(mirror) {
  if (mirror.idle) clearTimeout(mirror.idle);
  mirror.idle = null;
  const run = mirror.run;
  if (!run) return;
  mirror.run = null;
  if (run.stateOk === true) trimRun(mirror, run);
  writeParsed(mirror, run.head + run.pieces.join(''));
}

/**
 * Drop whole lines from the front of the run's body, keeping the last
 * `keepLines`. Safe because: the run is plain text; its first line (parsed
 * as usual) ends any open CSI/ESC sequence and ends in CR LF, so every
 * dropped line starts at column 0; the dropped part also ends in CR LF, so
 * the kept part starts at column 0 as well; and `keepLines` (scrollback + 2 ×
 * the most rows) lines fill the whole scrollback and screen, including the
 * rows written while the cursor was still moving down to the bottom, so
 * nothing a dropped line could have left behind survives.
 * @param {Mirror} mirror @param {PlainRun} run
 */
function trimRun(mirror, run) {
  let drop = run.lines - mirror.keepLines;
  if (drop <= 0) return;
  // Find the end of the drop-th line across the pieces.
  let pieceIndex = 0;
  let cut = -1;
  while (pieceIndex < run.pieces.length) {
    const piece = /** @type {string} */ (run.pieces[pieceIndex]);
    const lines = countNewlines(piece);
    if (lines < drop) {
      drop -= lines;
      pieceIndex++;
      continue;
    }
    let at = -1;
    for (let n = 0; n < drop; n++) at = piece.indexOf('\n', at + 1);
    cut = at;
    break;
  }
  if (cut < 0) return;
  const piece = /** @type {string} */ (run.pieces[pieceIndex]);
  const before = cut > 0 ? piece[cut - 1] : run.pieces[pieceIndex - 1]?.at(-1);
  if (before !== '\r') return; // A bare LF keeps the column: dropping would shift what follows.
  let droppedChars = 0;
  let droppedLines = 0;
  for (let i = 0; i < pieceIndex; i++) {
    const whole = /** @type {string} */ (run.pieces[i]);
    droppedChars += whole.length;
    droppedLines += countNewlines(whole);
  }
  const rest = piece.slice(cut + 1);
  droppedChars += cut + 1;
  droppedLines += countNewlines(piece.slice(0, cut + 1));
  run.pieces.splice(0, pieceIndex + 1, ...(rest.length > 0 ? [rest] : []));
  run.lines -= droppedLines;
  run.chars -= droppedChars;
  parsed(mirror.id, droppedChars, true);
}

/** @param {Mirror} mirror @param {string} data */
function appendPlain(mirror, data) {
  let run = mirror.run;
  if (!run) {
    run = { head: '', headDone: false, pieces: [], lines: 0, chars: 0, stateOk: undefined };
    mirror.run = run;
    // Judged on the state after everything before the run is parsed: now
    // if nothing is queued, else once the queue reaches this point.
    if (mirror.pendingWrites === 0) {
      run.stateOk = canDrop(mirror);
    } else {
      const started = run;
      mirror.term.write('', () => {
        started.stateOk = canDrop(mirror);
        if (started.stateOk && mirror.run === started) trimRun(mirror, started);
      });
    }
  }
  if (!run.headDone) {
    const newline = data.indexOf('\n');
    if (newline === -1) {
      run.head += data;
    } else {
      run.head += data.slice(0, newline + 1);
      run.headDone = true;
      data = data.slice(newline + 1);
      if (!(run.head.endsWith('\r\n') && FINAL_BYTE.test(run.head))) {
        // Not a safe start: parse as usual; the next message may start a better run.
        run.pieces.push(data);
        flushRun(mirror);
        return;
      }
    }
  }
  if (run.headDone && data.length > 0) {
    run.pieces.push(data);
    run.lines += countNewlines(data);
    run.chars += data.length;
    if (run.stateOk === true && run.lines > mirror.keepLines + TRIM_SLACK_LINES) trimRun(mirror, run);
  }
  if (run.head.length + run.chars > MAX_HELD_CHARS) {
    flushRun(mirror);
    return;
  }
  if (mirror.idle) clearTimeout(mirror.idle);
  mirror.idle = setTimeout(() => flushRun(mirror), IDLE_FLUSH_MS);
}

port.on('message', (message) => {
  const mirror = mirrors.get(message.id);
  switch (message.type) {
    case 'open': {
      const term = new headless.Terminal({
        cols: message.cols,
        rows: message.rows,
        scrollback: message.scrollback,
        allowProposedApi: true,
      });
      const serializer = new serializeAddon.SerializeAddon();
      term.loadAddon(serializer);
      const keepLines = message.scrollback + 2 * MAX_ROWS + 1;
      mirrors.set(message.id, { id: message.id, term, serializer, keepLines, run: null, idle: null, pendingWrites: 0 });
      break;
    }
    case 'write': {
      if (!mirror) {
        parsed(message.id, message.data.length);
      } else if (PLAIN.test(message.data)) {
        appendPlain(mirror, message.data);
      } else {
        flushRun(mirror);
        writeParsed(mirror, message.data);
      }
      break;
    }
    case 'resize':
      if (!mirror) break;
      flushRun(mirror);
      mirror.term.resize(message.cols, message.rows);
      break;
    case 'snapshot': {
      // Writes are parsed in order: this runs once everything sent before
      // the request is in the buffer, so the snapshot ends exactly there.
      if (!mirror) {
        port.postMessage({ type: 'snapshot', id: message.id, request: message.request, data: '' });
        break;
      }
      flushRun(mirror);
      mirror.term.write('', () => {
        const data = message.serialize ? mirror.serializer.serialize({ scrollback: message.scrollback }) : '';
        port.postMessage({ type: 'snapshot', id: message.id, request: message.request, data });
      });
      break;
    }
    case 'close':
      if (mirror) {
        flushRun(mirror);
        mirrors.delete(message.id);
        // After pending writes, so their callbacks do not run on a disposed terminal.
        mirror.term.write('', () => mirror.term.dispose());
      }
      break;
    default:
      break;
  }
});
