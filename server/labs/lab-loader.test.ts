import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalog } from './lab-catalog.js';
import { loadLab } from './lab-loader.js';
import { formatProblem } from './lab-problem.js';

const FIXTURE_LABS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'labs');

const VALID_YAML = `id: LABID
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
    hints: [a hint]
    solution: solution/01.sh
  - id: two
    title: Two
    text: 02.md
    check: second
    solution: solution/02.sh
`;

let root: string;
let labsDir: string;

async function writeLab(
  id: string,
  files: Record<string, string>,
  yaml = VALID_YAML.replace('LABID', id),
): Promise<string> {
  const dir = path.join(labsDir, id);
  const all: Record<string, string> = {
    'lab.yaml': yaml,
    'intro.md': '# Intro\n',
    '01.md': 'Step one\n\n```bash run=control-plane\necho hi\n```\n',
    '02.md': 'Step two\n',
    'solution/01.sh': 'echo one\n',
    'solution/02.sh': 'echo two\n',
    'cleanup.sh': 'true\n',
    // Self-contained: temp labs cannot import the engine by relative path.
    'checks.ts':
      'export const first = async () => [];\nexport const second = async () => [];\nexport const notAFunction = 42;\n',
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'hl-loader-'));
  labsDir = path.join(root, 'labs');
  await fs.mkdir(labsDir);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function problemsOf(dir: string): Promise<string[]> {
  const result = await loadLab(dir);
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('loadLab', () => {
  it('loads the fixture lab with its Markdown, hints, solutions and checks', async () => {
    const result = await loadLab(path.join(FIXTURE_LABS, 'fixture-files'));
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const lab = result.lab;
    expect(lab.id).toBe('fixture-files');
    expect(lab.steps.map((s) => s.id)).toEqual(['write-marker', 'finish']);
    expect(lab.steps[0]?.markdown).toContain('```bash run=control-plane');
    expect(lab.steps[0]?.hints).toHaveLength(2);
    expect(lab.steps[0]?.solution).toContain('echo ready');
    expect(typeof lab.steps[0]?.check).toBe('function');
    expect(lab.intro).toContain('> **Note**');
    expect(lab.runOn).toBe('control-plane');
  });

  it('names the file and field of a check that checks.ts does not export', async () => {
    const dir = await writeLab('foo', {}, VALID_YAML.replace('LABID', 'foo').replace('check: second', 'check: nope'));
    expect(await problemsOf(dir)).toEqual(['labs/foo/lab.yaml: steps[1].check: "nope" is not exported by checks.ts']);
  });

  it('rejects an export that is not a function', async () => {
    const dir = await writeLab(
      'foo',
      {},
      VALID_YAML.replace('LABID', 'foo').replace('check: first', 'check: notAFunction'),
    );
    expect(await problemsOf(dir)).toEqual([
      'labs/foo/lab.yaml: steps[0].check: "notAFunction" in checks.ts is not a function',
    ]);
  });

  it('reports a missing solution file and a missing step text by field', async () => {
    const dir = await writeLab('foo', {});
    await fs.rm(path.join(dir, 'solution/02.sh'));
    await fs.rm(path.join(dir, '01.md'));
    expect(await problemsOf(dir)).toEqual([
      'labs/foo/lab.yaml: steps[0].text: 01.md: file not found',
      'labs/foo/lab.yaml: steps[1].solution: solution/02.sh: file not found',
    ]);
  });

  it('requires a check and a solution on every step, and refuses unknown keys', async () => {
    const yaml = VALID_YAML.replace('LABID', 'foo')
      .replace('    check: second\n', '')
      .replace('    solution: solution/01.sh\n', '    soluton: solution/01.sh\n');
    const problems = await problemsOf(await writeLab('foo', {}, yaml));
    expect(problems).toContain('labs/foo/lab.yaml: steps[1].check: Invalid input: expected string, received undefined');
    expect(problems).toContain(
      'labs/foo/lab.yaml: steps[0].solution: Invalid input: expected string, received undefined',
    );
    expect(problems.some((p) => p.startsWith('labs/foo/lab.yaml: steps[0]: Unrecognized key: "soluton"'))).toBe(true);
  });

  it('refuses paths that leave the lab directory', async () => {
    const yaml = VALID_YAML.replace('LABID', 'foo').replace('text: 01.md', 'text: ../../etc/passwd');
    expect(await problemsOf(await writeLab('foo', {}, yaml))).toEqual([
      'labs/foo/lab.yaml: steps[0].text: must be a path inside the lab directory (relative, no "..")',
    ]);
  });

  it('requires the id to match the directory and step ids to be unique', async () => {
    const yaml = VALID_YAML.replace('LABID', 'bar').replace('id: two', 'id: one');
    expect(await problemsOf(await writeLab('foo', {}, yaml))).toEqual([
      'labs/foo/lab.yaml: id: "bar" must equal the directory name "foo"',
      'labs/foo/lab.yaml: steps[1].id: "one" is used by an earlier step',
    ]);
  });

  it('reports invalid YAML, a checks module that does not import, and a bad run= target', async () => {
    expect(await problemsOf(await writeLab('yaml', {}, 'id: [unclosed\n'))).toEqual([
      expect.stringMatching(/^labs\/yaml\/lab\.yaml: invalid YAML: /),
    ]);
    expect(await problemsOf(await writeLab('imp', { 'checks.ts': 'export const first = ;\n' }))).toEqual([
      expect.stringMatching(/^labs\/imp\/lab\.yaml: checks: checks\.ts: cannot be imported: /),
    ]);
    expect(await problemsOf(await writeLab('run', { '02.md': '```bash run=Control Plane\nls\n```\n' }))).toEqual([
      'labs/run/02.md: code fence run="Control" is not a node target',
    ]);
  });
});

describe('declared images', () => {
  const withImages = (id: string, images: string) =>
    VALID_YAML.replace('LABID', id).replace('cleanup: cleanup.sh', `cleanup: cleanup.sh\nimages: ${images}`);

  it('refuses an image a manifest, a solution or a text uses without declaring it', async () => {
    const dir = await writeLab(
      'undeclared',
      {
        'manifests/pod.yaml':
          'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n',
        'solution/02.sh': 'kubectl debug p --image=busybox:1.36 -- sleep 1\n',
        '02.md': 'Step two\n\n```yaml\n    image: docker.io/library/alpine:3.20\n```\n',
      },
      withImages('undeclared', '[nginx:1.27]'),
    );
    const result = await loadLab(dir);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'labs/undeclared/02.md:4: uses the image "docker.io/library/alpine:3.20", which lab.yaml does not declare: add it to `images:` so `up` can put it into the nodes',
      'labs/undeclared/solution/02.sh:1: uses the image "busybox:1.36", which lab.yaml does not declare: add it to `images:` so `up` can put it into the nodes',
    ]);
  });

  it('accepts a declaration written in another form of the same name, and refuses one nothing uses', async () => {
    const dir = await writeLab(
      'declared',
      { 'manifests/pod.yaml': 'spec:\n  containers:\n    - image: nginx:1.27\n' },
      withImages('declared', '[docker.io/library/nginx:1.27, busybox:1.36]'),
    );
    const result = await loadLab(dir);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'labs/declared/lab.yaml: images[1]: "busybox:1.36" is declared but no manifest, script or text of the lab uses it',
    ]);
  });

  it('refuses a declaration without a tag', async () => {
    const dir = await writeLab(
      'untagged',
      { 'manifests/pod.yaml': 'spec:\n  containers:\n    - image: nginx\n' },
      withImages('untagged', '[nginx]'),
    );
    const result = await loadLab(dir);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'labs/untagged/lab.yaml: images[0]: an image reference with a tag or digest, e.g. nginx:1.27',
      'labs/untagged/lab.yaml: images[0]: name a tag or digest, e.g. nginx:1.27',
    ]);
  });
});

describe('loadCatalog', () => {
  it('keeps serving the good labs when one is broken', async () => {
    await writeLab('good', {});
    await writeLab('broken', {}, VALID_YAML.replace('LABID', 'broken').replace('minutes: 10', 'minutes: ten'));
    await fs.mkdir(path.join(labsDir, '_drafts'));
    const catalog = await loadCatalog(labsDir);
    expect(catalog.list().map((l) => l.id)).toEqual(['good']);
    expect(catalog.problems.map(formatProblem)).toEqual([
      'labs/broken/lab.yaml: minutes: Invalid input: expected number, received string',
    ]);
  });

  it('loads the shipped immutable-pods lab without problems', async () => {
    const result = await loadLab(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'labs', 'immutable-pods'),
    );
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });
});
