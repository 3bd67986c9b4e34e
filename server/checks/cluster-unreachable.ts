// "The cluster did not answer" is not the learner's wrong answer: it usually
// means the apiserver is restarting after a static-pod edit, or the kind
// containers are stopped. This module recognises such failures in any error
// chain and explains them in plain words with the likely fix.
export type UnreachableReason = 'timeout' | 'refused' | 'reset' | 'unreachable';

export class ClusterUnreachableError extends Error {
  constructor(
    message: string,
    readonly reason: UnreachableReason,
    readonly server: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClusterUnreachableError';
  }
}

/** Deadline exceeded for one call; carries what was being done. */
export class CallTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} did not answer within ${formatSeconds(timeoutMs)}`);
    this.name = 'CallTimeoutError';
  }
}

const CODES: Record<string, UnreachableReason> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ENOTFOUND: 'unreachable',
};

/** Walks `cause` chains (and AggregateErrors) for a network failure or a timeout. */
export function unreachableReason(error: unknown, depth = 0): UnreachableReason | undefined {
  if (depth > 8 || error === null || typeof error !== 'object') return undefined;
  if (error instanceof ClusterUnreachableError) return error.reason;
  if (error instanceof CallTimeoutError) return 'timeout';
  const record = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string' && record.code in CODES) return CODES[record.code];
  if (record.name === 'AbortError' || record.name === 'TimeoutError') return 'timeout';
  if (typeof record.message === 'string') {
    const match = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/.exec(record.message);
    if (match?.[1]) return CODES[match[1]];
    if (/socket hang up|network timeout|aborted/i.test(record.message)) return 'reset';
  }
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const reason = unreachableReason(inner, depth + 1);
      if (reason) return reason;
    }
  }
  return unreachableReason(record.cause, depth + 1);
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** The message the page shows in CheckResult.error. */
export function explainUnreachable(reason: UnreachableReason, server: string, timeoutMs: number): string {
  const what =
    reason === 'timeout'
      ? `The API server at ${server} did not answer within ${formatSeconds(timeoutMs)}.`
      : reason === 'refused'
        ? `The API server at ${server} refused the connection: nothing is listening there right now.`
        : reason === 'reset'
          ? `The API server at ${server} did not answer: the connection was closed without a response ` +
            "(with kind, Docker's port forwarding accepts connections even while the apiserver inside the node is down)."
          : `The API server at ${server} cannot be reached.`;
  return (
    `${what} This is not a wrong answer: the check could not look. ` +
    'If you just edited /etc/kubernetes/manifests/kube-apiserver.yaml, the apiserver is restarting or crash-looping: ' +
    'run `crictl ps -a --name kube-apiserver` on the control-plane node to see it, and `crictl logs <container-id>` for why ' +
    '(a wrong flag, a path that is not mounted, a bad policy file). Fix the manifest and wait about 30 s, ' +
    'or use "Reset lab" to restore the manifest backed up when the lab started. ' +
    'If the cluster containers are stopped (`docker ps` does not list them), run `hardening-lab up`.'
  );
}
