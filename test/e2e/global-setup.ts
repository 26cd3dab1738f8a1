/**
 * Runs once before the e2e project: makes sure the built app (dist/) and the
 * built server (build/server/) are newer than their sources, building them
 * when they are not, and finds the Chromium the tests launch.
 *
 * Chromium comes from $CHROMIUM_PATH (scripts/test.mjs sets it) or the
 * system's; when there is none the e2e run fails here with the reason: browser
 * tests never skip.
 */
import type { TestProject } from 'vitest/node';
import { ensureBuilt } from '../../scripts/build-state.ts';
import { findChromium } from '../../scripts/find-chromium.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium executable the tests launch. */
    chromiumPath: string;
  }
}

export default function setup(project: TestProject): void {
  try {
    if (ensureBuilt('e2e', 'inherit') === 0) console.log('e2e: dist/ and build/ are up to date');
  } catch (err) {
    throw new Error(`e2e: npm run build failed (${(err as { status?: number }).status ?? 'no exit code'}); its output is above.`, { cause: err });
  }
  const found = findChromium();
  // No browser fails the whole e2e run here, with the reason, before any test could be skipped.
  if ('problem' in found) throw new Error(`e2e: ${found.problem}`);
  project.provide('chromiumPath', found.path);
}
