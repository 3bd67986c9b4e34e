// The page: cluster banner on top; the lab list or a lab on the left; the
// terminals on the right, mounted once for the life of the page.
import { useEffect, useRef } from 'react';
import { ClusterBanner } from '../cluster/ClusterBanner.js';
import { useCluster } from '../cluster/use-cluster.js';
import { LabPage } from '../lab/LabPage.js';
import { LabList } from '../labs/LabList.js';
import { Splitter } from '../layout/Splitter.js';
import { useSplit } from '../layout/use-split.js';
import type { TerminalHub } from '../terminals/terminal-hub.js';
import { TerminalTabs } from '../terminals/TerminalTabs.js';
import { TerminalHubContext } from '../terminals/use-terminal-hub.js';
import { Link } from './Link.js';
import { useRoute } from './routing.js';

export function App({ hub }: { hub: TerminalHub }) {
  const cluster = useCluster();
  const route = useRoute();
  const [split, setSplit] = useSplit();
  const workspaceRef = useRef<HTMLElement>(null);

  // A tab per node, as soon as the server names them.
  const nodeTargets = cluster.status?.nodes.map((node) => node.target).join('\n') ?? '';
  useEffect(() => {
    if (nodeTargets) hub.sync(nodeTargets.split('\n'));
  }, [hub, nodeTargets]);

  return (
    <TerminalHubContext.Provider value={hub}>
      <div className="app">
        <header className="topbar">
          <Link to={{ page: 'labs' }} className="brand">
            Hardening Lab
          </Link>
          <ClusterBanner cluster={cluster} />
          {cluster.version && <span className="version">v{cluster.version}</span>}
        </header>
        <main className="workspace" ref={workspaceRef} style={{ gridTemplateColumns: `${split}% auto 1fr` }}>
          <section className="steps-pane" id="steps-pane" aria-label={route.page === 'lab' ? 'Lab steps' : 'Labs'}>
            {route.page === 'lab' ? <LabPage labId={route.labId} /> : <LabList />}
          </section>
          <Splitter percent={split} onChange={setSplit} containerRef={workspaceRef} controls="steps-pane" />
          <TerminalTabs cluster={cluster.status} />
        </main>
      </div>
    </TerminalHubContext.Provider>
  );
}
