// The credential check for socket.io namespaces. A browser cannot put
// headers on a websocket, so the page sends its credential in the
// handshake's `auth` payload, which socket.io delivers with the namespace
// CONNECT — after the engine.io middleware (request-gate.ts) has checked
// Host and exact Origin on every HTTP request of the connection. Non-browser clients may use the
// Authorization header of that request instead.
import type { Namespace } from 'socket.io';
import { socketCredentialSchema } from '../protocol.js';
import { bearerCredential, type Credentials } from './auth.js';

export function requireSocketCredential(nsp: Namespace, credentials: Credentials): void {
  nsp.use((socket, next) => {
    const fromAuth = socketCredentialSchema.safeParse(socket.handshake.auth);
    const presented = fromAuth.success ? fromAuth.data.credential : bearerCredential(socket.request);
    // The page tells this refusal from transport trouble by its message.
    next(credentials.accepts(presented) ? undefined : new Error('unauthorized'));
  });
}
