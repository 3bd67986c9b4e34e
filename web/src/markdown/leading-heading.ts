// Lab files start with `# <title>`, which the page already shows as the lab or
// step heading; drop that first line so the title does not appear twice.
export function withoutLeadingTitle(markdown: string, title: string): string {
  const match = /^\s*#{1,2}[ \t]+(.+?)[ \t#]*(?:\r?\n|$)/.exec(markdown);
  if (!match?.[1]) return markdown;
  const normalise = (s: string): string => s.trim().toLowerCase().replace(/\s+/g, ' ');
  return normalise(match[1]) === normalise(title) ? markdown.slice(match[0].length) : markdown;
}
