// The immutable-pods checks against recorded pods and exec results: each
// common wrong answer must fail with the finding that names it, and
// alternative correct answers must pass.
import { describe, expect, it } from 'vitest';
import { CheckRunner } from '../../server/checks/check-runner.js';
import { findingsPass } from '../../server/checks/check.js';
import { RecordedClusterView } from '../../server/checks/recorded-cluster-view.js';
import type { Finding } from '../../server/protocol.js';
import {
  chooseDebugContainer,
  debugBypassesTrick,
  judgeProbeCommand,
  readOnlyRoot,
  startupProbeRemovesShell,
  type DebugContainer,
} from './checks.js';

const fixture = (name: string) => RecordedClusterView.fromFile(new URL(`./fixtures/${name}.json`, import.meta.url));
const failed = (findings: Finding[]) => findings.filter((f) => !f.ok);

describe('step 1: readOnlyRoot', () => {
  it('passes the reference answer on state and behaviour', async () => {
    const findings = await readOnlyRoot(await fixture('ro-correct'));
    expect(findingsPass(findings)).toBe(true);
    expect(findings.map((f) => f.expected)).toEqual([
      'spec.containers[nginx].securityContext.readOnlyRootFilesystem: true',
      'container nginx running and ready',
      'writing to / fails with "Read-only file system"',
      'writing into /var/cache/nginx (an emptyDir) works',
    ]);
    expect(findings[2]?.found).toBe("touch: cannot touch '/hl-immutable-probe': Read-only file system");
    expect(findings[2]?.where).toBe(
      'kubectl -n immutable-pods exec ro-nginx -c nginx -- touch /hl-immutable-probe /var/cache/nginx/.hl-immutable-probe',
    );
  });

  it('accepts other names, Memory emptyDirs, /run, extra mounts and extra hardening', async () => {
    const findings = await readOnlyRoot(await fixture('ro-alternative'));
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.where).toBe('spec.containers[web].securityContext.readOnlyRootFilesystem');
  });

  it('names the misspelt readonlyRootFilesystem from the applied manifest', async () => {
    const findings = await readOnlyRoot(await fixture('ro-wrong-case'));
    expect(findingsPass(findings)).toBe(false);
    const [field, write] = failed(findings);
    expect(field).toMatchObject({
      found: 'field missing on the stored pod',
      advice: expect.stringContaining('readonlyRootFilesystem'),
    });
    expect(field?.advice).toContain('capital O');
    expect(write).toMatchObject({
      found: 'the write succeeded: the root filesystem is writable',
      advice: expect.stringContaining('capital O'),
    });
  });

  it('names the pod-level securityContext mistake', async () => {
    const [field] = failed(await readOnlyRoot(await fixture('ro-pod-level')));
    expect(field?.advice).toContain('pod-level spec.securityContext');
    expect(field?.advice).toContain("each container's securityContext");
  });

  it('fails a writable pod with no recorded intent, with generic advice', async () => {
    const bad = failed(await readOnlyRoot(await fixture('ro-writable-no-annotation')));
    expect(bad.map((f) => f.expected)).toEqual([
      'spec.containers[nginx].securityContext.readOnlyRootFilesystem: true',
      'writing to / fails with "Read-only file system"',
    ]);
    expect(bad[0]?.advice).toContain('check the spelling');
  });

  it("explains the blog's emptyDir on /var/log only: nginx crash-loops on /var/cache/nginx", async () => {
    const view = await fixture('ro-var-log-only');
    const findings = await readOnlyRoot(view);
    expect(findings[0]?.ok).toBe(true); // the field itself is right
    const ready = findings.find((f) => f.expected === 'container nginx running and ready');
    expect(ready?.ok).toBe(false);
    expect(ready?.found).toMatch(/^CrashLoopBackOff \(restarted 3 times\)/);
    expect(ready?.found).toContain('mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)');
    expect(ready?.advice).toContain('/var/cache/nginx');
    expect(ready?.advice).toContain('an emptyDir on /var/log alone, as in the blog, is not enough');
    // No exec into a container that is not running.
    expect(view.calls.some((c) => c.startsWith('execInPod'))).toBe(false);
    expect(findings.at(-1)).toMatchObject({ ok: false, found: 'not tested: the container is not running' });
  });

  it("says the pod is missing, and mentions kubectl's strict decoding error", async () => {
    const findings = await readOnlyRoot(await fixture('ro-missing'));
    expect(findings).toEqual([
      expect.objectContaining({ ok: false, expected: 'pod immutable-pods/ro-nginx exists', found: 'no such pod' }),
    ]);
    expect(findings[0]?.advice).toContain('strict decoding error');
  });
});

describe('step 2: startupProbeRemovesShell', () => {
  it('passes the reference answer: probe form, started, bash and touch gone', async () => {
    const findings = await startupProbeRemovesShell(await fixture('probe-correct'));
    expect(failed(findings)).toEqual([]);
    expect(findings.map((f) => f.expected)).toEqual([
      'a startup probe that runs rm (e.g. ["sh", "-c", "rm -f /bin/bash /bin/touch"])',
      'the startup probe succeeded (container started and ready)',
      'bash can no longer be started in the container',
      'touch can no longer be started in the container',
    ]);
    expect(findings[2]?.found).toContain('exec: "bash": executable file not found in $PATH');
  });

  it.each(['probe-alternative', 'probe-direct-rm'])('accepts the alternative answer %s', async (name) => {
    expect(failed(await startupProbeRemovesShell(await fixture(name)))).toEqual([]);
  });

  it('names the blog\'s "- c" mistake and shows the probe failure event', async () => {
    const findings = await startupProbeRemovesShell(await fixture('probe-blog-sh-c'));
    const [probe, started, bash, touch] = findings;
    expect(probe).toMatchObject({ ok: false, found: '["sh","c","rm /bin/bash\\nrm /bin/touch\\n"]' });
    expect(probe?.advice).toContain('The second item is "c", not "-c"');
    expect(started).toMatchObject({ ok: false });
    expect(started?.found).toContain('event: Startup probe failed: sh: 0: cannot open c: No such file');
    expect(started?.advice).toContain('restarts the container forever');
    expect(bash).toMatchObject({ ok: false, found: 'bash ran (exit code 0): it is still there' });
    expect(touch?.ok).toBe(false);
  });

  it('fails a pod without a probe', async () => {
    const [probe] = await startupProbeRemovesShell(await fixture('probe-none'));
    expect(probe).toMatchObject({ ok: false, found: 'no startupProbe.exec.command' });
  });

  it('judges probe commands', () => {
    expect(judgeProbeCommand(['sh', '-c', 'rm -f /bin/bash /bin/touch']).ok).toBe(true);
    expect(judgeProbeCommand(['/bin/bash', '-xc', 'rm /bin/bash']).ok).toBe(true);
    expect(judgeProbeCommand(['/usr/bin/rm', '-f', '/bin/bash']).ok).toBe(true);
    expect(judgeProbeCommand(['sh', 'c', 'rm /bin/bash']).ok).toBe(false);
    expect(judgeProbeCommand(['sh', '-c rm /bin/bash']).ok).toBe(false);
    expect(judgeProbeCommand(['sh', '-c', 'echo hi']).advice).toContain('rm');
    expect(judgeProbeCommand(['cat', '/etc/hostname']).ok).toBe(false);
  });
});

describe('step 3: debugBypassesTrick', () => {
  it('passes a targeted, running debug container whose shell reads nginx files through /proc/1/root', async () => {
    const findings = await debugBypassesTrick(await fixture('debug-correct'));
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe(
      'debugger (busybox:1.36) → nginx; judged: debugger, the newest running one that targets nginx',
    );
    expect(findings.at(-1)?.expected).toBe(
      "a shell in debugger reads nginx's /proc/1/root/etc/nginx/nginx.conf although bash was removed",
    );
  });

  // Failed before: the check judged the FIRST targeted ephemeral container, which
  // had exited, so following its own advice (a new one with another -c name) never passed.
  it('judges the newest running targeted one when an earlier attempt exited, and says which', async () => {
    const findings = await debugBypassesTrick(await fixture('debug-second-after-exited'));
    expect(failed(findings)).toEqual([]);
    expect(findings[0]?.found).toBe(
      'debugger-2 (busybox:1.36) → nginx; judged: debugger-2, the newest running one that targets nginx; also in the pod: debugger: → nginx, terminated (exit code 0)',
    );
  });

  it('asks for --target and a long-running command, with a name kubectl debug still accepts', async () => {
    const findings = await debugBypassesTrick(await fixture('debug-no-target-exited'));
    expect(findings.map((f) => [f.ok, f.code, f.found])).toEqual([
      [
        false,
        'DEBUG_NOT_TARGETED',
        'debugger-x7wq2 has no targetContainerName; judged: debugger-x7wq2, the newest one',
      ],
      [false, 'DEBUG_NOT_RUNNING', 'terminated (exit code 0)'],
    ]);
    expect(findings[0]?.advice).toContain('--target=nginx');
    expect(findings[1]?.advice).toContain('sleep 3600');
    expect(findings[1]?.advice).toContain('-c debugger --');
  });

  it('fails before kubectl debug was run, and tells how', async () => {
    const findings = await debugBypassesTrick(await fixture('probe-correct'));
    expect(findings).toEqual([expect.objectContaining({ ok: false, found: 'none', code: 'NO_DEBUG_CONTAINER' })]);
    expect(findings[0]?.advice).toContain('kubectl -n immutable-pods debug immutable --image=busybox:1.36');
  });
});

describe('chooseDebugContainer', () => {
  const c = (name: string, target: string | undefined, running: boolean): DebugContainer => ({
    name,
    image: 'busybox:1.36',
    target,
    running,
    state: running ? 'running' : 'terminated (exit code 0)',
  });

  it('prefers any running targeted one, the newest first', () => {
    expect(chooseDebugContainer([c('a', 'nginx', true), c('b', 'nginx', true)], 'nginx')?.chosen.name).toBe('b');
    expect(chooseDebugContainer([c('a', 'nginx', true), c('b', undefined, true)], 'nginx')?.chosen.name).toBe('a');
    expect(chooseDebugContainer([c('a', 'nginx', true), c('b', 'nginx', false)], 'nginx')?.chosen.name).toBe('a');
  });

  it('otherwise judges the newest attempt at a targeted one, then the newest running one', () => {
    expect(chooseDebugContainer([c('a', 'nginx', false), c('b', undefined, true)], 'nginx')?.chosen.name).toBe('a');
    expect(chooseDebugContainer([c('a', undefined, false), c('b', undefined, true)], 'nginx')?.chosen.name).toBe('b');
    expect(chooseDebugContainer([], 'nginx')).toBeUndefined();
  });
});

describe('when the API server does not answer', () => {
  it('the runner reports an error in plain words, not a wrong answer', async () => {
    const runner = new CheckRunner({ view: () => new RecordedClusterView({ unreachable: true }) });
    const result = await runner.run({ name: 'immutable-pods/readOnlyRoot', check: readOnlyRoot });
    expect(result.ok).toBe(false);
    expect(result.findings).toEqual([]);
    expect(result.error).toContain('https://127.0.0.1:6443');
    expect(result.error).toContain('crictl ps -a --name kube-apiserver');
  });
});

describe('recordings from a real kind cluster (scripts/record-fixture.ts)', () => {
  it.each([
    ['recorded-ro-solution', readOnlyRoot],
    ['recorded-probe-solution', startupProbeRemovesShell],
    ['recorded-debug-solution', debugBypassesTrick],
  ] as const)('%s: the reference solution passes', async (name, check) => {
    expect(failed(await check(await fixture(name)))).toEqual([]);
  });

  it("the blog's pod as printed: the misspelt field and the hidden /var/log/nginx are both named", async () => {
    const findings = await readOnlyRoot(await fixture('recorded-ro-blog-as-printed'));
    expect(findings[0]?.advice).toContain('capital O');
    const ready = findings.find((f) => f.expected === 'container nginx running and ready');
    expect(ready?.found).toContain('open() "/var/log/nginx/error.log" failed (2: No such file or directory)');
    expect(ready?.advice).toContain("hides the image's /var/log/nginx directory");
  });

  it('a startup probe on a read-only root: rm cannot delete, named as such', async () => {
    const findings = await startupProbeRemovesShell(await fixture('recorded-probe-on-read-only-root'));
    const started = findings.find((f) => f.expected.startsWith('the startup probe succeeded'));
    expect(started).toMatchObject({ ok: false, code: 'PROBE_ON_READ_ONLY_ROOT' });
    expect(started?.found).toContain("rm: cannot remove '/bin/bash': Read-only file system");
  });

  it("the blog's probe: '- c' named, the probe failure event shown, bash still there", async () => {
    const [probe, started, bash] = await startupProbeRemovesShell(await fixture('recorded-probe-blog'));
    expect(probe?.advice).toContain('The second item is "c", not "-c"');
    expect(started?.found).toContain('Startup probe failed: sh: 0: cannot open c: No such file');
    expect(bash).toMatchObject({ ok: false, found: 'bash ran (exit code 0): it is still there' });
  });
});
