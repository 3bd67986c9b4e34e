// Runs one step's wrong-answer catalogue against a cluster, the one
// implementation `test-lab` and the cluster tier share. Per answer, on top of
// the step's reference state:
//
//   1. the answer's script runs like a solution (NodeScriptRunner, on its
//      runOn node, solution time-out) and must exit 0;
//   2. the step's check is judged (CheckRunner): a wrong answer must FAIL,
//      not error, with a failing finding whose `code` is the answer's cause;
//      a right answer must PASS;
//   3. the step's reference solution runs again and the check must pass again,
//      so the next answer (and the next step) starts from the right state.
//
// Judging re-checks for a while (settle) because states move after a script
// returns: status fields after `kubectl wait`, a CrashLoopBackOff reason that
// shows after the first restart. A wrong answer the check ever passes is
// reported at once: a learner clicking Check at that moment would pass.
import type { CheckRunner, NamedCheck } from '../checks/check-runner.js';
import type { CheckResult } from '../protocol.js';
import type { LoadedAnswer } from './answer-catalogue.js';
import type { LoadedLab, LoadedStep } from './lab.js';
import { SCRIPT_TIMEOUT_MS, type NodeScriptRunner, type ScriptRun } from './node-scripts.js';

/** How long a judgement may wait for the cluster to settle: `attempts` checks, `delayMs` apart. */
export interface SettleOptions {
  attempts: number;
  delayMs: number;
}

/** test-lab's settle for solutions, reused for answers: up to 30 s. */
export const DEFAULT_SETTLE: SettleOptions = { attempts: 10, delayMs: 3000 };

type Judgement = 'done' | 'retry' | 'stop';

export interface SettledCheck {
  result: CheckResult;
  attempts: number;
  durationMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the check until `judge` says `done` (the state it waits for) or
 * `stop` (a result that settling cannot undo), at most `settle.attempts`
 * times; returns the last result either way.
 */
export async function checkUntilSettled(
  checks: CheckRunner,
  named: NamedCheck,
  judge: (result: CheckResult) => Judgement,
  settle: SettleOptions = DEFAULT_SETTLE,
): Promise<SettledCheck> {
  const started = performance.now();
  let result = await checks.run(named);
  let attempts = 1;
  for (let verdict = judge(result); verdict === 'retry' && attempts < settle.attempts; verdict = judge(result)) {
    await sleep(settle.delayMs);
    result = await checks.run(named);
    attempts++;
  }
  return { result, attempts, durationMs: Math.round(performance.now() - started) };
}

/** The reference solution's judgement: passing. */
export const passes = (result: CheckResult): Judgement => (result.ok ? 'done' : 'retry');

/** What the check said about an answer. */
export interface AnswerCheck {
  ok: boolean;
  /** Set when the check could not judge (API down, time-out): never a verdict on the answer. */
  error?: string;
  /** `code` of every failing finding, in order, without repeats. */
  codes: string[];
  /** The failing findings: what the check expected and found, with their codes. */
  failing: { expected: string; found: string; code?: string }[];
  attempts: number;
  durationMs: number;
}

export interface AnswerOutcome {
  step: string;
  answer: LoadedAnswer;
  /** Whether the answer was judged as the catalogue says and the step's state restored. */
  ok: boolean;
  /** Why not, in words that name the codes found (absent when ok). */
  problem?: string;
  /** False when an earlier answer left a state the solution could not restore. */
  ran: boolean;
  script?: { ok: boolean; exitCode: number | null; timedOut: boolean; durationMs: number; log: string };
  check?: AnswerCheck;
  /** The reference solution re-run after the answer, and whether the check passed again. */
  restore?: { ok: boolean; durationMs: number; problem?: string };
  durationMs: number;
}

export interface StepAnswersResult {
  step: string;
  ok: boolean;
  outcomes: AnswerOutcome[];
  durationMs: number;
}

export interface AnswerRunDeps {
  scripts: NodeScriptRunner;
  checks: CheckRunner;
  settle?: SettleOptions;
  /** Called as each answer finishes, so long runs print as they go. */
  onOutcome?: (outcome: AnswerOutcome) => void;
}

/**
 * Runs every answer of `step` (in catalogue order). The cluster must be in
 * the step's reference state (its check passing) when this is called; it is
 * left in that state unless a restore failed, which the result says.
 */
export async function runStepAnswers(
  lab: LoadedLab,
  step: LoadedStep,
  deps: AnswerRunDeps,
): Promise<StepAnswersResult> {
  const started = performance.now();
  const settle = deps.settle ?? DEFAULT_SETTLE;
  const named: NamedCheck = { name: `${lab.id}/${step.checkName}`, check: step.check };
  const outcomes: AnswerOutcome[] = [];
  let unrestored: string | undefined;

  for (const answer of step.answers) {
    const outcome: AnswerOutcome = unrestored
      ? {
          step: step.id,
          answer,
          ok: false,
          ran: false,
          problem: `not run: ${unrestored}`,
          durationMs: 0,
        }
      : await runAnswer(lab, step, answer, named, deps.scripts, deps.checks, settle);
    if (outcome.restore && !outcome.restore.ok && !unrestored)
      unrestored = `the reference solution did not restore the step after ${answer.script}`;
    outcomes.push(outcome);
    deps.onOutcome?.(outcome);
  }
  return {
    step: step.id,
    ok: outcomes.every((o) => o.ok),
    outcomes,
    durationMs: Math.round(performance.now() - started),
  };
}

async function runAnswer(
  lab: LoadedLab,
  step: LoadedStep,
  answer: LoadedAnswer,
  named: NamedCheck,
  scripts: NodeScriptRunner,
  checks: CheckRunner,
  settle: SettleOptions,
): Promise<AnswerOutcome> {
  const started = performance.now();
  // HL_STEP is the step's id, as for its solution: answers are solutions written otherwise.
  const run = await scripts.run(lab, {
    node: answer.runOn,
    name: step.id,
    script: answer.source,
    timeoutMs: SCRIPT_TIMEOUT_MS.solution,
  });
  const outcome: AnswerOutcome = {
    step: step.id,
    answer,
    ok: false,
    ran: true,
    script: {
      ok: run.ok,
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      durationMs: run.durationMs,
      log: run.log,
    },
    durationMs: 0,
  };

  let problem: string | undefined;
  if (!run.ok) {
    problem =
      `the answer's script failed (exit ${run.exitCode ?? 'none'}${run.timedOut ? ', timed out' : ''}): ` +
      'it must run to its end like a solution (end an expected failure with `|| true`)';
  } else {
    const settled = await checkUntilSettled(checks, named, judgeFor(answer), settle);
    outcome.check = describeCheck(settled);
    problem = verdictProblem(answer, outcome.check);
  }

  outcome.restore = await restore(lab, step, named, scripts, checks, settle);
  if (!outcome.restore.ok) problem = [problem, outcome.restore.problem].filter(Boolean).join('; and ');
  outcome.ok = problem === undefined;
  if (problem !== undefined) outcome.problem = problem;
  outcome.durationMs = Math.round(performance.now() - started);
  return outcome;
}

function judgeFor(answer: LoadedAnswer): (result: CheckResult) => Judgement {
  if (answer.verdict === 'right') return passes;
  return (result) => {
    if (result.ok) return 'stop';
    if (result.error) return 'retry';
    return failingCodes(result).includes(answer.cause) ? 'done' : 'retry';
  };
}

function failingCodes(result: CheckResult): string[] {
  return [...new Set(result.findings.flatMap((f) => (!f.ok && f.code ? [f.code] : [])))];
}

function describeCheck(settled: SettledCheck): AnswerCheck {
  const { result } = settled;
  const check: AnswerCheck = {
    ok: result.ok,
    codes: failingCodes(result),
    failing: result.findings
      .filter((f) => !f.ok)
      .map((f) => ({ expected: f.expected, found: f.found, ...(f.code ? { code: f.code } : {}) })),
    attempts: settled.attempts,
    durationMs: settled.durationMs,
  };
  if (result.error) check.error = result.error;
  return check;
}

/** Why the check's answer is not the catalogue's, or undefined when it is. */
function verdictProblem(answer: LoadedAnswer, check: AnswerCheck): string | undefined {
  const waited = check.attempts > 1 ? ` (checked ${check.attempts} times over ${seconds(check.durationMs)})` : '';
  if (check.error) return `the check could not judge${waited}: ${check.error}`;
  const found = check.codes.length > 0 ? check.codes.join(', ') : 'no code (its failing findings carry none)';
  if (answer.verdict === 'wrong') {
    if (check.ok) return `the check PASSED this wrong answer: it must fail with ${answer.cause}`;
    if (check.codes.includes(answer.cause)) return undefined;
    return `the check failed with ${found}, not with the catalogue's cause ${answer.cause}${waited}`;
  }
  if (check.ok) return undefined;
  return `the check FAILED this right answer, with ${found}${waited}`;
}

async function restore(
  lab: LoadedLab,
  step: LoadedStep,
  named: NamedCheck,
  scripts: NodeScriptRunner,
  checks: CheckRunner,
  settle: SettleOptions,
): Promise<NonNullable<AnswerOutcome['restore']>> {
  const started = performance.now();
  const run: ScriptRun = await scripts.run(lab, {
    node: step.runOn,
    name: step.id,
    script: step.solution,
    timeoutMs: SCRIPT_TIMEOUT_MS.solution,
  });
  const durationMs = () => Math.round(performance.now() - started);
  if (!run.ok)
    return {
      ok: false,
      durationMs: durationMs(),
      problem:
        `re-running ${step.solutionFile} afterwards failed (exit ${run.exitCode ?? 'none'}` +
        `${run.timedOut ? ', timed out' : ''}): the solution must be idempotent and replace what an answer left ` +
        `(e.g. delete and recreate the pod); last lines:\n${tail(run.log)}`,
    };
  const settled = await checkUntilSettled(checks, named, passes, settle);
  if (!settled.result.ok)
    return {
      ok: false,
      durationMs: durationMs(),
      problem:
        `after ${step.solutionFile} ran again the check did not pass ` +
        `(${settled.result.error ?? (failingCodes(settled.result).join(', ') || 'failing findings without code')}): ` +
        'the solution must replace what an answer left',
    };
  return { ok: true, durationMs: durationMs() };
}

// ---- printing (test-lab and the cluster tier print the same lines) -----------------

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function tail(log: string, n = 8): string {
  return log
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map((l) => `  | ${l}`)
    .join('\n');
}

/**
 * One line per answer — ✓/✗, verdict, cause, script, seconds — then, for a
 * ✗, indented lines saying why: the codes and findings the check gave, or
 * the end of the script's log.
 */
export function formatOutcome(
  outcome: AnswerOutcome,
  widths: AnswerColumns = { cause: 0, script: 0 },
): { line: string; details: string[] } {
  const { answer } = outcome;
  const cause = (answer.verdict === 'wrong' ? answer.cause : '-').padEnd(widths.cause);
  const script = answer.script.padEnd(widths.script);
  const parts = [
    outcome.script ? `script ${seconds(outcome.script.durationMs)}` : undefined,
    outcome.check ? `check ${seconds(outcome.check.durationMs)}` : undefined,
    outcome.restore ? `restore ${seconds(outcome.restore.durationMs)}` : undefined,
  ].filter(Boolean);
  const time = outcome.ran ? `${seconds(outcome.durationMs)} (${parts.join(', ')})` : 'not run';
  const line = `${outcome.ok ? '✓' : '✗'} ${answer.verdict.padEnd(5)} ${cause}  ${script}  ${time}`;
  if (outcome.ok) return { line, details: [] };
  const details = [`  ${outcome.problem ?? 'not as the catalogue says'}`, `  about: ${answer.about}`];
  for (const f of outcome.check?.failing ?? [])
    details.push(`  ✗ ${f.code ? `[${f.code}] ` : ''}expected: ${f.expected}; found: ${f.found}`);
  if (outcome.script && !outcome.script.ok) details.push(tail(outcome.script.log));
  return { line, details };
}

export interface AnswerColumns {
  cause: number;
  script: number;
}

/** Widths that align the cause and script columns of a step's answers. */
export function answerColumns(answers: readonly LoadedAnswer[]): AnswerColumns {
  return {
    cause: Math.max(1, ...answers.map((a) => (a.verdict === 'wrong' ? a.cause.length : 1))),
    script: Math.max(0, ...answers.map((a) => a.script.length)),
  };
}

/** "answers: 7/8 as expected (wrong 5/6, right 2/2), 48.2 s" */
export function summarizeOutcomes(outcomes: readonly AnswerOutcome[]): string {
  const of = (verdict: 'wrong' | 'right') => {
    const all = outcomes.filter((o) => o.answer.verdict === verdict);
    return `${verdict} ${all.filter((o) => o.ok).length}/${all.length}`;
  };
  const total = outcomes.reduce((ms, o) => ms + o.durationMs, 0);
  return `answers: ${outcomes.filter((o) => o.ok).length}/${outcomes.length} as expected (${of('wrong')}, ${of('right')}), ${seconds(total)}`;
}
