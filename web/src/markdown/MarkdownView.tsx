// Shows rendered lab Markdown and wires the code blocks' Copy/Run buttons
// with one delegated listener (the HTML is a string; buttons carry data-*).
import { useEffect, useMemo, useRef, type MouseEvent } from 'react';
import { copyText } from '../app/clipboard.js';
import { loadLabImages } from './lab-images.js';
import { CODE_ACTION_ATTR, RUN_TARGET_ATTR, renderMarkdown } from './render-markdown.js';

export interface RunRequest {
  text: string;
  /** Terminal named by the block's `run=`. */
  target: string;
}

interface MarkdownViewProps {
  markdown: string;
  labId?: string;
  onRun: (request: RunRequest) => void;
  className?: string;
}

function flash(button: HTMLElement, label: string): void {
  const original = button.dataset.label ?? button.textContent ?? '';
  button.dataset.label = original;
  button.textContent = label;
  window.setTimeout(() => {
    button.textContent = original;
  }, 1500);
}

export function MarkdownView({ markdown, labId, onRun, className }: MarkdownViewProps) {
  const html = useMemo(() => renderMarkdown(markdown, labId), [markdown, labId]);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const controller = new AbortController();
    const release = loadLabImages(root, controller.signal);
    return () => {
      controller.abort();
      release();
    };
  }, [html]);

  const onClick = (event: MouseEvent<HTMLDivElement>): void => {
    if (!(event.target instanceof Element)) return;
    const button = event.target.closest<HTMLElement>(`[${CODE_ACTION_ATTR}]`);
    const block = button?.closest<HTMLElement>('.code-block');
    const code = block?.querySelector('code');
    if (!button || !block || !code) return;
    const text = code.textContent ?? '';
    const target = block.getAttribute(RUN_TARGET_ATTR);
    if (button.getAttribute(CODE_ACTION_ATTR) === 'copy') {
      void copyText(text).then((ok) => flash(button, ok ? 'Copied' : 'Copy failed'));
    } else if (target) {
      onRun({ text, target });
    }
  };

  return (
    // The buttons inside are real <button>s (keyboard-reachable); the div only
    // catches their bubbled clicks.
    <div
      ref={ref}
      className={`markdown ${className ?? ''}`}
      onClick={onClick}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
