import { describe, expect, it } from 'vitest';
import { fail, pass, type Check } from './check.js';
import { RecordedClusterView } from './recorded-cluster-view.js';
import { RecordingClusterView } from './recording-cluster-view.js';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
  status: { phase: 'Running' },
};

const check: Check = async (view) => {
  const pod = await view.getPod('ns', 'web');
  const touch = await view.execInPod({ namespace: 'ns', pod: 'web', container: 'nginx' }, ['touch', '/x']);
  const logs = await view.podLogs('ns', 'web', { previous: true });
  const file = await view.readNodeFile('control-plane', '/etc/hostname');
  return [
    pod ? pass('pod', 'there') : fail('pod', 'missing'),
    touch.exitCode === 1 ? pass('touch fails', touch.stderr) : fail('touch fails', String(touch.exitCode)),
    pass('logs', logs),
    pass('file', file ?? 'none'),
  ];
};

describe('RecordingClusterView', () => {
  it('records what a check saw so that RecordedClusterView replays it identically', async () => {
    const source = new RecordedClusterView({
      objects: [POD],
      execs: [
        {
          namespace: 'ns',
          pod: 'web',
          container: 'nginx',
          argv: ['touch', '/x'],
          result: { exitCode: 1, stdout: '', stderr: 'Read-only file system' },
        },
      ],
      logs: [{ namespace: 'ns', pod: 'web', previous: true, text: 'old log' }],
      nodeFiles: { 'control-plane:/etc/hostname': 'node\n' },
    });
    const recording = new RecordingClusterView(source);
    const live = await check(recording);
    const replayed = await check(new RecordedClusterView(recording.toRecording('round trip')));
    expect(replayed).toEqual(live);
    expect(live.every((f) => f.ok)).toBe(true);
    expect(recording.toRecording('x')).toMatchObject({ description: 'x', objects: [POD] });
  });
});
