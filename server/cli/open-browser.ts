// Open the start URL in the learner's browser, best effort: a missing opener
// (a server without a desktop) is not an error, the URL is printed anyway.
import { execa } from 'execa';

export async function openBrowser(url: string): Promise<boolean> {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = execa(opener, [url], { detached: true, stdio: 'ignore', timeout: 10_000, reject: false });
    child.unref();
    const result = await child;
    return result.exitCode === 0;
  } catch {
    return false;
  }
}
