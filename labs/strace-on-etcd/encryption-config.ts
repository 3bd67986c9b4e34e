// Judges an EncryptionConfiguration file the way the kube-apiserver would
// use it for secrets, and names the mistakes that leave secrets in plaintext
// while everything *looks* configured (identity first, no entry for secrets)
// or that make the apiserver refuse to start (bad key length).
import { parseDocument } from 'yaml';
import type { Finding } from '../../server/protocol.js';
import { fail, pass } from '../../server/checks/check.js';

/** Providers this lab accepts as "encrypts secrets". */
export const ACCEPTED_PROVIDERS = ['aescbc', 'secretbox'] as const;
export type AcceptedProvider = (typeof ACCEPTED_PROVIDERS)[number];

const KNOWN_PROVIDERS = ['aescbc', 'aesgcm', 'secretbox', 'kms', 'identity'] as const;

/** Valid key lengths in bytes, per provider (apiserver validation). */
const KEY_BYTES: Record<AcceptedProvider, readonly number[]> = {
  aescbc: [16, 24, 32],
  secretbox: [32],
};

export interface EncryptionConfigVerdict {
  findings: Finding[];
  /** The provider that writes secrets, when the file is readable. */
  writer?: string;
  /** Key names of the writing provider, in order (the first one encrypts). */
  keyNames: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "secrets", "*." (all core resources) and "*.*" (everything) all cover secrets. */
export function coversSecrets(resource: string): boolean {
  return resource === 'secrets' || resource === '*.' || resource === '*.*';
}

/** The provider name of one list item ({aescbc: {...}} → "aescbc"). */
function providerName(item: Json): string | undefined {
  if (!isRecord(item)) return undefined;
  const names = Object.keys(item);
  return names.length === 1 ? names[0] : undefined;
}

/**
 * Checks one EncryptionConfiguration text (`where` names the node file).
 * Every finding is about secrets: other resources are allowed but not judged.
 */
export function judgeEncryptionConfig(text: string, where: string): EncryptionConfigVerdict {
  const findings: Finding[] = [];
  const verdict: EncryptionConfigVerdict = { findings, keyNames: [] };
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]?.message.split('\n')[0] ?? 'unknown error';
    findings.push(
      fail('a valid YAML document', `YAML error: ${first}`, {
        where,
        advice: 'The apiserver will not start with this file. Check indentation: providers and keys are lists ("- ").',
      }),
    );
    return verdict;
  }
  const config = doc.toJS() as Json;
  if (!isRecord(config)) {
    findings.push(
      fail('an EncryptionConfiguration object', `a YAML ${Array.isArray(config) ? 'list' : typeof config}`, { where }),
    );
    return verdict;
  }

  const apiVersion = config.apiVersion;
  const kind = config.kind;
  if (apiVersion === 'apiserver.config.k8s.io/v1' && kind === 'EncryptionConfiguration') {
    findings.push(
      pass('apiVersion apiserver.config.k8s.io/v1, kind EncryptionConfiguration', `${apiVersion} ${kind}`, where),
    );
  } else {
    findings.push(
      fail(
        'apiVersion apiserver.config.k8s.io/v1, kind EncryptionConfiguration',
        `apiVersion ${String(apiVersion)}, kind ${String(kind)}`,
        {
          where,
          advice:
            kind === 'EncryptionConfig'
              ? '"kind: EncryptionConfig" is the format of Kubernetes before 1.13; the apiserver no longer reads it.'
              : 'The first lines must be "apiVersion: apiserver.config.k8s.io/v1" and "kind: EncryptionConfiguration".',
        },
      ),
    );
    return verdict;
  }

  // The apiserver uses the first entry whose resources match; later entries
  // for secrets are never consulted.
  const entries = Array.isArray(config.resources) ? config.resources : [];
  const entry = entries.find(
    (e) =>
      isRecord(e) && Array.isArray(e.resources) && e.resources.some((r) => typeof r === 'string' && coversSecrets(r)),
  );
  if (!isRecord(entry)) {
    findings.push(
      fail(
        'an entry in resources[] that lists "secrets"',
        entries.length === 0 ? 'resources is empty or missing' : 'no entry lists secrets',
        {
          where,
          advice: 'Without an entry for secrets the apiserver stores them exactly as before: in plaintext.',
        },
      ),
    );
    return verdict;
  }
  const providers = Array.isArray(entry.providers) ? entry.providers : [];
  const names = providers.map(providerName);
  if (names.length === 0 || names.some((n) => n === undefined || !(KNOWN_PROVIDERS as readonly string[]).includes(n))) {
    findings.push(
      fail(
        'providers: a list of known providers (aescbc, secretbox, identity, ...)',
        `providers: ${JSON.stringify(entry.providers ?? null)}`,
        {
          where,
          advice: 'Each list item names exactly one provider, e.g. "- aescbc: {keys: [...]}" then "- identity: {}".',
        },
      ),
    );
    return verdict;
  }
  const writer = names[0] as string;
  verdict.writer = writer;

  if ((ACCEPTED_PROVIDERS as readonly string[]).includes(writer)) {
    findings.push(pass('the first provider for secrets encrypts (aescbc or secretbox)', writer, where));
  } else {
    const advice: Record<string, string> = {
      identity:
        'The FIRST provider encrypts every write; identity first means secrets are still written in plaintext. ' +
        'Put aescbc (or secretbox) first and identity last: identity is only the fallback for reading old, unencrypted data.',
      aesgcm:
        'aesgcm is valid, but Kubernetes advises against it unless keys are rotated automatically (a reused nonce breaks it). Use aescbc or secretbox here.',
      kms: 'KMS needs a separate plugin service; it is out of scope for this lab. Use aescbc or secretbox.',
    };
    findings.push(
      fail(
        'the first provider for secrets encrypts (aescbc or secretbox)',
        `${writer} is first (providers: ${names.join(', ')})`,
        {
          where,
          advice: advice[writer] ?? 'Put aescbc or secretbox first.',
        },
      ),
    );
  }

  if ((ACCEPTED_PROVIDERS as readonly string[]).includes(writer)) {
    findings.push(...judgeKeys(providers[0], writer as AcceptedProvider, where, verdict));
  }

  const identityAt = names.indexOf('identity');
  if (identityAt > 0) {
    findings.push(
      pass(
        'identity as a later provider, to read secrets stored before encryption',
        `identity is provider ${identityAt + 1} of ${names.length}`,
        where,
      ),
    );
  } else if (identityAt < 0) {
    findings.push(
      fail('identity as a later provider, to read secrets stored before encryption', `providers: ${names.join(', ')}`, {
        where,
        advice:
          'Without "- identity: {}" after the encrypting provider, the apiserver cannot read the secrets that are still in plaintext, ' +
          'so it cannot rewrite them either. Add it as the last provider.',
      }),
    );
  }
  return verdict;
}

function judgeKeys(
  item: Json | undefined,
  provider: AcceptedProvider,
  where: string,
  verdict: EncryptionConfigVerdict,
): Finding[] {
  const body = isRecord(item) ? item[provider] : undefined;
  const keys = isRecord(body) && Array.isArray(body.keys) ? body.keys : [];
  const expected = `${provider} keys: a name and a base64 secret of ${KEY_BYTES[provider].join(' or ')} bytes`;
  if (keys.length === 0) {
    return [
      fail(expected, `${provider} has no keys`, {
        where,
        advice: `Add "keys: [{name: key1, secret: <base64 of 32 random bytes>}]" under ${provider}.`,
      }),
    ];
  }
  const findings: Finding[] = [];
  for (const [i, key] of keys.entries()) {
    const name = isRecord(key) && typeof key.name === 'string' ? key.name : '';
    const secret = isRecord(key) && typeof key.secret === 'string' ? key.secret : '';
    const label = `key ${i + 1}${name ? ` "${name}"` : ''}`;
    if (name === '') {
      findings.push(
        fail(expected, `${label} has no name`, {
          where,
          advice: 'Each key needs a name; it is stored in front of every value it encrypts.',
        }),
      );
      continue;
    }
    verdict.keyNames.push(name);
    const bytes = base64Length(secret);
    if (bytes === undefined) {
      findings.push(
        fail(expected, `${label}: secret is not base64`, {
          where,
          advice: 'Generate it with: head -c 32 /dev/urandom | base64',
        }),
      );
    } else if (!KEY_BYTES[provider].includes(bytes)) {
      findings.push(
        fail(expected, `${label}: secret decodes to ${bytes} bytes`, {
          where,
          advice: `${provider} needs ${KEY_BYTES[provider].join(' or ')} bytes; the apiserver refuses to start otherwise. Use: head -c 32 /dev/urandom | base64`,
        }),
      );
    } else {
      findings.push(pass(expected, `${label}: ${bytes} bytes`, where));
    }
  }
  return findings;
}

/** Decoded length of a strict base64 string, or undefined when it is not base64. */
export function base64Length(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  return Buffer.from(trimmed, 'base64').length;
}
