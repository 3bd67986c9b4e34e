// What the HTTP routes (and nothing else) call: learn mode over the catalog,
// the check runner, stored progress, node scripts and backups. Every method
// persists before it returns, so a response the page has seen survives a crash.
import type { CheckRunner } from '../checks/check-runner.js';
import type { ProgressStore } from '../progress/progress-store.js';
import type {
  CapabilityReport,
  CheckResult,
  HealthItem,
  LabDetail,
  LabSummary,
  ResetResult,
  Solution,
} from '../protocol.js';
import type { CapabilityProbe } from './capabilities.js';
import { restartsControlPlane, type LoadedLab, type LoadedStep } from './lab.js';
import type { LabBackups } from './lab-backups.js';
import type { LabCatalog } from './lab-catalog.js';
import { LabError } from './lab-error.js';
import { SCRIPT_TIMEOUT_MS, type NodeScriptRunner } from './node-scripts.js';
import { currentStepId, isUnlocked, solutionAvailable, stepProgress, stepStatus, stepView } from './step-flow.js';

export interface LabServiceOptions {
  catalog: LabCatalog;
  runner: CheckRunner;
  progress: ProgressStore;
  scripts: NodeScriptRunner;
  backups: LabBackups;
  capabilities: CapabilityProbe;
  /** Whether the lab's declared images can run in the nodes (default: not asked). */
  images?: ImageProbe;
  /** Whether the whole cluster works (default: not asked; resets then do not wait for it). */
  health?: ClusterHealthWatch;
  log?: (line: string) => void;
}

/** One report per declared image: in the nodes, pullable, or why not and the fix. */
export type ImageProbe = (images: readonly string[]) => Promise<CapabilityReport[]>;

/** The cluster's components: one look, or a wait until all work. */
export interface ClusterHealthWatch {
  now(): Promise<HealthItem[]>;
  /** Until every component works or the deadline passes; `say` gets what is still awaited. */
  settle(say: (line: string) => void): Promise<HealthItem[]>;
}

/** How long a host-capability answer is reused. */
const CAPABILITY_TTL_MS = 60_000;

export class LabService {
  readonly catalog: LabCatalog;
  private readonly runner: CheckRunner;
  private readonly progress: ProgressStore;
  private readonly scripts: NodeScriptRunner;
  private readonly backups: LabBackups;
  private readonly probe: CapabilityProbe;
  private readonly imageProbe: ImageProbe;
  private readonly health: ClusterHealthWatch | undefined;
  private readonly log: (line: string) => void;
  private readonly capabilityCache = new Map<string, { at: number; reports: Promise<CapabilityReport[]> }>();
  private readonly starting = new Map<string, Promise<void>>();
  private readonly startedHere = new Set<string>();

  constructor(options: LabServiceOptions) {
    this.catalog = options.catalog;
    this.runner = options.runner;
    this.progress = options.progress;
    this.scripts = options.scripts;
    this.backups = options.backups;
    this.probe = options.capabilities;
    this.imageProbe = options.images ?? (async () => []);
    this.health = options.health;
    this.log = options.log ?? ((line) => console.log(line));
  }

  private lab(labId: string): LoadedLab {
    const lab = this.catalog.get(labId);
    if (!lab) throw new LabError('unknown-lab', `There is no lab "${labId}".`);
    return lab;
  }

  private step(lab: LoadedLab, stepId: string): { step: LoadedStep; index: number } {
    const index = lab.steps.findIndex((s) => s.id === stepId);
    const step = lab.steps[index];
    if (!step) throw new LabError('unknown-step', `Lab "${lab.id}" has no step "${stepId}".`);
    return { step, index };
  }

  private capabilities(lab: LoadedLab): Promise<CapabilityReport[]> {
    const key = `${lab.requires.join(',')}|${lab.images.join(',')}`;
    const cached = this.capabilityCache.get(key);
    // Short-lived: a learner who fixes the host (kind load of Falco's image,
    // a cluster created after the server) sees the lab unlock without a restart.
    if (cached && Date.now() - cached.at < CAPABILITY_TTL_MS) return cached.reports;
    const reports = Promise.all([this.probe(lab.requires), this.imageProbe(lab.images)]).then(([host, images]) => [
      ...host,
      ...images,
    ]);
    this.capabilityCache.set(key, { at: Date.now(), reports });
    return reports;
  }

  async summaries(): Promise<LabSummary[]> {
    return Promise.all(
      this.catalog.list().map(async (lab) => {
        const capabilities = await this.capabilities(lab);
        const progress = this.progress.labProgress(lab.id);
        return {
          id: lab.id,
          title: lab.title,
          summary: lab.summary,
          minutes: lab.minutes,
          requires: lab.requires,
          capabilities,
          runnable: capabilities.every((c) => c.available),
          stepsTotal: lab.steps.length,
          stepsPassed: lab.steps.filter((_s, i) => stepStatus(lab, progress, i) === 'passed').length,
        };
      }),
    );
  }

  /** The lab as the page shows it. Reads only: GET /api/labs/:lab. */
  async detail(labId: string): Promise<LabDetail> {
    const lab = this.lab(labId);
    return this.view(lab, await this.capabilities(lab));
  }

  /**
   * The learner opens the lab (POST /api/labs/:lab/start): the first time,
   * start it (backups, files, setup as root) if this host can run it; then
   * the same view as `detail`.
   */
  async open(labId: string): Promise<LabDetail> {
    const lab = this.lab(labId);
    const capabilities = await this.capabilities(lab);
    if (capabilities.every((c) => c.available)) await this.start(lab);
    return this.view(lab, capabilities);
  }

  private view(lab: LoadedLab, capabilities: CapabilityReport[]): LabDetail {
    const runnable = capabilities.every((c) => c.available);
    const progress = this.progress.labProgress(lab.id);
    const detail: LabDetail = {
      id: lab.id,
      title: lab.title,
      summary: lab.summary,
      minutes: lab.minutes,
      capabilities,
      runnable,
      intro: lab.intro,
      steps: lab.steps.map((_s, i) => stepView(lab, progress, i)),
    };
    const current = currentStepId(lab, progress);
    if (current !== undefined) detail.currentStepId = current;
    return detail;
  }

  /**
   * Backs up node files, copies manifests, runs setup: the first time this
   * server process opens the lab, and after a reset. Not "once ever": the
   * cluster may have been recreated since (setup scripts are idempotent, and
   * backups are only taken where none valid exists). A failure (cluster not
   * up yet) is logged and retried the next time the lab is opened.
   */
  async start(lab: LoadedLab): Promise<void> {
    if (this.startedHere.has(lab.id)) return;
    let pending = this.starting.get(lab.id);
    if (!pending) {
      pending = (async () => {
        try {
          const taken = await this.backups.backup(lab);
          if (taken.length > 0) this.log(`lab ${lab.id}: backed up ${taken.join(', ')}`);
          await this.scripts.copyLabFiles(lab);
          if (lab.setup !== undefined) {
            const run = await this.scripts.run(lab, {
              node: lab.runOn,
              name: 'setup',
              script: lab.setup,
              timeoutMs: SCRIPT_TIMEOUT_MS.setup,
            });
            if (!run.ok)
              throw new Error(
                `setup failed (exit ${run.exitCode}): ${run.log.trim().split('\n').slice(-5).join(' | ')}`,
              );
          }
          this.progress.markStarted(lab.id);
          this.startedHere.add(lab.id);
        } catch (error) {
          this.log(
            `lab ${lab.id}: could not start yet (${error instanceof Error ? error.message : String(error)}); will retry when the lab is opened again`,
          );
        } finally {
          this.starting.delete(lab.id);
        }
      })();
      this.starting.set(lab.id, pending);
    }
    await pending;
  }

  async check(labId: string, stepId: string): Promise<CheckResult> {
    const lab = this.lab(labId);
    const { step, index } = this.step(lab, stepId);
    const missing = (await this.capabilities(lab)).filter((c) => !c.available);
    if (missing.length > 0) {
      throw new LabError(
        'not-runnable',
        `This lab cannot run on this host: ${missing.map((c) => c.reason ?? `${c.capability} is not available`).join(' ')}`,
      );
    }
    const progress = this.progress.labProgress(lab.id);
    if (!isUnlocked(lab, progress, index)) {
      throw new LabError(
        'locked',
        `Step "${step.title}" unlocks when step "${lab.steps[index - 1]?.title ?? ''}" has passed.`,
      );
    }
    const result = await this.runner.run({ name: `${lab.id}/${step.checkName}`, check: step.check });
    this.progress.recordResult(lab.id, step.id, result);
    return result;
  }

  hint(labId: string, stepId: string): { hint: string; index: number } {
    const lab = this.lab(labId);
    const { step, index } = this.step(lab, stepId);
    if (!isUnlocked(lab, this.progress.labProgress(lab.id), index))
      throw new LabError('locked', `Step "${step.title}" is still locked.`);
    const revealed = this.progress.revealHint(lab.id, step.id, step.hints.length);
    if (revealed === undefined)
      throw new LabError(
        'no-more-hints',
        step.hints.length === 0 ? 'This step has no hints.' : 'All hints for this step are already shown.',
      );
    return { hint: step.hints[revealed] as string, index: revealed };
  }

  solution(labId: string, stepId: string): Solution {
    const lab = this.lab(labId);
    const { step } = this.step(lab, stepId);
    const sp = stepProgress(this.progress.labProgress(lab.id), step.id);
    if (!solutionAvailable(sp))
      throw new LabError(
        'solution-locked',
        'The solution opens after you have revealed a hint or run a check that failed.',
      );
    this.progress.markSolutionViewed(lab.id, step.id);
    return { script: this.scripts.exportsHeader(lab, step.id) + step.solution, runOn: step.runOn };
  }

  setCurrent(labId: string, stepId: string): void {
    const lab = this.lab(labId);
    const { step } = this.step(lab, stepId);
    this.progress.setCurrentStep(lab.id, step.id);
  }

  /** Cleanup, restore backups, forget progress (history stays), start again. */
  async reset(labId: string): Promise<ResetResult> {
    const lab = this.lab(labId);
    const log: string[] = [];
    // Restore first: if the apiserver is down because of an edited manifest,
    // cleanup's kubectl calls would only fail until it is back.
    const restored = await this.backups.restore(lab);
    log.push(...restored.log);
    const cleanup = await this.scripts.run(lab, {
      node: lab.runOn,
      name: 'cleanup',
      script: lab.cleanup,
      timeoutMs: SCRIPT_TIMEOUT_MS.cleanup,
    });
    log.push(`cleanup (exit ${cleanup.exitCode ?? 'none'}, ${cleanup.durationMs} ms):`, cleanup.log.trimEnd());
    this.progress.resetLab(lab.id);
    this.startedHere.delete(lab.id);
    // Restarting the apiserver takes the controller manager and scheduler
    // down with it (they lose their leases); the next lab must not meet a
    // half-working cluster. Wait, saying what for, until every part works.
    let health: HealthItem[] | undefined;
    if (this.health && restartsControlPlane(lab)) {
      health = await this.health.settle((line) => log.push(line));
    }
    await this.start(lab);
    const healthy = health?.every((h) => h.ok) ?? true;
    const result: ResetResult = {
      ok: restored.ok && cleanup.ok && healthy,
      log: log.filter((l) => l !== '').join('\n'),
    };
    if (health) result.health = health;
    return result;
  }

  /** Every cluster component, looked at once (the page polls this during a reset). */
  async clusterHealth(): Promise<HealthItem[]> {
    return this.health ? this.health.now() : [];
  }
}
