// Locating the `kind` and `docker` executables. `go install` puts kind in
// $GOPATH/bin (usually ~/go/bin), which is often not on PATH: look there too
// so a learner who followed the README's install line is not told it is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function findKind(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HARDENING_LAB_KIND) return env.HARDENING_LAB_KIND;
  const found = onPath('kind', env);
  if (found) return found;
  const gopath = env.GOPATH || path.join(os.homedir(), 'go');
  const goBin = path.join(env.GOBIN || path.join(gopath, 'bin'), 'kind');
  return fs.existsSync(goBin) ? goBin : undefined;
}

export function findDocker(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return onPath('docker', env);
}
