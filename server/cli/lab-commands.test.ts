import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StandInClusterView } from '../checks/stand-in-cluster-view.js';
import { LocalShellStandInProvider } from '../cluster/local-shell-stand-in.js';
import { checkCommand, testLabCommand, validateCommand, type LabCommandDeps } from './lab-commands.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE_LABS = path.join(HERE, '..', 'labs', 'fixtures', 'labs');

let tmp: string;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
let deps: LabCommandDeps;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-cli-'));
  out = [];
  err = [];
  process.env.HL_FIXTURE_DIR = path.join(tmp, 'node-files');
  await fs.mkdir(process.env.HL_FIXTURE_DIR);
  const provider = new LocalShellStandInProvider({ home: tmp });
  deps = {
    provider,
    labsDir: FIXTURE_LABS,
    view: new StandInClusterView(provider),
    labFilesRoot: path.join(tmp, 'lab-files'),
    settle: { attempts: 2, delayMs: 10 },
  };
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('validateCommand', () => {
  it('passes the fixture labs and the shipped immutable-pods lab', async () => {
    expect(await validateCommand(FIXTURE_LABS, io)).toBe(0);
    expect(out).toEqual(['✓ fixture-files: 2 steps, every step has a check and a solution']);
    expect(await validateCommand(path.join(HERE, '..', '..', 'labs', 'immutable-pods'), io)).toBe(0);
  });

  it('exits non-zero with file:field errors', async () => {
    const labs = path.join(tmp, 'labs');
    await fs.cp(path.join(FIXTURE_LABS, 'fixture-files'), path.join(labs, 'fixture-files'), { recursive: true });
    const yaml = path.join(labs, 'fixture-files', 'lab.yaml');
    await fs.writeFile(
      yaml,
      (await fs.readFile(yaml, 'utf8')).replace('solution: solution/02.sh', 'solution: solution/09.sh'),
    );
    await fs.writeFile(path.join(labs, 'fixture-files', 'checks.ts'), 'export const markerWritten = async () => [];\n');
    expect(await validateCommand(labs, io)).toBe(1);
    expect(err).toEqual([
      '✗ labs/fixture-files/lab.yaml: steps[1].check: "finished" is not exported by checks.ts',
      '✗ labs/fixture-files/lab.yaml: steps[1].solution: solution/09.sh: file not found',
    ]);
  });
});

describe('checkCommand', () => {
  it('prints findings and exits 1 while a step fails, 0 once it passes', async () => {
    expect(await checkCommand('fixture-files', 'write-marker', {}, io, deps)).toBe(1);
    expect(out.join('\n')).toMatch(/✗ FAIL {2}write-marker — Write the marker \(\d+ ms\)/);
    expect(out.join('\n')).toContain('advice:   Run the command in the step text.');
    await fs.writeFile(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'), 'ready\n');
    out = [];
    expect(await checkCommand('fixture-files', 'write-marker', { json: true }, io, deps)).toBe(0);
    const json = JSON.parse(out.join('\n')) as { ok: boolean; steps: { step: string; ok: boolean }[] };
    expect(json.ok).toBe(true);
    expect(json.steps.map((s) => [s.step, s.ok])).toEqual([['write-marker', true]]);
  });

  it('checks every step without a step argument, and refuses unknown ones', async () => {
    expect(await checkCommand('fixture-files', undefined, { json: true }, io, deps)).toBe(1);
    expect((JSON.parse(out.join('\n')) as { steps: unknown[] }).steps).toHaveLength(2);
    expect(await checkCommand('fixture-files', 'nope', {}, io, deps)).toBe(2);
    expect(await checkCommand('nope', undefined, {}, io, deps)).toBe(2);
  });
});

describe('testLabCommand', () => {
  it('fails each check, runs each solution, passes each check, and prints a table', async () => {
    await fs.writeFile(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'), 'left over\n');
    expect(await testLabCommand('fixture-files', io, deps)).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/write-marker +FAIL ✓ +ok \([\d.]+ s\) +PASS ✓/);
    expect(text).toMatch(/finish +FAIL ✓ +ok/);
    expect(text).toContain('✓ fixture-files: 2/2 steps as expected');
    // Cleanup ran at the end too.
    await expect(fs.access(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'))).rejects.toThrow();
    expect(err).toEqual([]);
  });

  it('exits non-zero when a solution does not make its check pass', async () => {
    process.env.HL_FIXTURE_DIR = path.join(tmp, 'does-not-exist');
    expect(await testLabCommand('fixture-files', io, deps)).toBe(1);
    expect(out.join('\n')).toMatch(/write-marker +FAIL ✓ +exit 1 ✗ +FAIL ✗/);
    expect(err.join('\n')).toContain('write-marker failed (exit 1');
  });
});
