import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  createAllowList,
  crossOriginFetch,
  hostAllowed,
  isLoopbackHost,
  judgeOrigin,
  normalizeHostName,
  ownOrigins,
} from './host-origin.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('Host and Origin allow-lists', () => {
  const allow = createAllowList('127.0.0.1', ['lab.internal']);
  const origins = ownOrigins(allow, 7681);

  it('normalizes ports, case and IPv6 brackets', () => {
    expect(normalizeHostName('LocalHost:7681')).toBe('localhost');
    expect(normalizeHostName('[::1]:7681')).toBe('[::1]');
    expect(normalizeHostName('::1')).toBe('[::1]');
  });

  it('allows loopback names and configured names, refuses others', () => {
    expect(hostAllowed(req({ host: 'localhost:1' }), allow)).toBe(true);
    expect(hostAllowed(req({ host: '[::1]:1' }), allow)).toBe(true);
    expect(hostAllowed(req({ host: 'lab.internal' }), allow)).toBe(true);
    expect(hostAllowed(req({ host: 'evil.example' }), allow)).toBe(false);
    expect(hostAllowed(req({ host: '127.0.0.1.evil.example' }), allow)).toBe(false);
    expect(hostAllowed(req({}), allow)).toBe(false);
  });

  it('lists our origins: each allowed name at our port, as browsers serialize them', () => {
    expect([...origins].sort()).toEqual(
      ['http://127.0.0.1:7681', 'http://[::1]:7681', 'http://lab.internal:7681', 'http://localhost:7681'].sort(),
    );
    expect([...ownOrigins(createAllowList('::1'), 80)].sort()).toEqual([
      'http://127.0.0.1',
      'http://[::1]',
      'http://localhost',
    ]);
    expect(ownOrigins(allow, 7681, ['http://127.0.0.1:5173']).has('http://127.0.0.1:5173')).toBe(true);
  });

  it('judges an Origin by scheme, host and port exactly', () => {
    expect(judgeOrigin(req({ origin: 'http://127.0.0.1:7681' }), origins)).toBe('own');
    expect(judgeOrigin(req({ origin: 'http://lab.internal:7681' }), origins)).toBe('own');
    expect(judgeOrigin(req({}), origins)).toBe('absent');
    for (const foreign of [
      'http://127.0.0.1:8080', // another port of the same host: the whole point
      'http://localhost:5173',
      'https://127.0.0.1:7681',
      'http://127.0.0.1',
      'null',
      'http://evil.example:7681',
      'file://x',
      'not a url',
      'http://127.0.0.1:7681/',
    ]) {
      expect(judgeOrigin(req({ origin: foreign }), origins), foreign).toBe('foreign');
    }
  });

  it('reads fetch metadata: only same-origin (or none sent) is ours', () => {
    expect(crossOriginFetch(req({}))).toBe(false);
    expect(crossOriginFetch(req({ 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(crossOriginFetch(req({ 'sec-fetch-site': 'same-site' }))).toBe(true);
    expect(crossOriginFetch(req({ 'sec-fetch-site': 'cross-site' }))).toBe(true);
  });

  it('knows which bind addresses stay on this machine', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.5')).toBe(false);
  });
});
