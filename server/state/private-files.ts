// Everything the product keeps lives in its state directory and is private
// to the user running it: directories 0700, files 0600 — whatever the umask
// (a shared machine's 002 or 000), and whatever mode an existing directory
// or file already has (earlier versions kept a 0755 directory as it was and
// let SQLite create progress.sqlite 0644). The progress database, the
// kubeconfig with the cluster's admin credentials, node-file backups and the
// browser-opener file (it holds the start URL) are all in there.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

function checkOwnDirectory(dir: string, stat: fs.Stats): void {
  if (!stat.isDirectory()) throw new Error(`${dir} is not a directory. Move whatever is there out of the way.`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new Error(`${dir} belongs to another user (uid ${stat.uid}). Use a state directory of your own.`);
  }
}

/**
 * Creates `dir` if needed and makes it 0700, together with every directory
 * between `root` (inclusive) and it when `root` is given. A directory owned by
 * another user is refused: its owner could read or swap what we write.
 */
export function ensurePrivateDir(dir: string, root?: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const chain = [path.resolve(dir)];
  if (root !== undefined) {
    const top = path.resolve(root);
    let current = chain[0] as string;
    while (current !== top && current.startsWith(top + path.sep)) {
      current = path.dirname(current);
      chain.push(current);
    }
  }
  for (const each of chain) {
    const stat = fs.statSync(each);
    checkOwnDirectory(each, stat);
    if ((stat.mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(each, PRIVATE_DIR_MODE);
  }
}

/** Makes an existing file 0600 (files a library created, like SQLite's); absent files are fine. */
export function restrictFile(file: string): void {
  try {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Creates `file` empty and 0600 if it does not exist yet, and makes it 0600 if it does. */
export function touchPrivateFile(file: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, PRIVATE_FILE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}

function temporaryBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `file` as 0600: a fresh temporary file beside it (O_EXCL, so
 * nothing planted there is followed), chmod'ed explicitly because the umask
 * may have taken bits off, then renamed over the target — which also replaces
 * an old file's looser mode, and never leaves a half-written file.
 */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  const temporary = temporaryBeside(file);
  const fd = fs.openSync(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temporary, file);
}

/** writePrivateFile for async callers. */
export async function writePrivateFileAsync(file: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryBeside(file);
  const handle = await fsp.open(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fsp.rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await fsp.rename(temporary, file);
}
