/**
 * `npm run bench:load`: does the broker stay up, fast and lean under load and
 * abuse? One run, on 127.0.0.1 only:
 *
 *   - this project's broker (startServer, compiled like `npm start` runs it) in its own process,
 *     every limit at its default (see the printed "Limits" line for the one exception, if any);
 *   - 10,000 connected peers with PeerJS heartbeats (one every 4 s each, as the app sends them; the
 *     broker answers each), from 100 loopback
 *     source addresses (127.0.1.x, 100 each: 100 carrier-NAT addresses with 100 phones behind
 *     each), in three load-generator processes;
 *   - 50 call setups per second through the broker: a citizen's OFFER and 3 CANDIDATEs to a
 *     station console, the console's ANSWER and 3 CANDIDATEs back; every relayed frame timed
 *     one-way, every setup timed until both sides have everything;
 *   - 100 abusive clients from 10 other addresses (127.0.2.x) flooding malformed frames,
 *     over-limit OFFERs to consoles, OFFERs to citizens/officers/invalid ids, and oversized
 *     frames; cut off, they reconnect (some with a new identity each time).
 *
 * Phases: warm-up (then memory "before"), connect the 10,000, calls without abuse, calls with
 * the abuse running, calls after it, all peers gone, idle until the limiters' one-minute
 * windows have passed (then memory "after"). Throughout: the broker process must stay alive
 * and /api/health must answer (every second). Prints markdown tables with PASS/FAIL.
 *
 * Environment: BENCH_PROJECT_DIR=<a copy of this project> measures that copy's peer-server.
 *
 * Options: --one-address   the 10,000 peers all connect from 127.0.0.1 (LIMIT_CONNECTIONS_PER_IP
 *                          is then raised just enough for them)
 *          --peers N        well-behaved peers (default 10,000)
 *          --call-rate N    call setups per second (default 50)
 *          --abuse-rate N   frames per second per abusive client (default 100)
 *          --heap-diff      heap snapshots before and after, and what grew between them
 *          --cpu-prof       the broker writes a CPU profile to .bench/load/profiles/
 *          --quick          shortened phases, to try the script itself (not the benchmark's figures)
 *          --broker-env K=V extra environment for the broker process (investigation, e.g.
 *                           LD_PRELOAD=…/libjemalloc.so.2); printed with the results
 *          --renice         run the broker and the measuring generator (calls) at nice -10, the
 *                           other generators at 0 (root only). Linux autogroups share the CPU
 *                           between sessions first, so this only orders this run's own processes:
 *                           the broker and the probe before the load that tries to drown them
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS } from '../../peer-server/config.ts';
import { loadOrCreateSecret } from '../../peer-server/secret.ts';
import { mintToken } from '../../peer-server/tokens.ts';
import { killAll, startChild, type Child } from './ipc.ts';
import type { BrokerMem, BrokerStats } from './load-broker.ts';
import type { AbuseCounters, CallsResult, OpenResult, Summary, Unexpected } from './load-worker.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const WORK_DIR = path.join(REPO, '.bench/load');
/** A modified copy of the project (with its own peer-server/) can be measured in place of this one. */
const PROJECT_DIR = path.resolve(process.env.BENCH_PROJECT_DIR || REPO);
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');

const argv = process.argv.slice(2);
function numberArg(name: string, fallback: number): number {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return fallback;
  const raw = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} takes a positive whole number`);
  return n;
}
const ONE_ADDRESS = argv.includes('--one-address');
const HEAP_DIFF = argv.includes('--heap-diff');
const CPU_PROF = argv.includes('--cpu-prof');
const RENICE = argv.includes('--renice');
const RENICE_TO = -10;
const BROKER_ENV: Record<string, string> = Object.fromEntries(
  argv.flatMap((a, i) => (a === '--broker-env' && argv[i + 1]?.includes('=') ? [[argv[i + 1]!.split('=')[0]!, argv[i + 1]!.split('=').slice(1).join('=')]] : [])),
);
const PEERS = numberArg('--peers', 10_000);
const CALL_RATE = numberArg('--call-rate', 50);
const ABUSE_RATE = numberArg('--abuse-rate', 100);

const ABUSIVE_CLIENTS = 100;
const ABUSE_ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.2.${i + 1}`);
const ABUSE_RECONNECT_MS = 100;
const WARMUP_ADDRESS = '127.0.3.1';
/** Connections per source address: under the default 120 attempts per address per minute. */
const PER_ADDRESS = 100;
const STATIONS = 10;
const CONSOLES_PER_STATION = 5;
const CALLERS = 950;
const IDLE_WORKERS = 2;
/** --quick: a short smoke run of the script itself (phases shortened; its figures are not the benchmark's). */
const QUICK = argv.includes('--quick');
const PHASE_QUIET_MS = QUICK ? 5000 : 20_000;
const PHASE_ABUSE_MS = QUICK ? 10_000 : 40_000;
const PHASE_AFTER_MS = QUICK ? 3000 : 10_000;
const ABUSE_RAMP_MS = 2000;
/** The rate limiters forget a key one minute after its first point: wait that out before "after". */
const IDLE_AFTER_MS = QUICK ? 10_000 : 62_000;
const DEADLINE_MS = 330_000;
const P99_TARGET_MS = 50;
const RSS_TARGET = 1.1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s`;
function progress(what: string): void {
  process.stderr.write(`[${elapsed()}] ${what}\n`);
}

/* ------------------------------------------------------------------ */
/* Processes and cleanup                                               */
/* ------------------------------------------------------------------ */

const tempDirs: string[] = [];
const timers: NodeJS.Timeout[] = [];
let broker: Child | null = null;
let stoppingBroker = false;
const crashes: string[] = [];

function cleanup(): void {
  for (const t of timers.splice(0)) clearInterval(t);
  killAll();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}
const deadline = setTimeout(() => {
  console.error(`\nbench:load: gave up after ${DEADLINE_MS / 1000} s (is the machine busy?)`);
  cleanup();
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

function tsc(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    // tsc exits non-zero on type errors but still writes its output: the caller checks for the files.
    execFile(process.execPath, [TSC, ...args], { cwd: REPO, timeout: 240_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`.trim()));
  });
}

/**
 * The server as `npm run build` compiles it, and the broker entry, to plain JavaScript. Emit
 * only (--noCheck: type checking is `npm run typecheck`'s job): seconds instead of a minute.
 */
async function compile(): Promise<{ entry: string; serverDir: string }> {
  const outDir = path.join(WORK_DIR, 'build');
  fs.rmSync(outDir, { recursive: true, force: true });
  const serverDir = path.join(outDir, 'project');
  const benchDir = path.join(outDir, 'bench');
  const [serverLog, benchLog] = await Promise.all([
    tsc(['-p', path.join(PROJECT_DIR, 'peer-server/tsconfig.json'), '--outDir', serverDir, '--sourceMap', 'false', '--noCheck']),
    tsc([
      path.join(HERE, 'load-broker.ts'),
      ...['--outDir', benchDir, '--rootDir', HERE, '--target', 'es2022', '--lib', 'es2023', '--types', 'node'],
      ...['--module', 'nodenext', '--moduleResolution', 'nodenext', '--allowImportingTsExtensions', '--rewriteRelativeImportExtensions'],
      ...['--strict', '--skipLibCheck', '--verbatimModuleSyntax', '--noCheck'],
    ]),
  ]);
  const entry = path.join(benchDir, 'load-broker.js');
  if (!fs.existsSync(path.join(serverDir, 'peer-server/server.js'))) throw new Error(`could not compile peer-server:\n${serverLog}`);
  if (!fs.existsSync(entry)) throw new Error(`could not compile the broker entry:\n${benchLog}`);
  fs.writeFileSync(path.join(benchDir, 'package.json'), '{"type":"module"}\n');
  return { entry, serverDir };
}

/* ------------------------------------------------------------------ */
/* /proc readings                                                      */
/* ------------------------------------------------------------------ */

function vmRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Seconds the process's main thread has spent running, and waiting on a run queue for a CPU
 * (/proc/<pid>/task/<pid>/schedstat): the second says how much it was starved.
 */
function schedSeconds(pid: number): { run: number; wait: number } {
  try {
    const [run = 0, wait = 0] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { run: run / 1e9, wait: wait / 1e9 };
  } catch {
    return { run: NaN, wait: NaN };
  }
}

/** Busy CPU time of the whole machine, in core-seconds. */
function machineBusySeconds(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / 100;
}

function openFilesLimit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

/* ------------------------------------------------------------------ */
/* Measurement state                                                   */
/* ------------------------------------------------------------------ */

const health = { ok: 0, failed: 0, firstFailure: '', maxMs: 0, inFlight: false };
const rssTimeline: { at: number; rss: number }[] = [];

interface PhaseUsage {
  seconds: number;
  brokerCores: number;
  /** Seconds per second the broker's main thread was ready to run but waited for a CPU. */
  brokerWaiting: number;
  workerCores: number;
  otherCores: number;
  brokerEld: BrokerStats['eld'];
  brokerGc: BrokerStats['gc'];
}

interface Phase {
  name: string;
  calls: CallsResult;
  usage: PhaseUsage;
}

function startWatchers(port: number, pid: number): void {
  timers.push(
    setInterval(() => {
      if (health.inFlight) return;
      health.inFlight = true;
      const started = performance.now();
      fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) })
        .then(async (res) => {
          const body = (await res.json()) as { status?: string };
          if (res.status !== 200 || body.status !== 'ok') throw new Error(`HTTP ${res.status}`);
          health.ok++;
          health.maxMs = Math.max(health.maxMs, performance.now() - started);
        })
        .catch((err: unknown) => {
          health.failed++;
          health.firstFailure ||= `${elapsed()}: ${err instanceof Error ? err.message : String(err)}`;
        })
        .finally(() => {
          health.inFlight = false;
        });
    }, 1000),
    setInterval(() => {
      try {
        if (rssTimeline.length < 600) rssTimeline.push({ at: performance.now(), rss: vmRss(pid) });
      } catch {
        // The process is gone: the exit handler records it.
      }
    }, 1000),
  );
}

async function usageOver<T>(workers: Child[], run: () => Promise<T>): Promise<{ result: T; usage: PhaseUsage }> {
  const pid = broker!.process.pid!;
  await broker!.call<BrokerStats>('stats', { reset: true });
  const b0 = cpuSeconds(pid);
  const q0 = schedSeconds(pid).wait;
  const w0 = workers.map((w) => cpuSeconds(w.process.pid!));
  const m0 = machineBusySeconds();
  const s0 = performance.now();
  const result = await run();
  const seconds = (performance.now() - s0) / 1000;
  const b1 = cpuSeconds(pid);
  const q1 = schedSeconds(pid).wait;
  const w1 = workers.map((w) => cpuSeconds(w.process.pid!));
  const m1 = machineBusySeconds();
  const stats = await broker!.call<BrokerStats>('stats', { reset: true });
  const brokerCores = (b1 - b0) / seconds;
  const workerCores = w1.reduce((sum, v, i) => sum + (v - w0[i]!), 0) / seconds;
  return { result, usage: { seconds, brokerCores, brokerWaiting: (q1 - q0) / seconds, workerCores, otherCores: Math.max(0, (m1 - m0) / seconds - brokerCores - workerCores), brokerEld: stats.eld, brokerGc: stats.gc } };
}

/* ------------------------------------------------------------------ */
/* Heap snapshots (--heap-diff)                                        */
/* ------------------------------------------------------------------ */

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per (type, constructor/name) of a .heapsnapshot file. */
function heapSummary(file: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as HeapSnapshotFile;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!] ?? '?';
    const rawName = type === 'object' || type === 'closure' || type === 'native' ? (snap.strings[snap.nodes[i + iName]!] ?? '?') : '';
    const key = `${type}${rawName ? `:${rawName.slice(0, 60)}` : ''}`;
    const entry = out.get(key) ?? { size: 0, count: 0 };
    entry.size += snap.nodes[i + iSize]!;
    entry.count += 1;
    out.set(key, entry);
  }
  return out;
}

function heapDiff(before: string, after: string): string[] {
  const a = heapSummary(before);
  const b = heapSummary(after);
  const rows = [...new Set([...a.keys(), ...b.keys()])]
    .map((k) => ({ k, size: (b.get(k)?.size ?? 0) - (a.get(k)?.size ?? 0), count: (b.get(k)?.count ?? 0) - (a.get(k)?.count ?? 0) }))
    .sort((x, y) => Math.abs(y.size) - Math.abs(x.size))
    .slice(0, 15);
  return ['| heap objects (after − before) | Δ bytes | Δ count |', '|---|---:|---:|', ...rows.map((r) => `| ${r.k.replace(/\|/g, '\\|')} | ${fmt(r.size, 0)} | ${fmt(r.count, 0)} |`)];
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}
const mib = (bytes: number) => `${fmt(bytes / 1048576, 1)} MiB`;
const ms = (s: Summary) => `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} ms`;
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const list = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${fmt(v, 0)}× "${k}"`)
    .join('; ') || 'none';
const verdict = (ok: boolean) => (ok ? '**PASS**' : '**FAIL**');

/* ------------------------------------------------------------------ */
/* The run                                                             */
/* ------------------------------------------------------------------ */

function addresses(prefix: string, first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}.${first + i}`);
}

async function main(): Promise<void> {
  const cores = os.cpus().length;
  const consolesCount = STATIONS * CONSOLES_PER_STATION;
  const callers = Math.min(CALLERS, PEERS - consolesCount);
  const idlePeers = PEERS - consolesCount - callers;
  if (idlePeers < 0) throw new Error(`--peers must be at least ${consolesCount + 1}`);
  const nofile = openFilesLimit();
  // The broker holds every peer plus the abusive clients; each load generator up to half the idle peers.
  const fdsNeeded = PEERS + ABUSIVE_CLIENTS + 500;
  if (nofile < fdsNeeded) {
    throw new Error(`ulimit -n is ${nofile}; the broker needs about ${fdsNeeded} file descriptors. Raise it (ulimit -n ${fdsNeeded * 2}) and run again.`);
  }

  // Source addresses and the limits they need.
  const wellAddresses = ONE_ADDRESS ? ['127.0.0.1'] : addresses('127.0.1', 1, Math.ceil(PEERS / PER_ADDRESS));
  if (!ONE_ADDRESS && wellAddresses.length > 250) throw new Error('--peers above 25,000 needs more than one /24 of loopback addresses');
  const limitEnv: Record<string, string> = {};
  const raised: string[] = [];
  if (ONE_ADDRESS) {
    // Every well-behaved connection attempt comes from 127.0.0.1 within a minute (the warm-up uses another address).
    const need = PEERS;
    limitEnv.LIMIT_CONNECTIONS_PER_IP = String(need);
    raised.push(`LIMIT_CONNECTIONS_PER_IP=${fmt(need, 0)} (default ${DEFAULT_LIMITS.connectionsPerIpPerMinute}/min): all ${fmt(PEERS, 0)} peers connect from 127.0.0.1 within a minute; the setting is global, so the abusive clients may then also reconnect that often per address`);
  }
  const peersNeeded = PEERS + ABUSIVE_CLIENTS + 100;
  if (peersNeeded > DEFAULT_LIMITS.concurrentPeers) {
    limitEnv.LIMIT_PEERS = String(peersNeeded);
    raised.push(`LIMIT_PEERS=${fmt(peersNeeded, 0)} (default ${fmt(DEFAULT_LIMITS.concurrentPeers, 0)}): ${fmt(PEERS, 0)} peers + ${ABUSIVE_CLIENTS} abusive clients must fit`);
  }

  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `# Broker under load and abuse\n\n${cores} cores, Node ${process.version}, load average at the start ${load}, ulimit -n ${nofile} (enough: the broker needs ~${fmt(fdsNeeded, 0)}; not raised). ` +
      `Broker: this project's startServer, compiled, in its own process; clients in ${IDLE_WORKERS + 2} load-generator processes` +
      `${RENICE ? `; the broker and the calls generator at nice ${RENICE_TO}, the other generators at 0 (--renice)` : ''}` +
      `${PROJECT_DIR === REPO ? '' : `; peer-server from ${PROJECT_DIR}`}` +
      `${Object.keys(BROKER_ENV).length ? `; broker environment: ${Object.entries(BROKER_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}.\n`,
  );
  console.log(
    raised.length
      ? `Limits: defaults, except ${raised.join('; ')}.`
      : `Limits: all at their defaults (connections ${DEFAULT_LIMITS.connectionsPerIpPerMinute}/min per address, offers ${DEFAULT_LIMITS.offersPerCitizenPerMinute}/min per citizen and ${DEFAULT_LIMITS.offersPerStaffPerMinute}/min per staff member, frames ≤ ${fmt(DEFAULT_LIMITS.maxFrameBytes / 1024, 0)} KiB, ${DEFAULT_LIMITS.malformedPerMinute} malformed frames/min per connection, queues ${DEFAULT_LIMITS.queuePerPeer}/peer and ${fmt(DEFAULT_LIMITS.queueTotal, 0)} in all, ${fmt(DEFAULT_LIMITS.concurrentPeers, 0)} peers). ` +
          `None raised: the ${fmt(PEERS, 0)} peers connect from ${wellAddresses.length} loopback addresses (${wellAddresses[0]}–${wellAddresses.at(-1)}, ${PER_ADDRESS} each, under the ${DEFAULT_LIMITS.connectionsPerIpPerMinute}/min per-address limit), like ${wellAddresses.length} carrier-NAT addresses with ${PER_ADDRESS} phones each, and ${fmt(DEFAULT_LIMITS.concurrentPeers, 0)} peers admit them and the ${ABUSIVE_CLIENTS} abusive clients. (\`--one-address\` puts them all on 127.0.0.1 and raises LIMIT_CONNECTIONS_PER_IP just for that.)`,
  );
  console.log('');

  progress('compiling peer-server and the broker entry');
  const compiled = await compile();

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-load-'));
  tempDirs.push(dataDir);
  const secret = loadOrCreateSecret(dataDir);
  const consoleList: { id: string; token: string }[] = [];
  for (let s = 1; s <= STATIONS; s++) {
    const station = `load-${s}`;
    const token = await mintToken(secret, { role: 'station', sub: station, station, name: `Load console ${s}`, days: 1 });
    for (let c = 1; c <= CONSOLES_PER_STATION; c++) consoleList.push({ id: `st-${station}-con${c}x`, token });
  }
  const brokerLog = path.join(dataDir, 'broker.log');
  // Settings a developer's shell may carry are blanked, so every limit is the embedded default.
  const blank = Object.fromEntries(Object.keys(process.env).filter((k) => /^(LIMIT_|TURN_|ALIVE_|EXPIRE_|AUDIT_|TRUST_PROXY|TLS_|LOG_LEVEL)/.test(k)).map((k) => [k, '']));
  const profileDir = path.join(WORK_DIR, 'profiles');
  if (CPU_PROF) fs.rmSync(profileDir, { recursive: true, force: true });
  broker = startChild('broker', compiled.entry, [], {
    env: { ...blank, ...limitEnv, ...BROKER_ENV, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DIST_DIR: path.join(dataDir, 'no-dist'), BENCH_SERVER_DIR: compiled.serverDir, BENCH_BROKER_LOG: brokerLog },
    execArgv: ['--expose-gc', ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
  });
  broker.process.on('exit', (code, signal) => {
    if (!stoppingBroker) crashes.push(`broker exited at ${elapsed()} (code ${code}, signal ${signal})`);
  });
  const { port, pid } = (await broker.ready) as { port: number; pid: number };
  progress(`broker up on 127.0.0.1:${port} (pid ${pid})`);
  startWatchers(port, pid);

  const workerEnv = { BENCH_PORT: String(port) };
  const entry = path.join(HERE, 'load-worker.ts');
  const calls = startChild('calls', entry, ['calls'], { env: workerEnv, execArgv: ['--import', 'tsx'] });
  const idles = Array.from({ length: IDLE_WORKERS }, (_, i) => startChild(`idle ${i}`, entry, ['idle'], { env: workerEnv, execArgv: ['--import', 'tsx'] }));
  const abuser = startChild('abuse', entry, ['abuse'], { env: workerEnv, execArgv: ['--import', 'tsx'] });
  const workers = [calls, ...idles, abuser];
  await Promise.all(workers.map((w) => w.ready));
  if (RENICE) {
    for (const p of [pid, calls.process.pid!]) os.setPriority(p, RENICE_TO);
    progress(`reniced the broker and the calls generator to ${RENICE_TO}`);
  }

  const alive = () => {
    if (crashes.length) throw new Error(crashes.join('; '));
  };

  // Warm-up: code paths compiled, lazy modules loaded, buffers pooled; then everyone leaves.
  progress('warm-up (50 consoles, 20 callers, 3 s of calls)');
  await calls.call<OpenResult>('openCalls', { consoles: consoleList, citizens: 20, addresses: [WARMUP_ADDRESS] }, 60_000);
  await calls.call<CallsResult>('runCalls', { rate: 10, ms: 3000 }, 30_000);
  await calls.call('closeWellBehaved');
  await waitForPeers(0);
  await sleep(3000);
  alive();
  const memBeforeNatural = vmRss(pid);
  const memBefore = await broker.call<BrokerMem>('mem', { gc: true });
  const snapBefore = HEAP_DIFF ? (await broker.call<{ file: string }>('snapshot', { file: path.join(WORK_DIR, 'before.heapsnapshot') }, 120_000)).file : '';

  // 10,000 peers.
  progress(`connecting ${fmt(PEERS, 0)} peers`);
  const connectStart = performance.now();
  const idleShare = Math.ceil(idlePeers / IDLE_WORKERS);
  const callAddresses = wellAddresses.slice(0, ONE_ADDRESS ? 1 : Math.ceil((consolesCount + callers) / PER_ADDRESS));
  const idleAddresses = ONE_ADDRESS ? wellAddresses : wellAddresses.slice(callAddresses.length);
  const perIdleAddresses = ONE_ADDRESS ? 1 : Math.ceil(idleAddresses.length / IDLE_WORKERS);
  const opened = await Promise.all([
    calls.call<OpenResult>('openCalls', { consoles: consoleList, citizens: callers, addresses: callAddresses }, 120_000),
    ...idles.map((w, i) =>
      w.call<OpenResult>('openIdle', { count: Math.max(0, Math.min(idleShare, idlePeers - i * idleShare)), addresses: ONE_ADDRESS ? idleAddresses : idleAddresses.slice(i * perIdleAddresses, (i + 1) * perIdleAddresses) }, 120_000),
    ),
  ]);
  const connectSeconds = (performance.now() - connectStart) / 1000;
  const connected = opened.reduce((n, o) => n + o.opened, 0);
  const connectFailed = opened.reduce((n, o) => n + o.failed, 0);
  const connectError = opened.map((o) => o.firstError).find(Boolean) ?? '';
  const peersAtBroker = (await broker.call<BrokerStats>('stats')).peers;
  progress(`${fmt(connected, 0)} connected in ${fmt(connectSeconds, 1)} s (${connectFailed} failed${connectError ? `: ${connectError}` : ''}); broker holds ${fmt(peersAtBroker, 0)}`);
  alive();
  await sleep(5000);

  const phases: Phase[] = [];
  const runPhase = async (name: string, phaseMs: number, during?: () => Promise<void>) => {
    progress(`calls at ${CALL_RATE}/s for ${phaseMs / 1000} s: ${name}`);
    const { result, usage } = await usageOver(workers, async () => {
      const running = calls.call<CallsResult>('runCalls', { rate: CALL_RATE, ms: phaseMs }, phaseMs + 30_000);
      await during?.();
      return running;
    });
    phases.push({ name, calls: result, usage });
    alive();
  };

  await runPhase('no abuse', PHASE_QUIET_MS);
  const targets = await calls.call<{ consoles: string[]; citizens: string[] }>('ids', { max: 50 });
  progress(`abuse: ${ABUSIVE_CLIENTS} clients from ${ABUSE_ADDRESSES.length} addresses, ${ABUSE_RATE} frames/s each`);
  await abuser.call('startAbuse', { clients: ABUSIVE_CLIENTS, addresses: ABUSE_ADDRESSES, rate: ABUSE_RATE, reconnectMs: ABUSE_RECONNECT_MS, targets });
  await sleep(ABUSE_RAMP_MS);
  await runPhase('during abuse', PHASE_ABUSE_MS);
  const abuse = await abuser.call<AbuseCounters>('stopAbuse', {}, 30_000);
  const abuseStoppedAt = performance.now();
  await runPhase('after abuse', PHASE_AFTER_MS);

  const memLoadedNatural = vmRss(pid);
  const memLoaded = await broker.call<BrokerMem>('mem', { gc: true });
  const statuses = await Promise.all([calls, ...idles].map((w) => w.call<{ unexpected: Unexpected; connected: number; heartbeatAnswers: number }>('status')));
  const stillConnected = statuses.reduce((n, s) => n + s.connected, 0);
  const heartbeatAnswers = statuses.reduce((n, s) => n + s.heartbeatAnswers, 0);

  progress('all peers leave');
  await Promise.all([calls, ...idles].map((w) => w.call('closeWellBehaved')));
  for (const w of workers) w.kill();
  await waitForPeers(0);
  const idleUntil = Math.max(performance.now() + 5000, abuseStoppedAt + PHASE_AFTER_MS + IDLE_AFTER_MS);
  progress(`idle for ${fmt((idleUntil - performance.now()) / 1000, 0)} s (the limiters' one-minute windows run out)`);
  const idleRss: { at: number; rss: number }[] = [];
  while (performance.now() < idleUntil) {
    await sleep(Math.min(5000, Math.max(0, idleUntil - performance.now())));
    idleRss.push({ at: performance.now(), rss: vmRss(pid) });
    alive();
  }
  const memAfterNatural = vmRss(pid);
  const memAfter = await broker.call<BrokerMem>('mem', { gc: true });
  const peersAfter = (await broker.call<BrokerStats>('stats')).peers;
  const snapAfter = HEAP_DIFF ? (await broker.call<{ file: string }>('snapshot', { file: path.join(WORK_DIR, 'after.heapsnapshot') }, 120_000)).file : '';
  alive();

  // Stop the broker ourselves (a graceful exit writes the CPU profile).
  stoppingBroker = true;
  for (const t of timers.splice(0)) clearInterval(t);
  const exited = new Promise((resolve) => broker!.process.once('exit', resolve));
  if (broker.process.connected) broker.process.disconnect();
  await Promise.race([exited, sleep(CPU_PROF ? 5000 : 1000)]);
  broker.kill();

  const brokerLogLines = fs.existsSync(brokerLog) ? fs.readFileSync(brokerLog, 'utf8').split('\n').filter(Boolean) : [];
  const logLevels: Record<string, number> = {};
  const logMessages: Record<string, number> = {};
  for (const line of brokerLogLines) {
    try {
      const entry = JSON.parse(line) as { level: number; msg?: string };
      bump(logLevels, String(entry.level));
      if (entry.level >= 40) bump(logMessages, entry.msg ?? '?');
    } catch {
      bump(logLevels, 'unparsed');
    }
  }

  report({
    connected,
    connectSeconds,
    connectFailed,
    connectError,
    peersAtBroker,
    stillConnected,
    heartbeatAnswers,
    phases,
    abuse,
    statuses,
    mem: { beforeNatural: memBeforeNatural, before: memBefore, loadedNatural: memLoadedNatural, loaded: memLoaded, afterNatural: memAfterNatural, after: memAfter, peersAfter, idleRss },
    logLevels,
    logMessages,
  });
  if (HEAP_DIFF) {
    console.log('');
    console.log(heapDiff(snapBefore, snapAfter).join('\n'));
  }
  if (CPU_PROF) console.log(`\nCPU profile: ${profileDir}`);
  console.log(`\n(${fmt((performance.now() - t0) / 1000, 0)} s in all)`);

  async function waitForPeers(n: number): Promise<void> {
    const until = performance.now() + 30_000;
    while (performance.now() < until) {
      if ((await broker!.call<BrokerStats>('stats')).peers <= n) return;
      await sleep(200);
    }
  }
}

function bump(r: Record<string, number>, k: string): void {
  r[k] = (r[k] ?? 0) + 1;
}

interface Report {
  connected: number;
  connectSeconds: number;
  connectFailed: number;
  connectError: string;
  peersAtBroker: number;
  stillConnected: number;
  heartbeatAnswers: number;
  phases: Phase[];
  abuse: AbuseCounters;
  statuses: { unexpected: Unexpected; connected: number }[];
  mem: {
    beforeNatural: number;
    before: BrokerMem;
    loadedNatural: number;
    loaded: BrokerMem;
    afterNatural: number;
    after: BrokerMem;
    peersAfter: number;
    idleRss: { at: number; rss: number }[];
  };
  logLevels: Record<string, number>;
  logMessages: Record<string, number>;
}

function report(r: Report): void {
  const [, abused, after] = r.phases as [Phase, Phase, Phase];
  const peak = Math.max(...rssTimeline.map((s) => s.rss));
  const unexpectedFrames: Record<string, number> = {};
  const unexpectedCloses: Record<string, number> = {};
  let abuseToCitizens = 0;
  let abuseCandidatesLeaked = 0;
  for (const s of r.statuses) {
    for (const [k, v] of Object.entries(s.unexpected.frames)) unexpectedFrames[k] = (unexpectedFrames[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.unexpected.closes)) unexpectedCloses[k] = (unexpectedCloses[k] ?? 0) + v;
    abuseToCitizens += s.unexpected.abuseToCitizens;
    abuseCandidatesLeaked += s.unexpected.abuseCandidatesLeaked;
  }
  const crashOk = crashes.length === 0 && r.mem.after.rss > 0;
  const healthOk = health.failed === 0 && health.ok > 0;
  const connectOk = r.connected === PEERS && r.peersAtBroker === PEERS;
  const setupRate = (p: Phase) => p.calls.started / (p.calls.ms / 1000);
  const callsOk = (p: Phase) => p.calls.timedOut === 0 && p.calls.completed === p.calls.started && setupRate(p) >= CALL_RATE * 0.98;
  const p99Ok = abused.calls.relay.p99 < P99_TARGET_MS;
  const rssRatio = r.mem.after.rss / r.mem.before.rss;
  const rssNaturalRatio = r.mem.afterNatural / r.mem.beforeNatural;
  const rssOk = rssRatio <= RSS_TARGET;
  const wellOk = sum(unexpectedFrames) === 0 && sum(unexpectedCloses) === 0 && r.stillConnected === PEERS;
  const leakOk = abuseToCitizens === 0 && abuseCandidatesLeaked === 0 && r.abuse.received.other.OFFER === undefined;
  const a = r.abuse;

  const lines: string[] = [];
  const out = (...l: string[]) => lines.push(...l);
  out('', '## Targets', '', '| figure | measured | target | result |', '|---|---|---|---|');
  out(`| broker crashes | ${crashes.length} (process alive throughout; /api/health answered ${fmt(health.ok, 0)} of ${fmt(health.ok + health.failed, 0)} checks, 1/s, slowest ${fmt(health.maxMs, 0)} ms${health.firstFailure ? `; first failure ${health.firstFailure}` : ''}) | 0, health always answering | ${verdict(crashOk && healthOk)} |`);
  out(`| connected peers, heartbeats on | ${fmt(r.connected, 0)} opened in ${fmt(r.connectSeconds, 1)} s (${r.connectFailed} failed${r.connectError ? `: ${r.connectError}` : ''}); broker held ${fmt(r.peersAtBroker, 0)}; ${fmt(r.stillConnected, 0)} still connected at the end; ${fmt(PEERS / 4, 0)} heartbeats/s, ${fmt(r.heartbeatAnswers, 0)} answered | ${fmt(PEERS, 0)} | ${verdict(connectOk && r.stillConnected === PEERS)} |`);
  for (const p of r.phases) {
    out(`| call setups, ${p.name} | ${fmt(p.calls.started, 0)} in ${fmt(p.calls.ms / 1000, 0)} s = ${fmt(setupRate(p), 1)}/s; ${fmt(p.calls.completed, 0)} completed, ${p.calls.timedOut} timed out (5 s) | ${CALL_RATE}/s, all complete | ${verdict(callsOk(p))} |`);
  }
  out(`| well-behaved relay latency p50 / p99, **during abuse** | ${ms(abused.calls.relay)} (${fmt(abused.calls.relay.count, 0)} frames; max ${fmt(abused.calls.relay.max, 1)} ms) | p99 < ${P99_TARGET_MS} ms | ${verdict(p99Ok)} |`);
  out(`| broker RSS after the load, vs before (after a full GC) | ${mib(r.mem.before.rss)} → ${mib(r.mem.after.rss)} (${fmt((rssRatio - 1) * 100, 1)} %) | ≤ +${fmt((RSS_TARGET - 1) * 100, 0)} % | ${verdict(rssOk)} |`);
  out(`| well-behaved peers refused, cut off or sent anything unexpected | frames ${list(unexpectedFrames)}; closes ${list(unexpectedCloses)} | none | ${verdict(wellOk)} |`);
  out(`| abusive frames that reached a citizen, or candidates of refused offers that reached a console | ${abuseToCitizens} + ${abuseCandidatesLeaked} | 0 | ${verdict(leakOk)} |`);

  out('', '## Latency of well-behaved traffic (one-way relay through the broker; setup = OFFER sent until both sides hold answer and candidates)', '');
  out('| phase | relay p50 / p99 | relay max | setup p50 / p99 | OFFER p99 | ANSWER p99 | CANDIDATE p99 | broker CPU | broker waiting for a CPU | broker event-loop delay p99 / max | broker GC pauses: total, longest (longest full GC) | load generators CPU | load generator (calls) loop delay p99 | other load on the machine |');
  out('|---|---|---:|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|');
  for (const p of r.phases) {
    const t = p.calls.relayByType;
    out(
      `| ${p.name} | ${ms(p.calls.relay)} | ${fmt(p.calls.relay.max, 1)} ms | ${ms(p.calls.setup)} | ${fmt(t.OFFER?.p99 ?? NaN, 1)} ms | ${fmt(t.ANSWER?.p99 ?? NaN, 1)} ms | ${fmt(t.CANDIDATE?.p99 ?? NaN, 1)} ms | ${fmt(p.usage.brokerCores, 2)} cores | ${fmt(p.usage.brokerWaiting, 2)} s/s | ${fmt(p.usage.brokerEld.p99, 1)} / ${fmt(p.usage.brokerEld.max, 1)} ms | ${fmt(p.usage.brokerGc.totalMs / p.usage.seconds, 1)} ms/s, ${fmt(p.usage.brokerGc.maxMs, 1)} ms (${fmt(p.usage.brokerGc.maxMajorMs, 1)} ms) | ${fmt(p.usage.workerCores, 2)} cores | ${fmt(p.calls.eld.p99, 1)} ms | ${fmt(p.usage.otherCores, 2)} cores |`,
    );
  }

  const starved = r.phases.filter((p) => p.usage.brokerWaiting > 0.05 || p.usage.otherCores > 0.5);
  if (starved.length) {
    out(
      '',
      `**Shared machine:** during ${starved.map((p) => `"${p.name}"`).join(', ')} the broker's thread waited ${starved.map((p) => fmt(p.usage.brokerWaiting, 2)).join(' / ')} s per second for a CPU ` +
        `while other processes (not this run's) kept ${starved.map((p) => fmt(p.usage.otherCores, 2)).join(' / ')} of the ${os.cpus().length} cores busy. ` +
        'Latency there measures the machine as much as the broker; broker CPU time (per message, per phase) is the steadier figure. Run on an otherwise idle machine for the verdict.',
    );
  }
  out('', `## Abuse: refused versus delivered (counted from what the ${a.clients} abusive clients and the consoles received, ${fmt(PHASE_ABUSE_MS / 1000 + ABUSE_RAMP_MS / 1000, 0)} s)`, '');
  const abuseSeconds = PHASE_ABUSE_MS / 1000 + ABUSE_RAMP_MS / 1000;
  const abusiveFrames = a.sent.malformed + a.sent.oversize + a.sent.offersToConsoles + a.sent.offersForbidden + a.sent.candidates;
  out(
    `Behaviours: ${Object.entries(a.byBehaviour).map(([k, v]) => `${v} × ${k}`).join(', ')}; ${ABUSE_RATE} frames/s each while connected; reconnect ${ABUSE_RECONNECT_MS}–${2 * ABUSE_RECONNECT_MS} ms after a cut or refusal; 10 clients per source address. ` +
      `Achieved: ${fmt(abusiveFrames / abuseSeconds, 0)} abusive frames/s and ${fmt(a.connections.attempts / abuseSeconds, 0)} connection attempts/s.`,
    '',
  );
  out('| abusive traffic | sent | refused (what the client got) | delivered |', '|---|---:|---|---:|');
  out(`| malformed frames (not JSON, binary, unknown type, no destination, bad payload, deep nesting) | ${fmt(a.sent.malformed, 0)} | ${fmt(a.received.errorMalformed, 0)} ERROR "Malformed message"; ${fmt(a.received.cutMalformed, 0)} cut off (ERROR "Too many malformed messages" + close 1008); the rest in flight when cut | 0 |`);
  out(`| frames over the 64 KiB cap (70 KiB) | ${fmt(a.sent.oversize, 0)} | ${fmt(a.closes['1009'] ?? 0, 0)} closed 1009 (message too big) | 0 |`);
  out(`| OFFERs to consoles beyond ${DEFAULT_LIMITS.offersPerCitizenPerMinute}/min per citizen | ${fmt(a.sent.offersToConsoles, 0)} | ${fmt(a.received.expireFromConsoles, 0)} EXPIRE (peer-unavailable) | ${fmt(abused.calls.abuseOffersDelivered + after.calls.abuseOffersDelivered, 0)} (within the limit, to the consoles) |`);
  out(`| OFFERs to citizens, officers and invalid ids | ${fmt(a.sent.offersForbidden, 0)} | ${fmt(a.received.expireForbidden, 0)} EXPIRE | ${abuseToCitizens} |`);
  out(`| CANDIDATEs that follow those OFFERs | ${fmt(a.sent.candidates, 0)} | dropped without reply when their OFFER was refused | ${abuseCandidatesLeaked} of refused offers |`);
  out(`| connection attempts | ${fmt(a.connections.attempts, 0)} | ${fmt(sum(a.connections.refused), 0)} refused: ${list(a.connections.refused)}${sum(a.connections.failed) ? `; ${fmt(sum(a.connections.failed), 0)} failed: ${list(a.connections.failed)}` : ''} | ${fmt(a.connections.opened, 0)} opened |`);
  out(`| closes seen by abusive clients | ${fmt(sum(a.closes), 0)} | ${list(a.closes)} | |`);
  if (sum(a.received.errorOther) || sum(a.received.other) || a.sent.skippedBackpressure) {
    out('', `Other replies: ERROR ${list(a.received.errorOther)}; frames ${list(a.received.other)}; frames not sent because the client's socket was backed up: ${fmt(a.sent.skippedBackpressure, 0)}.`);
  }

  const m = r.mem;
  out('', '## Broker memory (VmRSS of the broker process)', '');
  out('| moment | RSS as it is | RSS after a full GC | V8 heap used / committed | external (ws buffers…) |', '|---|---:|---:|---:|---:|');
  out(`| before (after warm-up, no peers) | ${mib(m.beforeNatural)} | ${mib(m.before.rss)} | ${mib(m.before.heapUsed)} / ${mib(m.before.heapTotal)} | ${mib(m.before.external)} |`);
  out(`| with ${fmt(PEERS, 0)} peers, after the calls | ${mib(m.loadedNatural)} | ${mib(m.loaded.rss)} | ${mib(m.loaded.heapUsed)} / ${mib(m.loaded.heapTotal)} | ${mib(m.loaded.external)} |`);
  out(`| peak during the run (1 s samples) | ${mib(peak)} | | | |`);
  out(`| after: peers gone (${m.peersAfter} left), ${fmt(IDLE_AFTER_MS / 1000, 0)} s idle | ${mib(m.afterNatural)} (${fmt((rssNaturalRatio - 1) * 100, 1)} %) | ${mib(m.after.rss)} (${fmt((rssRatio - 1) * 100, 1)} %) | ${mib(m.after.heapUsed)} / ${mib(m.after.heapTotal)} | ${mib(m.after.external)} |`);
  const spaces = (b: BrokerMem) => Object.entries(b.spaces).filter(([, v]) => v > 512 * 1024).map(([k, v]) => `${k.replace(/_space$/, '')} ${fmt(v / 1048576, 1)}`).join(', ');
  out('', `V8 heap spaces committed (MiB): before ${spaces(m.before)}; loaded ${spaces(m.loaded)}; after ${spaces(m.after)}.`);
  const maps = (b: BrokerMem) => `malloc main arena [heap] ${fmt(b.maps.brkHeap / 1048576, 1)}, other anonymous (V8 pages, thread arenas, stacks) ${fmt(b.maps.anonymous / 1048576, 1)}, files ${fmt(b.maps.files / 1048576, 1)}`;
  out(`Resident by mapping (MiB, after GC): before: ${maps(m.before)}; loaded: ${maps(m.loaded)}; after: ${maps(m.after)}.`);
  out(`Idle RSS every 5 s after the peers left: ${m.idleRss.map((s) => fmt(s.rss / 1048576, 1)).join(', ')} MiB.`);
  out(`Per peer with ${fmt(PEERS, 0)} connected (after GC): ${fmt((m.loaded.rss - m.before.rss) / PEERS / 1024, 1)} KiB RSS, ${fmt((m.loaded.heapUsed - m.before.heapUsed) / PEERS / 1024, 1)} KiB JS heap.`);
  out('', `Broker log (pino levels → lines): ${list(r.logLevels)}${sum(r.logMessages) ? `; warnings and errors: ${list(r.logMessages)}` : ''}.`);
  console.log(lines.join('\n'));
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (err: unknown) => {
    console.error('\nbench:load failed:', err instanceof Error ? err.message : err);
    if (crashes.length) console.error(`broker crashes: ${crashes.join('; ')}`);
    cleanup();
    process.exit(1);
  },
);
