// Reads an audit policy (audit.k8s.io/v1 Policy) the way kube-apiserver does
// and answers "at which level would this request be logged?". The matching
// is a port of k8s.io/apiserver/pkg/audit/policy/checker.go (v0.34): the
// first rule that matches decides, an empty list matches everything, the core
// API group is "". Porting it (instead of grepping for "secrets") is what
// lets the checks accept every correct policy and explain shadowed rules.
import { parseDocument } from 'yaml';
import { z } from 'zod';

export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];
export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;

/** The only policy version kube-apiserver ≥ 1.24 accepts. */
export const POLICY_API_VERSION = 'audit.k8s.io/v1';

const stringList = z.array(z.string()).optional();

const groupResourcesSchema = z.looseObject({
  group: z.string().optional(),
  resources: stringList,
  resourceNames: stringList,
});

const ruleSchema = z.looseObject({
  level: z.unknown(),
  users: stringList,
  userGroups: stringList,
  verbs: stringList,
  resources: z.array(groupResourcesSchema).optional(),
  namespaces: stringList,
  nonResourceURLs: stringList,
  omitStages: stringList,
  omitManagedFields: z.boolean().optional(),
});

const policySchema = z.looseObject({
  apiVersion: z.unknown(),
  kind: z.unknown(),
  metadata: z.unknown().optional(),
  rules: z.array(ruleSchema).nullish(),
  omitStages: stringList,
  omitManagedFields: z.boolean().optional(),
});

const KNOWN_POLICY_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
const KNOWN_RULE_KEYS = new Set([
  'level',
  'users',
  'userGroups',
  'verbs',
  'resources',
  'namespaces',
  'nonResourceURLs',
  'omitStages',
  'omitManagedFields',
]);
const KNOWN_GROUP_RESOURCE_KEYS = new Set(['group', 'resources', 'resourceNames']);

export interface GroupResources {
  group: string;
  resources: string[];
  resourceNames: string[];
}

export interface PolicyRule {
  /** Position in `rules`, 0-based as in the file. */
  index: number;
  /** As written; may be invalid (then `problems` says so). */
  level: string;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  namespaces: string[];
  nonResourceURLs: string[];
  omitStages: string[];
}

export interface AuditPolicy {
  apiVersion: string;
  kind: string;
  rules: PolicyRule[];
  omitStages: string[];
  /**
   * Fields kube-apiserver ignores (it falls back to lenient decoding and only
   * logs a warning), e.g. `rules[1].resource`. An ignored selector makes a
   * rule broader than it looks, so these are mistakes worth naming.
   */
  ignoredFields: string[];
}

export type PolicyReading = { ok: true; policy: AuditPolicy } | { ok: false; problem: string; advice?: string };

/** Parses the text; structural problems kube-apiserver would refuse are returned, not thrown. */
export function readPolicy(text: string): PolicyReading {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line;
    return {
      ok: false,
      problem: `invalid YAML${line ? ` at line ${line}` : ''}: ${first?.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'unknown error'}`,
      advice:
        'YAML is indentation-sensitive: use spaces, not tabs, and keep list items ("- level: ...") aligned under "rules:".',
    };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      problem: 'the file is empty or not a YAML mapping',
      advice: 'The file must start with apiVersion: audit.k8s.io/v1 and kind: Policy.',
    };
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : '';
    return {
      ok: false,
      problem: `${where ? `${where}: ` : ''}${issue?.message ?? 'unexpected shape'}`,
      advice:
        'users, userGroups, verbs, namespaces, resources[].resources and omitStages are lists: write verbs: ["get"] or a "- get" item, not verbs: get.',
    };
  }
  const data = parsed.data;
  const ignoredFields = Object.keys(data).filter((k) => !KNOWN_POLICY_KEYS.has(k));
  const rules: PolicyRule[] = (data.rules ?? []).map((rule, index) => {
    for (const key of Object.keys(rule)) if (!KNOWN_RULE_KEYS.has(key)) ignoredFields.push(`rules[${index}].${key}`);
    const resources = (rule.resources ?? []).map((gr, g) => {
      for (const key of Object.keys(gr))
        if (!KNOWN_GROUP_RESOURCE_KEYS.has(key)) ignoredFields.push(`rules[${index}].resources[${g}].${key}`);
      return { group: gr.group ?? '', resources: gr.resources ?? [], resourceNames: gr.resourceNames ?? [] };
    });
    return {
      index,
      level:
        typeof rule.level === 'string'
          ? rule.level
          : rule.level === undefined || rule.level === null
            ? ''
            : String(rule.level),
      users: rule.users ?? [],
      userGroups: rule.userGroups ?? [],
      verbs: rule.verbs ?? [],
      resources,
      namespaces: rule.namespaces ?? [],
      nonResourceURLs: rule.nonResourceURLs ?? [],
      omitStages: rule.omitStages ?? [],
    };
  });
  return {
    ok: true,
    policy: {
      apiVersion: typeof data.apiVersion === 'string' ? data.apiVersion : '',
      kind: typeof data.kind === 'string' ? data.kind : '',
      rules,
      omitStages: data.omitStages ?? [],
      ignoredFields,
    },
  };
}

/** Why kube-apiserver would refuse to start with this policy; empty when it would load it. */
export function fatalProblems(policy: AuditPolicy): { problem: string; advice: string }[] {
  const out: { problem: string; advice: string }[] = [];
  if (policy.apiVersion !== POLICY_API_VERSION) {
    const removed = /^audit\.k8s\.io\/v1(alpha1|beta1)$/.test(policy.apiVersion);
    out.push({
      problem: `apiVersion: ${policy.apiVersion || '(missing)'}`,
      advice: removed
        ? `${policy.apiVersion} was removed in Kubernetes 1.24 (many blog posts and the old docs still show it): kube-apiserver exits with "unknown group version". Write apiVersion: ${POLICY_API_VERSION}.`
        : `The audit policy API is ${POLICY_API_VERSION}; anything else stops kube-apiserver from starting.`,
    });
  }
  if (policy.kind !== 'Policy') {
    out.push({
      problem: `kind: ${policy.kind || '(missing)'}`,
      advice: 'The kind is Policy (capital P); kube-apiserver cannot decode anything else.',
    });
  }
  if (policy.rules.length === 0) {
    out.push({
      problem: 'no rules',
      advice:
        'kube-apiserver refuses a policy with 0 rules ("loaded illegal policy with 0 rules"). Add at least one rule under rules:.',
    });
  }
  for (const rule of policy.rules) {
    if (!(AUDIT_LEVELS as readonly string[]).includes(rule.level)) {
      out.push({
        problem: `rules[${rule.index}].level: ${rule.level ? `"${rule.level}"` : '(missing)'}`,
        advice: `Every rule needs a level, spelled exactly: ${AUDIT_LEVELS.join(', ')} (case matters: "metadata" is rejected).`,
      });
    }
    if (rule.nonResourceURLs.length > 0 && (rule.resources.length > 0 || rule.namespaces.length > 0)) {
      out.push({
        problem: `rules[${rule.index}] has both nonResourceURLs and resources/namespaces`,
        advice:
          'A rule applies either to API objects (resources, namespaces) or to URLs like /healthz (nonResourceURLs), not both: split it in two.',
      });
    }
    for (const gr of rule.resources) {
      if (gr.resourceNames.length > 0 && gr.resources.length === 0) {
        out.push({
          problem: `rules[${rule.index}].resources: resourceNames without resources`,
          advice: 'resourceNames needs at least one resource in the same entry.',
        });
      }
    }
  }
  for (const [where, stages] of [
    ['omitStages', policy.omitStages],
    ...policy.rules.map((r) => [`rules[${r.index}].omitStages`, r.omitStages] as const),
  ] as const) {
    const bad = stages.filter((s) => !(AUDIT_STAGES as readonly string[]).includes(s));
    if (bad.length > 0) {
      out.push({ problem: `${where}: ${bad.join(', ')}`, advice: `Stages are spelled ${AUDIT_STAGES.join(', ')}.` });
    }
  }
  return out;
}

/** The attributes of one API request that policy rules look at. */
export interface AuditRequest {
  user: string;
  groups: string[];
  verb: string;
  /** "" for cluster-scoped objects. */
  namespace: string;
  /** "" is the core group (secrets, configmaps, pods). */
  apiGroup: string;
  resource: string;
  subresource?: string;
  /** Empty for create, list and watch: the name is not part of the URL. */
  name?: string;
}

/** checker.go ruleMatches, for resource requests. */
export function ruleMatches(rule: PolicyRule, req: AuditRequest): boolean {
  if (rule.users.length > 0 && !rule.users.includes(req.user)) return false;
  if (rule.userGroups.length > 0 && !req.groups.some((g) => rule.userGroups.includes(g))) return false;
  if (rule.verbs.length > 0 && !rule.verbs.includes(req.verb)) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) return ruleMatchesResource(rule, req);
  // A rule that only lists URLs never matches an API object request.
  if (rule.nonResourceURLs.length > 0) return false;
  return true;
}

function ruleMatchesResource(rule: PolicyRule, req: AuditRequest): boolean {
  if (rule.namespaces.length > 0 && !rule.namespaces.includes(req.namespace)) return false;
  if (rule.resources.length === 0) return true;
  const sub = req.subresource ?? '';
  const combined = sub ? `${req.resource}/${sub}` : req.resource;
  const name = req.name ?? '';
  for (const gr of rule.resources) {
    if (gr.group !== req.apiGroup) continue;
    if (gr.resources.length === 0) return true;
    for (const res of gr.resources) {
      if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(name)) continue;
      if (res === combined || res === '*') return true;
      if (sub && res.startsWith('*/') && sub === res.slice(2)) return true;
      if (res.endsWith('/*') && req.resource === res.slice(0, -2)) return true;
    }
  }
  return false;
}

export interface Decision {
  level: AuditLevel;
  /** The deciding rule; undefined when no rule matched (then nothing is logged). */
  rule?: PolicyRule;
}

/** First match wins; no match means level None. */
export function decide(policy: AuditPolicy, req: AuditRequest): Decision {
  const rule = policy.rules.find((r) => ruleMatches(r, req));
  if (!rule) return { level: 'None' };
  const level = (AUDIT_LEVELS as readonly string[]).includes(rule.level) ? (rule.level as AuditLevel) : 'None';
  return { level, rule };
}

/** Whether the rule names secrets explicitly (not through a catch-all). */
export function mentionsSecrets(rule: PolicyRule): boolean {
  return rule.resources.some(
    (gr) => gr.group === '' && gr.resources.some((r) => r === 'secrets' || r.startsWith('secrets/')),
  );
}

/** Near misses that silently never match secrets: the wrong group name or a singular resource. */
export function secretsNearMisses(rule: PolicyRule): string[] {
  const out: string[] = [];
  for (const gr of rule.resources) {
    const names = gr.resources;
    if (names.some((r) => /^secrets?$/i.test(r)) && gr.group !== '') {
      out.push(
        `rules[${rule.index}] lists secrets under group "${gr.group}": the core API group (secrets, configmaps, pods) is the empty string, write group: ""`,
      );
    }
    if (gr.group === '' && names.some((r) => r === 'secret' || r === 'Secret' || r === 'Secrets')) {
      out.push(
        `rules[${rule.index}] says resources: ["${names.find((r) => /^secrets?$/i.test(r)) ?? 'secret'}"]: resources are lowercase plurals, write "secrets"`,
      );
    }
  }
  return out;
}

export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [`level: ${rule.level || '(missing)'}`];
  if (rule.users.length) parts.push(`users: ${rule.users.join(',')}`);
  if (rule.userGroups.length) parts.push(`userGroups: ${rule.userGroups.join(',')}`);
  if (rule.verbs.length) parts.push(`verbs: ${rule.verbs.join(',')}`);
  if (rule.namespaces.length) parts.push(`namespaces: ${rule.namespaces.join(',')}`);
  if (rule.resources.length) {
    parts.push(
      `resources: ${rule.resources.map((gr) => `${gr.group === '' ? 'core' : gr.group}/${gr.resources.length ? gr.resources.join(',') : '*'}`).join('; ')}`,
    );
  }
  if (rule.nonResourceURLs.length) parts.push(`nonResourceURLs: ${rule.nonResourceURLs.join(',')}`);
  const catchAll =
    rule.users.length +
      rule.userGroups.length +
      rule.verbs.length +
      rule.namespaces.length +
      rule.resources.length +
      rule.nonResourceURLs.length ===
    0;
  return `rules[${rule.index}] (${parts.join(', ')}${catchAll ? ', matches every request' : ''})`;
}

/** Stages omitted for a request decided by `rule`: the policy's plus the rule's own. */
export function omittedStages(policy: AuditPolicy, rule: PolicyRule | undefined): string[] {
  return [...new Set([...policy.omitStages, ...(rule?.omitStages ?? [])])];
}
