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

/**
 * A copy of the fixture lab under tmp/labs to edit, its checks importing the
 * engine by absolute path (the relative one points nowhere from tmp).
 */
async function copyFixtureLab(): Promise<string> {
  const dir = path.join(tmp, 'labs', 'fixture-files');
  await fs.cp(path.join(FIXTURE_LABS, 'fixture-files'), dir, { recursive: true });
  const checks = path.join(dir, 'checks.ts');
  const engine = path.join(HERE, '..', 'checks', 'check.js');
  await fs.writeFile(checks, (await fs.readFile(checks, 'utf8')).replace('../../../../checks/check.js', engine));
  return dir;
}

/** Rewrites a file of the copied lab. */
async function edit(file: string, change: (text: string) => string): Promise<void> {
  await fs.writeFile(file, change(await fs.readFile(file, 'utf8')));
}

describe('validateCommand', () => {
  it('passes the fixture labs and the shipped immutable-pods lab', async () => {
    expect(await validateCommand(FIXTURE_LABS, io)).toBe(0);
    expect(out).toEqual([
      '✓ fixture-files: 2 steps, every step has a check, a solution and a wrong-answer catalogue (6 wrong, 2 right answers)',
    ]);
    // The shipped lab: nothing wrong but, until its catalogue lands, the catalogue.
    err = [];
    const code = await validateCommand(path.join(HERE, '..', '..', 'labs', 'immutable-pods'), io);
    expect(err.filter((line) => !line.startsWith('✗ labs/immutable-pods/answers.yaml'))).toEqual([]);
    expect(code).toBe(err.length === 0 ? 0 : 1);
  });

  it('refuses a lab whose catalogue is missing or too small, naming file, step and fix', async () => {
    const dir = await copyFixtureLab();
    const answers = path.join(dir, 'answers.yaml');
    await edit(answers, (t) => t.replace(/ {2}- script: answers\/finish\/on-worker\.sh\n(?: {4}.*\n)*/, ''));
    expect(await validateCommand(path.dirname(dir), io)).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      '✗ labs/fixture-files/answers.yaml: finish: 0 right answers, at least 1 is needed: add answers/finish/<slug>.sh with verdict: right, written differently from solution/02.sh (other names, order or form a learner could use)',
    ]);
    await fs.rm(answers);
    err = [];
    expect(await validateCommand(dir, io)).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(
        /^✗ .*labs\/fixture-files\/answers\.yaml: file not found: every lab needs a wrong-answer catalogue/,
      ),
    ]);
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
  it('fails each check, runs each solution, passes each check, judges each catalogue answer, and prints a table', async () => {
    await fs.writeFile(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'), 'left over\n');
    expect(await testLabCommand('fixture-files', {}, io, deps)).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/write-marker +FAIL ✓ +ok \([\d.]+ s\) +PASS ✓ \([\d.]+ ms\) +4\/4 ✓/);
    expect(text).toMatch(/finish +FAIL ✓ +ok .* +4\/4 ✓/);
    // One line per answer, right after its step passed: ✓/✗, verdict, cause, script, seconds.
    expect(out).toContain('  write-marker: 4 catalogue answers (3 wrong, 1 right), each followed by solution/01.sh');
    const answerLines = out.filter((l) => /^ {4}[✓✗] (wrong|right)/.test(l));
    expect(answerLines).toHaveLength(8);
    expect(answerLines[0]).toMatch(
      /^ {4}✓ wrong MARKER_MISSING +answers\/write-marker\/no-marker\.sh +[\d.]+ s \(script [\d.]+ s, check [\d.]+ s, restore [\d.]+ s\)$/,
    );
    expect(answerLines[3]).toMatch(/^ {4}✓ right - +answers\/write-marker\/no-newline\.sh +[\d.]+ s/);
    expect(text).toMatch(/✓ answers: 8\/8 as expected \(wrong 6\/6, right 2\/2\), [\d.]+ s/);
    expect(text).toContain('✓ fixture-files: 2/2 steps as expected');
    // Cleanup ran at the end too.
    await expect(fs.access(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'))).rejects.toThrow();
    expect(err).toEqual([]);
  });

  it('skips the catalogues with --no-answers, and says so', async () => {
    expect(await testLabCommand('fixture-files', { answers: false }, io, deps)).toBe(0);
    expect(out).toContain('  wrong-answer catalogues: skipped (--no-answers)');
    expect(out.filter((l) => /^ {4}[✓✗] (wrong|right)/.test(l))).toEqual([]);
    expect(out.join('\n')).toMatch(/write-marker +FAIL ✓ +ok .* +skipped/);
    expect(out.join('\n')).not.toContain('answers: ');
  });

  it('fails when a wrong answer fails for another reason or a right one fails, naming the codes', async () => {
    const dir = await copyFixtureLab();
    await edit(path.join(dir, 'answers.yaml'), (t) =>
      t.replace(
        'capitalised.sh\n    verdict: wrong\n    cause: MARKER_NOT_READY',
        'capitalised.sh\n    verdict: wrong\n    cause: MARKER_MISSING',
      ),
    );
    await fs.writeFile(
      path.join(dir, 'answers', 'write-marker', 'no-newline.sh'),
      'echo "not ready" > "$HL_FIXTURE_DIR/marker"\n',
    );
    expect(await testLabCommand('fixture-files', {}, io, { ...deps, labsDir: path.dirname(dir) })).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/^ {4}✗ wrong MARKER_MISSING +answers\/write-marker\/capitalised\.sh +[\d.]+ s/m);
    expect(text).toMatch(/^ {4}✗ right - +answers\/write-marker\/no-newline\.sh/m);
    expect(err.join('\n')).toContain(
      "the check failed with MARKER_NOT_READY, not with the catalogue's cause MARKER_MISSING",
    );
    expect(err.join('\n')).toContain('the check FAILED this right answer, with MARKER_NOT_READY');
    expect(err).toContain('      ✗ [MARKER_NOT_READY] expected: marker says "ready"; found: "not ready"');
    expect(text).toMatch(/write-marker +FAIL ✓ +ok .* +2\/4 ✗/);
    expect(text).toMatch(/finish +FAIL ✓ +ok .* +4\/4 ✓/);
    expect(text).toMatch(/✗ answers: 6\/8 as expected \(wrong 5\/6, right 1\/2\)/);
    expect(text).toContain('✗ fixture-files: 1/2 steps as expected');
  });

  it('runs a lab without a catalogue, saying that none ran', async () => {
    const dir = await copyFixtureLab();
    await fs.rm(path.join(dir, 'answers.yaml'));
    expect(await testLabCommand('fixture-files', {}, io, { ...deps, labsDir: path.dirname(dir) })).toBe(0);
    expect(out).toContain(
      '  ! fixture-files has no answers.yaml: no wrong-answer catalogue to run (`validate` refuses the lab until it has one)',
    );
    expect(out.join('\n')).toMatch(/write-marker +FAIL ✓ +ok .* +none/);
  });

  // Failed before: test-lab ran a lab the host cannot run (AppArmor on a kernel
  // without it) and failed on the first solution, though the page and the
  // cluster tier both call such a lab not runnable here.
  it('skips a lab whose host capability is missing, saying which and why, and runs nothing', async () => {
    const dir = await copyFixtureLab();
    await edit(path.join(dir, 'lab.yaml'), (t) => t.replace('requires: []', 'requires: [apparmor]'));
    await fs.writeFile(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'), 'left over\n');
    const probeCapabilities = (names: readonly string[]) =>
      Promise.resolve(names.map((capability) => ({ capability, available: false, reason: 'not in this kernel' })));
    expect(
      await testLabCommand('fixture-files', {}, io, { ...deps, labsDir: path.dirname(dir), probeCapabilities }),
    ).toBe(0);
    expect(out).toEqual([
      'test-lab fixture-files: SKIPPED — this host cannot run the lab (apparmor: not in this kernel)',
      '  nothing was run: no cleanup, no solution, no catalogue answer. Run it on a host that has apparmor.',
    ]);
    // Not even cleanup ran.
    await expect(fs.readFile(path.join(process.env.HL_FIXTURE_DIR as string, 'marker'), 'utf8')).resolves.toBe(
      'left over\n',
    );
  });

  it('exits non-zero when a solution does not make its check pass', async () => {
    process.env.HL_FIXTURE_DIR = path.join(tmp, 'does-not-exist');
    expect(await testLabCommand('fixture-files', {}, io, deps)).toBe(1);
    expect(out.join('\n')).toMatch(/write-marker +FAIL ✓ +exit 1 ✗ +FAIL ✗ +not run/);
    expect(err.join('\n')).toContain('write-marker failed (exit 1');
  });
});
