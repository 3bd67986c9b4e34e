// The lab routes through the real HTTP server (auth, CSRF, express), with
// the stand-in provider: "nodes" are local shells and the fixture lab's
// checks read marker files there, so check → fail → hint → solution → pass
// → reset runs end to end with no cluster.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { startServer, type RunningServer } from '../http/server.js';
import { CSRF_HEADER, checkResultSchema, labDetailSchema, labSummarySchema, type LabDetail } from '../protocol.js';
import { StandInClusterView } from '../checks/stand-in-cluster-view.js';
import { createLabEngine, type LabEngine } from './lab-engine.js';

const FIXTURE_LABS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'labs');
const TOKEN = 'route-test-token-0123456789abcdef';

let tmp: string;
let server: RunningServer;
let engine: LabEngine;

async function api(method: 'GET' | 'POST', route: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api${route}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(method === 'POST' ? { [CSRF_HEADER]: '1', 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

async function detail(): Promise<LabDetail> {
  const res = await api('GET', '/labs/fixture-files');
  expect(res.status).toBe(200);
  return labDetailSchema.parse(res.json);
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-routes-'));
  process.env.HL_FIXTURE_DIR = path.join(tmp, 'node-files');
  await fs.mkdir(process.env.HL_FIXTURE_DIR);
  const provider = new LocalShellStandInProvider({ home: path.join(tmp, 'home') });
  await fs.mkdir(path.join(tmp, 'home'));
  engine = await createLabEngine({
    labsDir: FIXTURE_LABS,
    stateDir: path.join(tmp, 'state'),
    provider,
    view: () => new StandInClusterView(provider),
    capabilities: async (names) => names.map((capability) => ({ capability, available: true })),
    labFilesRoot: path.join(tmp, 'lab-files'),
    log: () => {},
  });
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    provider,
    apiRouters: [engine.router],
    log: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  engine?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('lab routes', () => {
  it('lists labs as LabSummary', async () => {
    const res = await api('GET', '/labs');
    expect(res.status).toBe(200);
    const labs = labSummarySchema.array().parse(res.json);
    expect(labs).toEqual([
      expect.objectContaining({ id: 'fixture-files', stepsTotal: 2, stepsPassed: 0, runnable: true, requires: [] }),
    ]);
  });

  it('needs the token and, for POSTs, the CSRF header', async () => {
    const noToken = await fetch(`${server.url}/api/labs`);
    expect(noToken.status).toBe(401);
    const noCsrf = await api('POST', '/labs/fixture-files/steps/write-marker/check', undefined, { [CSRF_HEADER]: '' });
    expect(noCsrf.status).toBe(403);
  });

  it('never starts the lab on a GET (a GET changes nothing)', async () => {
    const lab = await detail();
    expect(lab.steps.map((s) => s.status)).toEqual(['open', 'locked']);
    await expect(fs.stat(path.join(tmp, 'lab-files', 'fixture-files'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(engine.progress.labProgress('fixture-files').startedAt).toBeUndefined();
  });

  it('starts the lab only on POST with the CSRF header', async () => {
    const noCsrf = await api('POST', '/labs/fixture-files/start', undefined, { [CSRF_HEADER]: '' });
    expect(noCsrf.status).toBe(403);
    await expect(fs.stat(path.join(tmp, 'lab-files', 'fixture-files'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await api('POST', '/labs/fixture-files/start', { sneaky: true })).status).toBe(400);
    expect((await api('POST', '/labs/nope/start')).status).toBe(404);
  });

  it('opens the lab: first step open, the rest locked, manifests copied to the nodes', async () => {
    const opened = await api('POST', '/labs/fixture-files/start');
    expect(opened.status).toBe(200);
    const lab = labDetailSchema.parse(opened.json);
    expect(engine.progress.labProgress('fixture-files').startedAt).toBeDefined();
    expect(lab.steps.map((s) => s.status)).toEqual(['open', 'locked']);
    expect(lab.currentStepId).toBe('write-marker');
    expect(lab.steps[0]).toMatchObject({ hintsTotal: 2, hints: [], solutionAvailable: false });
    expect(lab.steps[0]?.markdown).toContain('run=control-plane');
    await expect(
      fs.readFile(path.join(tmp, 'lab-files', 'fixture-files', 'manifests', 'example.yaml'), 'utf8'),
    ).resolves.toContain('ConfigMap');
  });

  it('refuses a locked step, an unknown step and the solution before a hint or a failure', async () => {
    expect((await api('POST', '/labs/fixture-files/steps/finish/check')).status).toBe(409);
    expect((await api('POST', '/labs/fixture-files/steps/nope/check')).status).toBe(404);
    expect((await api('GET', '/labs/nope')).status).toBe(404);
    const solution = await api('POST', '/labs/fixture-files/steps/write-marker/solution');
    expect(solution.status).toBe(403);
    expect(solution.json).toMatchObject({ error: 'solution-locked' });
  });

  it('validates bodies', async () => {
    expect((await api('POST', '/labs/fixture-files/current', { step: 'x' })).status).toBe(400);
    expect((await api('POST', '/labs/fixture-files/steps/write-marker/hint', { sneaky: true })).status).toBe(400);
    expect((await api('POST', '/labs/fixture-files/current', { stepId: 'nope' })).status).toBe(404);
  });

  it('fails the check with findings, then offers the solution', async () => {
    const res = await api('POST', '/labs/fixture-files/steps/write-marker/check');
    expect(res.status).toBe(200);
    const result = checkResultSchema.parse(res.json);
    expect(result.ok).toBe(false);
    expect(result.error).toBeUndefined();
    expect(result.findings).toEqual([
      expect.objectContaining({ ok: false, found: 'no such file', advice: 'Run the command in the step text.' }),
    ]);
    const lab = await detail();
    expect(lab.steps[0]).toMatchObject({ status: 'failed', solutionAvailable: true, lastResult: result });
    const solution = await api('POST', '/labs/fixture-files/steps/write-marker/solution');
    expect(solution).toEqual({
      status: 200,
      json: {
        script: `# Lab variables (hardening-lab sets them when it runs this script):
export HL_LAB='fixture-files' HL_STEP='write-marker' HL_LAB_FILES='${path.join(tmp, 'lab-files', 'fixture-files')}'
echo ready > "$HL_FIXTURE_DIR/marker"
`,
        runOn: 'control-plane',
      },
    });
  });

  it('reveals hints one at a time, then says there are no more', async () => {
    expect((await api('POST', '/labs/fixture-files/steps/write-marker/hint')).json).toEqual({
      hint: 'The file is $HL_FIXTURE_DIR/marker.',
      index: 0,
    });
    expect((await api('POST', '/labs/fixture-files/steps/write-marker/hint')).json).toEqual({
      hint: 'Its content must be the word ready.',
      index: 1,
    });
    const third = await api('POST', '/labs/fixture-files/steps/write-marker/hint');
    expect(third.status).toBe(409);
    expect((await detail()).steps[0]?.hints).toHaveLength(2);
  });

  it('passes once the learner has done the work, and unlocks the next step', async () => {
    await fs.writeFile(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'), 'ready\n');
    const result = checkResultSchema.parse((await api('POST', '/labs/fixture-files/steps/write-marker/check')).json);
    expect(result).toMatchObject({
      ok: true,
      findings: [{ ok: true, expected: 'marker says "ready"', found: '"ready"' }],
    });
    const lab = await detail();
    expect(lab.steps.map((s) => s.status)).toEqual(['passed', 'open']);
    expect(lab.currentStepId).toBe('finish');
    expect((await api('POST', '/labs/fixture-files/current', { stepId: 'write-marker' })).status).toBe(200);
    expect((await detail()).currentStepId).toBe('write-marker');
    const labs = labSummarySchema.array().parse((await api('GET', '/labs')).json);
    expect(labs[0]?.stepsPassed).toBe(1);
  });

  it('resets: runs cleanup, forgets progress, locks the steps again', async () => {
    const res = await api('POST', '/labs/fixture-files/reset');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, log: expect.stringContaining('cleaned') });
    await expect(fs.access(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'))).rejects.toThrow();
    const lab = await detail();
    expect(lab.steps.map((s) => s.status)).toEqual(['open', 'locked']);
    expect(lab.steps[0]).toMatchObject({ hints: [], solutionAvailable: false });
    expect(lab.steps[0]?.lastResult).toBeUndefined();
    expect(engine.progress.historyCount('fixture-files', 'write-marker')).toBe(2);
  });
});

describe('lab assets', () => {
  it('serves images from the lab directory, and nothing else', async () => {
    const ok = await fetch(`${server.url}/api/labs/fixture-files/assets/images/dot.png`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    for (const bad of [
      'lab.yaml',
      'checks.ts',
      'images/../lab.yaml',
      '..%2F..%2Ffixtures%2Flabs%2Ffixture-files%2Fimages%2Fdot.png',
      'images/missing.png',
    ]) {
      const res = await fetch(`${server.url}/api/labs/fixture-files/assets/${bad}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status, bad).toBe(404);
    }
  });
});
