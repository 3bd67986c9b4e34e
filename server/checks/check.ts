// What a lab's checks.ts exports: named async functions from a ClusterView to
// findings. A check gathers evidence (state and behaviour) and says, for each
// piece, what it expected and what it found; it never returns a bare boolean,
// because "failed" alone teaches nothing.
import type { Finding } from '../protocol.js';
import type { ClusterView } from './cluster-view.js';

export type Check = (view: ClusterView) => Promise<Finding[]>;

/** A piece of evidence that matches what the step asks for. */
export function pass(expected: string, found: string, where?: string): Finding {
  return where === undefined ? { ok: true, expected, found } : { ok: true, expected, found, where };
}

/** A recognised mistake's stable name: UPPER_SNAKE, matched by wrong-answer catalogues. */
export type MistakeCode = Uppercase<string>;

/**
 * A piece of evidence that does not match; `advice` names the likely mistake
 * and `code` names it for machines (catalogues, `check --json`).
 */
export function fail(
  expected: string,
  found: string,
  extra: { where?: string; advice?: string; code?: MistakeCode } = {},
): Finding {
  const finding: Finding = { ok: false, expected, found };
  if (extra.where !== undefined) finding.where = extra.where;
  if (extra.advice !== undefined) finding.advice = extra.advice;
  if (extra.code !== undefined) finding.code = extra.code;
  return finding;
}

/** A step passes when there is evidence and all of it is good. */
export function findingsPass(findings: readonly Finding[]): boolean {
  return findings.length > 0 && findings.every((f) => f.ok);
}

export function isCheck(value: unknown): value is Check {
  return typeof value === 'function';
}
