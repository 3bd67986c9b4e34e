// Checks of the Falco lab. Falco reports through its log, so the log is the
// evidence: the rules-loading block says which rules files Falco runs with
// (state), the JSON alert lines say what it detected (behaviour). The rules
// themselves are read from the ConfigMap mounted at /etc/falco/rules.d —
// found through the pod spec, so the Helm chart's `customRules` and the lab's
// own manifests are judged the same way.
import type { KubernetesObject, V1Container, V1Pod } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import type { Check } from '../../server/checks/check.js';
import { fail, pass } from '../../server/checks/check.js';
import type { ClusterView } from '../../server/checks/cluster-view.js';
import { containerStatusOf, describeContainerState } from '../../server/checks/pod-facts.js';
import type { Finding } from '../../server/protocol.js';
import {
  alertFile,
  alertPod,
  describeAlert,
  field,
  parseFalcoLog,
  type FalcoAlert,
  type FalcoLog,
} from './falco-log.js';
import {
  buildContext,
  evaluateCondition,
  HARMLESS_EVENTS,
  TRIGGER_EVENT,
  type ConditionContext,
  type FalcoEvent,
  type Tri,
} from './falco-condition.js';
import {
  isRuleDefinition,
  isRulesFileName,
  missingRuleKeys,
  outputLiteral,
  overrideOf,
  parseRulesFile,
  type RuleItem,
  type RulesFile,
} from './falco-rules.js';

export const FALCO_NAMESPACE = 'falco';
/** The label both the Helm chart and the lab's manifests put on Falco pods. */
export const FALCO_SELECTOR = 'app.kubernetes.io/name=falco';
export const FALCO_CONTAINER = 'falco';
export const FALCO_IMAGE = 'falcosecurity/falco:0.41.3';
export const RULES_DIR = '/etc/falco/rules.d';
export const FALCO_YAML = '/etc/falco/falco.yaml';
export const LOCAL_RULES = '/etc/falco/falco_rules.local.yaml';
/** The stock rules in Falco's image: its macros (open_write, container, etc_dir) are what custom rules build on. */
export const STOCK_RULES = '/etc/falco/falco_rules.yaml';
export const LAB_NAMESPACE = 'falco-lab';
export const TRIGGER_POD = 'etc-writer';

const LOGS_WHERE = `kubectl -n ${FALCO_NAMESPACE} logs -l ${FALCO_SELECTOR} -c ${FALCO_CONTAINER}`;
const INSTALL_ADVICE =
  'Install Falco as in step 1: `kubectl apply -f /root/labs/falco/manifests/install/` on the control plane (or the Helm chart with driver.kind=modern_ebpf).';

// ---- gathering ---------------------------------------------------------------

interface FalcoPod {
  pod: V1Pod;
  name: string;
  node: string;
  container: V1Container | undefined;
  running: boolean;
  log: FalcoLog;
}

async function falcoPods(view: ClusterView): Promise<FalcoPod[]> {
  const listed = await view.listPods(FALCO_NAMESPACE, { labelSelector: FALCO_SELECTOR });
  // Right after a restart the old pods linger while they terminate: their
  // logs are what the previous rules and config did, not what runs now.
  const current = listed.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
  const pods = current.length > 0 ? current : listed;
  return Promise.all(
    pods.map(async (pod): Promise<FalcoPod> => {
      const name = pod.metadata?.name ?? '?';
      const container = pod.spec?.containers.find((c) => c.name === FALCO_CONTAINER);
      const status = containerStatusOf(pod, FALCO_CONTAINER);
      const running = status?.state?.running !== undefined;
      // A crashed Falco explains itself in the previous instance's log.
      const previous = !running && (status?.restartCount ?? 0) > 0;
      const text =
        running || previous ? await view.podLogs(FALCO_NAMESPACE, name, { container: FALCO_CONTAINER, previous }) : '';
      return { pod, name, node: pod.spec?.nodeName ?? '?', container, running, log: parseFalcoLog(text) };
    }),
  );
}

/** The ConfigMap (and key, for subPath mounts) behind a path in the Falco container. */
function configMapAt(pod: V1Pod, mountPath: string): { name: string; key?: string } | undefined {
  const container = pod.spec?.containers.find((c) => c.name === FALCO_CONTAINER);
  const mount = container?.volumeMounts?.find((m) => m.mountPath.replace(/\/$/, '') === mountPath);
  const volume = mount && pod.spec?.volumes?.find((v) => v.name === mount.name);
  if (!mount || !volume?.configMap?.name) return undefined;
  if (mount.subPath === undefined) return { name: volume.configMap.name };
  // subPath names a path inside the volume; items may map it to another key.
  const item = volume.configMap.items?.find((i) => i.path === mount.subPath);
  return { name: volume.configMap.name, key: item?.key ?? mount.subPath };
}

async function configMapData(view: ClusterView, name: string): Promise<Record<string, string> | undefined> {
  const object = (await view.getObject({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: FALCO_NAMESPACE })) as
    (KubernetesObject & { data?: Record<string, string> }) | undefined;
  return object === undefined ? undefined : (object.data ?? {});
}

interface RulesSource {
  configMap: string;
  exists: boolean;
  files: RulesFile[];
  /** Keys Falco does not load (not .yaml/.yml). */
  skipped: string[];
}

async function rulesSource(view: ClusterView, pod: V1Pod): Promise<RulesSource | undefined> {
  const ref = configMapAt(pod, RULES_DIR);
  if (!ref) return undefined;
  const data = await configMapData(view, ref.name);
  if (!data) return { configMap: ref.name, exists: false, files: [], skipped: [] };
  const keys = Object.keys(data).sort();
  return {
    configMap: ref.name,
    exists: true,
    files: keys.filter(isRulesFileName).map((key) => parseRulesFile(key, data[key] ?? '')),
    skipped: keys.filter((key) => !isRulesFileName(key)),
  };
}

function okItems(source: RulesSource | undefined): { file: string; item: RuleItem }[] {
  return (source?.files ?? []).flatMap((f) => (f.ok ? f.items.map((item) => ({ file: f.key, item })) : []));
}

/** New rules of the custom files (not overrides, not disabled): the learner's own detections. */
function customRules(source: RulesSource | undefined): { file: string; item: RuleItem }[] {
  return okItems(source).filter(({ item }) => isRuleDefinition(item) && item.data.enabled !== false);
}

/**
 * The stock rules file of the running Falco, for its macros and lists
 * (open_write, container, etc_dir, ...): read from the image Falco runs, so
 * the model uses the same definitions Falco does. Undefined when no Falco
 * runs or the file cannot be read; rules that use stock macros then cannot
 * be simulated, which is not held against them.
 */
async function stockItems(view: ClusterView, pods: FalcoPod[]): Promise<RuleItem[] | undefined> {
  const falco = pods.find((p) => p.running);
  if (!falco) return undefined;
  const result = await view.execInPod(
    { namespace: FALCO_NAMESPACE, pod: falco.name, container: FALCO_CONTAINER },
    ['cat', STOCK_RULES],
    { timeoutMs: 8_000 },
  );
  if (result.exitCode !== 0) return undefined;
  const parsed = parseRulesFile('falco_rules.yaml', result.stdout);
  return parsed.ok ? parsed.items : undefined;
}

interface RuleVerdict {
  file: string;
  item: RuleItem;
  trigger: Tri;
  /** Harmless events the rule fires for (true) or may fire for (unknown). */
  noisy: { what: string; result: Tri }[];
}

/** What each custom rule does with the step's attack and with everyday activity. */
function judgeRules(rules: { file: string; item: RuleItem }[], context: ConditionContext): RuleVerdict[] {
  return rules.map(({ file, item }) => {
    const condition = String(item.data.condition);
    const judge = (event: FalcoEvent): Tri => evaluateCondition(condition, event, context);
    // Exceptions only narrow a rule; the model does not apply them, so a
    // rule with exceptions is never called too broad on the model's word.
    const hasExceptions = Array.isArray(item.data.exceptions) && item.data.exceptions.length > 0;
    return {
      file,
      item,
      trigger: judge(TRIGGER_EVENT.event),
      noisy: HARMLESS_EVENTS.map(({ what, event }) => {
        const result = judge(event);
        return { what, result: hasExceptions && result === true ? 'unknown' : result };
      }).filter(({ result }) => result !== false),
    };
  });
}

/** Fields whose value in an alert names the file, and the pod (or its container). */
const FILE_FIELDS = ['fd.name', 'fd.nameraw', 'fs.path.name'];
const POD_FIELDS = ['k8s.pod.name', 'container.name'];

function outputNames(output: string, fields: readonly string[]): boolean {
  return fields.some((f) => new RegExp(`%${f.replace(/\./g, '\\.')}(?![\\w.])`).test(output));
}

function cmWhere(source: RulesSource, key?: string): string {
  return `ConfigMap ${FALCO_NAMESPACE}/${source.configMap}${key ? ` key ${key}` : ''}`;
}

// ---- findings shared by several steps ----------------------------------------------

function noPodsFinding(): Finding {
  return fail(`Falco pods (label ${FALCO_SELECTOR}) run in namespace ${FALCO_NAMESPACE}`, 'no such pods', {
    advice: INSTALL_ADVICE,
    code: 'FALCO_NOT_INSTALLED',
  });
}

/** Why a Falco pod is not running, with the fix for the usual causes. */
function podHealthFinding(falco: FalcoPod): Finding {
  const expected = `Falco pod ${falco.name} (node ${falco.node}) is Running`;
  const where = `pod ${FALCO_NAMESPACE}/${falco.name}`;
  if (falco.running) return pass(expected, describeContainerState(falco.pod, FALCO_CONTAINER), where);
  const state = describeContainerState(falco.pod, FALCO_CONTAINER);
  if (/ErrImagePull|ImagePullBackOff|ErrImageNeverPull/.test(state)) {
    return fail(expected, state, {
      where,
      advice: `The node cannot get Falco's image. With internet it pulls it; offline, load it into the nodes first: \`kind load docker-image ${FALCO_IMAGE} --name hardening-lab\` on the host (with your cluster's name if it is not the default).`,
      code: 'FALCO_IMAGE_MISSING',
    });
  }
  const lastError = falco.log.errors.at(-1);
  const found = lastError ? `${state}; last error: ${lastError}` : state;
  if (lastError && /inotify/i.test(lastError)) {
    return fail(expected, found, {
      where,
      advice:
        'The host ran out of inotify instances. On the host: `sudo sysctl fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288`, then delete the Falco pod.',
      code: 'INOTIFY_LIMIT',
    });
  }
  if (lastError && /btf|vmlinux|bpf/i.test(lastError)) {
    return fail(expected, found, {
      where,
      advice: 'The modern eBPF probe could not load: the host kernel needs BTF (/sys/kernel/btf/vmlinux, Linux ≥ 5.8).',
      code: 'PROBE_NOT_LOADED',
    });
  }
  if (falco.log.errors.some((e) => /rules|LOAD_ERR/i.test(e))) {
    return fail(expected, found, {
      where,
      advice:
        'Falco refused a rules file and exited. Fix the rule named in the error (the ConfigMap), then delete the Falco pods to restart them.',
      code: 'RULES_REJECTED',
    });
  }
  return fail(expected, found, {
    where,
    advice: `Look at \`kubectl -n ${FALCO_NAMESPACE} describe pod ${falco.name}\` and its logs.`,
    code: 'FALCO_NOT_RUNNING',
  });
}

/** Whether Falco's latest rules load includes the file, and without errors. */
function loadedFinding(falco: FalcoPod, key: string): Finding {
  const path = `${RULES_DIR}/${key}`;
  const expected = `Falco on node ${falco.node} loaded ${path} without errors`;
  const where = `kubectl -n ${FALCO_NAMESPACE} logs ${falco.name} -c ${FALCO_CONTAINER}`;
  const status = falco.log.loadedRules.get(path);
  const error = falco.log.errors.find((e) => e.includes(key) || /LOAD_ERR/.test(e));
  if (error)
    return fail(expected, error, {
      where,
      advice: 'Falco rejected the rules: fix what the error names in the ConfigMap.',
      code: 'RULES_REJECTED',
    });
  if (status === undefined) {
    return fail(
      expected,
      falco.log.sawRulesLoad
        ? `not in Falco's latest "Loading rules from" list`
        : 'no "Loading rules from" block in the log',
      {
        where,
        advice: `A new or changed ConfigMap reaches the pod within about a minute and Falco reloads by itself; to be quick, restart it: \`kubectl -n ${FALCO_NAMESPACE} rollout restart daemonset/falco && kubectl -n ${FALCO_NAMESPACE} rollout status daemonset/falco\`.`,
        code: 'RULES_NOT_LOADED',
      },
    );
  }
  return status === 'ok'
    ? pass(expected, `${path} | schema validation: ok`, where)
    : fail(expected, `${path} | schema validation: ${status}`, {
        where,
        advice: 'Falco read the file but its schema validation did not pass: the log lines after it name the problem.',
        code: 'RULES_SCHEMA_INVALID',
      });
}

/** Rules added by editing files inside the pod: they vanish with the pod. */
async function editedInPodFinding(view: ClusterView, falco: FalcoPod | undefined): Promise<Finding | undefined> {
  if (!falco?.running) return undefined;
  const result = await view.execInPod({ namespace: FALCO_NAMESPACE, pod: falco.name, container: FALCO_CONTAINER }, [
    'cat',
    LOCAL_RULES,
  ]);
  if (result.exitCode !== 0 || !/^\s*-\s*(rule|macro|list):/m.test(result.stdout)) return undefined;
  return fail(
    'custom rules come from a ConfigMap mounted at /etc/falco/rules.d',
    `rules written into ${LOCAL_RULES} inside pod ${falco.name}`,
    {
      where: `kubectl -n ${FALCO_NAMESPACE} exec ${falco.name} -c ${FALCO_CONTAINER} -- cat ${LOCAL_RULES}`,
      advice:
        'Editing files inside the Falco pod (as the blog does) is lost when the pod restarts, reaches only that one node, and the file may not even be in rules_files. Put the rule in the ConfigMap instead (Helm: the customRules value).',
      code: 'RULES_EDITED_IN_POD',
    },
  );
}

/** A rule pasted into falco.yaml: Falco reads rules only from rules_files. */
async function rulesInConfigFinding(view: ClusterView, pod: V1Pod): Promise<Finding | undefined> {
  const ref = configMapAt(pod, FALCO_YAML);
  if (!ref) return undefined;
  const text = (await configMapData(view, ref.name))?.[ref.key ?? 'falco.yaml'];
  if (!text || !/^\s*-\s*rule:/m.test(text)) return undefined;
  return fail('rules live in the rules ConfigMap, not in falco.yaml', `a "- rule:" entry inside ${FALCO_YAML}`, {
    where: `ConfigMap ${FALCO_NAMESPACE}/${ref.name} key ${ref.key ?? 'falco.yaml'}`,
    advice:
      'falco.yaml is configuration; Falco ignores rules there. Move the rule to the ConfigMap mounted at /etc/falco/rules.d.',
    code: 'RULES_IN_FALCO_YAML',
  });
}

function collectAlerts(pods: FalcoPod[]): { alert: FalcoAlert; falco: FalcoPod }[] {
  return pods.flatMap((falco) => falco.log.alerts.map((alert) => ({ alert, falco })));
}

/** The custom rules ConfigMap: present, parseable, loaded; with a finding for each problem. */
async function rulesState(
  view: ClusterView,
  pods: FalcoPod[],
): Promise<{ source: RulesSource | undefined; findings: Finding[] }> {
  const first = pods[0];
  if (!first) return { source: undefined, findings: [noPodsFinding()] };
  const findings: Finding[] = [];
  const source = await rulesSource(view, first.pod);
  const misplaced = [await rulesInConfigFinding(view, first.pod)].filter((f): f is Finding => f !== undefined);
  if (!source || !source.exists) {
    const expected = source
      ? `ConfigMap ${FALCO_NAMESPACE}/${source.configMap} (mounted at ${RULES_DIR}) exists`
      : `a ConfigMap is mounted at ${RULES_DIR} in the Falco pods`;
    findings.push(
      fail(expected, source ? 'no such ConfigMap' : `nothing mounted at ${RULES_DIR}`, {
        where: `pod ${FALCO_NAMESPACE}/${first.name}`,
        advice: source
          ? `Create it from your rules file: \`kubectl -n ${FALCO_NAMESPACE} create configmap ${source.configMap} --from-file=hardening-lab-rules.yaml\`.`
          : 'With Helm, pass the rules as customRules (the chart mounts them there); with the lab manifests, the DaemonSet mounts ConfigMap falco-rules there.',
        code: source ? 'RULES_CONFIGMAP_MISSING' : 'RULES_NOT_MOUNTED',
      }),
      ...misplaced,
    );
    const edited = await editedInPodFinding(
      view,
      pods.find((p) => p.running),
    );
    if (edited) findings.push(edited);
    return { source, findings };
  }
  for (const key of source.skipped) {
    findings.push(
      fail(`every key of ${cmWhere(source)} ends in .yaml or .yml`, `key "${key}"`, {
        where: cmWhere(source, key),
        advice: `Falco (≥ 0.41) loads only .yaml/.yml files from a rules directory: it skips ${RULES_DIR}/${key} without a word. Rename the key.`,
        code: 'RULES_FILE_SKIPPED',
      }),
    );
  }
  for (const file of source.files) {
    if (!file.ok)
      findings.push(
        fail(`${cmWhere(source, file.key)} is a valid Falco rules file`, file.error, {
          where: cmWhere(source, file.key),
          advice:
            'Falco refuses a rules file that is not a YAML list of rule/macro/list entries: fix the YAML (indentation, quotes) at the position named.',
          code: 'RULES_YAML_INVALID',
        }),
      );
  }
  findings.push(...misplaced);
  return { source, findings };
}

// ---- step 1: Falco runs with the modern eBPF probe and JSON output --------------------------------------

export const falcoRunning: Check = async (view) => {
  const pods = await falcoPods(view);
  if (pods.length === 0) return [noPodsFinding()];
  const findings: Finding[] = pods.map(podHealthFinding);
  const first = pods[0];
  if (!first) return findings;
  const ref = configMapAt(first.pod, FALCO_YAML);
  const configText = ref ? (await configMapData(view, ref.name))?.[ref.key ?? 'falco.yaml'] : undefined;
  const configWhere = ref
    ? `ConfigMap ${FALCO_NAMESPACE}/${ref.name} key ${ref.key ?? 'falco.yaml'}`
    : `pod ${FALCO_NAMESPACE}/${first.name}`;
  const config =
    configText === undefined
      ? undefined
      : ((parseDocument(configText).toJSON() as Record<string, unknown> | null) ?? {});

  // Driver: the log line is behaviour; the config is the fallback when the log rolled over.
  const driverExpected = 'Falco uses the modern eBPF probe (engine.kind: modern_ebpf)';
  const engine = config?.engine as { kind?: unknown } | undefined;
  const running = pods.filter((p) => p.running);
  if (running.length > 0 && running.every((p) => p.log.modernBpf)) {
    findings.push(pass(driverExpected, "log: Opening 'syscall' source with modern BPF probe.", LOGS_WHERE));
  } else if (engine?.kind === 'modern_ebpf') {
    findings.push(pass(driverExpected, 'engine.kind: modern_ebpf', configWhere));
  } else {
    findings.push(
      fail(
        driverExpected,
        engine?.kind === undefined
          ? 'no engine.kind in falco.yaml and no modern BPF line in the log'
          : `engine.kind: ${String(engine.kind)}`,
        {
          where: configWhere,
          advice:
            'Use the modern eBPF probe: it is built into Falco (no kernel module to build or download). Helm: --set driver.kind=modern_ebpf; manifests: engine.kind: modern_ebpf in falco.yaml.',
          code: 'DRIVER_NOT_MODERN_EBPF',
        },
      ),
    );
  }

  // JSON alerts: what the later checks (and any log pipeline) parse.
  const jsonExpected = 'falco.yaml sets json_output: true';
  if (config?.json_output === true) findings.push(pass(jsonExpected, 'json_output: true', configWhere));
  else {
    findings.push(
      fail(
        jsonExpected,
        config === undefined
          ? 'falco.yaml not found in a ConfigMap'
          : `json_output: ${String(config.json_output ?? 'unset (false)')}`,
        {
          where: configWhere,
          advice:
            'Turn on JSON alerts: Helm --set falco.json_output=true; manifests: json_output: true. Each alert then is one JSON line with rule, output and output_fields.',
          code: 'JSON_OUTPUT_OFF',
        },
      ),
    );
  }

  // Alerts must reach `kubectl logs` when they happen, not when a buffer fills.
  const flushExpected = 'alerts are written at once (tty: true on the falco container, or buffered_outputs: false)';
  if (first.container?.tty === true)
    findings.push(
      pass(flushExpected, 'tty: true', `pod ${FALCO_NAMESPACE}/${first.name} container ${FALCO_CONTAINER}`),
    );
  else if (config?.buffered_outputs === false)
    findings.push(pass(flushExpected, 'buffered_outputs: false', configWhere));
  else {
    findings.push(
      fail(flushExpected, 'no tty and buffered outputs', {
        where: `pod ${FALCO_NAMESPACE}/${first.name} container ${FALCO_CONTAINER}`,
        advice:
          'Without a TTY Falco buffers stdout and alerts show up in the logs late (or only when the buffer fills). Helm: --set tty=true.',
        code: 'OUTPUT_BUFFERED',
      }),
    );
  }
  return findings;
};

// ---- step 2: a custom rule for writes below /etc, from a ConfigMap, loaded ------------------------------------
//
// The rule is judged by what it does, not by how it is spelled: Falco's own
// log says whether it loads, and its condition (macros and lists expanded as
// Falco expands them) is evaluated on the step's attack and on everyday
// activity. `etc_dir`, a macro of the learner's own, `fd.directory = /etc` or
// `fd.name pmatch (/etc)` are all the same rule.

/** The priorities Falco accepts in a rule, lower-cased (it also takes "info" for informational). */
const FALCO_PRIORITIES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'debug',
  'info',
];

const RULE_EXAMPLE = 'condition: open_write and container and fd.name startswith /etc/';

export const customRuleLoaded: Check = async (view) => {
  const pods = await falcoPods(view);
  const { source, findings } = await rulesState(view, pods);
  if (!source?.exists) return findings;
  const rules = customRules(source);
  const expected = `a rule in ${cmWhere(source)} that fires when a process in a container opens a file below /etc for writing`;
  // A skipped key or a file that does not parse already explains a missing rule.
  if (rules.length === 0 && findings.some((f) => !f.ok)) return findings;
  if (rules.length === 0) {
    findings.push(
      fail(expected, 'no new rule (only overrides, macros or lists, or nothing)', {
        where: cmWhere(source),
        advice: `Add a rule with rule, desc, condition, output and priority, e.g. ${RULE_EXAMPLE} (the stock "Write below etc" is in the sandbox ruleset, which Falco does not load).`,
        code: 'NO_CUSTOM_RULE',
      }),
    );
    const edited = await editedInPodFinding(
      view,
      pods.find((p) => p.running),
    );
    if (edited) findings.push(edited);
    return findings;
  }

  for (const { file, item } of rules) {
    const priority = item.data.priority;
    if (typeof priority === 'string' && !FALCO_PRIORITIES.includes(priority.trim().toLowerCase()))
      findings.push(
        fail(`rule "${item.name}" has a priority Falco knows`, `priority: ${priority}`, {
          where: `${cmWhere(source, file)} line ${item.line}`,
          advice: `Falco refuses the file for an unknown priority. Use one of ${FALCO_PRIORITIES.slice(0, 8).join(', ')} (any case), e.g. WARNING.`,
          code: 'RULE_PRIORITY_INVALID',
        }),
      );
  }
  const complete = rules.filter(({ item }) => missingRuleKeys(item).length === 0);
  for (const { file, item } of rules) {
    const missing = missingRuleKeys(item);
    if (missing.length > 0)
      findings.push(
        fail(`rule "${item.name}" has desc, condition, output and priority`, `missing: ${missing.join(', ')}`, {
          where: `${cmWhere(source, file)} line ${item.line}`,
          advice: 'Falco rejects a new rule without all four keys (an override entry needs only the keys it changes).',
          code: 'RULE_MISSING_KEYS',
        }),
      );
  }

  // What the rules do: the stock macros and lists first, then the custom files in load order.
  const stock = await stockItems(view, pods);
  const context = buildContext([...(stock ?? []), ...okItems(source).map(({ item }) => item)]);
  const verdicts = judgeRules(complete, context);
  const detecting = verdicts.filter((v) => v.trigger === true);
  const undecided = verdicts.filter((v) => v.trigger === 'unknown');
  if (complete.length > 0 && detecting.length === 0 && undecided.length === 0) {
    findings.push(
      fail(
        expected,
        `${verdicts.map((v) => `rule "${v.item.name}"`).join(', ')}: no match when ${TRIGGER_EVENT.what}`,
        {
          where: cmWhere(source),
          advice: `No rule of yours fires for the step's attack. A common slip is open_read (reads) for open_write, or a path test that misses /etc/<file>. Example: ${RULE_EXAMPLE}.`,
          code: 'RULE_MISSES_TRIGGER',
        },
      ),
    );
  }
  for (const verdict of detecting) {
    const where = `${cmWhere(source, verdict.file)} line ${verdict.item.line}`;
    const broad = verdict.noisy.filter((n) => n.result === true);
    if (broad.length > 0) {
      findings.push(
        fail(
          `rule "${verdict.item.name}" fires for writes below /etc in containers and stays quiet for harmless activity`,
          `it also fires when ${broad.map((b) => b.what).join('; and when ')}`,
          {
            where,
            advice:
              'A rule that fires for everyday activity buries the real alert. It must need all three: a write (open_write, not any open), a path below /etc, and a container (the container macro).',
            code: 'RULE_TOO_BROAD',
          },
        ),
      );
      continue;
    }
    const unsure = verdict.noisy.map((n) => n.what);
    findings.push(
      pass(
        expected,
        `rule "${verdict.item.name}" fires for it${unsure.length > 0 ? ` (could not tell for: ${unsure.join('; ')})` : ', not for a read below /etc, a write to /tmp, or a write on the node itself'}`,
        where,
      ),
    );
  }
  for (const verdict of detecting.length > 0 ? [] : undecided) {
    // Not a verdict against the rule: Falco's log says whether it loads, step 3 sees its alert.
    findings.push(
      pass(
        expected,
        `rule "${verdict.item.name}": ${String(verdict.item.data.condition).trim()} (uses what this check cannot simulate${stock ? '' : ', or Falco is not running to read its stock macros from'}; step 3 judges its alert)`,
        `${cmWhere(source, verdict.file)} line ${verdict.item.line}`,
      ),
    );
  }

  // The alert must say which file and which pod: what anyone reading it needs first.
  const judged = detecting.length > 0 ? detecting : undecided;
  for (const { file, item } of judged) {
    const output = String(item.data.output);
    const lacks = [
      outputNames(output, FILE_FIELDS) ? '' : '%fd.name (the file)',
      outputNames(output, POD_FIELDS) ? '' : '%k8s.pod.name (the pod)',
    ].filter(Boolean);
    if (lacks.length > 0)
      findings.push(
        fail(`the output of rule "${item.name}" names the file and the pod`, `no ${lacks.join(' and no ')}`, {
          where: `${cmWhere(source, file)} line ${item.line}`,
          advice:
            'Put %fd.name and %k8s.pod.name (and %k8s.ns.name) in the output: each becomes an output_fields entry of the JSON alert, and the alert is useless without them.',
          code: 'OUTPUT_MISSING_FIELDS',
        }),
      );
  }

  const files = [...new Set((judged.length > 0 ? judged : complete).map((c) => c.file))];
  for (const falco of pods.filter((p) => p.running)) for (const key of files) findings.push(loadedFinding(falco, key));
  for (const falco of pods.filter((p) => !p.running)) findings.push(podHealthFinding(falco));
  return findings;
};

// ---- step 3: the custom rule fires for a write below /etc in the trigger pod, and not for harmless activity -----------

/** What the check itself does in etc-writer to see whether the rule also fires for harmless activity. */
export const HARMLESS_PROBE = ['sh', '-c', 'cat /etc/hostname > /dev/null; echo ok > /tmp/hl-falco-harmless'];
const HARMLESS_FILES = new Set(['/etc/hostname', '/tmp/hl-falco-harmless']);
/** Falco writes an alert within milliseconds (tty); this leaves room for a loaded node. */
const HARMLESS_WAIT_MS = 2500;

/** Step 3's check; the wait after the harmless probe is a parameter so recordings need not sleep. */
export function makeAlertFired(harmlessWaitMs: number): Check {
  return (view) => judgeAlert(view, harmlessWaitMs);
}

export const alertFired: Check = makeAlertFired(HARMLESS_WAIT_MS);

async function judgeAlert(view: ClusterView, harmlessWaitMs: number): Promise<Finding[]> {
  const [pods, trigger] = await Promise.all([falcoPods(view), view.getPod(LAB_NAMESPACE, TRIGGER_POD)]);
  const findings: Finding[] = [];
  const podExpected = `pod ${LAB_NAMESPACE}/${TRIGGER_POD} is Running`;
  const triggerRunning =
    trigger !== undefined &&
    containerStatusOf(trigger, trigger.spec?.containers[0]?.name ?? '')?.state?.running !== undefined;
  if (!trigger) {
    findings.push(
      fail(podExpected, 'no such pod', {
        advice: 'Create it as in the step: kubectl apply -f /root/labs/falco/manifests/etc-writer.yaml.',
        code: 'TRIGGER_POD_MISSING',
      }),
    );
  } else if (!triggerRunning) {
    findings.push(
      fail(podExpected, describeContainerState(trigger, trigger.spec?.containers[0]?.name ?? ''), {
        where: `pod ${LAB_NAMESPACE}/${TRIGGER_POD}`,
        advice: `Wait for it: kubectl -n ${LAB_NAMESPACE} wait --for=condition=Ready pod/${TRIGGER_POD}.`,
        code: 'TRIGGER_POD_NOT_RUNNING',
      }),
    );
  }
  if (pods.length === 0) return [...findings, noPodsFinding()];
  const source = pods[0] ? await rulesSource(view, pods[0].pod) : undefined;
  const rules = customRules(source);
  const names = new Set(rules.map((r) => r.item.name));
  const expected = `a JSON alert from your rule for a file below /etc in pod ${LAB_NAMESPACE}/${TRIGGER_POD}`;
  if (names.size === 0) {
    findings.push(
      fail(expected, 'no custom rule in the rules ConfigMap', {
        where: source ? cmWhere(source) : `${RULES_DIR} in the Falco pods`,
        advice:
          'Without a custom rule nothing fires: "Write below etc" is in the sandbox ruleset, which Falco does not load by default. Do step 2 first.',
        code: 'NO_CUSTOM_RULE',
      }),
    );
    return findings;
  }
  const alerts = collectAlerts(pods).filter(({ alert }) => names.has(alert.rule));
  const mine = alerts.filter(
    ({ alert }) =>
      forTriggerPod(alert) &&
      !HARMLESS_FILES.has(alertFile(alert) ?? '') &&
      (alertFile(alert) ?? '').startsWith('/etc/'),
  );
  const hit = mine[0];
  if (hit) {
    findings.push(
      pass(
        expected,
        `${describeAlert(hit.alert)} (reported by ${hit.falco.name} on ${hit.falco.node})`,
        `kubectl -n ${FALCO_NAMESPACE} logs ${hit.falco.name} -c ${FALCO_CONTAINER}`,
      ),
    );
    if (triggerRunning) findings.push(await harmlessFinding(view, pods, names, harmlessWaitMs));
    return findings;
  }
  if (alerts.length > 0) {
    const others = [...new Set(alerts.map(({ alert }) => describeAlert(alert)))].slice(0, 3);
    findings.push(
      fail(expected, `alerts from your rule, but not for a file below /etc in ${TRIGGER_POD}: ${others.join('; ')}`, {
        where: LOGS_WHERE,
        advice: `Those came from another pod or file (or from a Falco pod on a node that cannot name the container). Write below /etc inside ${TRIGGER_POD}: kubectl -n ${LAB_NAMESPACE} exec ${TRIGGER_POD} -- sh -c 'echo hacked >> /etc/hl-falco-probe'.`,
        code: 'ALERT_NOT_FOR_TRIGGER',
      }),
    );
    return findings;
  }
  const textAlerts = pods.flatMap((p) => p.log.textAlerts);
  if (textAlerts.length > 0) {
    findings.push(
      fail(expected, `alerts are plain text, not JSON: ${textAlerts[0] ?? ''}`, {
        where: LOGS_WHERE,
        advice:
          'Set json_output: true (Helm: --set falco.json_output=true) so each alert is one JSON object with rule and output_fields.',
        code: 'JSON_OUTPUT_OFF',
      }),
    );
    return findings;
  }
  const running = pods.filter((p) => p.running);
  if (running.length === 0) {
    // Nothing is watching: say why Falco is down rather than "no alert".
    findings.push(
      fail(expected, 'no alert: no Falco pod is running', {
        where: LOGS_WHERE,
        advice: 'Falco must run to see the write: the findings below say why it does not.',
        code: 'FALCO_NOT_RUNNING',
      }),
      ...pods.map(podHealthFinding),
    );
    return findings;
  }
  const loaded = running.filter((p) => rules.some((r) => p.log.loadedRules.get(`${RULES_DIR}/${r.file}`) === 'ok'));
  if (loaded.length === 0) {
    findings.push(
      fail(
        expected,
        `no alert: no running Falco pod has loaded ${[...new Set(rules.map((r) => `${RULES_DIR}/${r.file}`))].join(', ')}`,
        {
          where: LOGS_WHERE,
          advice: `Falco is not running your rule yet, so the write went unnoticed. Restart it (\`kubectl -n ${FALCO_NAMESPACE} rollout restart daemonset/falco\`), wait until it is Ready, then write again.`,
          code: 'RULES_NOT_LOADED',
        },
      ),
    );
    return findings;
  }
  findings.push(
    fail(
      expected,
      `no alert from ${[...names].map((n) => `"${n}"`).join(', ')} for a file below /etc in ${TRIGGER_POD}`,
      {
        where: LOGS_WHERE,
        advice: `Write below /etc in the pod (kubectl -n ${LAB_NAMESPACE} exec ${TRIGGER_POD} -- sh -c 'echo hacked >> /etc/hl-falco-probe') and check again; the alert appears within a second or two. A read (cat) or a write elsewhere is not what the rule is for. If you did write, your rule does not match it: compare its condition with step 2.`,
        code: 'ALERT_MISSING',
      },
    ),
  );
  return findings;
}

/**
 * Behaviour on the quiet side: the check reads a file below /etc and writes
 * one in /tmp inside etc-writer, then looks for alerts of the custom rules
 * about it. Only alerts since Falco's latest rules load count, so a rule
 * fixed since an earlier check is not blamed for its old alerts.
 */
async function harmlessFinding(
  view: ClusterView,
  pods: FalcoPod[],
  names: ReadonlySet<string>,
  waitMs: number,
): Promise<Finding> {
  const expected = `your rule stays quiet when the check reads /etc/hostname and writes /tmp/hl-falco-harmless in ${TRIGGER_POD}`;
  const before = new Map(pods.map((p) => [p.name, p.log.alertsSinceLoad.length]));
  await view.execInPod({ namespace: LAB_NAMESPACE, pod: TRIGGER_POD }, HARMLESS_PROBE, { timeoutMs: 8_000 });
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  const after = await falcoPods(view);
  const noisy = after.flatMap((falco) =>
    falco.log.alertsSinceLoad.filter((alert, index) => {
      if (!names.has(alert.rule) || !forTriggerPod(alert)) return false;
      // The probe's files (also from an earlier check since the latest load),
      // or anything new for etc-writer since the probe, e.g. the shell's own
      // reads below /etc for a rule that fires on any open.
      const seen = before.get(falco.name);
      return HARMLESS_FILES.has(alertFile(alert) ?? '') || (seen !== undefined && index >= seen);
    }),
  );
  if (noisy.length === 0) return pass(expected, 'no alert of your rules for it', LOGS_WHERE);
  return fail(expected, [...new Set(noisy.map(describeAlert))].slice(0, 3).join('; '), {
    where: LOGS_WHERE,
    advice:
      'Your rule fires for everyday activity, so its alerts mean nothing. It must need a write (open_write, not any open), a path below /etc and a container; then trigger it again.',
    code: 'RULE_TOO_BROAD',
  });
}

function forTriggerPod(alert: FalcoAlert): boolean {
  const ns = field(alert, 'k8s.ns.name');
  return alertPod(alert, [TRIGGER_POD]) === TRIGGER_POD && (ns === undefined || ns === LAB_NAMESPACE);
}

// ---- step 4: override an existing rule with `override:` (not `append: true`) ----------------------------------------

export const overrideApplied: Check = async (view) => {
  const pods = await falcoPods(view);
  const { source, findings } = await rulesState(view, pods);
  if (!source?.exists) return findings;
  const items = okItems(source);

  for (const { file, item } of items.filter(({ item }) => item.data.append === true)) {
    findings.push(
      fail(
        `entries change existing ${item.kind}s with override:, not append: true`,
        `${item.kind} "${item.name}" uses append: true`,
        {
          where: `${cmWhere(source, file)} line ${item.line}`,
          advice: `append: true is deprecated (Falco warns LOAD_DEPRECATED_ITEM). Write the same entry with override: {${item.kind === 'list' ? 'items' : 'condition'}: append} instead, and only the keys you change.`,
          code: 'APPEND_DEPRECATED',
        },
      ),
    );
  }

  const overrides = items.filter(({ item }) => overrideOf(item) !== undefined);
  const expected = 'an override: entry replacing the output of an existing rule';
  for (const { file, item } of overrides) {
    const override = overrideOf(item) ?? {};
    for (const [key, how] of Object.entries(override)) {
      if (how !== 'append' && how !== 'replace') {
        findings.push(
          fail(`override.${key} is "append" or "replace"`, `override.${key}: ${String(how)}`, {
            where: `${cmWhere(source, file)} line ${item.line}`,
            advice: 'Falco knows only append and replace for each key of override:.',
            code: 'OVERRIDE_MODE_INVALID',
          }),
        );
      } else if (!(key in item.data)) {
        findings.push(
          fail(
            `the entry for "${item.name}" carries the ${key} it says to ${how}`,
            `override.${key}: ${how} but no ${key}: key`,
            {
              where: `${cmWhere(source, file)} line ${item.line}`,
              advice: `Next to override:, give the new value, e.g. ${key}: ...`,
              code: 'OVERRIDE_VALUE_MISSING',
            },
          ),
        );
      }
    }
  }
  const outputOverrides = overrides.filter(
    ({ item }) =>
      item.kind === 'rule' && overrideOf(item)?.output === 'replace' && typeof item.data.output === 'string',
  );
  if (outputOverrides.length === 0) {
    findings.push(
      fail(
        expected,
        overrides.length > 0
          ? `overrides found (${overrides.map(({ item }) => `"${item.name}"`).join(', ')}), none with output: replace`
          : 'no entry with override:',
        {
          where: cmWhere(source),
          advice:
            'Add an entry with the stock rule\'s exact name, your new output, and override: {output: replace}, e.g. for "Read sensitive file untrusted". Do not copy the whole rule and do not edit falco_rules.yaml: updates overwrite it.',
          code: 'NO_OUTPUT_OVERRIDE',
        },
      ),
    );
    return findings;
  }
  for (const { file, item } of outputOverrides)
    findings.push(
      pass(expected, `rule "${item.name}": override: {output: replace}`, `${cmWhere(source, file)} line ${item.line}`),
    );

  const running = pods.filter((p) => p.running);
  const files = [...new Set(outputOverrides.map((o) => o.file))];
  for (const falco of running) for (const key of files) findings.push(loadedFinding(falco, key));
  for (const falco of pods.filter((p) => !p.running)) findings.push(podHealthFinding(falco));

  // Behaviour: an alert of the overridden rule carrying the new output text.
  const alerts = collectAlerts(pods);
  for (const { item } of outputOverrides) {
    const literal = outputLiteral(String(item.data.output));
    const behaviourExpected = `an alert of "${item.name}" with your output ("${literal}")`;
    const ofRule = alerts.filter(({ alert }) => alert.rule === item.name);
    const hit = ofRule.find(({ alert }) => alert.output.replace(/\s+/g, ' ').includes(literal));
    if (hit) {
      findings.push(
        pass(
          behaviourExpected,
          hit.alert.output,
          `kubectl -n ${FALCO_NAMESPACE} logs ${hit.falco.name} -c ${FALCO_CONTAINER}`,
        ),
      );
    } else if (ofRule.length > 0) {
      findings.push(
        fail(behaviourExpected, `alerts of "${item.name}" still read: ${ofRule.at(-1)?.alert.output ?? ''}`, {
          where: LOGS_WHERE,
          advice:
            'Those alerts predate the override or Falco has not reloaded: wait for the reload (or restart the DaemonSet) and trigger the rule again.',
          code: 'OVERRIDE_NOT_SEEN',
        }),
      );
    } else {
      findings.push(
        fail(behaviourExpected, `no alert of "${item.name}" in the Falco logs`, {
          where: LOGS_WHERE,
          advice:
            item.name === 'Read sensitive file untrusted'
              ? `Trigger it: kubectl -n ${LAB_NAMESPACE} exec ${TRIGGER_POD} -- cat /etc/shadow`
              : `Trigger "${item.name}" once so the new output can be seen.`,
          code: 'OVERRIDE_NOT_TRIGGERED',
        }),
      );
    }
  }
  return findings;
};
