// Worker thread that owns the headless xterm.js mirrors of all terminals.
// Parsing a flood costs real CPU (roughly a core per 25 MB/s) and xterm.js
// parses in slices of ~12 ms; on the server's event loop that would delay
// acks, keystrokes and other tabs' output behind it. Here it runs beside it.
//
// Plain JavaScript on purpose: worker threads do not inherit the tsx loader
// the server runs under, so a .ts worker would not start. The message shapes
// are typed on the other side, in terminal-mirror.ts.
import { parentPort } from 'node:worker_threads';
import headless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';

if (!parentPort) throw new Error('mirror-worker.mjs must run as a worker thread');
const port = parentPort;

/** @type {Map<string, { term: InstanceType<typeof headless.Terminal>, serializer: InstanceType<typeof serializeAddon.SerializeAddon> }>} */
const mirrors = new Map();

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
      mirrors.set(message.id, { term, serializer });
      break;
    }
    case 'write': {
      const chars = message.data.length;
      if (!mirror) {
        port.postMessage({ type: 'parsed', id: message.id, chars });
        break;
      }
      mirror.term.write(message.data, () => port.postMessage({ type: 'parsed', id: message.id, chars }));
      break;
    }
    case 'resize':
      mirror?.term.resize(message.cols, message.rows);
      break;
    case 'snapshot':
      // Writes are parsed in order: this runs once everything sent before
      // the request is in the buffer, so the snapshot ends exactly there.
      if (!mirror) {
        port.postMessage({ type: 'snapshot', id: message.id, request: message.request, data: '' });
        break;
      }
      mirror.term.write('', () => {
        const data = message.serialize ? mirror.serializer.serialize({ scrollback: message.scrollback }) : '';
        port.postMessage({ type: 'snapshot', id: message.id, request: message.request, data });
      });
      break;
    case 'close':
      if (mirror) {
        mirrors.delete(message.id);
        // After pending writes, so their callbacks do not run on a disposed terminal.
        mirror.term.write('', () => mirror.term.dispose());
      }
      break;
    default:
      break;
  }
});
