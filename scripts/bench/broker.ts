/**
 * `npm run bench:broker`: this project's broker, stock `peer` 1.0.2 with default
 * options and the seed guide's Socket.io relay, side by side, on this machine.
 *
 * Each broker runs in its own process (so RSS and CPU time are its own), as
 * compiled JavaScript like `npm start` runs it (see compile.ts); the clients
 * live in two load-generator processes (loadgen.ts), never in a broker.
 *   - RSS per idle connection: fresh brokers, measured one after the other; RSS
 *     with 2,000 idle connections minus RSS before them, divided by 2,000. Both
 *     readings are taken after full GCs once RSS has settled, and V8's young
 *     generation is pinned at 1 MiB for this measurement (it otherwise grows
 *     with the allocation rate of the moment and adds a one-off of up to
 *     16 KiB per connection at random). JS heap per connection is shown beside.
 *   - Relayed messages per second at saturation: 100 sender/receiver pairs,
 *     each keeping 32 messages in flight; deliveries counted over a window
 *     after a warm-up.
 *   - p50/p99 relay latency at a fixed 10,000 messages/s: the send time travels
 *     in the payload and is compared on receipt, in the same process.
 * The traffic measurements run in rounds that alternate between the three
 * brokers (fresh ones, each idle while another is measured). Values are the
 * median round; ratios are the median of the per-round ratios, since the
 * brokers of one round ran within seconds of each other. Every round is
 * printed, with the CPU that other processes used meanwhile.
 *
 * Options: --only project,stock,socketio
 *          --cpu-prof    the brokers write CPU profiles to .bench/broker/profiles/
 *          --io-polling  socket.io clients use the client's default transports (long-polling, then
 *                        the upgrade): slower to connect, and the relay also holds the polling
 *                        requests' keep-alive sockets for a while
 *          --idle N      idle connections (default 2,000)
 *          --idle-only   only the memory measurement
 * Environment: BENCH_PROJECT_DIR=<a copy of this project> measures that copy's peer-server as
 * "this broker"; BENCH_ROUNDS, BENCH_WINDOW_MS, BENCH_PAIRS, BENCH_INFLIGHT tune the saturation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateSecret } from '../../peer-server/secret.ts';
import { mintToken } from '../../peer-server/tokens.ts';
import type { BrokerKind, CpuReading, MemReading } from './broker-child.ts';
import { compileForBench, REPO, type Compiled } from './compile.ts';
import { killAll, startChild, type Child } from './ipc.ts';
import type { LatencyResult, SaturateResult, Target } from './loadgen.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LOADGEN_ENTRY = path.join(HERE, 'loadgen.ts');
/** Compiled brokers and CPU profiles go here (git-ignored). */
const WORK_DIR = path.join(REPO, '.bench/broker');

const WORKERS = 2;
const PAIRS_PER_WORKER = Number(process.env.BENCH_PAIRS ?? 50);
const IN_FLIGHT_PER_PAIR = Number(process.env.BENCH_INFLIGHT ?? 32);
const SATURATE_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LATENCY_ROUNDS = 3;
const SATURATE_WARMUP_MS = 500;
const SATURATE_WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 2000);
const LATENCY_RATE = 10_000;
const LATENCY_WARMUP_MS = 500;
const LATENCY_WINDOW_MS = 2500;
const DEADLINE_MS = 175_000;
const SEMI_SPACE_MIB = 1;

const KINDS: BrokerKind[] = ['project', 'stock', 'socketio'];
const LABEL: Record<BrokerKind, string> = { project: 'this broker', stock: 'stock peer', socketio: 'socket.io relay' };

interface IdleResult {
  rssPerConnKiB: number;
  heapPerConnKiB: number;
  openMs: number;
}

interface SaturateRound {
  msgsPerSec: number;
  brokerCores: number;
  brokerKernelCores: number;
  loadgenCores: number;
  otherCores: number;
}

interface LatencyRound {
  p50: number;
  p99: number;
  sent: number;
  lost: number;
  /** Broker CPU time per message at the fixed rate: steadier than saturation when the machine is shared. */
  brokerCpuMicrosPerMsg: number;
  otherCores: number;
}

interface Result {
  idle: IdleResult;
  saturate: SaturateRound[];
  latency: LatencyRound[];
}

const argv = process.argv.slice(2);
const onlyIndex = argv.findIndex((a) => a.startsWith('--only'));
const onlyValue = onlyIndex < 0 ? null : argv[onlyIndex]!.includes('=') ? argv[onlyIndex]!.split('=')[1]! : (argv[onlyIndex + 1] ?? '');
const kinds = onlyValue === null ? KINDS : KINDS.filter((k) => onlyValue.split(',').includes(k));
if (kinds.length === 0) throw new Error(`--only takes a comma-separated list of ${KINDS.join(', ')}`);
const cpuProf = argv.includes('--cpu-prof');
const ioPolling = argv.includes('--io-polling');
const idleOnly = argv.includes('--idle-only');
const idleIndex = argv.indexOf('--idle');
const IDLE_CONNECTIONS = idleIndex < 0 ? 2000 : Number(argv[idleIndex + 1]);
if (!Number.isInteger(IDLE_CONNECTIONS) || IDLE_CONNECTIONS < WORKERS || IDLE_CONNECTIONS % WORKERS !== 0) throw new Error(`--idle takes a multiple of ${WORKERS}`);
const profileDir = path.join(WORK_DIR, 'profiles');
// A modified copy of the project (a checkout with its own peer-server/) can be measured in place of this one.
const projectDir = path.resolve(process.env.BENCH_PROJECT_DIR || REPO);
let compiled: Compiled | null = null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tempDirs: string[] = [];

function cleanup(): void {
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
const results = new Map<BrokerKind, Result>();
const deadline = setTimeout(() => {
  console.error(`\nbench: gave up after ${DEADLINE_MS / 1000} s (is the machine busy?); what was measured so far:`);
  cleanup();
  try {
    report(results, { errors: 0, firstError: '' });
  } catch {
    // Nothing worth printing.
  }
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

/** Busy CPU time of the whole machine, in core-seconds (null where /proc/stat is missing). */
function machineBusySeconds(): number | null {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return null;
  }
}

/** Environment for the project's broker: ephemeral port, loopback, temp data, limits out of the benchmark's way. */
async function projectEnv(): Promise<{ env: Record<string, string>; stationToken: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-bench-'));
  tempDirs.push(dataDir);
  const secret = loadOrCreateSecret(dataDir);
  const stationToken = await mintToken(secret, { role: 'station', sub: 'qc-central', station: 'qc-central', name: 'Bench console', days: 1 });
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DIST_DIR: path.join(dataDir, 'dist'),
    LOG_LEVEL: 'warn',
    // Every client connects from 127.0.0.1, at rates far above a real station's.
    LIMIT_CONNECTIONS_PER_IP: '1000000',
    LIMIT_PEERS: '100000',
    LIMIT_OFFERS_PER_CITIZEN: '1000000',
    LIMIT_OFFERS_PER_STAFF: '1000000',
    LIMIT_QUEUE_PER_PEER: '10000',
    LIMIT_QUEUE_TOTAL: '1000000',
  };
  return { env, stationToken };
}

interface Session {
  brokers: Map<BrokerKind, Child>;
  workers: Child[];
}

/** Fresh brokers of the given kinds plus the load generators, all stopped afterwards whatever happens. */
async function withSession<T>(sessionKinds: BrokerKind[], phase: string, run: (s: Session) => Promise<T>): Promise<T> {
  const brokers = new Map<BrokerKind, Child>();
  const workers: Child[] = [];
  try {
    const targets: Target[] = [];
    let stationToken = '';
    for (const kind of sessionKinds) {
      const prepared = kind === 'project' ? await projectEnv() : { env: {}, stationToken: '' };
      stationToken ||= prepared.stationToken;
      const execArgv = ['--expose-gc', ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, `${kind}-${phase}`)}`] : [])];
      // V8's young generation grows from 1 MiB to 16 MiB semi-spaces with the allocation rate of the
      // moment, and RSS with it: a one-off of up to 16 KiB per connection at 2,000 that says nothing
      // about what a connection holds. The memory measurement pins it, the same for every broker.
      if (phase === 'idle') execArgv.push(`--min-semi-space-size=${SEMI_SPACE_MIB}`, `--max-semi-space-size=${SEMI_SPACE_MIB}`);
      const broker = startChild(`${kind} broker`, compiled!.brokerEntry, [kind], { env: { ...prepared.env, BENCH_SERVER_DIR: compiled!.serverDir }, execArgv });
      brokers.set(kind, broker);
      const { port } = (await broker.ready) as { port: number };
      targets.push({ kind, port });
    }
    for (let w = 0; w < WORKERS; w++) {
      const env = { BENCH_TARGETS: JSON.stringify(targets), BENCH_STATION_TOKEN: stationToken, BENCH_IO_POLLING: ioPolling ? '1' : '' };
      workers.push(startChild(`load generator ${w}`, LOADGEN_ENTRY, [String(w)], { env, execArgv: ['--import', 'tsx'] }));
    }
    await Promise.all(workers.map((w) => w.ready));
    return await run({ brokers, workers });
  } finally {
    for (const w of workers) w.kill();
    // A graceful exit lets --cpu-prof write its profile.
    await Promise.all(
      [...brokers.values()].map(async (broker) => {
        const exited = new Promise((resolve) => broker.process.once('exit', resolve));
        if (broker.process.connected) broker.process.disconnect();
        await Promise.race([exited, sleep(cpuProf ? 5000 : 1000)]);
        broker.kill();
      }),
    );
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
}

/** RSS per idle connection of each broker: fresh brokers, one after the other (so none is short of CPU while it settles). */
async function measureIdle(): Promise<IdleResult[]> {
  return withSession(kinds, 'idle', async ({ brokers, workers }) => {
    const out: IdleResult[] = [];
    for (const kind of kinds) {
      progress(`${LABEL[kind]}: ${IDLE_CONNECTIONS} idle connections`);
      out.push(await idleOf(kind, brokers.get(kind)!, workers));
    }
    return out;
  });
}

async function idleOf(kind: BrokerKind, broker: Child, workers: Child[]): Promise<IdleResult> {
  // Warm up the connection path so code and pools are not charged to the connections.
  await Promise.all(workers.map((w) => w.call('open', { kind, count: 25 })));
  await Promise.all(workers.map((w) => w.call('closeIdle', { kind })));
  await sleep(1000);
  const before = await broker.call<MemReading>('mem');
  const opened = await Promise.all(workers.map((w) => w.call<{ opened: number; ms: number }>('open', { kind, count: IDLE_CONNECTIONS / WORKERS }, 90_000)));
  await sleep(1000);
  const after = await broker.call<MemReading>('mem');
  const total = opened.reduce((n, o) => n + o.opened, 0);
  if (total !== IDLE_CONNECTIONS) throw new Error(`${kind}: only ${total} connections opened`);
  return {
    rssPerConnKiB: (after.rss - before.rss) / IDLE_CONNECTIONS / 1024,
    heapPerConnKiB: (after.heapUsed - before.heapUsed) / IDLE_CONNECTIONS / 1024,
    openMs: Math.max(...opened.map((o) => o.ms)),
  };
}

async function saturateRound(kind: BrokerKind, broker: Child, workers: Child[]): Promise<SaturateRound> {
  const running = Promise.all(
    workers.map((w) => w.call<SaturateResult>('saturate', { kind, warmupMs: SATURATE_WARMUP_MS, windowMs: SATURATE_WINDOW_MS, inFlight: IN_FLIGHT_PER_PAIR }, 30_000)),
  );
  await sleep(SATURATE_WARMUP_MS);
  const cpu0 = await broker.call<CpuReading>('cpu');
  const busy0 = machineBusySeconds();
  await sleep(SATURATE_WINDOW_MS);
  const cpu1 = await broker.call<CpuReading>('cpu');
  const busy1 = machineBusySeconds();
  const results = await running;
  const seconds = (cpu1.at - cpu0.at) / 1000;
  const brokerCores = (cpu1.cpuMicros - cpu0.cpuMicros) / 1e6 / seconds;
  const loadgenCores = results.reduce((sum, r) => sum + r.workerCpuMicros / (r.windowMs * 1000), 0);
  const undrained = results.filter((r) => !r.drained).length;
  if (undrained) console.error(`  (${kind}: ${undrained} load generator(s) still had messages in flight 3 s after a saturation window)`);
  return {
    msgsPerSec: results.reduce((sum, r) => sum + (r.delivered / r.windowMs) * 1000, 0),
    brokerCores,
    brokerKernelCores: (cpu1.systemMicros - cpu0.systemMicros) / 1e6 / seconds,
    loadgenCores,
    otherCores: busy0 === null || busy1 === null ? NaN : Math.max(0, (busy1 - busy0) / seconds - brokerCores - loadgenCores),
  };
}

async function latencyRound(kind: BrokerKind, broker: Child, workers: Child[]): Promise<LatencyRound> {
  const running = Promise.all(
    workers.map((w) => w.call<LatencyResult>('latency', { kind, rate: LATENCY_RATE / WORKERS, warmupMs: LATENCY_WARMUP_MS, windowMs: LATENCY_WINDOW_MS }, 30_000)),
  );
  await sleep(LATENCY_WARMUP_MS);
  const cpu0 = await broker.call<CpuReading>('cpu');
  const busy0 = machineBusySeconds();
  await sleep(LATENCY_WINDOW_MS - 100);
  const cpu1 = await broker.call<CpuReading>('cpu');
  const busy1 = machineBusySeconds();
  const results = await running;
  const seconds = (cpu1.at - cpu0.at) / 1000;
  const brokerCores = (cpu1.cpuMicros - cpu0.cpuMicros) / 1e6 / seconds;
  const samples = results.flatMap((r) => r.samples).sort((a, b) => a - b);
  const loadgenCores = results.reduce((sum, r) => sum + r.workerCpuMicros / (r.windowMs * 1000), 0);
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    sent: results.reduce((n, r) => n + r.sentInWindow, 0),
    lost: results.reduce((n, r) => n + r.lost, 0),
    // Per message actually delivered: on a busy machine the load generators may fall short of the rate.
    brokerCpuMicrosPerMsg: (brokerCores * 1e6) / (samples.length / (LATENCY_WINDOW_MS / 1000)),
    otherCores: busy0 === null || busy1 === null ? NaN : Math.max(0, (busy1 - busy0) / seconds - loadgenCores - brokerCores),
  };
}

async function measureTraffic(results: Map<BrokerKind, Result>): Promise<{ errors: number; firstError: string }> {
  return withSession(kinds, 'traffic', async ({ brokers, workers }) => {
    for (const kind of kinds) await Promise.all(workers.map((w) => w.call('openPairs', { kind, count: PAIRS_PER_WORKER }, 60_000)));
    // A first burst per broker, not measured: compiled code and socket buffers warm, as in later rounds.
    for (const kind of kinds) {
      progress(`warm-up ${LABEL[kind]}`);
      await Promise.all(workers.map((w) => w.call('saturate', { kind, warmupMs: 0, windowMs: 1000, inFlight: IN_FLIGHT_PER_PAIR }, 30_000)));
    }
    await sleep(300);
    // Alternate the brokers, starting each round with the next one.
    const order = (round: number) => kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
    for (let round = 0; round < SATURATE_ROUNDS; round++) {
      for (const kind of order(round)) {
        progress(`saturate ${LABEL[kind]} (round ${round + 1}/${SATURATE_ROUNDS})`);
        results.get(kind)!.saturate.push(await saturateRound(kind, brokers.get(kind)!, workers));
        await sleep(300);
      }
    }
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const kind of order(round)) {
        progress(`latency ${LABEL[kind]} (round ${round + 1}/${LATENCY_ROUNDS})`);
        results.get(kind)!.latency.push(await latencyRound(kind, brokers.get(kind)!, workers));
        await sleep(300);
      }
    }
    const status = await Promise.all(workers.map((w) => w.call<{ errors: number; firstError: string }>('status')));
    return { errors: status.reduce((n, s) => n + s.errors, 0), firstError: status.map((s) => s.firstError).find(Boolean) ?? '' };
  });
}

function progress(what: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[K  ${what}…` : `  ${what}…\n`);
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}


type Metric = 'rss' | 'heap' | 'msgsPerSec' | 'p50' | 'p99' | 'cpuPerMsg' | 'cpuAt10k' | 'brokerCores' | 'kernelCores' | 'loadgenCores' | 'otherCores';

/** A metric per round (one value for the memory measurements, which are not repeated). */
function rounds(r: Result, metric: Metric): number[] {
  switch (metric) {
    case 'rss':
      return [r.idle.rssPerConnKiB];
    case 'heap':
      return [r.idle.heapPerConnKiB];
    case 'msgsPerSec':
      return r.saturate.map((s) => s.msgsPerSec);
    case 'cpuPerMsg':
      return r.saturate.map((s) => (s.brokerCores * 1e6) / s.msgsPerSec);
    case 'brokerCores':
      return r.saturate.map((s) => s.brokerCores);
    case 'kernelCores':
      return r.saturate.map((s) => s.brokerKernelCores);
    case 'loadgenCores':
      return r.saturate.map((s) => s.loadgenCores);
    case 'otherCores':
      return r.saturate.map((s) => s.otherCores);
    case 'p50':
      return r.latency.map((l) => l.p50);
    case 'p99':
      return r.latency.map((l) => l.p99);
    case 'cpuAt10k':
      return r.latency.map((l) => l.brokerCpuMicrosPerMsg);
  }
}

function value(results: Map<BrokerKind, Result>, kind: BrokerKind, metric: Metric): number {
  const r = results.get(kind);
  return r ? median(rounds(r, metric)) : NaN;
}

/**
 * a / b, as the median of the per-round ratios: the brokers of one round ran within seconds of
 * each other, so a slow spell on a shared machine cancels out of the ratio.
 */
function ratioOf(results: Map<BrokerKind, Result>, a: BrokerKind, b: BrokerKind, metric: Metric): number {
  const ra = results.get(a);
  const rb = results.get(b);
  if (!ra || !rb) return NaN;
  // Rounds that both brokers completed (a run cut short by its deadline may leave one behind).
  const n = Math.min(rounds(ra, metric).length, rounds(rb, metric).length);
  const xs = rounds(ra, metric).slice(0, n);
  const ys = rounds(rb, metric).slice(0, n);
  return n === 0 ? NaN : median(xs.map((x, i) => x / ys[i]!));
}

function times(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a';
}

function report(results: Map<BrokerKind, Result>, errors: { errors: number; firstError: string }): void {
  const rows: [string, Metric, number][] = [
    [`RSS per idle connection at ${IDLE_CONNECTIONS.toLocaleString('en-US')} (KiB)`, 'rss', 1],
    ['Relayed messages/s at saturation', 'msgsPerSec', 0],
    ['Relay latency p50 at 10,000 msg/s (ms)', 'p50', 2],
    ['Relay latency p99 at 10,000 msg/s (ms)', 'p99', 2],
    ['(info) JS heap per idle connection (KiB)', 'heap', 1],
    ['(info) broker CPU per message at saturation (µs)', 'cpuPerMsg', 1],
    ['(info) broker CPU per message at 10,000 msg/s (µs)', 'cpuAt10k', 1],
    ['(info) broker CPU at saturation (cores)', 'brokerCores', 2],
    ['(info) … of which in the kernel (cores)', 'kernelCores', 2],
    ['(info) load generators at saturation (cores)', 'loadgenCores', 2],
    ['(info) other load on the machine meanwhile (cores)', 'otherCores', 2],
  ];
  const lines = [
    `| Metric | ${kinds.map((k) => LABEL[k]).join(' | ')} | this / stock | socket.io / stock |`,
    `|---|${kinds.map(() => '---:').join('|')}|---:|---:|`,
  ];
  for (const [name, metric, digits] of rows) {
    const cells = kinds.map((k) => value(results, k, metric));
    if (!cells.some(Number.isFinite)) continue;
    const vsStock = metric === 'otherCores' ? ['', ''] : [times(ratioOf(results, 'project', 'stock', metric)), times(ratioOf(results, 'socketio', 'stock', metric))];
    lines.push(`| ${name} | ${cells.map((c) => fmt(c, digits)).join(' | ')} | ${vsStock.join(' | ')} |`);
  }
  console.log(lines.join('\n'));
  console.log('');
  console.log('Values are the median round; ratios the median of the per-round ratios. Rounds:');
  for (const [kind, r] of results) {
    const sat = r.saturate.map((s) => `${fmt(s.msgsPerSec / 1000, 1)}k`).join(', ');
    const lat = r.latency.map((l) => `${fmt(l.p50, 2)}/${fmt(l.p99, 2)}${l.lost ? ` (${l.lost} of ${l.sent} not delivered)` : ''}`).join(', ');
    const others = r.saturate.map((s) => fmt(s.otherCores, 2)).join(', ');
    console.log(
      `- ${LABEL[kind]}: msgs/s ${sat || 'n/a'}; other load (cores) ${others || 'n/a'}; latency p50/p99 ms ${lat || 'n/a'}; ` +
        `${IDLE_CONNECTIONS.toLocaleString('en-US')} idle connections opened in ${fmt(r.idle.openMs / 1000, 1)} s`,
    );
  }
  if (errors.errors) console.log(`- ${errors.errors} unexpected broker replies (first: ${errors.firstError})`);
  console.log('');
  const others = Math.max(...kinds.map((k) => value(results, k, 'otherCores')));
  if (others > 0.25) {
    console.log(
      `Warning: other processes on this machine used up to ${fmt(others, 2)} of its ${os.cpus().length} cores during the saturation windows. ` +
        'Throughput and latency then measure the contention as much as the brokers (broker CPU per message is the steadier comparison); rerun on a quiet machine.\n',
    );
  }
  if (!results.has('project') || !results.has('stock') || !results.has('socketio')) {
    console.log('Targets: not judged (run all three brokers).');
    return;
  }
  const r = (a: BrokerKind, b: BrokerKind, metric: Metric) => ratioOf(results, a, b, metric);
  const checks: [string, number, boolean][] = [
    ['throughput vs stock peer (target ≥ 0.85×)', r('project', 'stock', 'msgsPerSec'), r('project', 'stock', 'msgsPerSec') >= 0.85],
    ['RSS/conn vs stock peer (target ≤ 1.25×)', r('project', 'stock', 'rss'), r('project', 'stock', 'rss') <= 1.25],
    ['RSS/conn vs the Socket.io relay (target < 1×)', r('project', 'socketio', 'rss'), r('project', 'socketio', 'rss') < 1],
    ['throughput vs the Socket.io relay (target > 1×)', r('project', 'socketio', 'msgsPerSec'), r('project', 'socketio', 'msgsPerSec') > 1],
    ['p50 latency vs the Socket.io relay (target < 1×)', r('project', 'socketio', 'p50'), r('project', 'socketio', 'p50') < 1],
    ['p99 latency vs the Socket.io relay (target < 1×)', r('project', 'socketio', 'p99'), r('project', 'socketio', 'p99') < 1],
  ];
  const judged = checks.filter(([, x]) => Number.isFinite(x));
  const held = judged.every(([, , ok]) => ok);
  console.log(`Targets ${held ? 'HOLD' : 'MISSED'}${judged.length < checks.length ? ' (of those measured)' : ''}:`);
  for (const [text, x, ok] of judged) console.log(`- ${ok ? 'ok  ' : 'MISS'} ${text}: ${times(x)}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `Broker benchmark: ${os.cpus().length} cores, Node ${process.version}; clients in ${WORKERS} load-generator processes; ` +
      `${IDLE_CONNECTIONS.toLocaleString('en-US')} idle connections; saturation with ${WORKERS * PAIRS_PER_WORKER} pairs × ${IN_FLIGHT_PER_PAIR} in flight ` +
      `(${SATURATE_WINDOW_MS / 1000} s windows after ${SATURATE_WARMUP_MS / 1000} s warm-up); latency at ${LATENCY_RATE.toLocaleString('en-US')} msg/s ` +
      `(${LATENCY_WINDOW_MS / 1000} s windows); ${SATURATE_ROUNDS} and ${LATENCY_ROUNDS} rounds alternating between the brokers.`,
  );
  progress(`transpiling the brokers${projectDir === REPO ? '' : ` (project from ${projectDir})`}`);
  compiled = compileForBench(projectDir, path.join(WORK_DIR, 'build'));
  if (cpuProf) {
    fs.rmSync(profileDir, { recursive: true, force: true });
    fs.mkdirSync(profileDir, { recursive: true });
  }
  const idle = await measureIdle();
  kinds.forEach((kind, i) => results.set(kind, { idle: idle[i]!, saturate: [], latency: [] }));
  const errors = idleOnly ? { errors: 0, firstError: '' } : await measureTraffic(results);
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log('');
  report(results, errors);
  console.log(`\n(${fmt((performance.now() - started) / 1000, 0)} s${cpuProf ? `; CPU profiles in ${profileDir}` : ''})`);
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (err: unknown) => {
    console.error('\nbench failed:', err instanceof Error ? err.message : err);
    cleanup();
    process.exit(1);
  },
);
