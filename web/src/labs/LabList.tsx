import { fetchLabs } from '../api/labs-api.js';
import { ApiError } from '../api/api-error.js';
import { useAsync } from '../app/use-async.js';
import { LabCard } from './LabCard.js';

export function LabList() {
  const [labs] = useAsync((signal) => fetchLabs(signal), []);
  return (
    <section className="lab-list" aria-labelledby="lab-list-title">
      <h1 id="lab-list-title">Labs</h1>
      <p className="lede">
        Each lab hardens one part of the cluster. Read a step, do it in a terminal on the right, then press Check.
      </p>
      {labs.state === 'loading' && <p>Loading labs…</p>}
      {labs.state === 'failed' && (
        <p className="error" role="alert">
          {labs.error instanceof ApiError && labs.error.status === 404
            ? 'This server has no labs to offer yet.'
            : `Could not load the labs: ${labs.message}`}
        </p>
      )}
      {labs.state === 'loaded' && labs.value.length === 0 && <p>No labs are installed.</p>}
      {labs.state === 'loaded' && labs.value.length > 0 && (
        <ul className="lab-cards">
          {labs.value.map((lab) => (
            <LabCard key={lab.id} lab={lab} />
          ))}
        </ul>
      )}
    </section>
  );
}
