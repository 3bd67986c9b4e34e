// Reads one lab directory into a LoadedLab, or explains, by file and field,
// why it cannot. Never throws for a broken lab: the catalog keeps serving the
// others, and `hardening-lab validate` prints the same problems.
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { isCheck, type Check } from '../checks/check.js';
import { loadAnswerCatalogue } from './answer-catalogue.js';
import type { LoadedLab, LoadedStep } from './lab.js';
import { imagesUsedByLab, isDeclared } from './lab-images.js';
import { formatFieldPath, type LabProblem } from './lab-problem.js';
import { labFileSchema, type LabFile } from './lab-schema.js';

export const LAB_FILE = 'lab.yaml';

export type LabLoadResult = { ok: true; lab: LoadedLab } | { ok: false; problems: LabProblem[] };

export interface LoadLabOptions {
  /** Base for the file names in problems (default: the parent of the lab directory's parent). */
  displayRoot?: string;
}

/** Fenced-code info strings may carry run=<target>; catch typos early. */
const RUN_ATTR = /^(`{3,}|~{3,})[^\n]*\brun=([^\s}]*)/gm;
const TARGET = /^[a-z0-9-]{1,40}$/;

export async function loadLab(dir: string, options: LoadLabOptions = {}): Promise<LabLoadResult> {
  const labDir = path.resolve(dir);
  const root = options.displayRoot ?? path.dirname(path.dirname(labDir));
  const show = (file: string) => path.relative(root, path.join(labDir, file)) || file;
  const labYaml = show(LAB_FILE);
  const problems: LabProblem[] = [];

  let raw: string;
  try {
    raw = await fs.readFile(path.join(labDir, LAB_FILE), 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ file: labYaml, message: `cannot read: ${describe(error)}` }] };
  }
  const doc = parseDocument(raw, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file: labYaml,
        message: `invalid YAML: ${(e.message.split('\n')[0] ?? '').replace(/:$/, '')}`,
      })),
    };
  }
  const parsed = labFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const field = formatFieldPath(issue.path);
        return field ? { file: labYaml, field, message: issue.message } : { file: labYaml, message: issue.message };
      }),
    };
  }
  const spec: LabFile = parsed.data;

  if (spec.id !== path.basename(labDir)) {
    problems.push({
      file: labYaml,
      field: 'id',
      message: `"${spec.id}" must equal the directory name "${path.basename(labDir)}"`,
    });
  }
  const seen = new Set<string>();
  spec.steps.forEach((step, i) => {
    if (seen.has(step.id))
      problems.push({ file: labYaml, field: `steps[${i}].id`, message: `"${step.id}" is used by an earlier step` });
    seen.add(step.id);
  });

  const readText = async (file: string, field: string): Promise<string | undefined> => {
    try {
      return await fs.readFile(path.join(labDir, file), 'utf8');
    } catch (error) {
      problems.push({ file: labYaml, field, message: `${file}: ${describe(error)}` });
      return undefined;
    }
  };
  const checkMarkdown = (markdown: string | undefined, file: string) => {
    if (markdown === undefined) return;
    for (const match of markdown.matchAll(RUN_ATTR)) {
      const target = match[2] ?? '';
      if (!TARGET.test(target))
        problems.push({ file: show(file), message: `code fence run=${JSON.stringify(target)} is not a node target` });
    }
  };

  const intro = await readText(spec.intro, 'intro');
  checkMarkdown(intro, spec.intro);
  const setup = spec.setup === undefined ? undefined : await readText(spec.setup, 'setup');
  const cleanup = await readText(spec.cleanup, 'cleanup');

  const checks = await importChecks(path.join(labDir, spec.checks));
  if (!checks.ok) problems.push({ file: labYaml, field: 'checks', message: `${spec.checks}: ${checks.message}` });
  const catalogue = await loadAnswerCatalogue(labDir, spec.steps, show);

  const steps: LoadedStep[] = [];
  for (const [i, step] of spec.steps.entries()) {
    const markdown = await readText(step.text, `steps[${i}].text`);
    checkMarkdown(markdown, step.text);
    let check: Check | undefined;
    if (checks.ok) {
      const exported = checks.module[step.check];
      if (exported === undefined) {
        problems.push({
          file: labYaml,
          field: `steps[${i}].check`,
          message: `"${step.check}" is not exported by ${spec.checks}`,
        });
      } else if (!isCheck(exported)) {
        problems.push({
          file: labYaml,
          field: `steps[${i}].check`,
          message: `"${step.check}" in ${spec.checks} is not a function`,
        });
      } else {
        check = exported;
      }
    }
    const solution = await readText(step.solution, `steps[${i}].solution`);
    if (markdown !== undefined && solution !== undefined && check !== undefined) {
      steps.push({
        id: step.id,
        title: step.title,
        markdown,
        checkName: step.check,
        check,
        hints: step.hints,
        solution,
        solutionFile: step.solution,
        runOn: step.runOn,
        answers: catalogue.byStep.get(step.id) ?? [],
      });
    }
  }

  problems.push(...catalogue.problems);
  problems.push(...(await imageProblems(labDir, spec.images, show, labYaml)));

  if (problems.length > 0 || intro === undefined || cleanup === undefined) return { ok: false, problems };
  const lab: LoadedLab = {
    id: spec.id,
    dir: labDir,
    title: spec.title,
    summary: spec.summary,
    minutes: spec.minutes,
    requires: spec.requires,
    images: spec.images,
    intro,
    cleanup,
    runOn: spec.runOn,
    backups: spec.backups,
    steps,
    hasAnswerCatalogue: catalogue.present,
  };
  if (setup !== undefined) lab.setup = setup;
  return { ok: true, lab };
}

/**
 * Every image a file uses must be declared (an undeclared one is pulled at
 * the worst moment, or never offline), and every declared one used (a stale
 * declaration makes `up` load images for nothing).
 */
async function imageProblems(
  labDir: string,
  declared: readonly string[],
  show: (file: string) => string,
  labYaml: string,
): Promise<LabProblem[]> {
  const problems: LabProblem[] = [];
  const uses = await imagesUsedByLab(labDir);
  for (const use of uses) {
    if (!isDeclared(use.image, declared))
      problems.push({
        file: `${show(use.file)}${use.line === undefined ? '' : `:${use.line}`}`,
        message: `uses the image "${use.image}", which lab.yaml does not declare: add it to \`images:\` so \`up\` can put it into the nodes`,
      });
  }
  declared.forEach((image, i) => {
    if (!uses.some((use) => isDeclared(use.image, [image])))
      problems.push({
        file: labYaml,
        field: `images[${i}]`,
        message: `"${image}" is declared but no manifest, script or text of the lab uses it`,
      });
  });
  return problems;
}

type ChecksImport = { ok: true; module: Record<string, unknown> } | { ok: false; message: string };

async function importChecks(file: string): Promise<ChecksImport> {
  try {
    await fs.access(file);
  } catch {
    return { ok: false, message: 'file not found' };
  }
  try {
    // The server runs under tsx (and tests under vitest), so .ts imports work.
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    return { ok: true, module };
  } catch (error) {
    return { ok: false, message: `cannot be imported: ${describe(error)}` };
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT') return 'file not found';
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}
