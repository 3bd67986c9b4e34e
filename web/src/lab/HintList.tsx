// Hints, revealed one at a time on request (the server counts them).
import { useCallback, useState } from 'react';
import type { LabStepView } from '../../../server/protocol.js';
import { revealHint } from '../api/labs-api.js';
import { useAction } from '../app/use-action.js';
import { MarkdownView, type RunRequest } from '../markdown/MarkdownView.js';

interface HintListProps {
  labId: string;
  step: LabStepView;
  onRevealed: () => Promise<void>;
  onRun: (request: RunRequest) => void;
}

export function HintList({ labId, step, onRevealed, onRun }: HintListProps) {
  // Shown at once from the POST answer; the reloaded step then agrees.
  const [local, setLocal] = useState<string[]>(step.hints);
  const hints = step.hints.length >= local.length ? step.hints : local;
  const reveal = useAction(
    useCallback(async () => {
      const { hint } = await revealHint(labId, step.id);
      setLocal((previous) => [...(step.hints.length >= previous.length ? step.hints : previous), hint]);
      await onRevealed();
    }, [labId, step.id, step.hints, onRevealed]),
  );
  if (step.hintsTotal === 0) return null;
  const remaining = step.hintsTotal - hints.length;
  return (
    <section className="hints" aria-label="Hints">
      {hints.length > 0 && (
        <ol className="hint-list">
          {hints.map((hint, index) => (
            <li key={index} data-hint={index}>
              <MarkdownView markdown={hint} labId={labId} onRun={onRun} />
            </li>
          ))}
        </ol>
      )}
      <button
        type="button"
        onClick={() => void reveal.run()}
        disabled={remaining <= 0 || reveal.busy}
        data-action="hint"
      >
        {remaining <= 0
          ? 'No more hints'
          : hints.length === 0
            ? `Show a hint (${step.hintsTotal})`
            : `Show another hint (${remaining} left)`}
      </button>
      {reveal.error && (
        <p className="error" role="alert">
          {reveal.error}
        </p>
      )}
    </section>
  );
}
