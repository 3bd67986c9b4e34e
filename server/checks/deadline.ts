// A deadline for any promise. The underlying work is told to stop through
// `onTimeout` (abort a request, close a websocket) where it can be; the
// caller gets a CallTimeoutError either way and never waits longer.
import { CallTimeoutError } from './cluster-unreachable.js';

export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new CallTimeoutError(what, timeoutMs));
    }, timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
