/**
 * Accessibility checks run on a live screen: the axe-core audit, and what axe
 * does not check (48 px touch targets, every control reachable with Tab and
 * showing where the focus is, live regions, reduced motion).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Result } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Smallest touch target, in CSS pixels, on each side. */
export const MIN_TARGET = 48;

/** Elements a person can operate; the page-side queries below repeat it (they cannot import). */
const CONTROLS =
  'a[href], button, input:not([type="hidden"]), select, textarea, summary, audio[controls], video[controls], [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

function describeAxe(v: Result): string {
  const where = v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`).join('\n');
  return `[${v.impact}] ${v.id}: ${v.help}\n${where}`;
}

/**
 * axe-core's serious and critical violations on the page as it is now, one
 * readable entry each. The engine is evaluated in the page rather than added as
 * an inline script tag: the app's Content-Security-Policy (script-src 'self')
 * would refuse the tag, and the audit should see the page as a user gets it.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const { violations, contrastChecked } = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run(document);
    const contrast = [...results.passes, ...results.violations].find((r) => r.id === 'color-contrast');
    return { violations: results.violations, contrastChecked: contrast?.nodes.length ?? 0 };
  });
  const found = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(describeAxe);
  // An audit that saw no text checked nothing: fail rather than pass an empty page.
  return contrastChecked > 0 ? found : [...found, 'axe checked the contrast of no text at all'];
}

/** Visible controls smaller than MIN_TARGET: a checkbox or radio counts with its label, which also toggles it. */
export function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(
    ({ selector, min }) => {
      const small: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>(selector)) {
        if (!el.checkVisibility({ visibilityProperty: true })) continue;
        const toggle = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');
        const target = (toggle && el.closest('label')) || el;
        const r = target.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.width < min || r.height < min) {
          const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40);
          small.push(`<${el.tagName.toLowerCase()}> "${name}": ${Math.round(r.width)}×${Math.round(r.height)} px`);
        }
      }
      return small;
    },
    { selector: CONTROLS, min: MIN_TARGET },
  );
}

interface TabWalk {
  /** Visible, enabled controls that no Tab press reached (a radio group counts once). */
  unreached: string[];
  /** Focused elements with no visible focus indicator. */
  noFocusStyle: string[];
  /** Focus landed on something that is not a visible control. */
  strays: string[];
}

/**
 * Presses Tab until the focus has gone round the whole page once, and
 * compares what it reached with the visible controls.
 */
export async function walkTabOrder(page: Page): Promise<TabWalk> {
  const total = await page.evaluate((selector) => {
    const describe = (el: Element) => {
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `<${el.tagName.toLowerCase()}${el instanceof HTMLInputElement ? ` type=${el.type}` : ''}> "${name}"`;
    };
    const isControl = (el: HTMLElement) => {
      const r = el.getBoundingClientRect();
      return el.matches(selector) && el.checkVisibility({ visibilityProperty: true }) && r.width > 0 && r.height > 0 && !el.matches(':disabled');
    };
    const controls = [...document.querySelectorAll<HTMLElement>(selector)].filter(isControl);
    // A radio group is one tab stop: arrow keys move within it.
    const stop = (el: HTMLElement) => (el instanceof HTMLInputElement && el.type === 'radio' && el.name ? `radio:${el.name}` : String(controls.indexOf(el)));
    const w = window as unknown as { tabWalk: unknown };
    w.tabWalk = { controls, isControl, stop, describe, reached: new Set<string>(), first: null as Element | null, laps: 0, noFocusStyle: [] as string[], strays: [] as string[] };
    (document.activeElement as HTMLElement | null)?.blur();
    return controls.length;
  }, CONTROLS);

  for (let i = 0; i < total * 3 + 10; i++) {
    await page.keyboard.press('Tab');
    const done = await page.evaluate(() => {
      type Walk = {
        controls: HTMLElement[];
        isControl(el: HTMLElement): boolean;
        stop(el: HTMLElement): string;
        describe(el: Element): string;
        reached: Set<string>;
        first: Element | null;
        laps: number;
        noFocusStyle: string[];
        strays: string[];
      };
      const walk = (window as unknown as { tabWalk: Walk }).tabWalk;
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return false;
      if (el === walk.first) return true;
      walk.first ??= el;
      // The page may change during the walk (a notice appears): a control shown since then counts too.
      if (!walk.controls.includes(el) && walk.isControl(el)) walk.controls.push(el);
      if (!walk.controls.includes(el)) {
        // Chromium makes a scrolled box without controls a tab stop of its own, so its text can be scrolled.
        const s = getComputedStyle(el);
        const scroller = /auto|scroll/.test(s.overflowY + s.overflowX) && (el.scrollHeight > el.clientHeight || el.scrollWidth > el.clientWidth);
        if (!scroller) walk.strays.push(walk.describe(el));
        return false;
      }
      walk.reached.add(walk.stop(el));
      // Media elements draw their own focus ring inside the browser's controls.
      if (!(el instanceof HTMLMediaElement)) {
        const s = getComputedStyle(el);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
        if (!outline && s.boxShadow === 'none') walk.noFocusStyle.push(walk.describe(el));
      }
      return false;
    });
    if (done) break;
  }

  return page.evaluate(() => {
    type Walk = { controls: HTMLElement[]; stop(el: HTMLElement): string; describe(el: Element): string; reached: Set<string>; noFocusStyle: string[]; strays: string[] };
    const walk = (window as unknown as { tabWalk: Walk }).tabWalk;
    // …and one that went away (a notice dismissed by the app) cannot be reached any more.
    const unreached = walk.controls.filter((el) => el.isConnected && el.checkVisibility({ visibilityProperty: true }) && !walk.reached.has(walk.stop(el))).map(walk.describe);
    return { unreached: [...new Set(unreached)], noFocusStyle: [...new Set(walk.noFocusStyle)], strays: [...new Set(walk.strays)] };
  });
}

/** Every problem found on the page now, prefixed with the state it was found in. */
export async function accessibilityProblems(page: Page, state: string): Promise<string[]> {
  const axe = await axeViolations(page);
  const small = await smallTargets(page);
  const tab = await walkTabOrder(page);
  return [
    ...axe.map((p) => `${state}: axe ${p}`),
    ...small.map((p) => `${state}: target under ${MIN_TARGET} px: ${p}`),
    ...tab.unreached.map((p) => `${state}: not reachable with Tab: ${p}`),
    ...tab.noFocusStyle.map((p) => `${state}: no visible focus style: ${p}`),
    ...tab.strays.map((p) => `${state}: Tab focused something that is not a visible control: ${p}`),
  ];
}

/** Texts of live regions (aria-live, role alert/status/log) that were already in the page when `mark` ran. */
export async function markLiveRegions(page: Page): Promise<void> {
  await page.evaluate(() => {
    const live = document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role="alert"], [role="status"], [role="log"]');
    (window as unknown as { liveRegions: Element[] }).liveRegions = [...live];
  });
}

export function markedLiveTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as { liveRegions: Element[] }).liveRegions.filter((el) => el.isConnected).map((el) => (el.textContent ?? '').trim()),
  );
}

/** Animations and transitions still running in the page. */
export function runningMotion(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const running = document
      .getAnimations()
      .filter((a) => a.playState === 'running')
      .map((a) => {
        const target = (a.effect as KeyframeEffect | null)?.target;
        const name = a instanceof CSSAnimation ? a.animationName : a instanceof CSSTransition ? `transition ${a.transitionProperty}` : 'script animation';
        return `${name} on ${target ? `<${target.tagName.toLowerCase()} class="${target.getAttribute('class') ?? ''}">` : 'nothing'}`;
      });
    for (const el of document.querySelectorAll('*')) {
      const s = getComputedStyle(el);
      const animated = s.animationName !== 'none' && s.animationDuration.split(',').some((d) => parseFloat(d) > 0);
      const transition = s.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
      if (animated) running.push(`animation ${s.animationName} styled on <${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">`);
      if (transition) running.push(`transition styled on <${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">`);
    }
    return running;
  });
}
