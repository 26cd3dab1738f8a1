/**
 * Runs once before the e2e project: makes sure the built app (dist/) and the
 * built server (build/server/) are newer than their sources, building them
 * when they are not, and finds the Chromium the tests launch.
 *
 * Chromium comes from $CHROMIUM_PATH (scripts/test.mjs sets it) or the
 * system's; when there is none the e2e run fails here with the reason: browser
 * tests never skip.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { findChromium } from '../../scripts/find-chromium.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium executable the tests launch. */
    chromiumPath: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What `npm run build` reads. */
const INPUTS = ['src', 'public', 'peer-server', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json'];
/** What it writes that the tests and `npm start` use. */
const OUTPUTS = ['dist/index.html', 'build/server/peer-server/main.js', 'build/server/peer-server/server.js'];

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

export function buildIsFresh(): boolean {
  const outputs = OUTPUTS.map((file) => fs.statSync(path.join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const oldestOutput = Math.min(...outputs);
  if (oldestOutput === 0) return false;
  const newestInput = Math.max(...INPUTS.map((entry) => newestMtime(path.join(root, entry))));
  return newestInput <= oldestOutput;
}

export default function setup(project: TestProject): void {
  if (buildIsFresh()) {
    console.log('e2e: dist/ and build/ are up to date');
  } else {
    console.log('e2e: building the app and the server (npm run build)…');
    try {
      // vitest sets NODE_ENV=test, and Vite would build a development bundle (no service worker, preact/debug).
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    } catch (err) {
      throw new Error(`e2e: npm run build failed (${(err as { status?: number }).status ?? 'no exit code'}); its output is above.`, { cause: err });
    }
  }
  const found = findChromium();
  // No browser fails the whole e2e run here, with the reason, before any test could be skipped.
  if ('problem' in found) throw new Error(`e2e: ${found.problem}`);
  project.provide('chromiumPath', found.path);
}
