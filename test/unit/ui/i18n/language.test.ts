/** Which language a screen starts in: the device's choice, else the phone's language on the citizen's screen. */
import { describe, expect, it } from 'vitest';
import { firstLanguage, phoneLanguage } from '../../../../src/ui/i18n/language.ts';

describe('phoneLanguage', () => {
  it('is Filipino for a phone set to Filipino or Tagalog', () => {
    expect(phoneLanguage(['fil-PH', 'en-US'])).toBe('fil');
    expect(phoneLanguage(['tl'])).toBe('fil');
    expect(phoneLanguage(['ja-JP', 'tl-PH'])).toBe('fil');
  });

  it('is English otherwise, and when English comes first', () => {
    expect(phoneLanguage(['en-PH', 'fil-PH'])).toBe('en');
    expect(phoneLanguage(['ja-JP'])).toBe('en');
    expect(phoneLanguage([])).toBe('en');
  });
});

describe('firstLanguage', () => {
  it('keeps the language chosen on this device', () => {
    expect(firstLanguage('fil', ['en-US'], false)).toBe('fil');
    expect(firstLanguage('en', ['fil-PH'], true)).toBe('en');
  });

  it('follows the phone on the citizen screen only, and ignores a damaged stored value', () => {
    expect(firstLanguage(null, ['fil-PH'], true)).toBe('fil');
    expect(firstLanguage(null, ['fil-PH'], false)).toBe('en');
    expect(firstLanguage('klingon', ['fil-PH'], true)).toBe('fil');
  });
});
