import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CSRF_HEADER, labDetailSchema } from '../protocol.js';
import { ProgressStore } from './progress-store.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE_LABS = path.join(HERE, '..', 'labs', 'fixtures', 'labs');

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-progress-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('ProgressStore', () => {
  it('records results, hints, current step; reset forgets progress but keeps history', () => {
    const store = ProgressStore.inStateDir(tmp, { now: () => new Date('2026-01-01T00:00:00Z') });
    expect(store.markStarted('lab')).toBe(true);
    expect(store.markStarted('lab')).toBe(false);
    store.recordResult('lab', 'one', {
      ok: false,
      findings: [{ ok: false, expected: 'x', found: 'y', advice: 'z' }],
      durationMs: 12,
    });
    expect(store.revealHint('lab', 'one', 2)).toBe(0);
    expect(store.revealHint('lab', 'one', 2)).toBe(1);
    expect(store.revealHint('lab', 'one', 2)).toBeUndefined();
    store.recordResult('lab', 'one', { ok: true, findings: [{ ok: true, expected: 'x', found: 'x' }], durationMs: 8 });
    store.setCurrentStep('lab', 'two');
    const progress = store.labProgress('lab');
    expect(progress.currentStepId).toBe('two');
    expect(progress.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(progress.steps.get('one')).toEqual({
      hintsUsed: 2,
      everPassed: true,
      everFailed: true,
      solutionViewed: false,
      lastResult: { ok: true, findings: [{ ok: true, expected: 'x', found: 'x' }], durationMs: 8 },
      lastCheckedAt: '2026-01-01T00:00:00.000Z',
    });
    store.resetLab('lab');
    expect(store.labProgress('lab').steps.size).toBe(0);
    expect(store.historyCount('lab')).toBe(2);
    store.close();
  });

  it('does not count a check that could not judge (cluster down) as a failed answer', () => {
    const store = ProgressStore.inStateDir(tmp);
    store.recordResult('lab', 'one', { ok: false, findings: [], error: 'API down', durationMs: 5000 });
    expect(store.labProgress('lab').steps.get('one')).toMatchObject({ everFailed: false, everPassed: false });
    store.close();
  });

  it('uses WAL with full sync and survives reopening', () => {
    const store = ProgressStore.inStateDir(tmp);
    store.revealHint('lab', 'one', 3);
    store.close();
    const again = ProgressStore.inStateDir(tmp);
    expect(again.labProgress('lab').steps.get('one')?.hintsUsed).toBe(1);
    again.close();
  });

  it('keeps everything the server answered when the server is killed with SIGKILL', async () => {
    const token = 'kill-test-token-0123456789abcdef';
    const fixtureDir = path.join(tmp, 'node-files');
    mkdirSync(fixtureDir);
    const start = () => startChild(tmp, token, fixtureDir);
    const post = (url: string, route: string) =>
      fetch(`${url}/api${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, [CSRF_HEADER]: '1' },
      });

    let child = await start();
    try {
      expect((await post(child.url, '/labs/fixture-files/steps/write-marker/check')).status).toBe(200); // fails: no marker
      expect((await post(child.url, '/labs/fixture-files/steps/write-marker/hint')).status).toBe(200);
      await fs.writeFile(path.join(fixtureDir, 'marker'), 'ready\n');
      const passed = await post(child.url, '/labs/fixture-files/steps/write-marker/check');
      expect(await passed.json()).toMatchObject({ ok: true });
      const last = await post(child.url, '/labs/fixture-files/steps/finish/hint');
      expect(last.status).toBe(200);
    } finally {
      // No graceful shutdown, no chance to flush: the answer must already be on disk.
      child.process.kill('SIGKILL');
      await new Promise((resolve) => child.process.once('exit', resolve));
    }

    child = await start();
    try {
      const res = await fetch(`${child.url}/api/labs/fixture-files`, { headers: { authorization: `Bearer ${token}` } });
      const lab = labDetailSchema.parse(await res.json());
      expect(lab.steps.map((s) => s.status)).toEqual(['passed', 'open']);
      expect(lab.steps[0]?.hints).toEqual(['The file is $HL_FIXTURE_DIR/marker.']);
      expect(lab.steps[0]?.lastResult?.ok).toBe(true);
      expect(lab.steps[1]?.hints).toEqual(['Write done into $HL_FIXTURE_DIR/finished.']);
      expect(lab.currentStepId).toBe('finish');
    } finally {
      child.process.kill('SIGKILL');
      await new Promise((resolve) => child.process.once('exit', resolve));
    }
  }, 60_000);
});

async function startChild(
  stateDir: string,
  token: string,
  fixtureDir: string,
): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(HERE, 'fixtures', 'progress-server.ts'), stateDir, FIXTURE_LABS, token],
    {
      env: { ...process.env, HL_FIXTURE_DIR: fixtureDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`progress server exited (${code}): ${stderr}`)));
  });
  return { process: child, url };
}
