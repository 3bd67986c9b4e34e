// Lab text's links and images, judged as the browser will parse them. Every
// refused case here is one a scheme regex over the text let through (the
// first, `java\tscript:`, is the one found in review; only CSP stopped it).
import { describe, expect, it } from 'vitest';
import { isExternal, isRelativeAsset, safeLinkHref } from './safe-url.js';

describe('safeLinkHref', () => {
  it('refuses scripting schemes however the text hides them', () => {
    for (const href of [
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      'java\rscript:alert(1)',
      'jav\u0009ascript:alert(1)',
      ' javascript:alert(1)',
      '\u0001javascript:alert(1)',
      '\u0000javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'javascript:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'blob:https://x/y',
    ]) {
      expect(safeLinkHref(href), JSON.stringify(href)).toBeUndefined();
    }
  });

  it('keeps http(s) and mailto as the parser serializes them, and relative references as written', () => {
    expect(safeLinkHref('https://kubernetes.io/docs/')).toBe('https://kubernetes.io/docs/');
    expect(safeLinkHref('HTTPS://Kubernetes.IO')).toBe('https://kubernetes.io/');
    expect(safeLinkHref('ht\ttps://k8s.io')).toBe('https://k8s.io/');
    expect(safeLinkHref('mailto:a@b.example')).toBe('mailto:a@b.example');
    expect(safeLinkHref('#step')).toBe('#step');
    expect(safeLinkHref(' other/page ')).toBe('other/page');
    // A backslash is a slash to the parser: this is a link to another host, and says so.
    expect(safeLinkHref('\\\\evil.example/x')).toBe('https://evil.example/x');
  });

  it('calls absolute http(s) links external, nothing else', () => {
    expect(isExternal('https://k8s.io')).toBe(true);
    expect(isExternal('\\\\evil.example')).toBe(true);
    expect(isExternal('#step')).toBe(false);
    expect(isExternal('mailto:a@b.example')).toBe(false);
  });
});

describe('isRelativeAsset', () => {
  it('takes paths inside the lab directory', () => {
    expect(isRelativeAsset('images/dot.png')).toBe(true);
    expect(isRelativeAsset('./img/a%20b.png')).toBe(true);
  });

  it('refuses schemes, hosts, rooted paths and any way out of the directory', () => {
    for (const href of [
      'https://x.io/t.png',
      '//x.io/t.png',
      '\\\\x.io\\t.png',
      '/etc/passwd',
      '../secret.png',
      'images/../../secret.png',
      'images/%2e%2e/secret.png',
      'images/%2E%2E%2Fsecret.png',
      'images/.%2e/secret.png',
      'java\tscript:x.png',
      'data:image/png;base64,AAAA',
    ]) {
      expect(isRelativeAsset(href), JSON.stringify(href)).toBe(false);
    }
  });
});
