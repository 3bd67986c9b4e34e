// The catalogue's rules files, judged offline: each custom-rule and override
// answer's ConfigMap content put into a recording where Falco runs and loaded
// it, so the check's verdict rests on the rules alone. test-lab proves the
// same answers on a cluster that can run Falco; this proves the checks name
// each cause on any machine.
import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RecordedClusterView } from '../../server/checks/recorded-cluster-view.js';
import { customRuleLoaded, overrideApplied } from './checks.js';

interface Answer {
  script: string;
  verdict: 'wrong' | 'right';
  cause?: string;
}
const catalogue = parse(await fs.readFile(new URL('./answers.yaml', import.meta.url), 'utf8')) as Record<
  string,
  Answer[]
>;
const labRules = await fs.readFile(new URL('./manifests/rules/hardening-lab-rules.yaml', import.meta.url), 'utf8');

/** The ConfigMap an answer script creates: its key and the heredoc it writes (or the lab's rules file it copies). */
async function configMapOf(script: string): Promise<Record<string, string>> {
  const text = await fs.readFile(new URL(`./${script}`, import.meta.url), 'utf8');
  const key = /^key=(\S+)$/m.exec(text)?.[1] ?? 'hardening-lab-rules.yaml';
  const heredoc = /<<'RULES'\n([\s\S]*?)\nRULES\n/.exec(text)?.[1] ?? '';
  const copies = text.includes('cp "$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml"');
  return { [key]: copies ? `${labRules}\n${heredoc}\n` : `${heredoc}\n` };
}

async function judged(fixture: string, data: Record<string, string>) {
  const view = (await RecordedClusterView.fromFile(new URL(`./fixtures/${fixture}`, import.meta.url))).with((r) => {
    const cm = r.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'falco-rules') as unknown as {
      data: Record<string, string>;
    };
    cm.data = data;
    return r;
  });
  return view;
}

describe('custom-rule answers', () => {
  it.each(catalogue['custom-rule'] ?? [])('$script is $verdict $cause', async (answer) => {
    const findings = await customRuleLoaded(await judged('rule-loaded.json', await configMapOf(answer.script)));
    const failing = findings.filter((f) => !f.ok);
    if (answer.verdict === 'right') {
      // Falco's load of a renamed rule is the cluster's to show; here only the rules are judged.
      expect(failing.filter((f) => f.code !== 'RULES_NOT_LOADED')).toEqual([]);
    } else expect(failing.map((f) => f.code)).toContain(answer.cause);
  });
});

describe('override answers', () => {
  it.each((catalogue.override ?? []).filter((a) => a.verdict === 'wrong'))(
    '$script is wrong: $cause',
    async (answer) => {
      const findings = await overrideApplied(await judged('override-applied.json', await configMapOf(answer.script)));
      expect(findings.filter((f) => !f.ok).map((f) => f.code)).toContain(answer.cause);
    },
  );
});
