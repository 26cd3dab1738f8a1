/**
 * Every screen in Filipino: each English message has a Filipino one, not
 * empty, with the same {placeholders}, and not left in English by mistake.
 */
import { describe, expect, it } from 'vitest';
import { placeholders, translator } from '../../../../src/ui/i18n/catalogue.ts';
import { en } from '../../../../src/ui/i18n/en.ts';
import { fil } from '../../../../src/ui/i18n/fil.ts';
import { staffEn } from '../../../../src/ui/i18n/staff-en.ts';
import { staffFil } from '../../../../src/ui/i18n/staff-fil.ts';

/**
 * Messages that read the same in Filipino: names, numbers and words Filipino uses as they are
 * ("chat" and "console" are the words Filipino apps use; the staff catalogue says "console" throughout).
 */
const SAME_IN_BOTH = new Set(['app.name', 'chat.label', 'history.chat', 'transfer.console', 'age.minutes']);

/** What is wrong with a translation of `source`, one line per problem. */
function problems(source: Record<string, string>, translation: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [key, english] of Object.entries(source)) {
    const text = translation[key];
    if (text === undefined) out.push(`${key}: missing`);
    else if (text.trim() === '') out.push(`${key}: empty`);
    else {
      if (placeholders(text).join() !== placeholders(english).join()) out.push(`${key}: placeholders {${placeholders(text).join('}{')}} instead of {${placeholders(english).join('}{')}}`);
      if (text === english && !SAME_IN_BOTH.has(key)) out.push(`${key}: still in English`);
    }
  }
  for (const key of Object.keys(translation)) if (!(key in source)) out.push(`${key}: not in the English catalogue`);
  return out;
}

describe('the Filipino catalogues', () => {
  it('translate every message of the shared catalogue', () => {
    expect(problems(en, fil)).toEqual([]);
  });

  it('translate every message of the staff catalogue', () => {
    expect(problems(staffEn, staffFil)).toEqual([]);
  });

  it('are checked: a missing, empty, untranslated or mis-placeholdered message is reported', () => {
    const source = { a: 'Call {name}', b: 'Hang up', c: 'Answer', d: 'Waiting {age}' };
    const broken = { a: 'Tawagan si {pangalan}', b: '  ', c: 'Answer', e: 'Sobra' };
    expect(problems(source, broken)).toEqual([
      'a: placeholders {pangalan} instead of {name}',
      'b: empty',
      'c: still in English',
      'd: missing',
      'e: not in the English catalogue',
    ]);
  });

  it('keep the shared and staff keys apart, so no message is looked up in the wrong one', () => {
    expect(Object.keys(staffEn).filter((k) => k in en)).toEqual([]);
  });
});

describe('translator', () => {
  it('fills in placeholders and leaves unknown ones visible', () => {
    const t = translator('fil', { greet: 'Tawagan si {name} ({name})', odd: 'Lokasyon: {position}' });
    expect(t('greet', { name: 'Maria' })).toBe('Tawagan si Maria (Maria)');
    expect(t('odd', {})).toBe('Lokasyon: {position}');
    expect(t.lang).toBe('fil');
    expect(t.locale).toBe('fil-PH');
  });

  it('words a call phase in each language', () => {
    expect(translator('en', en)('call.connected', { time: '00:05' })).toBe('Connected 00:05');
    expect(translator('fil', fil)('call.connected', { time: '00:05' })).toBe('Nakakonekta 00:05');
  });
});
