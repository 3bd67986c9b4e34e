// What every lab's cluster-tier test needs: the cluster scripts/test-cluster.sh
// made (KUBECONFIG, HARDENING_LAB_CLUSTER), a view onto it, and the lab's
// scripts run on the control-plane node exactly as test-lab runs them.
import path from 'node:path';
import { expect } from 'vitest';
import { findingsPass } from '../../../server/checks/check.js';
import { CheckRunner } from '../../../server/checks/check-runner.js';
import type { ClusterView } from '../../../server/checks/cluster-view.js';
import { recreateDnsCanary, restartCoreDns, waitForClusterHealth } from '../../../server/checks/cluster-health.js';
import { KubeClusterView } from '../../../server/checks/kube-cluster-view.js';
import { testLabCommand } from '../../../server/cli/lab-commands.js';
import { ImagePresence } from '../../../server/cluster/image-presence.js';
import { KindProvider } from '../../../server/cluster/kind-provider.js';
import { PROJECT_ROOT } from '../../../server/config.js';
import { probeHostCapabilities } from '../../../server/labs/capabilities.js';
import {
  answerColumns,
  formatOutcome,
  runStepAnswers,
  summarizeOutcomes,
} from '../../../server/labs/answer-catalogue-run.js';
import { restartsControlPlane, type LoadedLab, type LoadedStep } from '../../../server/labs/lab.js';
import { HEALTH_SETTLE_MS } from '../../../server/labs/lab-engine.js';
import { loadLab } from '../../../server/labs/lab-loader.js';
import { NodeScriptRunner, SCRIPT_TIMEOUT_MS, type ScriptRun } from '../../../server/labs/node-scripts.js';
import type { Finding } from '../../../server/protocol.js';

export function clusterFromEnv(): { kubeconfig: string; cluster: string } {
  const kubeconfig = process.env.KUBECONFIG;
  const cluster = process.env.HARDENING_LAB_CLUSTER;
  if (!kubeconfig || !cluster) {
    throw new Error(
      'KUBECONFIG and HARDENING_LAB_CLUSTER must be set: run the cluster tier with `npm run test:cluster`.',
    );
  }
  return { kubeconfig, cluster };
}

/** Findings as an assertion message: what a failed expectation prints. */
export const show = (findings: Finding[]): string => JSON.stringify(findings, null, 2);

/**
 * Re-checks until `done` says the cluster reached the state named by `what`,
 * or `seconds` pass. Either way the caller asserts on the findings returned;
 * on time-out the wait says what it waited for, so a failure reads as
 * "waited 90 s for X; last findings: …", not as a bare mismatch.
 */
export async function eventually(
  what: string,
  check: () => Promise<Finding[]>,
  done: (findings: Finding[]) => boolean,
  seconds = 90,
): Promise<Finding[]> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const findings = await check();
    if (done(findings)) return findings;
    if (Date.now() > deadline) {
      console.warn(`[cluster tier] waited ${seconds} s for ${what}; the last findings follow in the assertion`);
      return findings;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/**
 * Polls `probe` every 2 s until it returns a value. On time-out it throws,
 * naming what it waited for and the last thing it saw (a probe's `seen` or
 * its error), never retrying blindly past its deadline.
 */
export async function waitFor<T>(
  what: string,
  seconds: number,
  probe: () => Promise<{ value: T } | { seen: string }>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let seen = 'nothing yet';
  for (;;) {
    try {
      const result = await probe();
      if ('value' in result) return result.value;
      seen = result.seen;
    } catch (error) {
      seen = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`waited ${seconds} s for ${what}; last seen: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/**
 * Why this host cannot run the lab ('' when it can), from the same probe the
 * lab list uses. A non-empty reason is printed at once: a lab is never
 * skipped silently.
 */
export async function hostSkipReason(labId: string): Promise<string> {
  const loaded = await loadLab(path.join(PROJECT_ROOT, 'labs', labId));
  if (!loaded.ok) throw new Error(`labs/${labId} does not load: ${JSON.stringify(loaded.problems)}`);
  const { cluster } = clusterFromEnv();
  const provider = new KindProvider({ name: cluster, image: 'unused', kindConfig: 'unused' });
  // The lab list's own answer: host capabilities, then every declared image.
  const reports = [
    ...(await probeHostCapabilities(loaded.lab.requires)),
    ...(await new ImagePresence({ provider }).reports(loaded.lab.images)),
  ];
  const missing = reports.filter((c) => !c.available);
  const reason = missing.map((c) => `${c.capability}: ${c.reason ?? 'not available'}`).join('; ');
  if (reason) console.warn(`[cluster tier] SKIPPING the ${labId} lab on this host — ${reason}`);
  return reason;
}

/**
 * Waits, with the product's own health check, until every part of the
 * cluster works: control plane, add-ons, the API through its Service IP and
 * DNS for a name newer than the wait. Labs that restart the apiserver leave
 * the controller manager in crash-loop back-off (up to 5 minutes) and CoreDNS
 * answering from a stale cache (up to 2 minutes); a test that runs into that
 * window fails for reasons that are not its own. Throws naming what is broken.
 */
export async function waitForWorkingCluster(view: ClusterView, who: string): Promise<void> {
  const items = await waitForClusterHealth(view, {
    deadlineMs: HEALTH_SETTLE_MS,
    say: (line) => console.log(`[cluster tier] ${who}: ${line}`),
    prepare: () => recreateDnsCanary(view),
    repairStaleDns: () => restartCoreDns(view),
  });
  const broken = items.filter((i) => !i.ok);
  if (broken.length > 0)
    throw new Error(
      `waited ${HEALTH_SETTLE_MS / 60_000} min for a working cluster; still broken: ${broken
        .map((b) => `${b.component}: ${b.found}`)
        .join('; ')}`,
    );
}

export class LabOnCluster {
  readonly cluster: string;
  readonly kubeconfig: string;
  readonly provider: KindProvider;
  readonly view: KubeClusterView;
  private readonly scripts: NodeScriptRunner;
  private loaded: LoadedLab | undefined;

  /** `timeoutMs`: checks right after an apiserver restart need a longer deadline than the page's. */
  constructor(
    private readonly labId: string,
    options: { timeoutMs?: number } = {},
  ) {
    const { kubeconfig, cluster } = clusterFromEnv();
    this.cluster = cluster;
    this.kubeconfig = kubeconfig;
    this.provider = new KindProvider({ name: cluster, image: 'unused', kindConfig: 'unused' });
    this.view = new KubeClusterView({
      provider: this.provider,
      kubeconfigPath: kubeconfig,
      ...(options.timeoutMs ? { defaultTimeoutMs: options.timeoutMs } : {}),
    });
    this.scripts = new NodeScriptRunner({ provider: this.provider });
  }

  async load(): Promise<LoadedLab> {
    const loaded = await loadLab(path.join(PROJECT_ROOT, 'labs', this.labId));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    this.loaded = loaded.lab;
    return loaded.lab;
  }

  get lab(): LoadedLab {
    if (!this.loaded) throw new Error('call load() first (in beforeAll)');
    return this.loaded;
  }

  /**
   * Waits, with the product's own health check, until every part of the
   * cluster works: control plane, add-ons, the API through its Service IP and
   * DNS for a name newer than the wait. Labs that restart the apiserver leave
   * the controller manager in crash-loop back-off (up to 5 minutes) and
   * CoreDNS answering from a stale cache (up to 2 minutes); a test that runs
   * into that window fails for reasons that are not its own.
   */
  async clusterHealthy(): Promise<void> {
    await waitForWorkingCluster(this.view, this.labId);
  }

  /** Waits until the apiserver answers reads again (after a manifest edit restarted it). */
  async apiserverAnswers(seconds = 180): Promise<void> {
    await waitFor('the apiserver to answer a read of namespace default', seconds, async () =>
      (await this.view.getNamespace('default')) ? { value: true } : { seen: 'namespace default not found' },
    );
  }

  /** Loads the lab and brings the cluster to its starting point: cleanup, then setup (if any). */
  async startFresh(): Promise<LoadedLab> {
    const lab = await this.load();
    await this.clusterHealthy();
    await this.cleanup();
    await this.setup();
    return lab;
  }

  /** The lab's cleanup script, with its own deadline. */
  async cleanup(): Promise<string> {
    return this.run('cleanup', this.lab.cleanup, SCRIPT_TIMEOUT_MS.cleanup);
  }

  /** The lab's setup script, if it has one. */
  async setup(): Promise<void> {
    if (this.lab.setup) await this.run('setup', this.lab.setup, SCRIPT_TIMEOUT_MS.setup);
  }

  /**
   * Cleans up after the tests and closes the view, even when cleanup fails.
   * A lab that restarts the control plane must leave it fully working.
   */
  async finish(): Promise<void> {
    try {
      await this.cleanup();
      if (restartsControlPlane(this.lab)) await this.clusterHealthy();
    } finally {
      this.view.close();
    }
  }

  /**
   * What test-lab does, step by step: the check fails, the reference
   * solution runs, the check passes, then the step's wrong-answer catalogue
   * runs (expectAnswersJudged). `checkAfter` may wait for a state that
   * settles a few seconds after the solution.
   */
  async expectEachStepFailsThenPasses(
    check: (stepId: string) => Promise<Finding[]>,
    checkAfter: (stepId: string) => Promise<Finding[]> = check,
  ): Promise<void> {
    if (!this.lab.hasAnswerCatalogue)
      console.warn(`[cluster tier] ${this.labId} has no answers.yaml yet: no wrong-answer catalogue runs`);
    for (const s of this.lab.steps) {
      const before = await check(s.id);
      expect(findingsPass(before), `${s.id} before its solution:\n${show(before)}`).toBe(false);
      await this.run(s.id, s.solution);
      const after = await checkAfter(s.id);
      expect(findingsPass(after), `${s.id} after its solution:\n${show(after)}`).toBe(true);
      await this.expectAnswersJudged(s);
    }
  }

  /**
   * The step's wrong-answer catalogue, through the runner test-lab uses
   * (server/labs/answer-catalogue-run.ts): each wrong answer fails with its
   * cause, each right one passes, the solution restores the step after each.
   * Call it with the step's check passing; a step without answers is a no-op.
   */
  async expectAnswersJudged(step: LoadedStep): Promise<void> {
    if (step.answers.length === 0) return;
    const widths = answerColumns(step.answers);
    const lines: string[] = [];
    const result = await runStepAnswers(this.lab, step, {
      scripts: this.scripts,
      checks: new CheckRunner({ view: () => this.view }),
      onOutcome: (outcome) => {
        const { line, details } = formatOutcome(outcome, widths);
        lines.push(line, ...details);
        console.log(`[cluster tier] ${this.labId}/${step.id}: ${line}`);
      },
    });
    console.log(`[cluster tier] ${this.labId}/${step.id}: ${summarizeOutcomes(result.outcomes)}`);
    expect(result.ok, `${step.id}'s wrong-answer catalogue:\n${lines.join('\n')}`).toBe(true);
  }

  /** Runs a script on the control plane; the caller judges the outcome. */
  attempt(name: string, script: string, timeoutMs: number = SCRIPT_TIMEOUT_MS.solution): Promise<ScriptRun> {
    return this.scripts.run(this.lab, { node: 'control-plane', name, script, timeoutMs });
  }

  /** Runs a script on the control plane and throws with its log when it fails. */
  async run(name: string, script: string, timeoutMs: number = SCRIPT_TIMEOUT_MS.solution): Promise<string> {
    const result = await this.attempt(name, script, timeoutMs);
    if (!result.ok) throw new Error(`${name} failed (exit ${String(result.exitCode)}):\n${result.log}`);
    return result.log;
  }

  /** Puts the lab's files on the node ($HL_LAB_FILES), as the engine does before a solution. */
  copyLabFiles(): Promise<void> {
    return this.scripts.copyLabFiles(this.lab);
  }

  /** `hardening-lab test-lab <id>` (catalogue included) against this cluster: its exit code and everything it printed. */
  async testLab(): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await testLabCommand(
      this.labId,
      { answers: true },
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
      { provider: this.provider, kubeconfigPath: this.kubeconfig },
    );
    const output = lines.join('\n');
    console.log(output);
    return { code, output };
  }

  step(id: string): LoadedStep {
    const found = this.lab.steps.find((s) => s.id === id);
    if (!found) throw new Error(`no step ${id}`);
    return found;
  }
}
