// Modes under a hostile umask (000: everything world-writable by default) and
// over directories and files an older version left world-readable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressStore } from '../progress/progress-store.js';
import { readServerRecord, writeServerRecord } from '../cli/server-record.js';
import { ensurePrivateDir, touchPrivateFile, writePrivateFile, writePrivateFileAsync } from './private-files.js';

const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);

let tmp: string;
let savedUmask: number;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-private-'));
  savedUmask = process.umask(0o000);
});
afterEach(() => {
  process.umask(savedUmask);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('private state files', () => {
  it('creates directories 0700 and tightens an existing 0755 one, with everything between it and the root', () => {
    const root = path.join(tmp, 'state');
    fs.mkdirSync(path.join(root, 'clusters'), { recursive: true, mode: 0o755 });
    fs.chmodSync(root, 0o755);
    fs.chmodSync(path.join(root, 'clusters'), 0o777);
    const dir = path.join(root, 'clusters', 'kind');
    ensurePrivateDir(dir, root);
    expect([mode(root), mode(path.join(root, 'clusters')), mode(dir)]).toEqual(['700', '700', '700']);
  });

  it('refuses a path that is not a directory', () => {
    const file = path.join(tmp, 'file');
    fs.writeFileSync(file, '');
    expect(() => ensurePrivateDir(file)).toThrow(/not a directory|EEXIST|ENOTDIR/);
  });

  it('writes files 0600, replacing an old file with a looser mode, and leaves no temporary behind', async () => {
    const file = path.join(tmp, 'secret');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    writePrivateFile(file, 'new');
    expect(mode(file)).toBe('600');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    const other = path.join(tmp, 'other');
    await writePrivateFileAsync(other, 'x');
    expect(mode(other)).toBe('600');
    touchPrivateFile(path.join(tmp, 'touched'));
    expect(mode(path.join(tmp, 'touched'))).toBe('600');
    expect(fs.readdirSync(tmp).sort()).toEqual(['other', 'secret', 'touched']);
  });

  it('keeps the progress database and its WAL files 0600, in a 0700 directory, even over an old 0644 file', () => {
    const state = path.join(tmp, 'state');
    fs.mkdirSync(state, { mode: 0o755 });
    fs.chmodSync(state, 0o755);
    const first = ProgressStore.inStateDir(state);
    first.revealHint('lab', 'one', 3);
    first.close();
    fs.chmodSync(path.join(state, 'progress.sqlite'), 0o644);
    fs.chmodSync(state, 0o755);

    const store = ProgressStore.inStateDir(state);
    store.revealHint('lab', 'one', 3);
    try {
      expect(mode(state)).toBe('700');
      const files = fs.readdirSync(state).filter((f) => f.startsWith('progress.sqlite'));
      expect(files).toEqual(expect.arrayContaining(['progress.sqlite', 'progress.sqlite-wal', 'progress.sqlite-shm']));
      for (const f of files) expect(`${f} ${mode(path.join(state, f))}`).toBe(`${f} 600`);
    } finally {
      store.close();
    }
  });

  it('writes the server record 0600 in a 0700 state directory', () => {
    const env = { HARDENING_LAB_STATE_DIR: path.join(tmp, 'state') };
    fs.mkdirSync(env.HARDENING_LAB_STATE_DIR, { mode: 0o755 });
    writeServerRecord({ pid: process.pid, url: 'http://127.0.0.1:1', cluster: 'x', startedAt: 'now' }, env);
    expect(mode(env.HARDENING_LAB_STATE_DIR)).toBe('700');
    expect(mode(path.join(env.HARDENING_LAB_STATE_DIR, 'server.json'))).toBe('600');
    expect(readServerRecord(env)?.url).toBe('http://127.0.0.1:1');
  });
});
