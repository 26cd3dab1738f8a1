/* global process, console, Buffer */
/**
 * `npm test`: every check this project has, in order, failing fast.
 *
 *   typecheck + lint + build (at once) → find redis-server → vitest unit + server + cluster (at once)
 *   → find Chromium → vitest e2e
 *   → vitest network (as root, inside `unshare -n`: only loopback, faults made with iptables)
 *
 * Steps run at once only where they share nothing and their timings do not
 * matter (the browser suites run alone: they measure time). Output is streamed
 * as it happens; that of steps run at once is printed whole, in order, as each
 * group ends. Each vitest run also writes a JSON report,
 * and the very last line is always `N passed, N failed`, summed over the vitest
 * runs, so CI can read it. A failure that is not a failed test (typecheck, lint,
 * build, no Chromium, a vitest run that errors outside any test) counts as one
 * failure there, so that line reads "0 failed" exactly when the exit code is 0.
 *
 * Chromium: $CHROMIUM_PATH, else the system's (see scripts/find-chromium.mjs).
 * When none is found and we run as root with apt-get and CI=true (or
 * BFP_INSTALL_CHROMIUM=1), `apt-get update && apt-get install -y chromium` runs
 * here; otherwise the run fails with a one-line instruction. Browser tests are
 * never skipped. Nor are the cluster tests: without redis-server (the Debian
 * package, or $REDIS_SERVER_PATH) the run fails with a one-line instruction.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium, installChromium, mayInstallChromium } from './find-chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitestBin = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-test-'));

const tally = { passed: 0, failed: 0, skipped: [] };
const running = new Set();

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) child.kill(signal);
    finish(1, `interrupted by ${signal}`);
  });
}

function banner(text) {
  console.log(`\n=== ${text} ===`);
}

/** Runs a command; with `capture`, its output is kept (and returned) instead of streamed. */
function run(command, args, env = process.env, capture = false) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', env });
    const output = [];
    if (capture) {
      child.stdout.on('data', (chunk) => output.push(chunk));
      child.stderr.on('data', (chunk) => output.push(chunk));
    }
    running.add(child);
    const done = (code) => {
      running.delete(child);
      resolve({ code, output: Buffer.concat(output).toString() });
    };
    child.on('error', (err) => {
      output.push(Buffer.from(`could not start ${command}: ${err.message}\n`));
      if (!capture) console.error(`could not start ${command}: ${err.message}`);
      done(127);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

function finish(code, reason) {
  fs.rmSync(reportDir, { recursive: true, force: true });
  if (tally.skipped.length > 0) {
    console.log(`\nWARNING: ${tally.skipped.length} test(s) skipped or todo:`);
    for (const name of tally.skipped) console.log(`  - ${name}`);
  }
  if (code !== 0) {
    console.log(`\nnpm test FAILED: ${reason}`);
    // A failure outside any test still has to show in the count.
    if (tally.failed === 0) tally.failed = 1;
  } else {
    console.log('\nnpm test: all checks passed');
  }
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exit(code);
}

/**
 * Steps run at once, each `{ title, start(capture) → { code, output }, then(code) → failure | null }`:
 * output is printed whole, in the order given, once all have ended; every
 * step's result is counted, then the run ends at the first failure.
 */
async function together(steps) {
  const results = await Promise.all(steps.map((s) => s.start(true)));
  steps.forEach((s, i) => {
    banner(s.title);
    process.stdout.write(results[i].output);
  });
  const failures = steps.map((s, i) => s.then(results[i].code)).filter(Boolean);
  if (failures.length > 0) finish(failures[0].code, failures.map((f) => f.reason).join('; '));
}

/** A step run on its own, its output streamed. */
async function alone(s) {
  banner(s.title);
  const { code } = await s.start(false);
  const failure = s.then(code);
  if (failure) finish(failure.code, failure.reason);
}

function step(name, command, args) {
  return {
    title: name,
    start: (capture) => run(command, args, process.env, capture),
    then: (code) => (code === 0 ? null : { code, reason: `${name} exited with ${code}` }),
  };
}

/**
 * One vitest project; its JSON report feeds the final count. `isolated` runs
 * it inside a new network namespace where only loopback exists (root only):
 *   unshare -n sh -c 'ip link set lo up && exec node vitest.mjs run --project …'
 */
function vitest(project, { env = process.env, allowEmpty = false, isolated = false } = {}) {
  const report = path.join(reportDir, `${project}.json`);
  const args = [vitestBin, 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  if (allowEmpty) args.push('--passWithNoTests');
  return {
    title: `vitest: ${project}${isolated ? ' (in a loopback-only network namespace)' : ''}`,
    start: (capture) =>
      isolated
        ? run('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...args], env, capture)
        : run(process.execPath, args, env, capture),
    then: (code) => countReport(project, report, code),
  };
}

function countReport(project, report, code) {
  let counted = 0;
  try {
    const result = JSON.parse(fs.readFileSync(report, 'utf8'));
    tally.passed += result.numPassedTests ?? 0;
    tally.failed += result.numFailedTests ?? 0;
    counted = result.numFailedTests ?? 0;
    // A file that failed to load or whose hooks failed may have no failed test in it.
    for (const file of result.testResults ?? []) {
      const tests = file.assertionResults ?? [];
      if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) {
        tally.failed += 1;
        counted += 1;
      }
      for (const t of tests) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
          tally.skipped.push(`${project}: ${path.relative(root, file.name)} > ${t.fullName ?? t.title}`);
        }
      }
    }
    if (code === 0 && (result.numTotalTests ?? 0) === 0) console.log(`NOTE: the ${project} project has no tests yet.`);
  } catch {
    console.log(`(no JSON report from vitest ${project}: it stopped before reporting)`);
  }
  if (code === 0) return null;
  if (counted === 0) tally.failed += 1;
  return { code, reason: `vitest ${project} exited with ${code}` };
}

function resolveRedis() {
  banner('redis-server');
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  const found = [process.env.REDIS_SERVER_PATH, ...dirs.map((dir) => path.join(dir, 'redis-server'))].find((file) => {
    if (!file) return false;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) finish(1, 'redis-server is not installed: run `apt-get install -y redis-server` (Debian), or set REDIS_SERVER_PATH');
  console.log(`Using ${found}`);
}

function resolveChromium() {
  banner('Chromium');
  let found = findChromium(process.env, { verify: true });
  if (!found.path && !process.env.CHROMIUM_PATH && mayInstallChromium()) {
    console.log('No Chromium found; installing the Debian package (root, and CI=true or BFP_INSTALL_CHROMIUM=1).');
    if (!installChromium()) finish(1, 'apt-get could not install chromium');
    found = findChromium(process.env, { verify: true });
  }
  if (!found.path) {
    console.error(found.problem);
    finish(1, found.problem);
  }
  console.log(`Using ${found.version} at ${found.path} (${found.source})`);
  return found.path;
}

await together([step('typecheck', 'npm', ['run', 'typecheck']), step('lint', 'npm', ['run', 'lint']), step('build', 'npm', ['run', 'build'])]);
resolveRedis();
await together([vitest('unit', { allowEmpty: true }), vitest('server', { allowEmpty: true }), vitest('cluster')]);
const chromiumPath = resolveChromium();
await alone(vitest('e2e', { env: { ...process.env, CHROMIUM_PATH: chromiumPath } }));
// Network faults (iptables, a killed broker, coturn) are made in a private network namespace: root only.
if (typeof process.getuid === 'function' && process.getuid() !== 0) {
  finish(1, 'the network tests need root (unshare -n, iptables): run `sudo npm test`');
}
await alone(vitest('network', { env: { ...process.env, CHROMIUM_PATH: chromiumPath }, isolated: true }));
finish(0, '');
