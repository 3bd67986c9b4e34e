// A refusal the learner's page can act on, with the HTTP status it maps to.
// It is an HttpError, so the server's one error handler sends its message.
import { HttpError } from '../http/http-error.js';

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

export class LabError extends HttpError {
  declare readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string) {
    super(STATUS[code], code, message);
    this.name = 'LabError';
  }
}
