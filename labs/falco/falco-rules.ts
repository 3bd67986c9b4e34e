// Reading a custom Falco rules file the way Falco would, far enough to name
// mistakes precisely: YAML that does not parse, a file Falco skips (only
// .yaml/.yml are loaded since 0.41), a rule missing a required key, the
// deprecated `append: true`, and `override:` entries.
import { isMap, isSeq, parseDocument } from 'yaml';

export type RuleItemKind = 'rule' | 'macro' | 'list' | 'other';

export interface RuleItem {
  kind: RuleItemKind;
  name: string;
  /** The item as plain data. */
  data: Record<string, unknown>;
  /** 1-based line of the item in its file, for `where`. */
  line: number;
}

export type RulesFile = { key: string; ok: true; items: RuleItem[] } | { key: string; ok: false; error: string };

/** Falco ≥ 0.41 ignores anything in a rules directory that is not .yaml/.yml. */
export function isRulesFileName(key: string): boolean {
  return /\.ya?ml$/.test(key);
}

export function parseRulesFile(key: string, text: string): RulesFile {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0)
    return { key, ok: false, error: (doc.errors[0]?.message ?? 'invalid YAML').split('\n')[0] ?? 'invalid YAML' };
  if (doc.contents === null) return { key, ok: true, items: [] };
  if (!isSeq(doc.contents))
    return { key, ok: false, error: 'the file must be a YAML list of "- rule:", "- macro:" and "- list:" entries' };
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : text.slice(0, offset).split('\n').length);
  const items: RuleItem[] = [];
  for (const node of doc.contents.items) {
    if (!isMap(node)) continue;
    const data = node.toJSON() as Record<string, unknown>;
    const kind: RuleItemKind = 'rule' in data ? 'rule' : 'macro' in data ? 'macro' : 'list' in data ? 'list' : 'other';
    const name = kind === 'other' ? '' : String(data[kind]);
    items.push({ kind, name, data, line: lineOf(node.range?.[0]) });
  }
  return { key, ok: true, items };
}

/** A new rule (not an override or an append of an existing one). */
export function isRuleDefinition(item: RuleItem): boolean {
  return item.kind === 'rule' && !('override' in item.data) && item.data.append !== true;
}

export const REQUIRED_RULE_KEYS = ['desc', 'condition', 'output', 'priority'] as const;

export function missingRuleKeys(item: RuleItem): string[] {
  return REQUIRED_RULE_KEYS.filter(
    (key) => typeof item.data[key] !== 'string' || (item.data[key] as string).trim() === '',
  );
}

/** The `override:` mapping of an item, e.g. { output: 'replace' }. */
export function overrideOf(item: RuleItem): Record<string, unknown> | undefined {
  const value = item.data.override;
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The longest piece of literal text in a Falco output template (between
 * %field references), whitespace collapsed: what an alert produced by that
 * template must contain, whatever the field values were.
 */
export function outputLiteral(template: string): string {
  const pieces = template
    .replace(/\s+/g, ' ')
    .split(/%[\w.]+(?:\[[^\]]*\])?|%\([^)]*\)/)
    .map((piece) => piece.trim());
  return pieces.reduce((longest, piece) => (piece.length > longest.length ? piece : longest), '');
}
