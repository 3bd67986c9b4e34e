// A refusal the learner's page can act on, with the HTTP status it maps to.
export type LabErrorCode =
  'unknown-lab' | 'unknown-step' | 'locked' | 'no-more-hints' | 'solution-locked' | 'not-runnable';

const STATUS: Record<LabErrorCode, number> = {
  'unknown-lab': 404,
  'unknown-step': 404,
  locked: 409,
  'no-more-hints': 409,
  'solution-locked': 403,
  'not-runnable': 409,
};

export class LabError extends Error {
  readonly status: number;
  constructor(
    readonly code: LabErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LabError';
    this.status = STATUS[code];
  }
}
