// A reason a lab cannot load, pointing at the file and the field so the
// author can fix it without reading the loader: `labs/foo/lab.yaml:
// steps[1].check: "nope" is not exported by checks.ts`.
export interface LabProblem {
  /** Path as shown to the author (relative to the labs directory's parent). */
  file: string;
  /** Field path inside the file, e.g. "steps[1].check". */
  field?: string;
  message: string;
}

export function formatProblem(problem: LabProblem): string {
  return problem.field
    ? `${problem.file}: ${problem.field}: ${problem.message}`
    : `${problem.file}: ${problem.message}`;
}

/** zod issue paths → "steps[1].check". */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
