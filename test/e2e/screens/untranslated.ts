/**
 * English left on a screen that should be in Filipino: every message of the
 * English catalogues, cut at its {placeholders}, looked for as whole words in
 * the page's text and accessible names.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { en } from '../../../src/ui/i18n/en.ts';
import { fil } from '../../../src/ui/i18n/fil.ts';
import { staffEn } from '../../../src/ui/i18n/staff-en.ts';
import { staffFil } from '../../../src/ui/i18n/staff-fil.ts';

interface Phrase {
  key: string;
  text: string;
  pattern: RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `text` as a whole word or phrase: not part of a longer word. */
const wholeWord = (text: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(text)}(?![\\p{L}\\p{N}])`, 'u');

const FILIPINO = [...Object.values(fil), ...Object.values(staffFil)];

/**
 * The English phrases to look for: each message's text between placeholders,
 * trimmed of punctuation, with at least one three-letter word, and not also
 * Filipino (names, "BFP", "GPS", loanwords such as "Online" read the same in both).
 */
function englishPhrases(): Phrase[] {
  const phrases: Phrase[] = [];
  for (const [key, message] of [...Object.entries(en), ...Object.entries(staffEn)]) {
    for (const piece of message.split(/\{\w+\}/)) {
      const text = piece.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
      if (!/\p{L}{3,}/u.test(text)) continue;
      const pattern = wholeWord(text);
      if (FILIPINO.some((f) => pattern.test(f))) continue;
      phrases.push({ key, text, pattern });
    }
  }
  return phrases;
}

const PHRASES = englishPhrases();

/** Every text node (also in closed <details> and visually hidden live regions) and every naming attribute, one entry each. */
async function pageTexts(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const tag = node.parentElement?.tagName;
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'NOSCRIPT') continue;
      if (node.textContent?.trim()) out.push(node.textContent);
    }
    for (const el of document.body.querySelectorAll('*')) {
      for (const name of ['aria-label', 'aria-description', 'aria-valuetext', 'title', 'placeholder', 'alt']) {
        const value = el.getAttribute(name);
        if (value) out.push(value);
      }
    }
    return out;
  });
  // The names assistive technology gets, however they are computed.
  texts.push(...(await page.locator('body').ariaSnapshot()).split('\n'));
  return texts;
}

/** The English phrases found on the page, with where: data (`data`: names, the directory, what people typed) is taken out first. */
export async function englishLeft(page: Page, data: readonly string[]): Promise<string[]> {
  const byLength = [...new Set(data)].filter((d) => d.trim()).sort((a, b) => b.length - a.length);
  const found = new Set<string>();
  for (const raw of await pageTexts(page)) {
    let text = raw;
    for (const d of byLength) text = text.split(d).join(' ');
    for (const p of PHRASES) if (p.pattern.test(text)) found.add(`"${p.text}" (${p.key}) in: ${raw.trim().slice(0, 160)}`);
  }
  return [...found];
}

/** Fails with the English left on the page, naming the screen state. */
export async function expectNoEnglish(page: Page, state: string, data: readonly string[]): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.lang), `${state}: <html lang>`).toBe('fil');
  expect(await englishLeft(page, data), `${state}: English left`).toEqual([]);
}

/** Every string in a JSON value (the station directory): data, not words of the app. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
