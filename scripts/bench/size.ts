/**
 * `npm run bench:size`: what the citizen screen costs to start, in bytes and
 * in time, against its targets.
 *
 *   - Citizen JavaScript before "Call BFP" is usable: a citizen whose profile
 *     is saved (the first-run form filled once) opens `/`; every .js file the
 *     page fetched (Resource Timing, service worker or network) from
 *     navigation start until the "Call BFP" button is in the DOM and enabled,
 *     each file's bytes gzipped (level 9) and summed.
 *   - Precache total: the files listed in the built sw.js precache manifest,
 *     raw and gzipped.
 *   - Offline start: the same citizen, service worker installed, the network
 *     cut (setOffline); each run opens a new page and takes performance.now()
 *     (from navigation start) when a MutationObserver installed before any
 *     page script sees the "Call BFP" button present and enabled. One warm-up
 *     run, then the median of RUNS.
 *
 * Loopback only (the real server on 127.0.0.1, an ephemeral port), one
 * headless Chromium, the measuring bounded by DEADLINE_MS. Builds first when
 * dist/ is missing or older than its sources. Exits 0 once measured (PASS or FAIL is
 * in the table), 1 when it could not measure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../peer-server/config.ts';
import { startServer } from '../../peer-server/server.ts';
import { ensureBuilt } from '../build-state.ts';
import { CHROMIUM_ARGS as BASE_CHROMIUM_ARGS, findChromium } from '../find-chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'dist');
const RUNS = 10;
const STEP_TIMEOUT_MS = 15_000;
const DEADLINE_MS = 120_000;
const TARGET_JS_BYTES = 50_000;
const TARGET_OFFLINE_MS = 500;
/** Near the demo stations (peer-server/demo-directory.ts). */
const POSITION = { latitude: 14.6516, longitude: 121.0494, accuracy: 12 };
const CHROMIUM_ARGS = [...BASE_CHROMIUM_ARGS, '--use-fake-ui-for-media-stream'];

/**
 * Runs before any page script: records when "Call BFP" is first present and
 * enabled, and the .js files fetched until then.
 */
const READY_PROBE = `(() => {
  const probe = (window.benchProbe = { readyAt: null, scripts: [] });
  const isCall = (b) => /Call BFP/.test(b.getAttribute('aria-label') || b.textContent || '');
  const check = () => {
    if (probe.readyAt !== null) return;
    const button = Array.from(document.querySelectorAll('button')).find(isCall);
    if (!button || button.disabled) return;
    probe.readyAt = performance.now();
    probe.scripts = performance.getEntriesByType('resource')
      .filter((e) => new URL(e.name).pathname.endsWith('.js'))
      .map((e) => new URL(e.name).pathname);
    observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
})();`;

interface Probe {
  readyAt: number;
  scripts: string[];
}

function distFile(urlPath: string): string {
  const file = path.resolve(DIST, `.${decodeURIComponent(urlPath)}`);
  if (!file.startsWith(DIST + path.sep)) throw new Error(`outside dist/: ${urlPath}`);
  return file;
}

function gzipSize(file: string): number {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

/** The precache manifest of the built service worker: its URLs, relative to dist/. */
function precacheUrls(): string[] {
  const sw = fs.readFileSync(path.join(DIST, 'sw.js'), 'utf8');
  const list = /precacheAndRoute\(\s*(\[[^\]]*\])/.exec(sw)?.[1];
  if (!list) throw new Error('no precacheAndRoute([...]) in dist/sw.js');
  return [...list.matchAll(/url:\s*"([^"]+)"/g)].map((m) => `/${m[1]!}`);
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function openUntilReady(context: BrowserContext): Promise<{ page: Page; probe: Probe }> {
  const page = await context.newPage();
  await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { benchProbe?: { readyAt: number | null } }).benchProbe?.readyAt != null, null, {
    timeout: STEP_TIMEOUT_MS,
    polling: 20,
  });
  const probe = await page.evaluate(() => (window as unknown as { benchProbe: Probe }).benchProbe);
  return { page, probe };
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.warn('bench:size teardown:', err);
      }
    }
  };
  ensureBuilt('bench:size');
  const deadline = setTimeout(() => {
    console.error(`bench:size: gave up after ${DEADLINE_MS / 1000} s of measuring`);
    void closeAll().finally(() => process.exit(1));
  }, DEADLINE_MS);
  deadline.unref();

  try {
    const found = findChromium();
    if ('problem' in found) throw new Error(found.problem);

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-bench-size-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer(loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, DIST_DIR: DIST, LOG_LEVEL: 'warn' }, ROOT));
    cleanups.push(() => server.close());
    const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());

    const context = await browser.newContext({
      baseURL: `http://127.0.0.1:${server.port}`,
      permissions: ['microphone', 'geolocation'],
      geolocation: POSITION,
    });
    // tsx (esbuild keepNames) wraps functions in __name(); the serialised page functions need it defined.
    await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
    await context.addInitScript({ content: READY_PROBE });

    // First visit: the first-run profile, once, and the service worker installed and in control.
    const first = await context.newPage();
    await first.goto('/');
    await first.getByLabel('Your name').fill('Bench Citizen', { timeout: STEP_TIMEOUT_MS });
    await first.getByLabel('Your phone number').fill('+63 917 555 0199');
    await first.getByRole('button', { name: 'Continue' }).click();
    await first.getByRole('button', { name: /Call BFP/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await first.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: STEP_TIMEOUT_MS, polling: 50 });
    await first.close();

    // Online, the returning citizen: what JavaScript stands between opening the app and calling.
    const online = await openUntilReady(context);
    const scripts = [...new Set(online.probe.scripts)].map((url) => ({ url, gzip: gzipSize(distFile(url)) }));
    const citizenJs = scripts.reduce((sum, s) => sum + s.gzip, 0);
    await online.page.close();

    // Offline, from the service worker.
    await context.setOffline(true);
    const times: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const { page, probe } = await openUntilReady(context);
      if (run > 0) times.push(probe.readyAt);
      await page.close();
    }
    const offlineMedian = median(times);

    const precache = precacheUrls().map((url) => {
      const file = distFile(url);
      return { url, raw: fs.statSync(file).size, gzip: gzipSize(file) };
    });
    const precacheRaw = precache.reduce((sum, p) => sum + p.raw, 0);
    const precacheGzip = precache.reduce((sum, p) => sum + p.gzip, 0);

    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const load = os.loadavg()[0]!.toFixed(1);
    console.log(`\nbench:size: Chromium ${browser.version()}, ${os.cpus().length} CPUs, load average ${load}, ${new Date().toISOString()}\n`);
    console.log('| Measure | Value | Target | Result |');
    console.log('|---|---|---|---|');
    console.log(
      `| Citizen JavaScript before "Call BFP" is usable (gzip) | ${kB(citizenJs)} in ${scripts.length} file(s) | ≤ ${kB(TARGET_JS_BYTES)} | ${verdict(citizenJs <= TARGET_JS_BYTES)} |`,
    );
    console.log(`| Precache total (sw.js manifest) | ${kB(precacheRaw)} raw, ${kB(precacheGzip)} gzip, ${precache.length} files | – | – |`);
    console.log(
      `| Offline start → usable "Call BFP" (median of ${RUNS}) | ${offlineMedian.toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}) | < ${TARGET_OFFLINE_MS} ms | ${verdict(offlineMedian < TARGET_OFFLINE_MS)} |`,
    );
    console.log('\nCitizen JavaScript, file by file (gzip level 9):');
    for (const s of scripts) console.log(`  ${s.url}  ${kB(s.gzip)}`);
    console.log(`Offline runs (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
  } finally {
    await closeAll();
    clearTimeout(deadline);
  }
}

// After server.close() the process still does not exit by itself (nothing in _getActiveHandles): leave once measured.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench:size failed:', err);
    process.exit(1);
  },
);
