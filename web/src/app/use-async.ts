// Load-once data with a reload handle: the shape every page fetch shares.
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../api/api-error.js';

export type AsyncState<T> =
  { state: 'loading' } | { state: 'loaded'; value: T } | { state: 'failed'; error: unknown; message: string };

export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): [AsyncState<T>, () => Promise<void>] {
  const [result, setResult] = useState<AsyncState<T>>({ state: 'loading' });
  const stableLoad = useCallback(load, deps);

  useEffect(() => {
    const controller = new AbortController();
    setResult({ state: 'loading' });
    stableLoad(controller.signal)
      .then((value) => {
        if (!controller.signal.aborted) setResult({ state: 'loaded', value });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setResult({ state: 'failed', error, message: describeError(error) });
      });
    return () => controller.abort();
  }, [stableLoad]);

  /** Reload without flashing a spinner: the old value stays until the new one arrives. */
  const reload = useCallback(async () => {
    try {
      const value = await stableLoad(new AbortController().signal);
      setResult({ state: 'loaded', value });
    } catch (error) {
      setResult({ state: 'failed', error, message: describeError(error) });
    }
  }, [stableLoad]);

  return [result, reload];
}
