// Every lab under the labs directory, loaded at start-up. A broken lab is
// listed in `problems` (by file and field) and left out; the others load.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LoadedLab } from './lab.js';
import { loadLab } from './lab-loader.js';
import type { LabProblem } from './lab-problem.js';

export class LabCatalog {
  private readonly byId: Map<string, LoadedLab>;

  constructor(
    labs: LoadedLab[],
    readonly problems: LabProblem[] = [],
  ) {
    this.byId = new Map(labs.map((lab) => [lab.id, lab]));
  }

  list(): LoadedLab[] {
    return [...this.byId.values()];
  }

  get(id: string): LoadedLab | undefined {
    return this.byId.get(id);
  }
}

/** Directories starting with "." or "_" are not labs (drafts, shared assets). */
export async function loadCatalog(labsDir: string): Promise<LabCatalog> {
  const root = path.dirname(path.resolve(labsDir));
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(labsDir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`Cannot read the labs directory ${labsDir}`, { cause: error });
  }
  const dirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'))
    .map((e) => e.name)
    .sort();
  const results = await Promise.all(dirs.map((name) => loadLab(path.join(labsDir, name), { displayRoot: root })));
  const labs: LoadedLab[] = [];
  const problems: LabProblem[] = [];
  for (const result of results) {
    if (result.ok) labs.push(result.lab);
    else problems.push(...result.problems);
  }
  return new LabCatalog(labs, problems);
}
