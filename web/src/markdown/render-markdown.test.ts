import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render-markdown.js';

describe('renderMarkdown', () => {
  it('gives run= fences a Run button for that terminal, and every fence a Copy button', () => {
    const html = renderMarkdown('```bash run=control-plane\nkubectl get pods\n```\n\n```yaml\nkind: Pod\n```\n');
    expect(html).toContain('data-run-target="control-plane"');
    expect(html.match(/data-code-action="run"/g)).toHaveLength(1);
    expect(html.match(/data-code-action="copy"/g)).toHaveLength(2);
    expect(html).toContain('Run in control-plane');
  });

  it('gives fences without run= only Copy (labs/README.md)', () => {
    const html = renderMarkdown('```bash\nkubectl apply -f -\n```\n');
    expect(html).not.toContain('data-code-action="run"');
    expect(html).not.toContain('data-run-target');
  });

  it('ignores a malformed run= target', () => {
    expect(renderMarkdown('```bash run="><img>\necho\n```\n')).not.toContain('data-run-target');
  });

  it('escapes code, raw HTML blocks and inline HTML', () => {
    const html = renderMarkdown(
      '```bash run=worker\necho "<b>&"\n```\n\n<div onclick="x()">hi</div>\n\ntext <img src=x onerror=alert(1)> more\n',
    );
    expect(html).toContain('echo &quot;&lt;b&gt;&amp;&quot;');
    expect(html).not.toMatch(/<div onclick/);
    expect(html).not.toMatch(/<img src=x/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('drops links with dangerous schemes and marks external ones', () => {
    const html = renderMarkdown('[a](javascript:alert(1)) [b](data:text/html,x) [c](https://k8s.io) [d](#step)');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('data:text');
    expect(html).toContain('<a href="https://k8s.io/" target="_blank" rel="noopener noreferrer">c</a>');
    expect(html).toContain('<a href="#step">d</a>');
  });

  it('drops a link whose scheme hides a tab (the browser strips it; a regex on the text did not)', () => {
    const html = renderMarkdown(
      '[a](<java\tscript:alert(1)>) [c](<\u0001javascript:alert(1)>) [d](<JAVA\tSCRIPT:alert(1)>)',
    );
    expect(html).not.toContain('<a');
    expect(html).not.toMatch(/script:/i);
  });

  it('resolves relative images to the lab assets and refuses others', () => {
    const html = renderMarkdown(
      '![diagram](./img/a%20b.png) ![ext](https://x.io/t.png) ![up](../secret.png) ![root](/etc/passwd)',
      'my-lab',
    );
    // Named, not loaded: the image is behind the credential (MarkdownView fetches it).
    expect(html).toContain('data-lab-asset="/api/labs/my-lab/assets/img/a%20b.png"');
    expect(html).not.toContain('src=');
    expect(html).not.toContain('x.io');
    expect(html).not.toContain('secret.png"');
    expect(html).not.toContain('/etc/passwd');
    expect(html.match(/<img/g)).toHaveLength(1);
  });

  it('turns **Warning** and [!NOTE] quotes into callouts, leaves plain quotes alone', () => {
    expect(renderMarkdown('> **Warning** careful')).toContain('class="callout callout-warning"');
    const github = renderMarkdown('> [!NOTE]\n> GitHub style');
    expect(github).toContain('class="callout callout-note"');
    expect(github).toContain('<p class="callout-title">Note</p>');
    expect(github).not.toContain('[!NOTE]');
    expect(renderMarkdown('> just a quote')).toContain('<blockquote>');
  });
});
