/* global process, console */
/**
 * Finds a Chromium (or Chrome) executable for the browser tests, and installs
 * Debian's `chromium` package when that is allowed. Used by scripts/test.mjs
 * and by the e2e global setup; playwright-core's own browser download does not
 * work on these machines, so tests always launch this executable.
 *
 * Order: $CHROMIUM_PATH (must be executable; a wrong value is an error, never
 * silently replaced), then the names below on $PATH, then well-known paths.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const WELL_KNOWN = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/**
 * The launch flags TESTING.md found necessary on these machines (Playwright adds headless,
 * no-sandbox, mute-audio and a fresh profile itself).
 */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

export const INSTALL_HINT =
  'No Chromium found: install it (Debian/Ubuntu: `apt-get install -y chromium`) or set CHROMIUM_PATH=/path/to/chromium; ' +
  'as root with CI=true or BFP_INSTALL_CHROMIUM=1, `npm test` installs it itself.';

function isExecutable(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name, env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return null;
}

/** Every executable that may be a Chromium, in order of preference (CHROMIUM_PATH not included). */
export function chromiumCandidates(env = process.env) {
  const found = [];
  for (const name of NAMES) {
    const file = onPath(name, env);
    if (file) found.push({ path: file, source: `${name} on PATH` });
  }
  for (const file of WELL_KNOWN) {
    if (isExecutable(file)) found.push({ path: file, source: 'well-known location' });
  }
  return found.filter((c, i) => found.findIndex((d) => fs.realpathSync(d.path) === fs.realpathSync(c.path)) === i);
}

/** The browser's version line, or null when it does not start. */
export function chromiumVersion(file) {
  const run = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) return null;
  const line = (run.stdout ?? '').split('\n').find((l) => /chrom/i.test(l));
  return line ? line.trim() : null;
}

/**
 * The Chromium to use. With `verify`, each candidate must answer `--version`
 * (a stub such as Ubuntu's snap-installer `chromium-browser` is passed over),
 * and the result carries that version line.
 *
 * @returns {{ path: string, source: string, version?: string } | { path: null, problem: string }}
 */
export function findChromium(env = process.env, { verify = false } = {}) {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!isExecutable(configured)) return { path: null, problem: `CHROMIUM_PATH=${configured} is not an executable file: fix or unset it.` };
    if (!verify) return { path: configured, source: 'CHROMIUM_PATH' };
    const version = chromiumVersion(configured);
    if (!version) return { path: null, problem: `CHROMIUM_PATH=${configured} does not start (\`--version\` failed): fix or unset it.` };
    return { path: configured, source: 'CHROMIUM_PATH', version };
  }
  for (const candidate of chromiumCandidates(env)) {
    if (!verify) return candidate;
    const version = chromiumVersion(candidate.path);
    if (version) return { ...candidate, version };
  }
  return { path: null, problem: INSTALL_HINT };
}

/** Installing is allowed only for root with apt-get, and only when CI or the user asked for it. */
export function mayInstallChromium(env = process.env) {
  const asked = env.CI === 'true' || env.CI === '1' || env.BFP_INSTALL_CHROMIUM === '1';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return asked && root && onPath('apt-get', env) !== null;
}

/** Runs `apt-get update && apt-get install -y chromium`, streaming its output. Returns true on success. */
export function installChromium(env = process.env) {
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    console.log(`$ apt-get ${args.join(' ')}`);
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env: aptEnv });
    if (run.status !== 0) return false;
  }
  return true;
}
