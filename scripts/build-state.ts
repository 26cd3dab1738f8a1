/**
 * Whether `npm run build`'s outputs (dist/ and build/server/) are newer than
 * everything it reads, and building them when they are not. Shared by the
 * browser tests' global setup and the browser benchmarks.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm run build` reads. */
const INPUTS = ['src', 'public', 'peer-server', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json'];
/** What it writes that the tests, the benchmarks and `npm start` use. */
const OUTPUTS = ['dist/index.html', 'dist/sw.js', 'build/server/peer-server/main.js', 'build/server/peer-server/server.js'];

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

function buildIsFresh(): boolean {
  const outputs = OUTPUTS.map((file) => fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const oldestOutput = Math.min(...outputs);
  if (oldestOutput === 0) return false;
  const newestInput = Math.max(...INPUTS.map((entry) => newestMtime(path.join(ROOT, entry))));
  return newestInput <= oldestOutput;
}

/**
 * Runs `npm run build` unless its outputs are fresh; returns the seconds it took (0 when fresh).
 * `who` names the caller in what it prints. Build output goes to `stdio` (stderr only by default).
 */
export function ensureBuilt(who: string, stdio: 'inherit' | 'errors' = 'errors'): number {
  if (buildIsFresh()) return 0;
  const started = Date.now();
  console.log(`${who}: building the app and the server (npm run build)…`);
  execFileSync('npm', ['run', 'build'], {
    cwd: ROOT,
    stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'ignore', 'inherit'],
    // vitest sets NODE_ENV=test, and Vite would then build a development bundle (no service worker, preact/debug).
    env: { ...process.env, NODE_ENV: 'production' },
    timeout: 300_000,
    killSignal: 'SIGKILL',
  });
  return (Date.now() - started) / 1000;
}
