// Reading a Falco container's log. With json_output each alert is one JSON
// object per line (rule, output, output_fields, priority, time, ...); the
// lifecycle messages around them stay plain text ("Loading rules from:",
// "Opening 'syscall' source with modern BPF probe.", "Error: ..."). With
// `tty: true` lines end in \r\n. The checks need both: alerts as behaviour,
// the rules-loading block as state.
import { z } from 'zod';

const alertSchema = z.looseObject({
  rule: z.string(),
  output: z.string(),
  priority: z.string().optional(),
  time: z.string().optional(),
  hostname: z.string().optional(),
  source: z.string().optional(),
  tags: z.array(z.string()).optional(),
  output_fields: z.record(z.string(), z.unknown()).optional(),
});
export type FalcoAlert = z.infer<typeof alertSchema>;

export interface FalcoLog {
  alerts: FalcoAlert[];
  /** Alerts after the most recent rules load: what the rules Falco runs with now produced. */
  alertsSinceLoad: FalcoAlert[];
  /** Alerts printed as text (json_output off): "02:13:41.1234: Warning ...". */
  textAlerts: string[];
  /** Rules files of the most recent load, path → "ok" / "failed" / ... */
  loadedRules: Map<string, string>;
  /** Whether a "Loading rules from" block was seen at all. */
  sawRulesLoad: boolean;
  /** Error lines printed after the most recent load (rule errors, runtime errors). */
  errors: string[];
  /** Deprecation/validation warnings codes (e.g. LOAD_DEPRECATED_ITEM) after the most recent load. */
  warnings: string[];
  /** "Opening 'syscall' source with modern BPF probe." */
  modernBpf: boolean;
}

const PRIORITIES = 'Emergency|Alert|Critical|Error|Warning|Notice|Informational|Info|Debug';
const TEXT_ALERT = new RegExp(
  `^(\\d{2}:\\d{2}:\\d{2}\\.\\d+|\\d{4}-\\d{2}-\\d{2}T[\\d:.]+(?:Z|[+-][\\d:]+)): (${PRIORITIES}) `,
);
const RULES_LINE = /(\/\S+\.ya?ml)\s+\|\s+schema validation:\s*(\S+)/;

export function parseFalcoLog(text: string): FalcoLog {
  const log: FalcoLog = {
    alerts: [],
    alertsSinceLoad: [],
    textAlerts: [],
    loadedRules: new Map(),
    sawRulesLoad: false,
    errors: [],
    warnings: [],
    modernBpf: false,
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('{')) {
      const alert = parseAlert(line);
      if (alert) {
        log.alerts.push(alert);
        log.alertsSinceLoad.push(alert);
      }
      continue;
    }
    if (TEXT_ALERT.test(line)) {
      log.textAlerts.push(line);
      continue;
    }
    if (line.includes('Loading rules from')) {
      // A reload (rules changed, SIGHUP) prints the block again: only the
      // latest one describes what Falco runs with now.
      log.sawRulesLoad = true;
      log.loadedRules = new Map();
      log.alertsSinceLoad = [];
      log.errors = [];
      log.warnings = [];
      continue;
    }
    const rules = RULES_LINE.exec(line);
    if (rules?.[1] && rules[2]) {
      log.loadedRules.set(rules[1], rules[2]);
      continue;
    }
    if (/modern BPF probe/i.test(line) && /Opening/i.test(line)) log.modernBpf = true;
    if (/^Error: |Runtime error|LOAD_ERR_/.test(line)) log.errors.push(line.trim());
    const warning = /\b(LOAD_DEPRECATED_ITEM|LOAD_UNKNOWN_[A-Z_]+)\b/.exec(line);
    if (warning?.[1]) log.warnings.push(line.trim());
  }
  return log;
}

function parseAlert(line: string): FalcoAlert | undefined {
  try {
    const parsed = alertSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A string output field, or undefined for absent and "<NA>" (Falco's "unknown"). */
export function field(alert: FalcoAlert, name: string): string | undefined {
  const value = alert.output_fields?.[name];
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value);
  return text === '' || text === '<NA>' ? undefined : text;
}

/** The pod an alert is about: k8s.pod.name, else the pod name appearing in the output text. */
export function alertPod(alert: FalcoAlert, candidates: readonly string[] = []): string | undefined {
  const pod = field(alert, 'k8s.pod.name');
  if (pod) return pod;
  return candidates.find((name) =>
    new RegExp(`(^|[^\\w-])${name.replace(/[-.]/g, '\\$&')}($|[^\\w-])`).test(alert.output),
  );
}

/** The file an alert is about: fd.name, else the first /etc path in the output text. */
export function alertFile(alert: FalcoAlert): string | undefined {
  return field(alert, 'fd.name') ?? field(alert, 'fs.path.name') ?? /(\/etc\/[^\s),]*)/.exec(alert.output)?.[1];
}

/** One line about an alert for a finding's `found`. */
export function describeAlert(alert: FalcoAlert): string {
  const pod = field(alert, 'k8s.pod.name');
  const ns = field(alert, 'k8s.ns.name');
  const file = alertFile(alert);
  return [
    `rule "${alert.rule}"`,
    file ? `file ${file}` : '',
    pod ? `pod ${ns ? `${ns}/` : ''}${pod}` : 'no pod name',
    alert.time ? `at ${alert.time}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
