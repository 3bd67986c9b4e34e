// A draggable, keyboard-operable divider (WAI-ARIA window splitter pattern).
import { useRef, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { SPLIT_MAX, SPLIT_MIN } from './use-split.js';

interface SplitterProps {
  percent: number;
  onChange: (percent: number) => void;
  /** The element whose width the percentage refers to. */
  containerRef: RefObject<HTMLElement | null>;
  controls: string;
}

const KEY_STEP = 2;

export function Splitter({ percent, onChange, containerRef, controls }: SplitterProps) {
  const dragging = useRef(false);

  const percentAt = (clientX: number): number | undefined => {
    const box = containerRef.current?.getBoundingClientRect();
    if (!box || box.width === 0) return undefined;
    return ((clientX - box.left) / box.width) * 100;
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    dragging.current = true;
    event.currentTarget.setPointerCapture(event.pointerId);
    document.body.classList.add('is-resizing');
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    if (!dragging.current) return;
    const next = percentAt(event.clientX);
    if (next !== undefined) onChange(next);
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>): void => {
    dragging.current = false;
    event.currentTarget.releasePointerCapture(event.pointerId);
    document.body.classList.remove('is-resizing');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const moves: Record<string, number> = {
      ArrowLeft: percent - KEY_STEP,
      ArrowRight: percent + KEY_STEP,
      Home: SPLIT_MIN,
      End: SPLIT_MAX,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    onChange(next);
  };

  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize steps and terminals"
      aria-controls={controls}
      aria-valuenow={Math.round(percent)}
      aria-valuemin={SPLIT_MIN}
      aria-valuemax={SPLIT_MAX}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}
