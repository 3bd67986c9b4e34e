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
  const pods = await view.listPods(FALCO_NAMESPACE, { labelSelector: FALCO_SELECTOR });
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

/** Custom rules that look at writes below /etc: the lab's detection rule. */
function etcRules(source: RulesSource | undefined): { file: string; item: RuleItem }[] {
  return okItems(source).filter(
    ({ item }) =>
      isRuleDefinition(item) && typeof item.data.condition === 'string' && item.data.condition.includes('/etc'),
  );
}

function cmWhere(source: RulesSource, key?: string): string {
  return `ConfigMap ${FALCO_NAMESPACE}/${source.configMap}${key ? ` key ${key}` : ''}`;
}

// ---- findings shared by several steps ----------------------------------------------

function noPodsFinding(): Finding {
  return fail(`Falco pods (label ${FALCO_SELECTOR}) run in namespace ${FALCO_NAMESPACE}`, 'no such pods', {
    advice: INSTALL_ADVICE,
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
    });
  }
  const lastError = falco.log.errors.at(-1);
  const found = lastError ? `${state}; last error: ${lastError}` : state;
  if (lastError && /inotify/i.test(lastError)) {
    return fail(expected, found, {
      where,
      advice:
        'The host ran out of inotify instances. On the host: `sudo sysctl fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288`, then delete the Falco pod.',
    });
  }
  if (lastError && /btf|vmlinux|bpf/i.test(lastError)) {
    return fail(expected, found, {
      where,
      advice: 'The modern eBPF probe could not load: the host kernel needs BTF (/sys/kernel/btf/vmlinux, Linux ≥ 5.8).',
    });
  }
  if (falco.log.errors.some((e) => /rules|LOAD_ERR/i.test(e))) {
    return fail(expected, found, {
      where,
      advice:
        'Falco refused a rules file and exited. Fix the rule named in the error (the ConfigMap), then delete the Falco pods to restart them.',
    });
  }
  return fail(expected, found, {
    where,
    advice: `Look at \`kubectl -n ${FALCO_NAMESPACE} describe pod ${falco.name}\` and its logs.`,
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
      },
    );
  }
  return status === 'ok'
    ? pass(expected, `${path} | schema validation: ok`, where)
    : fail(expected, `${path} | schema validation: ${status}`, { where });
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
      }),
    );
  }
  for (const file of source.files) {
    if (!file.ok)
      findings.push(
        fail(`${cmWhere(source, file.key)} is a valid Falco rules file`, file.error, {
          where: cmWhere(source, file.key),
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
      }),
    );
  }
  return findings;
};

// ---- step 2: a custom rule for writes below /etc, from a ConfigMap, loaded ------------------------------------

export const customRuleLoaded: Check = async (view) => {
  const pods = await falcoPods(view);
  const { source, findings } = await rulesState(view, pods);
  if (!source?.exists) return findings;
  const candidates = etcRules(source);
  const expected = `a rule in ${cmWhere(source)} whose condition looks at files below /etc`;
  // A skipped key or a file that does not parse already explains a missing rule.
  if (candidates.length === 0 && findings.some((f) => !f.ok)) return findings;
  if (candidates.length === 0) {
    const names = okItems(source)
      .filter(({ item }) => isRuleDefinition(item))
      .map(({ item }) => `"${item.name}"`);
    findings.push(
      fail(
        expected,
        names.length > 0
          ? `rules found: ${names.join(', ')}; none mentions /etc in its condition`
          : 'no rule definitions',
        {
          where: cmWhere(source),
          advice:
            'Add a rule such as condition: open_write and container and fd.name startswith /etc/ (the stock "Write below etc" is in the sandbox ruleset, which Falco does not load).',
        },
      ),
    );
    const edited = await editedInPodFinding(
      view,
      pods.find((p) => p.running),
    );
    if (edited) findings.push(edited);
    return findings;
  }
  for (const { file, item } of candidates) {
    const missing = missingRuleKeys(item);
    findings.push(
      missing.length === 0
        ? pass(
            expected,
            `rule "${item.name}": ${String(item.data.condition).trim()}`,
            `${cmWhere(source, file)} line ${item.line}`,
          )
        : fail(`rule "${item.name}" has desc, condition, output and priority`, `missing: ${missing.join(', ')}`, {
            where: `${cmWhere(source, file)} line ${item.line}`,
            advice:
              'Falco rejects a new rule without all four keys (an override entry needs only the keys it changes).',
          }),
    );
  }
  const files = [...new Set(candidates.map((c) => c.file))];
  for (const falco of pods.filter((p) => p.running)) for (const key of files) findings.push(loadedFinding(falco, key));
  for (const falco of pods.filter((p) => !p.running)) findings.push(podHealthFinding(falco));
  return findings;
};

// ---- step 3: the custom rule fires for a write below /etc in the trigger pod --------------------------------------

export const alertFired: Check = async (view) => {
  const [pods, trigger] = await Promise.all([falcoPods(view), view.getPod(LAB_NAMESPACE, TRIGGER_POD)]);
  const findings: Finding[] = [];
  const podExpected = `pod ${LAB_NAMESPACE}/${TRIGGER_POD} is Running`;
  if (!trigger) {
    findings.push(
      fail(podExpected, 'no such pod', {
        advice: 'Create it as in the step: kubectl apply -f /root/labs/falco/manifests/etc-writer.yaml.',
      }),
    );
  } else if (!containerStatusOf(trigger, trigger.spec?.containers[0]?.name ?? '')?.state?.running) {
    findings.push(
      fail(podExpected, describeContainerState(trigger, trigger.spec?.containers[0]?.name ?? ''), {
        where: `pod ${LAB_NAMESPACE}/${TRIGGER_POD}`,
      }),
    );
  }
  if (pods.length === 0) return [...findings, noPodsFinding()];
  const source = pods[0] ? await rulesSource(view, pods[0].pod) : undefined;
  const rules = etcRules(source);
  const names = new Set(rules.map((r) => r.item.name));
  const expected = `a JSON alert from your rule for a file below /etc in pod ${LAB_NAMESPACE}/${TRIGGER_POD}`;
  if (names.size === 0) {
    findings.push(
      fail(expected, 'no custom rule about /etc in the rules ConfigMap', {
        where: source ? cmWhere(source) : `${RULES_DIR} in the Falco pods`,
        advice:
          'Without a custom rule nothing fires: "Write below etc" is in the sandbox ruleset, which Falco does not load by default. Do step 2 first.',
      }),
    );
    return findings;
  }
  const alerts = collectAlerts(pods).filter(({ alert }) => names.has(alert.rule));
  const mine = alerts.filter(({ alert }) => {
    const ns = field(alert, 'k8s.ns.name');
    return (
      alertPod(alert, [TRIGGER_POD]) === TRIGGER_POD &&
      (ns === undefined || ns === LAB_NAMESPACE) &&
      (alertFile(alert) ?? '').startsWith('/etc/')
    );
  });
  const hit = mine[0];
  if (hit) {
    findings.push(
      pass(
        expected,
        `${describeAlert(hit.alert)} (reported by ${hit.falco.name} on ${hit.falco.node})`,
        `kubectl -n ${FALCO_NAMESPACE} logs ${hit.falco.name} -c ${FALCO_CONTAINER}`,
      ),
    );
    return findings;
  }
  if (alerts.length > 0) {
    const others = [...new Set(alerts.map(({ alert }) => describeAlert(alert)))].slice(0, 3);
    findings.push(
      fail(expected, `alerts from your rule, but not for ${TRIGGER_POD}: ${others.join('; ')}`, {
        where: LOGS_WHERE,
        advice: `Those came from another pod (or from a Falco pod on a node that cannot name the container). Write below /etc inside ${TRIGGER_POD}: kubectl -n ${LAB_NAMESPACE} exec ${TRIGGER_POD} -- sh -c 'echo hacked >> /etc/hl-falco-probe'.`,
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
      }),
    );
    return findings;
  }
  const running = pods.filter((p) => p.running);
  if (running.length === 0) {
    // Nothing is watching: say why Falco is down rather than "no alert".
    findings.push(
      fail(expected, 'no alert: no Falco pod is running', { where: LOGS_WHERE }),
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
        },
      ),
    );
    return findings;
  }
  findings.push(
    fail(expected, `no alert from ${[...names].map((n) => `"${n}"`).join(', ')} yet`, {
      where: LOGS_WHERE,
      advice: `Write below /etc in the pod (kubectl -n ${LAB_NAMESPACE} exec ${TRIGGER_POD} -- sh -c 'echo hacked >> /etc/hl-falco-probe') and check again; the alert appears within a second or two.`,
    }),
  );
  return findings;
};

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
        }),
      );
    }
  }
  return findings;
};
