// Blockquotes that open with **Warning** / **Note** (or GitHub's `[!WARNING]`)
// become styled callouts. Works on the rendered HTML of the quote's body.

export type CalloutKind = 'note' | 'tip' | 'important' | 'warning' | 'caution';

const KINDS = new Set<string>(['note', 'tip', 'important', 'warning', 'caution']);

export interface Callout {
  kind: CalloutKind;
  /** Body HTML with a GitHub-style marker removed (the title is rendered separately). */
  body: string;
  /** True when the marker was GitHub style and a title must be shown. */
  needsTitle: boolean;
}

export function detectCallout(bodyHtml: string): Callout | undefined {
  const github = /^\s*<p>\[!([A-Za-z]+)\][ \t]*(?:<br>)?\s*/.exec(bodyHtml);
  if (github?.[1] && KINDS.has(github[1].toLowerCase())) {
    const rest = bodyHtml.slice(github[0].length);
    // `> [!NOTE]` alone on its line leaves an empty first paragraph.
    const body = rest.startsWith('</p>') ? rest.slice('</p>'.length) : `<p>${rest}`;
    return { kind: github[1].toLowerCase() as CalloutKind, body, needsTitle: true };
  }
  const bold = /^\s*<p><strong>([A-Za-z]+):?<\/strong>/.exec(bodyHtml);
  if (bold?.[1] && KINDS.has(bold[1].toLowerCase())) {
    return { kind: bold[1].toLowerCase() as CalloutKind, body: bodyHtml, needsTitle: false };
  }
  return undefined;
}

export function calloutTitle(kind: CalloutKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}
