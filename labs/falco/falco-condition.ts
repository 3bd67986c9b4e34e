// What a Falco rule condition does, judged by evaluating it on events, not by
// reading its text: a rule written with the stock `etc_dir` macro, with a
// macro of the learner's own, or with `fd.directory = /etc` detects the same
// write as `fd.name startswith /etc/`, and the check must accept all of them.
//
// This is a model of Falco's filter language, not Falco: macros and lists are
// expanded from the stock rules (read from the running Falco) and the custom
// files, and each event is a set of field values as Falco would extract them.
// Whatever the model does not know (a field the events do not describe, an
// operator or syntax it does not parse) makes the result "unknown", never a
// verdict: Falco's own log says whether a rule loads, and step 3 sees the
// real alert.

export type Tri = true | false | 'unknown';

/** A field's value in an event; null = Falco extracts nothing (e.g. k8s.* outside a pod). */
export type FieldValue = string | number | boolean | null;
export type FalcoEvent = Readonly<Record<string, FieldValue>>;

export interface ConditionContext {
  macros: ReadonlyMap<string, string>;
  lists: ReadonlyMap<string, readonly string[]>;
}

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'macro'; name: string }
  | { kind: 'unary'; field: string; op: string }
  | { kind: 'compare'; field: string; op: string; value: string }
  | { kind: 'list'; field: string; op: string; values: string[] };

const UNARY_OPS = new Set(['exists']);
const WORD_OPS = new Set([
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
]);
const LIST_OPS = new Set(['in', 'intersects', 'pmatch']);
const SYMBOL_OPS = ['==', '!=', '<=', '>=', '=', '<', '>'];

class ParseError extends Error {}

/** A recursive-descent parser over the condition text (or > and > not > primary). */
class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Node {
    const node = this.orExpr();
    this.skipSpace();
    if (this.pos < this.text.length) throw new ParseError(`unexpected "${this.text.slice(this.pos, this.pos + 20)}"`);
    return node;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  /** The next bare word (identifier-like), without consuming it. */
  private peekWord(): string {
    this.skipSpace();
    return /^[A-Za-z_][\w.]*/.exec(this.text.slice(this.pos))?.[0] ?? '';
  }

  private keyword(word: string): boolean {
    if (this.peekWord() !== word) return false;
    this.pos += word.length;
    return true;
  }

  private orExpr(): Node {
    let left = this.andExpr();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.andExpr() };
    return left;
  }

  private andExpr(): Node {
    let left = this.notExpr();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.notExpr() };
    return left;
  }

  private notExpr(): Node {
    if (this.keyword('not')) return { kind: 'not', operand: this.notExpr() };
    return this.primary();
  }

  private primary(): Node {
    this.skipSpace();
    if (this.text[this.pos] === '(') {
      this.pos++;
      const inner = this.orExpr();
      this.skipSpace();
      if (this.text[this.pos] !== ')') throw new ParseError('missing ")"');
      this.pos++;
      return inner;
    }
    const field = /^[A-Za-z_][\w.]*(\[[^\]]*\])?/.exec(this.text.slice(this.pos))?.[0];
    if (!field) throw new ParseError(`unexpected "${this.text.slice(this.pos, this.pos + 20)}"`);
    this.pos += field.length;
    // Macro names have no dot; fields always do (evt.type, fd.name, ...).
    if (!field.includes('.')) return { kind: 'macro', name: field };
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    const symbol = SYMBOL_OPS.find((op) => rest.startsWith(op));
    if (symbol) {
      this.pos += symbol.length;
      return { kind: 'compare', field, op: symbol === '==' ? '=' : symbol, value: this.value() };
    }
    const word = this.peekWord();
    if (UNARY_OPS.has(word)) {
      this.pos += word.length;
      return { kind: 'unary', field, op: word };
    }
    if (WORD_OPS.has(word)) {
      this.pos += word.length;
      return { kind: 'compare', field, op: word, value: this.value() };
    }
    if (LIST_OPS.has(word)) {
      this.pos += word.length;
      return { kind: 'list', field, op: word, values: this.listValues() };
    }
    throw new ParseError(`no operator after ${field}`);
  }

  private value(): string {
    this.skipSpace();
    const quote = this.text[this.pos];
    if (quote === '"' || quote === "'") {
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end < 0) throw new ParseError('unterminated string');
      const value = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return value;
    }
    const bare = /^[^\s()]+/.exec(this.text.slice(this.pos))?.[0];
    if (!bare) throw new ParseError('missing value');
    this.pos += bare.length;
    return bare;
  }

  private listValues(): string[] {
    this.skipSpace();
    if (this.text[this.pos] !== '(') throw new ParseError('expected "(" after a list operator');
    this.pos++;
    const values: string[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ')') {
        this.pos++;
        return values;
      }
      const quote = this.text[this.pos];
      if (quote === '"' || quote === "'") values.push(this.value());
      else {
        const bare = /^[^\s(),]+/.exec(this.text.slice(this.pos))?.[0];
        if (!bare) throw new ParseError('bad list item');
        this.pos += bare.length;
        values.push(bare);
      }
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
    }
  }
}

export function parseCondition(text: string): { ok: true; node: Node } | { ok: false; error: string } {
  try {
    return { ok: true, node: new Parser(text).parse() };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, error: error.message };
    throw error;
  }
}

function and3(a: Tri, b: () => Tri): Tri {
  if (a === false) return false;
  const right = b();
  if (right === false) return false;
  return a === true && right === true ? true : 'unknown';
}

function or3(a: Tri, b: () => Tri): Tri {
  if (a === true) return true;
  const right = b();
  if (right === true) return true;
  return a === false && right === false ? false : 'unknown';
}

function not3(a: Tri): Tri {
  return a === 'unknown' ? 'unknown' : !a;
}

function globToRegExp(glob: string, flags = ''): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

function compare(actual: FieldValue, op: string, expected: string): Tri {
  // Falco compares nothing when a field has no value: every operator is false.
  if (actual === null) return false;
  const text = String(actual);
  const numeric = typeof actual === 'number' || typeof actual === 'boolean' ? Number(actual) : undefined;
  const wanted = Number(expected);
  switch (op) {
    case '=':
      return typeof actual === 'boolean' ? String(actual) === expected.toLowerCase() : text === expected;
    case '!=':
      return typeof actual === 'boolean' ? String(actual) !== expected.toLowerCase() : text !== expected;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (numeric === undefined || Number.isNaN(wanted)) return 'unknown';
      if (op === '<') return numeric < wanted;
      if (op === '<=') return numeric <= wanted;
      if (op === '>') return numeric > wanted;
      return numeric >= wanted;
    }
    case 'contains':
    case 'bcontains':
      return text.includes(expected);
    case 'icontains':
      return text.toLowerCase().includes(expected.toLowerCase());
    case 'startswith':
    case 'bstartswith':
      return text.startsWith(expected);
    case 'endswith':
      return text.endsWith(expected);
    case 'glob':
      return globToRegExp(expected).test(text);
    case 'iglob':
      return globToRegExp(expected, 'i').test(text);
    default:
      // regex and anything newer: not modelled.
      return 'unknown';
  }
}

/** `pmatch`: the path is one of the prefixes or below one of them. */
function pathMatch(path: string, prefix: string): boolean {
  const dir = prefix.replace(/\/+$/, '');
  return path === dir || path.startsWith(`${dir}/`);
}

function expandList(values: readonly string[], context: ConditionContext, depth = 0): string[] | undefined {
  if (depth > 20) return undefined;
  const out: string[] = [];
  for (const value of values) {
    const list = context.lists.get(value);
    if (list === undefined) {
      out.push(value);
      continue;
    }
    const inner = expandList(list, context, depth + 1);
    if (!inner) return undefined;
    out.push(...inner);
  }
  return out;
}

function evaluateNode(node: Node, event: FalcoEvent, context: ConditionContext, stack: string[]): Tri {
  switch (node.kind) {
    case 'and':
      return and3(evaluateNode(node.left, event, context, stack), () =>
        evaluateNode(node.right, event, context, stack),
      );
    case 'or':
      return or3(evaluateNode(node.left, event, context, stack), () => evaluateNode(node.right, event, context, stack));
    case 'not':
      return not3(evaluateNode(node.operand, event, context, stack));
    case 'macro': {
      const condition = context.macros.get(node.name);
      if (condition === undefined || stack.includes(node.name)) return 'unknown';
      const parsed = parseCondition(condition);
      return parsed.ok ? evaluateNode(parsed.node, event, context, [...stack, node.name]) : 'unknown';
    }
    case 'unary': {
      if (!(node.field in event)) return 'unknown';
      return event[node.field] !== null;
    }
    case 'compare': {
      if (!(node.field in event)) return 'unknown';
      return compare(event[node.field] ?? null, node.op, node.value);
    }
    case 'list': {
      if (!(node.field in event)) return 'unknown';
      const actual = event[node.field] ?? null;
      const values = expandList(node.values, context);
      if (!values) return 'unknown';
      if (actual === null) return false;
      const text = String(actual);
      if (node.op === 'pmatch') return values.some((prefix) => pathMatch(text, prefix));
      // `in` and `intersects` on a single-valued field: membership.
      return values.some((v) => compare(actual, '=', v) === true);
    }
  }
}

/** Whether the condition matches the event: true, false, or "unknown" when the model cannot tell. */
export function evaluateCondition(condition: string, event: FalcoEvent, context: ConditionContext): Tri {
  const parsed = parseCondition(condition);
  if (!parsed.ok) return 'unknown';
  return evaluateNode(parsed.node, event, context, []);
}

/** Macros and lists of rules files in load order: later definitions win, `override`/`append` extend. */
export function buildContext(
  items: readonly { kind: string; name: string; data: Record<string, unknown> }[],
): ConditionContext {
  const macros = new Map<string, string>();
  const lists = new Map<string, string[]>();
  for (const { kind, name, data } of items) {
    const override = data.override as Record<string, unknown> | undefined;
    if (kind === 'macro' && typeof data.condition === 'string') {
      const appends = data.append === true || override?.condition === 'append';
      const previous = macros.get(name);
      macros.set(name, appends && previous !== undefined ? `${previous} ${data.condition}` : data.condition);
    } else if (kind === 'list' && Array.isArray(data.items)) {
      const items = data.items.map(String);
      const appends = data.append === true || override?.items === 'append';
      lists.set(name, appends ? [...(lists.get(name) ?? []), ...items] : items);
    }
  }
  return { macros, lists };
}

// ---- the events a write-below-/etc rule is judged on ---------------------------------

/** A file open as the kernel reports it to Falco (an openat exit event). */
function openEvent(opts: {
  file: string;
  write: boolean;
  process: string;
  cmdline: string;
  pod: { name: string; namespace: string; image: string } | undefined;
}): FalcoEvent {
  const slash = opts.file.lastIndexOf('/');
  const inContainer = opts.pod !== undefined;
  return {
    'evt.type': 'openat',
    'evt.dir': '<',
    'evt.category': 'file',
    'evt.is_open_write': opts.write,
    'evt.is_open_read': !opts.write,
    'evt.is_open_exec': false,
    'evt.arg.flags': opts.write ? 'O_APPEND|O_CREAT|O_WRONLY' : 'O_RDONLY',
    'evt.rawres': 3,
    'evt.res': 'SUCCESS',
    'evt.failed': false,
    'fd.typechar': 'f',
    'fd.type': 'file',
    'fd.num': 3,
    'fd.name': opts.file,
    'fd.nameraw': opts.file,
    'fd.directory': opts.file.slice(0, slash) || '/',
    'fd.filename': opts.file.slice(slash + 1),
    'proc.name': opts.process,
    'proc.exe': opts.process,
    'proc.cmdline': opts.cmdline,
    'user.name': 'root',
    'user.uid': 0,
    'container.id': inContainer ? '3f2a9c1b7d4e' : 'host',
    'container.name': opts.pod?.name ?? 'host',
    'container.image.repository': opts.pod?.image ?? null,
    'k8s.ns.name': opts.pod?.namespace ?? null,
    'k8s.pod.name': opts.pod?.name ?? null,
  };
}

const TRIGGER_POD = { name: 'etc-writer', namespace: 'falco-lab', image: 'docker.io/library/nginx' };

export interface JudgedEvent {
  /** What happened, for findings: "sh in pod falco-lab/etc-writer writes /etc/hl-falco-probe". */
  what: string;
  event: FalcoEvent;
}

/** The step's attack: what the rule must fire for. */
export const TRIGGER_EVENT: JudgedEvent = {
  what: 'sh in pod falco-lab/etc-writer opens /etc/hl-falco-probe for writing',
  event: openEvent({
    file: '/etc/hl-falco-probe',
    write: true,
    process: 'sh',
    cmdline: 'sh -c echo hacked >> /etc/hl-falco-probe',
    pod: TRIGGER_POD,
  }),
};

/** Everyday activity a rule about writes below /etc in containers must stay quiet for. */
export const HARMLESS_EVENTS: readonly JudgedEvent[] = [
  {
    what: 'cat in pod falco-lab/etc-writer reads /etc/passwd (a read, not a write)',
    event: openEvent({
      file: '/etc/passwd',
      write: false,
      process: 'cat',
      cmdline: 'cat /etc/passwd',
      pod: TRIGGER_POD,
    }),
  },
  {
    what: 'sh in pod falco-lab/etc-writer writes /tmp/hl-falco-probe (not below /etc)',
    event: openEvent({
      file: '/tmp/hl-falco-probe',
      write: true,
      process: 'sh',
      cmdline: 'sh -c echo ok >> /tmp/hl-falco-probe',
      pod: TRIGGER_POD,
    }),
  },
  {
    what: 'an administrator on the node (no container) writes /etc/hosts',
    event: openEvent({ file: '/etc/hosts', write: true, process: 'vi', cmdline: 'vi /etc/hosts', pod: undefined }),
  },
];
