// The steps | terminals split, as a percentage of the workspace width,
// remembered across reloads.
import { useCallback, useState } from 'react';

const KEY = 'hardening-lab:split-percent';
export const SPLIT_MIN = 20;
export const SPLIT_MAX = 80;

export function clampSplit(percent: number): number {
  return Math.min(SPLIT_MAX, Math.max(SPLIT_MIN, percent));
}

function load(): number {
  try {
    const stored = Number(window.localStorage.getItem(KEY));
    return Number.isFinite(stored) && stored > 0 ? clampSplit(stored) : 42;
  } catch {
    return 42;
  }
}

export function useSplit(): [number, (percent: number) => void] {
  const [percent, setPercent] = useState(load);
  const update = useCallback((next: number) => {
    const clamped = clampSplit(next);
    setPercent(clamped);
    try {
      window.localStorage.setItem(KEY, String(Math.round(clamped * 10) / 10));
    } catch {
      // Not remembered; harmless.
    }
  }, []);
  return [percent, update];
}
