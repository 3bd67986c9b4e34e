// A small record of the running server (pid, URL without the token) so that
// `hardening-lab status` can say whether the page is up.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { stateDir } from '../config.js';
import { ensurePrivateDir, writePrivateFile } from '../state/private-files.js';

const recordSchema = z.object({ pid: z.number(), url: z.string(), cluster: z.string(), startedAt: z.string() });
export type ServerRecord = z.infer<typeof recordSchema>;

function recordPath(env: NodeJS.ProcessEnv): string {
  return path.join(stateDir(env), 'server.json');
}

export function writeServerRecord(record: ServerRecord, env: NodeJS.ProcessEnv = process.env): void {
  ensurePrivateDir(stateDir(env));
  writePrivateFile(recordPath(env), JSON.stringify(record));
}

export function clearServerRecord(env: NodeJS.ProcessEnv = process.env): void {
  fs.rmSync(recordPath(env), { force: true });
}

/** The record, if the process it names is still alive. */
export function readServerRecord(env: NodeJS.ProcessEnv = process.env): ServerRecord | undefined {
  try {
    const record = recordSchema.parse(JSON.parse(fs.readFileSync(recordPath(env), 'utf8')));
    process.kill(record.pid, 0);
    return record;
  } catch {
    return undefined;
  }
}
