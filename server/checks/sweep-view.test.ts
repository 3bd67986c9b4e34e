import { describe, expect, it } from 'vitest';
import { CheckRunner } from './check-runner.js';
import { pass, type Check } from './check.js';
import { RecordedClusterView } from './recorded-cluster-view.js';
import { sweepView } from './sweep-view.js';

const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'ns' }, spec: { containers: [] } };

describe('sweepView', () => {
  it('shares reads between checks of one sweep but never execs', async () => {
    const recorded = new RecordedClusterView({
      objects: [POD],
      execs: [{ namespace: 'ns', pod: 'web', argv: ['true'], result: { exitCode: 0 } }],
    });
    const check: Check = async (view) => {
      const pod = await view.getPod('ns', 'web', { timeoutMs: Math.random() * 1000 });
      if (pod?.metadata) pod.metadata.name = 'mutated by a check';
      await view.execInPod({ namespace: 'ns', pod: 'web' }, ['true']);
      return [pass('pod', 'there')];
    };
    const results = await new CheckRunner({ view: () => recorded }).sweep([
      { name: 'a', check },
      { name: 'b', check },
      { name: 'c', check },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(recorded.calls.filter((c) => c.startsWith('getPod'))).toHaveLength(1);
    expect(recorded.calls.filter((c) => c.startsWith('execInPod'))).toHaveLength(3);
  });

  it('hands each caller its own copy', async () => {
    const view = sweepView(new RecordedClusterView({ objects: [POD] }));
    const first = await view.getPod('ns', 'web');
    if (first?.metadata) first.metadata.name = 'changed';
    expect((await view.getPod('ns', 'web'))?.metadata?.name).toBe('web');
  });
});
