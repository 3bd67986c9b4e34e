import { describe, expect, it } from 'vitest';
import { withoutLeadingTitle } from './leading-heading.js';

describe('withoutLeadingTitle', () => {
  it('drops a first heading that repeats the title', () => {
    expect(withoutLeadingTitle('# Seccomp  profiles\n\nText', 'Seccomp profiles')).toBe('\nText');
  });
  it('keeps a different first heading, and text without one', () => {
    expect(withoutLeadingTitle('# Other\nText', 'Seccomp')).toBe('# Other\nText');
    expect(withoutLeadingTitle('Text', 'Text')).toBe('Text');
  });
});
