import type { LabSummary } from '../../../server/protocol.js';
import { Link } from '../app/Link.js';
import { CapabilityList, NotRunnableNotice } from './CapabilityList.js';

function progressWords(lab: LabSummary): string {
  if (lab.stepsPassed === 0) return `${lab.stepsTotal} steps · not started`;
  if (lab.stepsPassed >= lab.stepsTotal) return `all ${lab.stepsTotal} steps passed`;
  return `${lab.stepsPassed} of ${lab.stepsTotal} steps passed`;
}

export function LabCard({ lab }: { lab: LabSummary }) {
  const done = lab.stepsTotal > 0 && lab.stepsPassed >= lab.stepsTotal;
  return (
    <li
      className={`lab-card ${lab.runnable ? '' : 'lab-card-blocked'} ${done ? 'lab-card-done' : ''}`}
      data-lab-id={lab.id}
    >
      <h2 className="lab-card-title">
        <Link to={{ page: 'lab', labId: lab.id }}>{lab.title}</Link>
      </h2>
      <p className="lab-card-meta">
        <span>about {lab.minutes} min</span>
        <span className="lab-card-progress" data-lab-progress="">
          {progressWords(lab)}
        </span>
      </p>
      <progress max={Math.max(1, lab.stepsTotal)} value={lab.stepsPassed} aria-label={`${lab.title} progress`} />
      <p className="lab-card-summary">{lab.summary}</p>
      {!lab.runnable && <NotRunnableNotice capabilities={lab.capabilities} />}
      <CapabilityList capabilities={lab.capabilities} showReasons={lab.runnable} />
    </li>
  );
}
