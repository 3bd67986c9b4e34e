// A fence's info string: ```bash run=control-plane → { lang: 'bash', runTarget: 'control-plane' }.
// Lab text names terminals by node target; the page resolves them to tabs.
//
// Only fences with `run=` get a Run button, as labs/README.md promises lab
// authors: they leave it off on purpose for output, manifests, and templates
// the learner must complete first (seccomp step 4's pod has `# type: ...`
// placeholders — running it as shown would apply the wrong pod).

export interface CodeInfo {
  lang: string | undefined;
  /** Terminal the Run button types into; undefined means no Run button. */
  runTarget: string | undefined;
}

const TARGET_PATTERN = /^[a-z0-9-]{1,40}$/;

export function parseCodeInfo(info: string | undefined): CodeInfo {
  const words = (info ?? '').trim().split(/\s+/).filter(Boolean);
  let lang: string | undefined;
  let runTarget: string | undefined;
  for (const word of words) {
    const run = /^run=(.*)$/.exec(word);
    if (run) {
      const target = run[1] ?? '';
      if (TARGET_PATTERN.test(target)) runTarget = target;
    } else if (lang === undefined && !word.includes('=')) {
      lang = word.toLowerCase();
    }
  }
  return { lang, runTarget };
}
