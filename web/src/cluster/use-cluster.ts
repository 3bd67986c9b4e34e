// The cluster as the page knows it: the status from GET /api/status, kept
// current by the /events namespace (cluster-status), plus the progress lines
// the server pushes while it creates the cluster (cluster-progress).
import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import {
  EVENTS_NAMESPACE,
  clusterProgressSchema,
  clusterStatusSchema,
  type ClusterProgress,
  type ClusterStatus,
} from '../../../server/protocol.js';
import { ApiError, describeError } from '../api/api-error.js';
import { currentCredential } from '../api/credential.js';
import { fetchStatus } from '../api/status-api.js';

/** Enough to follow a `kind create cluster` without growing without bound. */
const MAX_PROGRESS_LINES = 300;

export interface ClusterView {
  status: ClusterStatus | undefined;
  version: string | undefined;
  progress: ClusterProgress[];
  /** Set when the status could not be loaded (server gone, auth lost). */
  error: string | undefined;
  /** False while the events socket is down: the status may be stale. */
  live: boolean;
  /**
   * The server does not accept this page's credential: none yet (the page
   * was opened without the start URL), or the server restarted with a new
   * token. Sockets would retry forever in silence, so the page must say so.
   */
  authLost: boolean;
}

export function useCluster(): ClusterView {
  const [status, setStatus] = useState<ClusterStatus>();
  const [version, setVersion] = useState<string>();
  const [progress, setProgress] = useState<ClusterProgress[]>([]);
  const [error, setError] = useState<string>();
  const [live, setLive] = useState(false);
  const [authLost, setAuthLost] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    const load = (): void => {
      fetchStatus(controller.signal)
        .then((response) => {
          setStatus(response.cluster);
          setVersion(response.version);
          setError(undefined);
          setAuthLost(false);
        })
        .catch((e: unknown) => {
          if (controller.signal.aborted) return;
          setError(describeError(e));
          if (e instanceof ApiError && e.status === 401) setAuthLost(true);
        });
    };
    load();

    const socket = io(EVENTS_NAMESPACE, {
      transports: ['websocket'],
      auth: (cb) => cb({ credential: currentCredential() ?? '' }),
    });
    // Reload on every (re)connect: events sent while we were away are lost.
    socket.on('connect', () => {
      setLive(true);
      load();
    });
    socket.on('disconnect', () => setLive(false));
    // A refused websocket says nothing about why; ask over HTTP, which does.
    socket.on('connect_error', load);
    socket.on('cluster-status', (raw: unknown) => {
      const parsed = clusterStatusSchema.safeParse(raw);
      if (parsed.success) setStatus(parsed.data);
    });
    socket.on('cluster-progress', (raw: unknown) => {
      const parsed = clusterProgressSchema.safeParse(raw);
      if (!parsed.success) return;
      setProgress((lines) => [...lines.slice(-(MAX_PROGRESS_LINES - 1)), parsed.data]);
    });
    return () => {
      controller.abort();
      socket.disconnect();
    };
  }, []);

  return { status, version, progress, error, live, authLost };
}
