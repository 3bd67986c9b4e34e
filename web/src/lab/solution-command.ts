// A solution is a whole bash script (shebang, `exit 1` on failure, its own
// heredocs). Pasted line by line into the learner's interactive shell, an
// `exit` would close that shell. So Run hands the script to a child bash as
// an argument — not on stdin, where a command inside could swallow the rest.

const DELIMITER = 'HARDENING_LAB_SOLUTION';

export function solutionCommand(script: string): string {
  let delimiter = DELIMITER;
  while (script.split('\n').some((line) => line.trim() === delimiter)) delimiter += '_';
  return `bash -c "$(cat <<'${delimiter}'\n${script.replace(/\n+$/, '')}\n${delimiter}\n)"`;
}
