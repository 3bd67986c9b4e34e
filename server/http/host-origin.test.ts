import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createAllowList, hostAllowed, isLoopbackHost, normalizeHostName, originAllowed } from './host-origin.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('Host and Origin allow-lists', () => {
  const allow = createAllowList('127.0.0.1', ['lab.internal']);

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

  it('refuses null, foreign and non-http origins', () => {
    expect(originAllowed(req({ origin: 'http://127.0.0.1:7681' }), allow)).toBe(true);
    expect(originAllowed(req({ origin: 'null' }), allow)).toBe(false);
    expect(originAllowed(req({ origin: 'http://evil.example' }), allow)).toBe(false);
    expect(originAllowed(req({ origin: 'file://x' }), allow)).toBe(false);
    expect(originAllowed(req({ origin: 'not a url' }), allow)).toBe(false);
  });

  it('knows which bind addresses stay on this machine', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.5')).toBe(false);
  });
});
