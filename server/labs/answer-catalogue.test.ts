// labs/<id>/answers.yaml: what the loader accepts and refuses (by file and
// field), and what `validate` demands beyond that. Labs are written to a
// temp directory, self-contained (their checks.ts imports nothing).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogueRequirementProblems } from './answer-catalogue.js';
import type { LoadedLab } from './lab.js';
import { loadLab } from './lab-loader.js';
import { formatProblem } from './lab-problem.js';

const FIXTURE_LAB = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'labs', 'fixture-files');

const LAB_YAML = `id: cat
title: A lab
summary: Short.
minutes: 10
intro: intro.md
cleanup: cleanup.sh
steps:
  - id: one
    title: One
    text: 01.md
    check: first
    solution: solution/01.sh
  - id: two
    title: Two
    text: 02.md
    check: second
    solution: solution/02.sh
    runOn: worker
`;

const CHECKS = `// Codes as the checks give them.
export const first = async () => [{ ok: false, expected: 'x', found: 'y', code: 'ONE_A' }];
export const second = async () => [{ ok: false, expected: 'x', found: 'y', code: "TWO_A" }];
const codes = ['ONE_B', 'ONE_C', 'TWO_B', 'TWO_C'];
export const all = () => codes;
`;

/** Three wrong answers and one right answer for a step, scripts included. */
function answersFor(step: string, causes: string[]): { yaml: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  const lines = [`${step}:`];
  causes.forEach((cause, i) => {
    const script = `answers/${step}/wrong-${i}.sh`;
    files[script] = `echo wrong ${i}\n`;
    lines.push(`  - script: ${script}`, '    verdict: wrong', `    cause: ${cause}`, `    about: Wrong number ${i}.`);
  });
  files[`answers/${step}/right.sh`] = 'echo right\n';
  lines.push(`  - script: answers/${step}/right.sh`, '    verdict: right', '    about: Right, written otherwise.');
  return { yaml: lines.join('\n') + '\n', files };
}

const ONE = answersFor('one', ['ONE_A', 'ONE_B', 'ONE_C']);
const TWO = answersFor('two', ['TWO_A', 'TWO_B', 'TWO_C']);
const COMPLETE = { 'answers.yaml': ONE.yaml + TWO.yaml, ...ONE.files, ...TWO.files };

let root: string;

async function writeLab(files: Record<string, string | undefined>): Promise<string> {
  const dir = path.join(root, 'labs', 'cat');
  const all: Record<string, string | undefined> = {
    'lab.yaml': LAB_YAML,
    'intro.md': '# Intro\n',
    '01.md': 'One\n',
    '02.md': 'Two\n',
    'solution/01.sh': 'echo one\n',
    'solution/02.sh': 'echo two\n',
    'cleanup.sh': 'true\n',
    'checks.ts': CHECKS,
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    if (content === undefined) continue;
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

async function load(files: Record<string, string | undefined>): Promise<LoadedLab> {
  const result = await loadLab(await writeLab(files));
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.lab;
}

async function loadProblems(files: Record<string, string | undefined>): Promise<string[]> {
  const result = await loadLab(await writeLab(files));
  return result.ok ? [] : result.problems.map(formatProblem);
}

async function validateProblems(files: Record<string, string | undefined>): Promise<string[]> {
  return (await catalogueRequirementProblems(await load(files), root)).map(formatProblem);
}

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-answers-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('loading answers.yaml', () => {
  it('loads each step its answers, scripts read, runOn defaulting to the step', async () => {
    const lab = await load({
      ...COMPLETE,
      'answers.yaml': COMPLETE['answers.yaml'].replace(
        '    about: Wrong number 2.\n  - script: answers/one/right.sh',
        '    about: Wrong number 2.\n    runOn: worker\n  - script: answers/one/right.sh',
      ),
    });
    expect(lab.hasAnswerCatalogue).toBe(true);
    const [one, two] = lab.steps;
    expect(one?.answers.map((a) => [a.verdict, a.verdict === 'wrong' ? a.cause : '-', a.runOn])).toEqual([
      ['wrong', 'ONE_A', 'control-plane'],
      ['wrong', 'ONE_B', 'control-plane'],
      ['wrong', 'ONE_C', 'worker'],
      ['right', '-', 'control-plane'],
    ]);
    expect(one?.answers[0]).toMatchObject({
      script: 'answers/one/wrong-0.sh',
      source: 'echo wrong 0\n',
      about: 'Wrong number 0.',
    });
    // Step two runs on the worker: so do its answers.
    expect(two?.answers.every((a) => a.runOn === 'worker')).toBe(true);
  });

  it('is optional: a lab without one loads, with no answers on any step', async () => {
    const lab = await load({});
    expect(lab.hasAnswerCatalogue).toBe(false);
    expect(lab.steps.map((s) => s.answers)).toEqual([[], []]);
  });

  it('refuses unknown keys, a missing cause on a wrong answer and a cause on a right one, by field', async () => {
    const yaml = `one:
  - script: answers/one/wrong-0.sh
    verdict: wrong
    about: No cause.
  - script: answers/one/right.sh
    verdict: right
    cause: ONE_A
    about: A cause on a right answer.
  - script: answers/one/wrong-1.sh
    verdict: wrong
    cause: ONE_B
    about: Typo in a key.
    run_on: worker
  - script: answers/one/wrong-2.sh
    verdict: maybe
    cause: one-c
    about: '  '
`;
    expect(await loadProblems({ ...COMPLETE, 'answers.yaml': yaml })).toEqual([
      'labs/cat/answers.yaml: one[0].cause: a wrong answer needs its cause: the `code` of the failing finding the check must give',
      'labs/cat/answers.yaml: one[1].cause: a right answer has no cause (the check must pass it): remove the field',
      'labs/cat/answers.yaml: one[2]: Unrecognized key: "run_on"',
      'labs/cat/answers.yaml: one[3].verdict: Invalid option: expected one of "wrong"|"right"',
      'labs/cat/answers.yaml: one[3].cause: an UPPER_SNAKE mistake code, e.g. SECRETS_BODY_LOGGED',
      'labs/cat/answers.yaml: one[3].about: say in one sentence what this answer does and why it is wrong or right',
    ]);
  });

  it('refuses a key that is no step, a missing script, a path outside the lab and a repeated answer', async () => {
    const yaml = `three:
  - script: answers/one/wrong-0.sh
    verdict: wrong
    cause: ONE_A
    about: No such step.
one:
  - script: answers/one/gone.sh
    verdict: wrong
    cause: ONE_A
    about: Missing.
  - script: answers/one/wrong-1.sh
    verdict: wrong
    cause: ONE_B
    about: Once.
  - script: answers/one/wrong-1.sh
    verdict: wrong
    cause: ONE_B
    about: Twice.
`;
    expect(await loadProblems({ ...COMPLETE, 'answers.yaml': yaml })).toEqual([
      'labs/cat/answers.yaml: three: is not a step id of lab.yaml (steps: one, two): key each list of answers by the step it answers',
      'labs/cat/answers.yaml: one[0].script: answers/one/gone.sh: file not found',
      'labs/cat/answers.yaml: one[2].script: answers/one/wrong-1.sh is listed twice for this step: list each answer once',
    ]);
    const outside = `one:\n  - script: ../../etc/passwd\n    verdict: right\n    about: Outside.\n`;
    expect(await loadProblems({ ...COMPLETE, 'answers.yaml': outside })).toEqual([
      'labs/cat/answers.yaml: one[0].script: must be a path inside the lab directory (relative, no "..")',
    ]);
  });

  it('reports invalid YAML and a file that is not a map of steps', async () => {
    expect(await loadProblems({ 'answers.yaml': 'one: [unclosed\n' })).toEqual([
      expect.stringMatching(/^labs\/cat\/answers\.yaml: invalid YAML: /),
    ]);
    expect(await loadProblems({ 'answers.yaml': '- script: a.sh\n' })).toEqual([
      'labs/cat/answers.yaml: Invalid input: expected record, received array',
    ]);
  });

  it('holds answer scripts to the declared images like every other script', async () => {
    expect(
      await loadProblems({ ...COMPLETE, 'answers/one/wrong-0.sh': 'kubectl run x --image=busybox:1.36\n' }),
    ).toEqual([
      'labs/cat/answers/one/wrong-0.sh:1: uses the image "busybox:1.36", which lab.yaml does not declare: add it to `images:` so `up` can put it into the nodes',
    ]);
  });
});

describe('what validate requires of a catalogue', () => {
  it('accepts 3 wrong and 1 right answers per step whose causes the checks give', async () => {
    expect(await validateProblems(COMPLETE)).toEqual([]);
  });

  it('requires the file, naming the fix', async () => {
    expect(await validateProblems({})).toEqual([
      'labs/cat/answers.yaml: file not found: every lab needs a wrong-answer catalogue: for each step at least 3 wrong answers (each with the cause its check names) and 1 right answer written differently from the solution; see "Wrong-answer catalogue" in labs/README.md',
    ]);
  });

  it('names each step with too few wrong or no right answers, and how to add them', async () => {
    const onlyWrong = ONE.yaml.replace(/ {2}- script: answers\/one\/right\.sh[\s\S]*$/, '');
    const twoWrong = TWO.yaml.replace(/ {2}- script: answers\/two\/wrong-2\.sh\n(?: {4}.*\n){3}/, '');
    expect(twoWrong.match(/verdict: wrong/g)).toHaveLength(2);
    expect(await validateProblems({ ...COMPLETE, 'answers.yaml': onlyWrong + twoWrong })).toEqual([
      'labs/cat/answers.yaml: one: 0 right answers, at least 1 is needed: add answers/one/<slug>.sh with verdict: right, written differently from solution/01.sh (other names, order or form a learner could use)',
      'labs/cat/answers.yaml: two: 2 wrong answers, at least 3 are needed: add common mistakes as answers/two/<slug>.sh with verdict: wrong and the cause (finding code) the check gives for each',
    ]);
    // An empty file is an empty catalogue: every step is named.
    expect(await validateProblems({ 'answers.yaml': '' })).toHaveLength(4);
  });

  it("refuses a cause that is no string literal of the lab's .ts files (tests do not count)", async () => {
    const yaml = COMPLETE['answers.yaml']
      .replace('cause: ONE_B', 'cause: ONE_MADE_UP')
      .replace('cause: TWO_C', 'cause: TWO_ONLY_IN_TEST');
    const problems = await validateProblems({
      ...COMPLETE,
      'answers.yaml': yaml,
      'checks.test.ts': "expect(code).toBe('TWO_ONLY_IN_TEST');\n",
    });
    expect(problems).toEqual([
      `labs/cat/answers.yaml: one[1].cause: "ONE_MADE_UP" is not a code any check of the lab gives: no .ts file in labs/cat (tests excluded) has the string literal 'ONE_MADE_UP'; make the check name this mistake with fail(…, { code: 'ONE_MADE_UP' }), or use the code it already gives`,
      `labs/cat/answers.yaml: two[2].cause: "TWO_ONLY_IN_TEST" is not a code any check of the lab gives: no .ts file in labs/cat (tests excluded) has the string literal 'TWO_ONLY_IN_TEST'; make the check name this mistake with fail(…, { code: 'TWO_ONLY_IN_TEST' }), or use the code it already gives`,
    ]);
    // A literal in another module of the lab (a helper the check imports) counts.
    expect(
      await validateProblems({
        ...COMPLETE,
        'answers.yaml': yaml,
        'helpers/codes.ts': `export const X = "ONE_MADE_UP";\nexport const Y = 'TWO_ONLY_IN_TEST';\n`,
      }),
    ).toEqual([]);
  });

  it('passes the fixture lab, whose catalogue the CLI tests run', async () => {
    const result = await loadLab(FIXTURE_LAB);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(await catalogueRequirementProblems(result.lab, path.dirname(path.dirname(FIXTURE_LAB)))).toEqual([]);
    expect(result.lab.steps.map((s) => s.answers.length)).toEqual([4, 4]);
  });
});
