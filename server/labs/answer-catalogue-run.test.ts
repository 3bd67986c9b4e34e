// The catalogue runner with no cluster: the fixture lab's answers are real
// bash scripts run on the LocalShellStandInProvider TEST DOUBLE (local
// shells), judged by the real CheckRunner over the StandInClusterView TEST
// DOUBLE, whose node files are the files those scripts write.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fail, pass } from '../checks/check.js';
import { CheckRunner } from '../checks/check-runner.js';
import { StandInClusterView } from '../checks/stand-in-cluster-view.js';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import type { LoadedAnswer } from './answer-catalogue.js';
import { formatOutcome, runStepAnswers, summarizeOutcomes, type AnswerRunDeps } from './answer-catalogue-run.js';
import type { LoadedLab, LoadedStep } from './lab.js';
import { loadLab } from './lab-loader.js';
import { NodeScriptRunner } from './node-scripts.js';

const FIXTURE_LAB = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'labs', 'fixture-files');

let tmp: string;
let lab: LoadedLab;
let deps: AnswerRunDeps;
let marker: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-answers-run-'));
  process.env.HL_FIXTURE_DIR = path.join(tmp, 'node-files');
  await fs.mkdir(process.env.HL_FIXTURE_DIR);
  marker = path.join(process.env.HL_FIXTURE_DIR, 'marker');
  const loaded = await loadLab(FIXTURE_LAB);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  lab = loaded.lab;
  const provider = new LocalShellStandInProvider({ home: tmp });
  const view = new StandInClusterView(provider);
  deps = {
    scripts: new NodeScriptRunner({ provider, labFilesRoot: path.join(tmp, 'lab-files') }),
    checks: new CheckRunner({ view: () => view }),
    settle: { attempts: 2, delayMs: 10 },
  };
  // The step's reference state, as test-lab leaves it before the catalogue.
  await fs.writeFile(marker, 'ready\n');
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const step = (id: string): LoadedStep => {
  const found = lab.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};

/** The write-marker step with other answers (and optionally another solution or check). */
function withAnswers(answers: LoadedAnswer[], changes: Partial<LoadedStep> = {}): LoadedStep {
  return { ...step('write-marker'), ...changes, answers };
}

const wrong = (script: string, source: string, cause: Uppercase<string>): LoadedAnswer => ({
  script,
  source,
  verdict: 'wrong',
  cause,
  about: `${script} (test)`,
  runOn: 'control-plane',
});
const right = (script: string, source: string): LoadedAnswer => ({
  script,
  source,
  verdict: 'right',
  about: `${script} (test)`,
  runOn: 'control-plane',
});

describe('runStepAnswers', () => {
  it("judges the fixture lab's catalogue as it says, restoring the step after each answer", async () => {
    const seen: string[] = [];
    const result = await runStepAnswers(lab, step('write-marker'), {
      ...deps,
      onOutcome: (o) => seen.push(o.answer.script),
    });
    expect(result.ok, JSON.stringify(result.outcomes, null, 2)).toBe(true);
    expect(seen).toEqual(step('write-marker').answers.map((a) => a.script));
    const [missing, capitalised] = result.outcomes;
    expect(missing).toMatchObject({
      ok: true,
      ran: true,
      script: { ok: true, exitCode: 0 },
      check: {
        ok: false,
        codes: ['MARKER_MISSING'],
        failing: [{ expected: 'the marker file exists', found: 'no such file' }],
      },
      restore: { ok: true },
    });
    expect(capitalised?.check?.failing).toEqual([
      { expected: 'marker says "ready"', found: '"Ready"', code: 'MARKER_NOT_READY' },
    ]);
    expect(result.outcomes[3]).toMatchObject({
      ok: true,
      answer: { verdict: 'right' },
      check: { ok: true, codes: [] },
    });
    for (const o of result.outcomes) expect(o.durationMs).toBeGreaterThanOrEqual(o.script?.durationMs ?? 0);
    // The reference solution ran last: the step passes again.
    expect(await fs.readFile(marker, 'utf8')).toBe('ready\n');
    expect(summarizeOutcomes(result.outcomes)).toMatch(
      /^answers: 4\/4 as expected \(wrong 3\/3, right 1\/1\), [\d.]+ s$/,
    );
  });

  it('runs an answer on its runOn node', async () => {
    const result = await runStepAnswers(lab, step('finish'), deps);
    expect(result.ok, JSON.stringify(result.outcomes, null, 2)).toBe(true);
    expect(result.outcomes.map((o) => o.answer.runOn)).toEqual([
      'control-plane',
      'control-plane',
      'control-plane',
      'worker',
    ]);
    const onWorker = await runStepAnswers(
      lab,
      withAnswers([{ ...right('where.sh', 'echo "$STAND_IN_NODE" > "$HL_FIXTURE_DIR/node"'), runOn: 'worker' }]),
      deps,
    );
    expect(onWorker.ok).toBe(true);
    expect(await fs.readFile(path.join(tmp, 'node-files', 'node'), 'utf8')).toBe('worker\n');
  });

  it('fails a wrong answer the check fails for another reason, naming the code found and the one expected', async () => {
    const result = await runStepAnswers(
      lab,
      withAnswers([wrong('answers/write-marker/mislabelled.sh', 'rm -f "$HL_FIXTURE_DIR/marker"', 'MARKER_NOT_READY')]),
      deps,
    );
    const [outcome] = result.outcomes;
    expect(result.ok).toBe(false);
    expect(outcome).toMatchObject({ ok: false, check: { ok: false, codes: ['MARKER_MISSING'], attempts: 2 } });
    expect(outcome?.problem).toBe(
      "the check failed with MARKER_MISSING, not with the catalogue's cause MARKER_NOT_READY (checked 2 times over " +
        `${((outcome?.check?.durationMs ?? 0) / 1000).toFixed(1)} s)`,
    );
    const { line, details } = formatOutcome(outcome as NonNullable<typeof outcome>);
    expect(line).toMatch(
      /^✗ wrong MARKER_NOT_READY {2}answers\/write-marker\/mislabelled\.sh {2}[\d.]+ s \(script [\d.]+ s, check [\d.]+ s, restore [\d.]+ s\)$/,
    );
    expect(details).toContain('  ✗ [MARKER_MISSING] expected: the marker file exists; found: no such file');
  });

  it('fails a right answer the check fails, naming the code', async () => {
    const result = await runStepAnswers(
      lab,
      withAnswers([right('answers/write-marker/not-right.sh', 'echo "not ready" > "$HL_FIXTURE_DIR/marker"')]),
      deps,
    );
    expect(result.outcomes[0]).toMatchObject({ ok: false, check: { ok: false, codes: ['MARKER_NOT_READY'] } });
    expect(result.outcomes[0]?.problem).toMatch(
      /^the check FAILED this right answer, with MARKER_NOT_READY \(checked 2 times/,
    );
    // Restored all the same.
    expect(await fs.readFile(marker, 'utf8')).toBe('ready\n');
  });

  it('stops at once when the check passes a wrong answer', async () => {
    const result = await runStepAnswers(
      lab,
      withAnswers([
        wrong('answers/write-marker/passes.sh', 'echo ready > "$HL_FIXTURE_DIR/marker"', 'MARKER_NOT_READY'),
      ]),
      { ...deps, settle: { attempts: 10, delayMs: 1000 } },
    );
    expect(result.outcomes[0]).toMatchObject({ ok: false, check: { ok: true, attempts: 1 } });
    expect(result.outcomes[0]?.problem).toBe('the check PASSED this wrong answer: it must fail with MARKER_NOT_READY');
  });

  it('waits, within the settle options, for a wrong answer whose cause shows after a while', async () => {
    // A state that moves after the script returns, like a CrashLoopBackOff
    // reason that appears after the first restart: checks 1-2 see another
    // failure, check 3 the cause; the restore's check then passes.
    let calls = 0;
    const judged = await runStepAnswers(
      lab,
      withAnswers([wrong('crash.sh', 'true', 'CRASHES')], {
        check: async () => {
          calls++;
          if (calls <= 2) return [fail('running', 'starting', { code: 'NOT_YET' })];
          if (calls === 3) return [pass('a', 'b'), fail('running', 'crash-looping', { code: 'CRASHES' })];
          return [pass('restored', 'yes')];
        },
      }),
      { ...deps, settle: { attempts: 5, delayMs: 10 } },
    );
    expect(judged.outcomes[0]).toMatchObject({
      ok: true,
      check: { ok: false, codes: ['CRASHES'], attempts: 3 },
      restore: { ok: true },
    });
    expect(calls).toBe(4);
  });

  it('reports a script that fails without judging it, and restores the step', async () => {
    const result = await runStepAnswers(
      lab,
      withAnswers([wrong('answers/write-marker/broken.sh', 'echo oops; exit 4', 'MARKER_MISSING')]),
      deps,
    );
    expect(result.outcomes[0]).toMatchObject({ ok: false, script: { ok: false, exitCode: 4 }, restore: { ok: true } });
    expect(result.outcomes[0]?.check).toBeUndefined();
    expect(result.outcomes[0]?.problem).toContain("the answer's script failed (exit 4)");
    expect(formatOutcome(result.outcomes[0] as NonNullable<(typeof result.outcomes)[0]>).details).toContain('  | oops');
  });

  it('does not run the remaining answers when the solution cannot restore the step', async () => {
    const result = await runStepAnswers(
      lab,
      withAnswers(
        [
          wrong('answers/write-marker/a.sh', 'rm -f "$HL_FIXTURE_DIR/marker"', 'MARKER_MISSING'),
          wrong('answers/write-marker/b.sh', 'echo Ready > "$HL_FIXTURE_DIR/marker"', 'MARKER_NOT_READY'),
        ],
        { solution: 'echo "cannot patch the pod" >&2; exit 1' },
      ),
      deps,
    );
    const [first, second] = result.outcomes;
    expect(first).toMatchObject({ ok: false, check: { codes: ['MARKER_MISSING'] }, restore: { ok: false } });
    expect(first?.problem).toMatch(
      /^re-running solution\/01\.sh afterwards failed \(exit 1\): the solution must be idempotent/,
    );
    expect(first?.problem).toContain('| cannot patch the pod');
    expect(second).toMatchObject({
      ok: false,
      ran: false,
      problem: 'not run: the reference solution did not restore the step after answers/write-marker/a.sh',
    });
    expect(formatOutcome(second as NonNullable<typeof second>).line).toBe(
      '✗ wrong MARKER_NOT_READY  answers/write-marker/b.sh  not run',
    );
  });
});
