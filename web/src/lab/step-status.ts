import type { StepStatus } from '../../../server/protocol.js';

export const STEP_STATUS_MARK: Record<StepStatus, string> = { passed: '✓', failed: '✗', open: '○', locked: '🔒' };
export const STEP_STATUS_WORDS: Record<StepStatus, string> = {
  passed: 'passed',
  failed: 'not passed yet',
  open: 'open',
  locked: 'locked until the earlier steps pass',
};
