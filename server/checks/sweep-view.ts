// A view for one sweep (all checks of a lab at once): reads are shared, so
// two checks that both read pod "immutable" cost one request. Commands
// (execs) are never shared: each is an attempt with its own outcome.
import type { ClusterView } from './cluster-view.js';

const READS = new Set<keyof ClusterView>([
  'getPod',
  'listPods',
  'getNamespace',
  'getObject',
  'eventsFor',
  'podLogs',
  'readNodeFile',
  'nodes',
]);

export function sweepView(inner: ClusterView): ClusterView {
  const cache = new Map<string, Promise<unknown>>();
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || !READS.has(property as keyof ClusterView)) {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (...args: unknown[]) => {
        // Deadlines (timeoutMs) do not change the answer: leave them out of the key.
        const key = `${String(property)} ${JSON.stringify(args.map((a) => (a && typeof a === 'object' ? { ...a, timeoutMs: undefined } : a)))}`;
        let pending = cache.get(key);
        if (!pending) {
          pending = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          // A failed read is not remembered: the next check may try again.
          pending.catch(() => cache.delete(key));
          cache.set(key, pending);
        }
        return pending.then((result) => structuredClone(result));
      };
    },
  });
}
