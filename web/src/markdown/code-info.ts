// A fence's info string: ```bash run=control-plane → { lang: 'bash', runTarget: 'control-plane' }.
// Lab text names terminals by node target; the page resolves them to tabs.

export interface CodeInfo {
  lang: string | undefined;
  /** Terminal the Run button types into; undefined means "the active one". */
  runTarget: string | undefined;
  /** False for data (YAML, JSON, output) that makes no sense typed into a shell. */
  runnable: boolean;
}

/** Languages whose blocks are files or output, not commands. `run=` overrides. */
const NOT_COMMANDS = new Set([
  'yaml',
  'yml',
  'json',
  'toml',
  'ini',
  'text',
  'txt',
  'plain',
  'output',
  'log',
  'diff',
  'markdown',
  'md',
  'go',
  'rego',
  'dockerfile',
]);

const TARGET_PATTERN = /^[a-z0-9-]{1,40}$/;

export function parseCodeInfo(info: string | undefined): CodeInfo {
  const words = (info ?? '').trim().split(/\s+/).filter(Boolean);
  let lang: string | undefined;
  let runTarget: string | undefined;
  let noRun = false;
  for (const word of words) {
    const run = /^run=(.*)$/.exec(word);
    if (run) {
      const target = run[1] ?? '';
      if (TARGET_PATTERN.test(target)) runTarget = target;
    } else if (word === 'norun') {
      noRun = true;
    } else if (lang === undefined && !word.includes('=')) {
      lang = word.toLowerCase();
    }
  }
  const runnable = !noRun && (runTarget !== undefined || lang === undefined || !NOT_COMMANDS.has(lang));
  return { lang, runTarget, runnable };
}
