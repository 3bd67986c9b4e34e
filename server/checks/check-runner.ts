// Runs lab checks and turns whatever happens into a CheckResult: findings when
// the check could judge, a plain-words `error` when it could not (apiserver
// down, a call timed out, a bug in the check). Checks of a sweep run
// concurrently against one shared view.
import type { CheckResult } from '../protocol.js';
import { findingsPass, type Check } from './check.js';
import type { ClusterView } from './cluster-view.js';
import { CallTimeoutError, ClusterUnreachableError } from './cluster-unreachable.js';
import { withDeadline } from './deadline.js';
import { sweepView } from './sweep-view.js';

/** Where the runner gets its view; may throw when there is no cluster yet. */
export type ClusterViewSource = () => ClusterView | Promise<ClusterView>;

export interface CheckRunnerOptions {
  view: ClusterViewSource;
  /** Deadline for a whole check (its calls have their own, shorter ones). */
  checkTimeoutMs?: number;
  now?: () => number;
}

export interface NamedCheck {
  name: string;
  check: Check;
}

export class CheckRunner {
  private readonly view: ClusterViewSource;
  private readonly checkTimeoutMs: number;
  private readonly now: () => number;

  constructor(options: CheckRunnerOptions) {
    this.view = options.view;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 20_000;
    this.now = options.now ?? (() => performance.now());
  }

  async run(named: NamedCheck): Promise<CheckResult> {
    return this.runWith(() => this.view(), named);
  }

  /** All checks at once, sharing reads; results in the order given. */
  async sweep(checks: NamedCheck[]): Promise<CheckResult[]> {
    let shared: Promise<ClusterView> | undefined;
    const view = () => (shared ??= Promise.resolve(this.view()).then(sweepView));
    return Promise.all(checks.map((c) => this.runWith(view, c)));
  }

  private async runWith(source: ClusterViewSource, named: NamedCheck): Promise<CheckResult> {
    const started = this.now();
    const durationMs = () => Math.round((this.now() - started) * 10) / 10;
    try {
      const view = await source();
      const findings = await withDeadline(named.check(view), this.checkTimeoutMs, `check ${named.name}`);
      return { ok: findingsPass(findings), findings, durationMs: durationMs() };
    } catch (error) {
      return { ok: false, findings: [], error: explainCheckError(named.name, error), durationMs: durationMs() };
    }
  }
}

export function explainCheckError(name: string, error: unknown): string {
  if (error instanceof ClusterUnreachableError) return error.message;
  if (error instanceof CallTimeoutError) {
    return (
      `The check could not finish: ${error.message}. This is not a wrong answer. ` +
      'The cluster may be overloaded or a node may be stuck; try again in a few seconds, ' +
      'and if it keeps happening look at `docker ps` and `kubectl get pods -A` for what is restarting.'
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return `The check "${name}" could not judge your answer: ${message}. This is a problem in the check or the cluster, not in your answer.`;
}
