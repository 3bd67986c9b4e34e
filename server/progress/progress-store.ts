// Learner progress in a SQLite file in the state directory: step results with
// their findings, hints revealed, where the learner is. Every write is its
// own transaction, committed before the HTTP response goes out; WAL with
// synchronous=FULL means a `kill -9` (or a power cut) right after a response
// loses nothing.
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, restrictFile, touchPrivateFile } from '../state/private-files.js';
import { checkResultSchema, type CheckResult } from '../protocol.js';

export const PROGRESS_FILE = 'progress.sqlite';
/** Files SQLite keeps beside the database (WAL mode uses the first two). */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

export interface StepProgress {
  hintsUsed: number;
  everPassed: boolean;
  everFailed: boolean;
  solutionViewed: boolean;
  lastResult?: CheckResult;
  lastCheckedAt?: string;
}

export interface LabProgress {
  startedAt?: string;
  currentStepId?: string;
  steps: Map<string, StepProgress>;
}

const SCHEMA_VERSION = 1;

const MIGRATION_1 = `
CREATE TABLE lab_state (
  lab_id TEXT PRIMARY KEY,
  current_step_id TEXT,
  started_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE step_state (
  lab_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  hints_used INTEGER NOT NULL DEFAULT 0,
  ever_passed INTEGER NOT NULL DEFAULT 0,
  ever_failed INTEGER NOT NULL DEFAULT 0,
  solution_viewed INTEGER NOT NULL DEFAULT 0,
  last_result_json TEXT,
  last_checked_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (lab_id, step_id)
);
-- History of every check, kept across resets (what a learner tried, for teachers and debugging).
CREATE TABLE check_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  lab_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  ok INTEGER NOT NULL,
  findings_json TEXT NOT NULL,
  error TEXT,
  duration_ms REAL NOT NULL,
  checked_at TEXT NOT NULL
);
CREATE INDEX check_results_by_step ON check_results (lab_id, step_id, id);
CREATE TABLE hint_reveals (
  lab_id TEXT NOT NULL,
  step_id TEXT NOT NULL,
  hint_index INTEGER NOT NULL,
  revealed_at TEXT NOT NULL
);
`;

interface StepRow {
  step_id: string;
  hints_used: number;
  ever_passed: number;
  ever_failed: number;
  solution_viewed: number;
  last_result_json: string | null;
  last_checked_at: string | null;
}

interface LabRow {
  current_step_id: string | null;
  started_at: string | null;
}

export interface ProgressStoreOptions {
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

export class ProgressStore {
  private readonly db: Database.Database;
  private readonly now: () => Date;

  constructor(
    readonly file: string,
    options: ProgressStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    ensurePrivateDir(path.dirname(file));
    try {
      // SQLite creates the file with 0644 (less the umask) and gives its
      // -wal and -shm files the database file's mode: create it 0600 first.
      touchPrivateFile(file);
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      // Left by an earlier version with a looser mode, or created just now.
      for (const suffix of SQLITE_SIDE_FILES) restrictFile(file + suffix);
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
    } catch (error) {
      throw new Error(`Cannot open the progress database ${file}`, { cause: error });
    }
  }

  /** The store in `<stateDir>/progress.sqlite`. */
  static inStateDir(stateDir: string, options?: ProgressStoreOptions): ProgressStore {
    return new ProgressStore(path.join(stateDir, PROGRESS_FILE), options);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `progress database schema ${version} is newer than this version of hardening-lab understands (${SCHEMA_VERSION})`,
      );
    }
    if (version < 1) {
      this.db.transaction(() => {
        this.db.exec(MIGRATION_1);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
    }
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private ensureStep(labId: string, stepId: string, at: string): void {
    this.db
      .prepare(
        'INSERT INTO step_state (lab_id, step_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (lab_id, step_id) DO NOTHING',
      )
      .run(labId, stepId, at);
  }

  private touchLab(labId: string, at: string): void {
    this.db
      .prepare(
        'INSERT INTO lab_state (lab_id, updated_at) VALUES (?, ?) ON CONFLICT (lab_id) DO UPDATE SET updated_at = excluded.updated_at',
      )
      .run(labId, at);
  }

  /** Marks the lab started; true the first time (since the last reset). */
  markStarted(labId: string): boolean {
    const at = this.stamp();
    return this.db.transaction(() => {
      this.touchLab(labId, at);
      const info = this.db
        .prepare('UPDATE lab_state SET started_at = ? WHERE lab_id = ? AND started_at IS NULL')
        .run(at, labId);
      return info.changes > 0;
    })();
  }

  recordResult(labId: string, stepId: string, result: CheckResult): void {
    const at = this.stamp();
    const json = JSON.stringify(result);
    this.db.transaction(() => {
      this.touchLab(labId, at);
      this.ensureStep(labId, stepId, at);
      this.db
        .prepare(
          `UPDATE step_state SET last_result_json = ?, last_checked_at = ?, updated_at = ?,
             ever_passed = ever_passed OR ?, ever_failed = ever_failed OR ?
           WHERE lab_id = ? AND step_id = ?`,
        )
        // A check that could not judge (error) is not the learner's failure.
        .run(json, at, at, result.ok ? 1 : 0, !result.ok && !result.error ? 1 : 0, labId, stepId);
      this.db
        .prepare(
          'INSERT INTO check_results (lab_id, step_id, ok, findings_json, error, duration_ms, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          labId,
          stepId,
          result.ok ? 1 : 0,
          JSON.stringify(result.findings),
          result.error ?? null,
          result.durationMs,
          at,
        );
    })();
  }

  /**
   * Reveals the next hint if one is left; returns its index, or undefined
   * when all `hintsTotal` are already revealed.
   */
  revealHint(labId: string, stepId: string, hintsTotal: number): number | undefined {
    const at = this.stamp();
    return this.db.transaction(() => {
      this.touchLab(labId, at);
      this.ensureStep(labId, stepId, at);
      const row = this.db
        .prepare('SELECT hints_used FROM step_state WHERE lab_id = ? AND step_id = ?')
        .get(labId, stepId) as { hints_used: number } | undefined;
      const used = row?.hints_used ?? 0;
      if (used >= hintsTotal) return undefined;
      this.db
        .prepare('UPDATE step_state SET hints_used = ?, updated_at = ? WHERE lab_id = ? AND step_id = ?')
        .run(used + 1, at, labId, stepId);
      this.db
        .prepare('INSERT INTO hint_reveals (lab_id, step_id, hint_index, revealed_at) VALUES (?, ?, ?, ?)')
        .run(labId, stepId, used, at);
      return used;
    })();
  }

  markSolutionViewed(labId: string, stepId: string): void {
    const at = this.stamp();
    this.db.transaction(() => {
      this.touchLab(labId, at);
      this.ensureStep(labId, stepId, at);
      this.db
        .prepare('UPDATE step_state SET solution_viewed = 1, updated_at = ? WHERE lab_id = ? AND step_id = ?')
        .run(at, labId, stepId);
    })();
  }

  setCurrentStep(labId: string, stepId: string): void {
    const at = this.stamp();
    this.db.transaction(() => {
      this.touchLab(labId, at);
      this.db.prepare('UPDATE lab_state SET current_step_id = ? WHERE lab_id = ?').run(stepId, labId);
    })();
  }

  labProgress(labId: string): LabProgress {
    const lab = this.db.prepare('SELECT current_step_id, started_at FROM lab_state WHERE lab_id = ?').get(labId) as
      LabRow | undefined;
    const rows = this.db
      .prepare(
        'SELECT step_id, hints_used, ever_passed, ever_failed, solution_viewed, last_result_json, last_checked_at FROM step_state WHERE lab_id = ?',
      )
      .all(labId) as StepRow[];
    const steps = new Map<string, StepProgress>();
    for (const row of rows) {
      const step: StepProgress = {
        hintsUsed: row.hints_used,
        everPassed: row.ever_passed === 1,
        everFailed: row.ever_failed === 1,
        solutionViewed: row.solution_viewed === 1,
      };
      if (row.last_result_json) {
        const parsed = checkResultSchema.safeParse(JSON.parse(row.last_result_json));
        if (parsed.success) step.lastResult = parsed.data;
      }
      if (row.last_checked_at) step.lastCheckedAt = row.last_checked_at;
      steps.set(row.step_id, step);
    }
    const progress: LabProgress = { steps };
    if (lab?.started_at) progress.startedAt = lab.started_at;
    if (lab?.current_step_id) progress.currentStepId = lab.current_step_id;
    return progress;
  }

  /** Number of checks ever run for a step (history survives resets). */
  historyCount(labId: string, stepId?: string): number {
    const row = (
      stepId === undefined
        ? this.db.prepare('SELECT COUNT(*) AS n FROM check_results WHERE lab_id = ?').get(labId)
        : this.db.prepare('SELECT COUNT(*) AS n FROM check_results WHERE lab_id = ? AND step_id = ?').get(labId, stepId)
    ) as { n: number };
    return row.n;
  }

  /** Back to the start: steps locked again, hints hidden. History is kept. */
  resetLab(labId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM step_state WHERE lab_id = ?').run(labId);
      this.db.prepare('DELETE FROM lab_state WHERE lab_id = ?').run(labId);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
