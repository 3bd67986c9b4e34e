import { describe, expect, it } from 'vitest';
import { solutionCommand } from './solution-command.js';

describe('solutionCommand', () => {
  it('hands the script to a child bash as an argument, via a quoted heredoc', () => {
    expect(solutionCommand('echo $HOME\nexit 1\n')).toBe(
      `bash -c "$(cat <<'HARDENING_LAB_SOLUTION'\necho $HOME\nexit 1\nHARDENING_LAB_SOLUTION\n)"`,
    );
  });
  it('picks a delimiter the script does not contain', () => {
    const command = solutionCommand('cat <<HARDENING_LAB_SOLUTION\nx\nHARDENING_LAB_SOLUTION\n');
    expect(command.startsWith(`bash -c "$(cat <<'HARDENING_LAB_SOLUTION_'\n`)).toBe(true);
    expect(command.endsWith('\nHARDENING_LAB_SOLUTION_\n)"')).toBe(true);
  });
});
