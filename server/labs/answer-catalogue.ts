// A lab's wrong-answer catalogue: labs/<id>/answers.yaml, keyed by step id,
// listing answers a learner could really give, each a bash script run like a
// reference solution. A wrong answer names the `code` of the failing finding
// its step's check must give (its cause); a right answer, written differently
// from the reference solution, must pass. `test-lab` and the cluster tier run
// them (answer-catalogue-run.ts); `validate` requires enough of them.
//
//   write-policy:
//     - script: answers/write-policy/secrets-at-request-response.sh
//       verdict: wrong
//       cause: SECRETS_BODY_LOGGED
//       about: Secrets at RequestResponse copy the secret data into the log.
//     - script: answers/write-policy/omit-stages-first.sh
//       verdict: right
//       about: The same policy with omitStages and the rules in another order.
//       runOn: worker          # optional; default: the step's runOn
//
// The catalogue is optional when a lab loads (the page serves labs without
// one), and a broken one is a load problem like a broken lab.yaml.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { MistakeCode } from '../checks/check.js';
import type { LoadedLab } from './lab.js';
import { formatFieldPath, type LabProblem } from './lab-problem.js';
import { relativeFile, TARGET } from './lab-schema.js';

export const ANSWERS_FILE = 'answers.yaml';
/** What `validate` requires of every step. */
export const MIN_WRONG_ANSWERS = 3;
export const MIN_RIGHT_ANSWERS = 1;

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

export const answerFileSchema = z
  .strictObject({
    /** Bash script, relative to the lab directory (by convention answers/<step-id>/<slug>.sh). */
    script: relativeFile,
    verdict: z.enum(['wrong', 'right']),
    /** Wrong answers only: the `code` of a failing finding the step's check must give. */
    cause: z.string().regex(UPPER_SNAKE, 'an UPPER_SNAKE mistake code, e.g. SECRETS_BODY_LOGGED').optional(),
    /** One sentence: what the answer does and why it is wrong or right. */
    about: z.string().trim().min(1, 'say in one sentence what this answer does and why it is wrong or right'),
    /** Node the script runs on; default: the step's runOn. */
    runOn: z.string().regex(TARGET, 'a node target, e.g. control-plane or worker').optional(),
  })
  .superRefine((answer, ctx) => {
    if (answer.verdict === 'wrong' && answer.cause === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['cause'],
        message: 'a wrong answer needs its cause: the `code` of the failing finding the check must give',
      });
    if (answer.verdict === 'right' && answer.cause !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['cause'],
        message: 'a right answer has no cause (the check must pass it): remove the field',
      });
  });

/** The whole file: step id → answers. Step ids are checked against lab.yaml by the loader. */
export const answersFileSchema = z.record(z.string(), z.array(answerFileSchema));

export type AnswerFile = z.infer<typeof answerFileSchema>;

interface LoadedAnswerBase {
  /** Path relative to the lab directory, as answers.yaml names it. */
  script: string;
  /** The script's bash source. */
  source: string;
  about: string;
  /** Node the script runs on (the step's runOn unless the answer names one). */
  runOn: string;
}

export type LoadedAnswer = LoadedAnswerBase & ({ verdict: 'wrong'; cause: MistakeCode } | { verdict: 'right' });

export interface AnswerCatalogueLoad {
  /** Whether the lab has an answers.yaml at all. */
  present: boolean;
  /** Answers by step id; a step the file does not name has none. */
  byStep: Map<string, LoadedAnswer[]>;
  problems: LabProblem[];
}

/**
 * Reads labs/<id>/answers.yaml for the steps lab.yaml declares. Problems name
 * answers.yaml and the field (`write-policy[2].cause`); a missing file is no
 * problem here (see catalogueRequirementProblems for `validate`).
 */
export async function loadAnswerCatalogue(
  labDir: string,
  steps: readonly { id: string; runOn: string }[],
  show: (file: string) => string,
): Promise<AnswerCatalogueLoad> {
  const file = show(ANSWERS_FILE);
  const byStep = new Map<string, LoadedAnswer[]>();
  const problems: LabProblem[] = [];
  let raw: string;
  try {
    raw = await fs.readFile(path.join(labDir, ANSWERS_FILE), 'utf8');
  } catch (error) {
    if (isNotFound(error)) return { present: false, byStep, problems };
    return { present: true, byStep, problems: [{ file, message: `cannot read: ${describe(error)}` }] };
  }
  const doc = parseDocument(raw, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      present: true,
      byStep,
      problems: doc.errors.map((e) => ({
        file,
        message: `invalid YAML: ${(e.message.split('\n')[0] ?? '').replace(/:$/, '')}`,
      })),
    };
  }
  // An empty file is an empty catalogue: `validate` then names every step that lacks answers.
  const parsed = answersFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    return {
      present: true,
      byStep,
      problems: parsed.error.issues.map((issue) => {
        const field = formatFieldPath(issue.path);
        return field ? { file, field, message: issue.message } : { file, message: issue.message };
      }),
    };
  }

  const stepIds = steps.map((s) => s.id);
  for (const [stepId, answers] of Object.entries(parsed.data)) {
    const step = steps.find((s) => s.id === stepId);
    if (!step) {
      problems.push({
        file,
        field: stepId,
        message: `is not a step id of lab.yaml (steps: ${stepIds.join(', ')}): key each list of answers by the step it answers`,
      });
      continue;
    }
    const loaded: LoadedAnswer[] = [];
    const seen = new Set<string>();
    for (const [i, answer] of answers.entries()) {
      const field = `${stepId}[${i}].script`;
      if (seen.has(answer.script)) {
        problems.push({
          file,
          field,
          message: `${answer.script} is listed twice for this step: list each answer once`,
        });
        continue;
      }
      seen.add(answer.script);
      let source: string;
      try {
        source = await fs.readFile(path.join(labDir, answer.script), 'utf8');
      } catch (error) {
        problems.push({ file, field, message: `${answer.script}: ${describe(error)}` });
        continue;
      }
      const base = { script: answer.script, source, about: answer.about, runOn: answer.runOn ?? step.runOn };
      // The schema guarantees a cause on every wrong answer and none on a right one.
      loaded.push(
        answer.verdict === 'wrong'
          ? { ...base, verdict: 'wrong', cause: answer.cause as MistakeCode }
          : { ...base, verdict: 'right' },
      );
    }
    byStep.set(stepId, loaded);
  }
  return { present: true, byStep, problems };
}

/**
 * What `validate` demands beyond a catalogue that loads: the file exists;
 * every step has at least MIN_WRONG_ANSWERS wrong and MIN_RIGHT_ANSWERS right
 * answers; every cause is a code some check of the lab can give, i.e. it
 * appears as a string literal ('X' or "X") in a .ts file of the lab outside
 * its tests. Each problem names the file, the step and the fix.
 */
export async function catalogueRequirementProblems(lab: LoadedLab, displayRoot: string): Promise<LabProblem[]> {
  const file = path.relative(displayRoot, path.join(lab.dir, ANSWERS_FILE)) || ANSWERS_FILE;
  if (!lab.hasAnswerCatalogue) {
    return [
      {
        file,
        message:
          `file not found: every lab needs a wrong-answer catalogue: for each step at least ${MIN_WRONG_ANSWERS} ` +
          `wrong answers (each with the cause its check names) and ${MIN_RIGHT_ANSWERS} right answer written ` +
          'differently from the solution; see "Wrong-answer catalogue" in labs/README.md',
      },
    ];
  }
  const problems: LabProblem[] = [];
  const literals = await stringLiteralsOfLab(lab.dir);
  const labDir = path.relative(displayRoot, lab.dir) || '.';
  for (const step of lab.steps) {
    const wrong = step.answers.filter((a) => a.verdict === 'wrong').length;
    const right = step.answers.length - wrong;
    const where = `answers/${step.id}/<slug>.sh`;
    if (wrong < MIN_WRONG_ANSWERS)
      problems.push({
        file,
        field: step.id,
        message:
          `${count(wrong, 'wrong answer')}, at least ${MIN_WRONG_ANSWERS} are needed: add common mistakes ` +
          `as ${where} with verdict: wrong and the cause (finding code) the check gives for each`,
      });
    if (right < MIN_RIGHT_ANSWERS)
      problems.push({
        file,
        field: step.id,
        message:
          `${count(right, 'right answer')}, at least ${MIN_RIGHT_ANSWERS} is needed: add ${where} with verdict: right, ` +
          `written differently from ${step.solutionFile} (other names, order or form a learner could use)`,
      });
    step.answers.forEach((answer, i) => {
      if (answer.verdict !== 'wrong' || literals.has(answer.cause)) return;
      problems.push({
        file,
        field: `${step.id}[${i}].cause`,
        message:
          `"${answer.cause}" is not a code any check of the lab gives: no .ts file in ${labDir} (tests excluded) ` +
          `has the string literal '${answer.cause}'; make the check name this mistake with ` +
          `fail(…, { code: '${answer.cause}' }), or use the code it already gives`,
      });
    });
  }
  return problems;
}

/** Every 'X' / "X" string literal that could be a mistake code, in the lab's .ts files (not *.test.ts). */
async function stringLiteralsOfLab(labDir: string): Promise<Set<string>> {
  const found = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') await visit(full);
      } else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = await fs.readFile(full, 'utf8');
        for (const match of text.matchAll(/'([A-Z][A-Z0-9_]*)'|"([A-Z][A-Z0-9_]*)"/g)) {
          const literal = match[1] ?? match[2];
          if (literal) found.add(literal);
        }
      }
    }
  };
  await visit(labDir);
  return found;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isNotFound(error: unknown): boolean {
  return Boolean(error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT');
}

function describe(error: unknown): string {
  if (isNotFound(error)) return 'file not found';
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}
