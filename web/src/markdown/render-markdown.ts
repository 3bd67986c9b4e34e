// Lab Markdown → HTML string for the steps pane. Lab text is trusted-ish
// (it ships with the product) but the page hands out root shells, so raw HTML
// is escaped, URLs are filtered, and the result is safe to set as innerHTML.
// Code blocks get Copy/Run buttons as plain markup; MarkdownView handles
// their clicks by delegation, so no inline handlers are needed under the CSP.
import { Marked, type Tokens } from 'marked';
import { labAssetUrl } from '../api/labs-api.js';
import { calloutTitle, detectCallout } from './callout.js';
import { parseCodeInfo } from './code-info.js';
import { escapeHtml } from './escape-html.js';
import { LAB_ASSET_ATTR } from './lab-images.js';
import { isExternal, isRelativeAsset, safeLinkHref } from './safe-url.js';

/** Data attributes the delegated click handler in MarkdownView relies on. */
export const CODE_ACTION_ATTR = 'data-code-action';
export const RUN_TARGET_ATTR = 'data-run-target';

function renderCodeBlock(token: Tokens.Code): string {
  const info = parseCodeInfo(token.lang);
  const text = token.text.replace(/\n+$/, '');
  const langClass = info.lang ? ` class="language-${escapeHtml(info.lang)}"` : '';
  const targetAttr = info.runTarget ? ` ${RUN_TARGET_ATTR}="${escapeHtml(info.runTarget)}"` : '';
  const runButton = info.runTarget
    ? `<button type="button" class="code-button code-run" ${CODE_ACTION_ATTR}="run" title="Type this into the ${escapeHtml(info.runTarget)} terminal and press Enter">▶ Run in ${escapeHtml(info.runTarget)}</button>`
    : '';
  return (
    `<div class="code-block"${targetAttr}>` +
    `<div class="code-toolbar">` +
    (info.lang ? `<span class="code-lang">${escapeHtml(info.lang)}</span>` : '') +
    `<button type="button" class="code-button code-copy" ${CODE_ACTION_ATTR}="copy" title="Copy to the clipboard">Copy</button>` +
    runButton +
    `</div>` +
    `<pre><code${langClass}>${escapeHtml(text)}</code></pre>` +
    `</div>\n`
  );
}

function createMarked(labId: string | undefined): Marked {
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  marked.use({
    renderer: {
      code: renderCodeBlock,
      // Raw HTML in lab text is shown as text, never interpreted.
      html({ text }) {
        return escapeHtml(text);
      },
      link({ href, title, tokens }) {
        const inner = this.parser.parseInline(tokens);
        const safe = safeLinkHref(href);
        if (safe === undefined) return inner;
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
        const external = isExternal(safe) ? ' target="_blank" rel="noopener noreferrer"' : '';
        return `<a href="${escapeHtml(safe)}"${titleAttr}${external}>${inner}</a>`;
      },
      image({ href, title, text }) {
        if (labId === undefined || !isRelativeAsset(href)) return escapeHtml(text);
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
        // No src: the image is behind the credential; MarkdownView loads it (lab-images.ts).
        return `<img ${LAB_ASSET_ATTR}="${escapeHtml(labAssetUrl(labId, href.trim()))}" alt="${escapeHtml(text)}"${titleAttr}>`;
      },
      blockquote({ tokens }) {
        const body = this.parser.parse(tokens);
        const callout = detectCallout(body);
        if (!callout) return `<blockquote>\n${body}</blockquote>\n`;
        const title = callout.needsTitle ? `<p class="callout-title">${calloutTitle(callout.kind)}</p>` : '';
        return `<blockquote class="callout callout-${callout.kind}">\n${title}${callout.body}</blockquote>\n`;
      },
    },
  });
  return marked;
}

const instances = new Map<string, Marked>();

/** Renders Markdown; `labId` resolves relative image paths to the lab's assets. */
export function renderMarkdown(markdown: string, labId?: string): string {
  const key = labId ?? '';
  let marked = instances.get(key);
  if (!marked) {
    marked = createMarked(labId);
    instances.set(key, marked);
  }
  return marked.parse(markdown, { async: false });
}
