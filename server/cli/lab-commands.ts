// Lab authoring commands for the `hardening-lab` CLI: validate, check,
// test-lab. Each returns an exit code; all output goes through `io`; the
// cluster comes in through `deps` so tests can inject a stand-in.
//
//   hardening-lab validate [dir]            → validateCommand(dir, io)
//   hardening-lab check <lab> [step] --json → checkCommand(lab, step, { json }, io, deps)
//   hardening-lab test-lab <lab> [--no-answers] → testLabCommand(lab, { answers }, io, deps)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CheckRunner } from '../checks/check-runner.js';
import type { ClusterView } from '../checks/cluster-view.js';
import { KubeClusterView } from '../checks/kube-cluster-view.js';
import type { ClusterProvider } from '../cluster/provider.js';
import type { CheckResult, Finding } from '../protocol.js';
import type { LoadedLab, LoadedStep } from '../labs/lab.js';
import { LabBackups } from '../labs/lab-backups.js';
import { loadCatalog, LabCatalog } from '../labs/lab-catalog.js';
import { recreateDnsCanary, restartCoreDns, waitForClusterHealth } from '../checks/cluster-health.js';
import { restartsControlPlane } from '../labs/lab.js';
import { DEFAULT_LABS_DIR, HEALTH_SETTLE_MS } from '../labs/lab-engine.js';
import { LAB_FILE, loadLab } from '../labs/lab-loader.js';
import { catalogueRequirementProblems } from '../labs/answer-catalogue.js';
import { probeHostCapabilities, type CapabilityProbe } from '../labs/capabilities.js';
import {
  answerColumns,
  checkUntilSettled,
  DEFAULT_SETTLE,
  formatOutcome,
  passes,
  runStepAnswers,
  summarizeOutcomes,
  type AnswerOutcome,
  type SettleOptions,
} from '../labs/answer-catalogue-run.js';
import { formatProblem } from '../labs/lab-problem.js';
import { NodeScriptRunner, SCRIPT_TIMEOUT_MS, type ScriptRun } from '../labs/node-scripts.js';

export interface LabCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface LabCommandDeps {
  provider: ClusterProvider;
  labsDir?: string;
  /** Defaults to provider.kubeconfigPath(). */
  kubeconfigPath?: string;
  /** Inject a view (tests); otherwise the real cluster through the kubeconfig. */
  view?: ClusterView;
  labFilesRoot?: string;
  /** After a solution or an answer, how long test-lab keeps re-checking for the state to settle. */
  settle?: SettleOptions;
  /** Probes the host capabilities a lab `requires`; defaults to this host's (tests inject one). */
  probeCapabilities?: CapabilityProbe;
}

// ---- validate ---------------------------------------------------------------

/** `dir` may be the labs directory or one lab's directory. */
export async function validateCommand(dir: string | undefined, io: LabCommandIo): Promise<number> {
  const target = path.resolve(dir ?? DEFAULT_LABS_DIR);
  let catalog: LabCatalog;
  let displayRoot: string;
  try {
    const single = await fs
      .access(path.join(target, LAB_FILE))
      .then(() => true)
      .catch(() => false);
    if (single) {
      displayRoot = process.cwd();
      const result = await loadLab(target, { displayRoot });
      catalog = result.ok ? new LabCatalog([result.lab]) : new LabCatalog([], result.problems);
    } else {
      // The names loadCatalog shows: relative to the labs directory's parent.
      displayRoot = path.dirname(target);
      catalog = await loadCatalog(target);
    }
  } catch (error) {
    io.err(`✗ ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  // The page serves a lab without a catalogue; an author's lab is not done without one.
  const problems = [...catalog.problems];
  for (const lab of catalog.list()) {
    const missing = await catalogueRequirementProblems(lab, displayRoot);
    problems.push(...missing);
    if (missing.length > 0) continue;
    const answers = lab.steps.flatMap((s) => s.answers);
    const wrong = answers.filter((a) => a.verdict === 'wrong').length;
    io.out(
      `✓ ${lab.id}: ${lab.steps.length} steps, every step has a check, a solution and a wrong-answer catalogue (${wrong} wrong, ${answers.length - wrong} right answers)`,
    );
  }
  for (const problem of problems) io.err(`✗ ${formatProblem(problem)}`);
  if (catalog.list().length === 0 && problems.length === 0) {
    io.err(`✗ no labs found in ${target}`);
    return 1;
  }
  return problems.length > 0 ? 1 : 0;
}

// ---- check ------------------------------------------------------------------------

async function openLab(labId: string, deps: LabCommandDeps, io: LabCommandIo): Promise<LoadedLab | undefined> {
  const labsDir = deps.labsDir ?? DEFAULT_LABS_DIR;
  const result = await loadLab(path.join(labsDir, labId), { displayRoot: path.dirname(path.resolve(labsDir)) });
  if (!result.ok) {
    io.err(`✗ lab "${labId}" cannot be loaded:`);
    for (const problem of result.problems) io.err(`  ${formatProblem(problem)}`);
    return undefined;
  }
  return result.lab;
}

function makeView(deps: LabCommandDeps): { view: ClusterView; close(): void } {
  if (deps.view) return { view: deps.view, close: () => {} };
  const view = new KubeClusterView({
    provider: deps.provider,
    ...(deps.kubeconfigPath ? { kubeconfigPath: deps.kubeconfigPath } : {}),
  });
  return { view, close: () => view.close() };
}

function printFinding(f: Finding, io: LabCommandIo): void {
  io.out(`    ${f.ok ? '✓' : '✗'} expected: ${f.expected}`);
  io.out(`      found:    ${f.found}`);
  if (f.where) io.out(`      where:    ${f.where}`);
  if (f.advice && !f.ok) io.out(`      advice:   ${f.advice}`);
  if (f.code && !f.ok) io.out(`      mistake:  ${f.code}`);
}

function printResult(step: LoadedStep, result: CheckResult, io: LabCommandIo): void {
  io.out(`${result.ok ? '✓ PASS' : '✗ FAIL'}  ${step.id} — ${step.title} (${Math.round(result.durationMs)} ms)`);
  if (result.error) io.out(`    error: ${result.error}`);
  for (const f of result.findings) printFinding(f, io);
}

export async function checkCommand(
  labId: string,
  stepId: string | undefined,
  options: { json?: boolean },
  io: LabCommandIo,
  deps: LabCommandDeps,
): Promise<number> {
  const lab = await openLab(labId, deps, io);
  if (!lab) return 2;
  const steps = stepId === undefined ? lab.steps : lab.steps.filter((s) => s.id === stepId);
  if (steps.length === 0) {
    io.err(`✗ lab "${labId}" has no step "${stepId}" (steps: ${lab.steps.map((s) => s.id).join(', ')})`);
    return 2;
  }
  let opened: { view: ClusterView; close(): void };
  try {
    opened = makeView(deps);
  } catch (error) {
    io.err(`✗ cannot reach the cluster: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  try {
    const runner = new CheckRunner({ view: () => opened.view });
    const results = await runner.sweep(steps.map((s) => ({ name: `${lab.id}/${s.checkName}`, check: s.check })));
    if (options.json) {
      io.out(
        JSON.stringify(
          { lab: lab.id, ok: results.every((r) => r.ok), steps: steps.map((s, i) => ({ step: s.id, ...results[i] })) },
          null,
          2,
        ),
      );
    } else {
      steps.forEach((s, i) => printResult(s, results[i] as CheckResult, io));
    }
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    opened.close();
  }
}

// ---- test-lab ---------------------------------------------------------------------

interface StepRow {
  step: string;
  before: string;
  solution: string;
  after: string;
  answers: string;
  seconds: string;
  ok: boolean;
}

const COLUMNS = ['step', 'before', 'solution', 'after', 'answers', 'seconds'] as const;

function table(rows: StepRow[]): string[] {
  const header = {
    step: 'step',
    before: 'before solution',
    solution: 'solution',
    after: 'after solution',
    answers: 'answers',
    seconds: 'time',
    ok: true,
  };
  const all = [header, ...rows];
  const widths = COLUMNS.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: StepRow) =>
    COLUMNS.map((k, i) => r[k].padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function lastLines(run: ScriptRun, n = 8): string {
  return run.log
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map((l) => `      | ${l}`)
    .join('\n');
}

/**
 * Cleanup; setup; then per step: the check must FAIL, the reference solution
 * runs, the check must PASS, then every answer of the step's wrong-answer
 * catalogue is judged (unless `answers` is false). Backed-up node files are
 * restored and cleanup runs again at the end, whatever happened.
 */
export async function testLabCommand(
  labId: string,
  options: { answers?: boolean },
  io: LabCommandIo,
  deps: LabCommandDeps,
): Promise<number> {
  const lab = await openLab(labId, deps, io);
  if (!lab) return 2;
  // A lab this host cannot run (the page lists it as not runnable) would fail
  // on its first solution whatever its checks are worth: say so and skip it,
  // as the cluster tier does, instead of failing a run that proves nothing.
  const probe = deps.probeCapabilities ?? probeHostCapabilities;
  const missing = (await probe(lab.requires)).filter((c) => !c.available);
  if (missing.length > 0) {
    io.out(
      `test-lab ${lab.id}: SKIPPED — this host cannot run the lab (${missing.map((c) => `${c.capability}: ${c.reason ?? 'not available'}`).join('; ')})`,
    );
    io.out(
      `  nothing was run: no cleanup, no solution, no catalogue answer. Run it on a host that has ${missing.map((c) => c.capability).join(', ')}.`,
    );
    return 0;
  }
  const scripts = new NodeScriptRunner({
    provider: deps.provider,
    ...(deps.labFilesRoot ? { labFilesRoot: deps.labFilesRoot } : {}),
  });
  // A private backup directory: a fresh snapshot of this cluster, never the learner's copies.
  const backupDir = await fs.mkdtemp(path.join(os.tmpdir(), `hl-test-lab-${lab.id}-`));
  const backups = new LabBackups({ provider: deps.provider, dir: backupDir });
  const settle = deps.settle ?? DEFAULT_SETTLE;
  const withAnswers = options.answers ?? true;
  const outcomes: AnswerOutcome[] = [];
  let opened: { view: ClusterView; close(): void } | undefined;
  const rows: StepRow[] = [];
  let ok = true;
  const started = performance.now();

  const runScript = async (name: string, script: string, node: string, timeoutMs: number): Promise<ScriptRun> => {
    const run = await scripts.run(lab, { node, name, script, timeoutMs });
    if (!run.ok)
      io.err(
        `  ✗ ${name} failed (exit ${run.exitCode ?? 'none'}${run.timedOut ? ', timed out' : ''}, ${run.durationMs} ms):\n${lastLines(run)}`,
      );
    return run;
  };

  try {
    io.out(
      `test-lab ${lab.id}: cleanup, setup, then ${lab.steps.length} steps (check fails → solution → check passes${withAnswers ? ' → each catalogue answer judged' : ''})`,
    );
    if (!withAnswers) io.out('  wrong-answer catalogues: skipped (--no-answers)');
    else if (!lab.hasAnswerCatalogue)
      io.out(
        `  ! ${lab.id} has no answers.yaml: no wrong-answer catalogue to run (\`validate\` refuses the lab until it has one)`,
      );
    const cleanup = await runScript('cleanup', lab.cleanup, lab.runOn, SCRIPT_TIMEOUT_MS.cleanup);
    if (!cleanup.ok) return 1;
    await backups.backup(lab);
    await scripts.copyLabFiles(lab);
    if (lab.setup !== undefined && !(await runScript('setup', lab.setup, lab.runOn, SCRIPT_TIMEOUT_MS.setup)).ok)
      return 1;
    opened = makeView(deps);
    const view = opened.view;
    const runner = new CheckRunner({ view: () => view });

    for (const step of lab.steps) {
      const stepStarted = performance.now();
      const named = { name: `${lab.id}/${step.checkName}`, check: step.check };
      const before = await runner.run(named);
      const beforeOk = !before.ok && !before.error;
      if (!beforeOk) {
        io.err(
          `  ✗ ${step.id}: the check must fail before the solution runs, but ${before.error ? `could not judge: ${before.error}` : 'it passed'}`,
        );
      }
      const solution = await runScript(`${step.id}`, step.solution, step.runOn, SCRIPT_TIMEOUT_MS.solution);
      // The solution waits for what it creates, but status fields settle a moment later.
      const after = (await checkUntilSettled(runner, named, passes, settle)).result;
      if (!after.ok) {
        io.err(`  ✗ ${step.id}: the check must pass after the solution, but it did not:`);
        printResultTo(step, after, io);
      }
      let answers = withAnswers ? 'none' : 'skipped';
      let answersOk = true;
      if (withAnswers && step.answers.length > 0) {
        if (after.ok) {
          const wrong = step.answers.filter((a) => a.verdict === 'wrong').length;
          io.out(
            `  ${step.id}: ${step.answers.length} catalogue answers (${wrong} wrong, ${step.answers.length - wrong} right), each followed by ${step.solutionFile}`,
          );
          const widths = answerColumns(step.answers);
          const result = await runStepAnswers(lab, step, {
            scripts,
            checks: runner,
            settle,
            onOutcome: (outcome) => {
              const { line, details } = formatOutcome(outcome, widths);
              io.out(`    ${line}`);
              for (const detail of details) io.err(`    ${detail}`);
            },
          });
          outcomes.push(...result.outcomes);
          answersOk = result.ok;
          const good = result.outcomes.filter((o) => o.ok).length;
          answers = `${good}/${result.outcomes.length} ${result.ok ? '✓' : '✗'}`;
        } else {
          answers = 'not run';
        }
      }
      const rowOk = beforeOk && solution.ok && after.ok && answersOk;
      ok &&= rowOk;
      rows.push({
        step: step.id,
        before: before.error ? 'ERROR (must fail)' : before.ok ? 'PASS (must fail) ✗' : 'FAIL ✓',
        solution: solution.ok
          ? `ok (${(solution.durationMs / 1000).toFixed(1)} s)`
          : `exit ${solution.exitCode ?? 'none'} ✗`,
        after: after.ok ? `PASS ✓ (${Math.round(after.durationMs)} ms)` : after.error ? 'ERROR ✗' : 'FAIL ✗',
        answers,
        seconds: `${((performance.now() - stepStarted) / 1000).toFixed(1)} s`,
        ok: rowOk,
      });
    }
  } catch (error) {
    ok = false;
    io.err(`✗ test-lab stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    opened?.close();
    const restored = await backups.restore(lab);
    for (const line of restored.log) if (line.startsWith('FAILED')) io.err(`  ✗ ${line}`);
    const finalCleanup = await runScript('cleanup', lab.cleanup, lab.runOn, SCRIPT_TIMEOUT_MS.cleanup);
    ok &&= finalCleanup.ok && restored.ok;
    await fs.rm(backupDir, { recursive: true, force: true });
    // The lab restarted control-plane components: it must leave every part
    // of the cluster working for whatever runs next, and say what it awaits.
    if (restartsControlPlane(lab) && !deps.view) {
      const health = makeView(deps);
      try {
        const items = await waitForClusterHealth(health.view, {
          deadlineMs: HEALTH_SETTLE_MS,
          say: (line) => io.out(`  cluster: ${line}`),
          prepare: () => recreateDnsCanary(health.view),
          repairStaleDns: () => restartCoreDns(health.view),
        });
        const broken = items.filter((i) => !i.ok);
        if (broken.length > 0) {
          ok = false;
          io.err(
            `  ✗ after cleanup the cluster is not fully working: ${broken.map((b) => `${b.component}: ${b.found}`).join('; ')}`,
          );
        }
      } finally {
        health.close();
      }
    }
  }
  for (const line of table(rows)) io.out(line);
  if (outcomes.length > 0) io.out(`${outcomes.every((o) => o.ok) ? '✓' : '✗'} ${summarizeOutcomes(outcomes)}`);
  io.out(
    `${ok ? '✓' : '✗'} ${lab.id}: ${rows.filter((r) => r.ok).length}/${lab.steps.length} steps as expected, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return ok && rows.length === lab.steps.length ? 0 : 1;
}

function printResultTo(step: LoadedStep, result: CheckResult, io: LabCommandIo): void {
  const lines: string[] = [];
  printResult(step, result, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  for (const line of lines) io.err(`    ${line}`);
}
