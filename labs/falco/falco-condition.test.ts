// The condition model: Falco's operators and precedence, macros and lists
// expanded, and "unknown" (never a verdict) for what it does not model.
import { describe, expect, it } from 'vitest';
import { buildContext, evaluateCondition, parseCondition, TRIGGER_EVENT } from './falco-condition.js';

const context = buildContext([
  { kind: 'macro', name: 'container', data: { macro: 'container', condition: '(container.id != host)' } },
  { kind: 'list', name: 'etc_dirs', data: { list: 'etc_dirs', items: ['/etc'] } },
  { kind: 'list', name: 'etc_dirs', data: { list: 'etc_dirs', items: ['/usr/etc'], override: { items: 'append' } } },
  { kind: 'macro', name: 'loop', data: { macro: 'loop', condition: 'loop' } },
]);
const onTrigger = (condition: string) => evaluateCondition(condition, TRIGGER_EVENT.event, context);

describe('evaluateCondition', () => {
  it.each([
    ["fd.typechar='f' and fd.num>=0 and evt.dir = <", true],
    ['evt.is_open_write=true and not evt.is_open_read=true', true],
    ['evt.type in (open, openat, openat2)', true],
    ['fd.name pmatch (etc_dirs)', true],
    ['fd.name glob "/etc/*"', true],
    ['fd.name startswith /etc/ or unknown_macro', true],
    ['fd.name startswith /tmp/ and unknown_macro', false],
    ['container and proc.name = cat', false],
    ['not container', false],
    ['k8s.ns.name = falco-lab and fd.filename endswith probe', true],
    ['fd.name icontains /ETC/', true],
  ])('%s → %s', (condition, expected) => {
    expect(onTrigger(condition)).toBe(expected);
  });

  it.each([
    'proc.aname[2] = bash',
    'fd.name regex "^/etc"',
    'unknown_macro',
    'loop',
    'fd.name startswith /etc/ and (',
    'val(fd.name) = x',
  ])('cannot tell: %s', (condition) => {
    expect(onTrigger(condition)).toBe('unknown');
  });

  it('binds and tighter than or, and not tighter than and', () => {
    expect(onTrigger('proc.name = cat and fd.num = 9 or proc.name = sh')).toBe(true);
    expect(onTrigger('not proc.name = cat and proc.name = sh')).toBe(true);
  });

  it('reports what it cannot parse', () => {
    expect(parseCondition('fd.name foo /etc')).toEqual({ ok: false, error: 'no operator after fd.name' });
  });
});
