// The contract between the server and the web page: HTTP bodies and socket
// messages. Both sides import this file, so a change here is a change to the
// wire format; zod schemas validate whatever crosses from the untrusted side.
import { z } from 'zod';

/**
 * Header every state-changing request must carry: a cross-origin form cannot
 * send it, and a cross-origin fetch cannot without a CORS preflight, which
 * the server never grants.
 */
export const CSRF_HEADER = 'x-hardening-lab';

// ---- access --------------------------------------------------------------
// The start URL carries the master token in its fragment (never sent in any
// request); the page trades it here for a page credential, which it sends as
// `Authorization: Bearer` and in each socket's handshake `auth`.

/** Fragment parameter of the start URL: http://127.0.0.1:7681/#token=… */
export const START_TOKEN_PARAM = 'token';
/** POST { token } → { credential }; exact Origin and the CSRF header required. */
export const SESSION_PATH = '/api/session';
export const sessionRequestSchema = z.object({ token: z.string().min(1).max(512) });
export const sessionResponseSchema = z.object({ credential: z.string().min(1).max(512) });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;
/** The part of every socket's handshake `auth` that proves who the page is. */
export const socketCredentialSchema = z.object({ credential: z.string().min(1).max(512) });
export type SocketCredential = z.infer<typeof socketCredentialSchema>;

/** Socket.io namespace for terminals; one socket per terminal tab. */
export const TERMINAL_NAMESPACE = '/terminals';
/** Socket.io namespace for server-pushed events (cluster progress, status). */
export const EVENTS_NAMESPACE = '/events';

// ---- cluster -------------------------------------------------------------

export const clusterNodeSchema = z.object({
  /** Short name the page and lab text use: "control-plane", "worker". */
  target: z.string(),
  /** Docker container (kind node) name, e.g. "hardening-lab-control-plane". */
  container: z.string(),
  role: z.enum(['control-plane', 'worker']),
  ready: z.boolean().optional(),
});
export type ClusterNode = z.infer<typeof clusterNodeSchema>;

export const clusterStatusSchema = z.object({
  name: z.string(),
  provider: z.string(),
  /** running: nodes up; absent: no cluster; starting: being created; unreachable: exists but API down. */
  state: z.enum(['running', 'absent', 'starting', 'unreachable', 'disabled']),
  nodes: z.array(clusterNodeSchema),
  /** Plain-words explanation and how to fix it when not running. */
  message: z.string().optional(),
});
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

export const clusterProgressSchema = z.object({
  stage: z.string(),
  line: z.string(),
  done: z.boolean().optional(),
  error: z.string().optional(),
});
export type ClusterProgress = z.infer<typeof clusterProgressSchema>;

// ---- terminals -----------------------------------------------------------

/** Sent in the socket.io handshake `auth` of the /terminals namespace (beside the credential). */
export const terminalAttachSchema = z.object({
  target: z.string().regex(/^[a-z0-9-]{1,40}$/),
  /** Present when reattaching after a reload. */
  sessionId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/)
    .optional(),
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});
export type TerminalAttach = z.infer<typeof terminalAttachSchema>;

export const terminalResizeSchema = z.object({
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});

/** Client acknowledges characters it has parsed (flow control). */
export const terminalAckSchema = z.number().int().min(0).max(10_000_000);
export const terminalInputSchema = z.string().max(1_000_000);

/** Server → client terminal events. */
export interface TerminalServerEvents {
  session: (info: { sessionId: string; target: string; reattached: boolean }) => void;
  snapshot: (data: string) => void;
  output: (data: string) => void;
  exit: (info: { code: number | null; signal: number | null }) => void;
  problem: (message: string) => void;
}
/** Client → server terminal events. */
export interface TerminalClientEvents {
  input: (data: string) => void;
  resize: (size: { cols: number; rows: number }) => void;
  ack: (chars: number) => void;
}

/** Flow-control watermarks (characters), shared so client and server agree. */
export const FLOW = {
  /** The client acks after parsing this many characters. Must be ≤ LOW. */
  ackEvery: 5_000,
  /**
   * Stop sending above this many unacknowledged characters: what the page
   * must still parse after Ctrl-C. bench:terminal on an idle 2-core VM:
   * 100k gives Ctrl-C 39-85 ms under `yes`; 300k was 82-478 ms (a `y` line
   * parses far slower than base64) and 1M 873 ms, for at most 10-25 % more
   * throughput. Keep Ctrl-C well inside 200 ms.
   */
  high: 100_000,
  /** Resume below this many. */
  low: 5_000,
} as const;

// ---- labs ----------------------------------------------------------------

export const capabilityReportSchema = z.object({
  capability: z.string(),
  available: z.boolean(),
  /** Why not, and which hosts can, in plain words. */
  reason: z.string().optional(),
});
export type CapabilityReport = z.infer<typeof capabilityReportSchema>;

export const stepStatusSchema = z.enum(['locked', 'open', 'passed', 'failed']);
export type StepStatus = z.infer<typeof stepStatusSchema>;

export const labSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  minutes: z.number(),
  requires: z.array(z.string()),
  capabilities: z.array(capabilityReportSchema),
  runnable: z.boolean(),
  stepsTotal: z.number(),
  stepsPassed: z.number(),
});
export type LabSummary = z.infer<typeof labSummarySchema>;

export const findingSchema = z.object({
  expected: z.string(),
  found: z.string(),
  /** Where the evidence came from: object path, node file, command. */
  where: z.string().optional(),
  ok: z.boolean(),
  /** A hint tailored to this wrong answer, when the check recognises it. */
  advice: z.string().optional(),
  /**
   * Stable name of the recognised mistake (UPPER_SNAKE, e.g.
   * SECRETS_BODY_LOGGED). Wrong-answer catalogues and `check --json` users
   * match on it; the English text may change, the code may not.
   */
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const checkResultSchema = z.object({
  ok: z.boolean(),
  findings: z.array(findingSchema),
  /** Set when the check could not judge (API down, timeout): not the learner's fault. */
  error: z.string().optional(),
  durationMs: z.number(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const labStepViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Markdown; fenced code may carry `run=<target>`. */
  markdown: z.string(),
  status: stepStatusSchema,
  hintsTotal: z.number(),
  /** Hints already revealed, in order. */
  hints: z.array(z.string()),
  /** Present once the learner may see it (after a hint or a failed check). */
  solutionAvailable: z.boolean(),
  lastResult: checkResultSchema.optional(),
});
export type LabStepView = z.infer<typeof labStepViewSchema>;

export const labDetailSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  minutes: z.number(),
  capabilities: z.array(capabilityReportSchema),
  runnable: z.boolean(),
  /** Markdown shown above the steps: what it teaches, why attackers care. */
  intro: z.string(),
  steps: z.array(labStepViewSchema),
  /** The step the learner was on, so the page reopens there. */
  currentStepId: z.string().optional(),
});
export type LabDetail = z.infer<typeof labDetailSchema>;

export const solutionSchema = z.object({
  script: z.string(),
  /** The node terminal the solution runs in (the step's runOn). */
  runOn: z.string().default('control-plane'),
});
export type Solution = z.infer<typeof solutionSchema>;

/** One component of a working cluster, as the reset and the health route report it. */
export const healthItemSchema = z.object({
  /** What the learner would call it: "API server", "CoreDNS", "cluster DNS". */
  component: z.string(),
  ok: z.boolean(),
  /** What was found, in plain words ("2/2 pods ready", "CrashLoopBackOff, 6 restarts"). */
  found: z.string(),
});
export type HealthItem = z.infer<typeof healthItemSchema>;

export const resetResultSchema = z.object({
  ok: z.boolean(),
  log: z.string(),
  /** After a lab that restarts control-plane components: every component, once settled (or at the deadline). */
  health: z.array(healthItemSchema).optional(),
});
export type ResetResult = z.infer<typeof resetResultSchema>;

/**
 * HTTP routes (all need `Authorization: Bearer <credential>`; POSTs need the
 * CSRF header; GETs never change anything):
 *   POST /api/session                         → SessionResponse (body { token }; no bearer)
 *   GET  /api/status                          → { cluster: ClusterStatus, version }
 *   GET  /api/labs                            → LabSummary[]
 *   GET  /api/labs/:lab                       → LabDetail (reads only)
 *   POST /api/labs/:lab/start                 → LabDetail (starts the lab the first time: backups, files, setup)
 *   POST /api/labs/:lab/steps/:step/check     → CheckResult
 *   POST /api/labs/:lab/steps/:step/hint      → { hint: string, index: number }
 *   POST /api/labs/:lab/steps/:step/solution  → Solution (403 until allowed)
 *   POST /api/labs/:lab/reset                 → ResetResult
 *   GET  /api/cluster/health                  → HealthItem[] (the page polls it during a reset)
 *   POST /api/labs/:lab/current               → body { stepId } (where the learner is)
 */
export const currentStepBodySchema = z.object({ stepId: z.string().max(100) });
