/**
 * `npm run bench:call`: how fast a call goes through the real app, next to a
 * bare PeerJS call made by the same harness (the floor on this machine).
 *
 * Builds the app first when dist/ is missing or older than its sources. One
 * headless Chromium, the real server in this process on 127.0.0.1 (serving a
 * snapshot of dist/, so a build started elsewhere mid-run cannot blank a page),
 * one station console (qc-central) for the whole run, and for each call a
 * fresh citizen context (a first-time caller: its own device id and broker
 * connection; service workers blocked, see appRun) that taps once its
 * position and the presence snapshot are known. Server limits are left at
 * their defaults. One warm-up call of each kind is not counted.
 *
 * App calls, per run:
 *   - tap → ringing: the citizen page takes Date.now() and clicks "Call BFP"
 *     in one page.evaluate; on the console a MutationObserver takes Date.now()
 *     when a `li.ring-item` with this caller's position (5 decimals) appears and
 *     reports it through an exposed binding. Same machine clock on both pages.
 *   - answer → audio: the console clicks "Answer" ANSWER_AFTER_MS (1 s) after
 *     it rang, and not before the caller's data connection is open on its side
 *     (the bare call below likewise starts 1 s after connect(), on an open data
 *     connection), then Date.now() at the "Answer" click; then an
 *     in-page loop on each side (every POLL_MS) waits for iceConnectionState
 *     connected/completed and the other side's voice: inbound-rtp audio with
 *     bytes received and an audioLevel of at least AUDIBLE_LEVEL (the fake
 *     microphone plays a continuous tone, TONE_LEVEL of full scale). Bytes
 *     alone would not do: the app sets its audio path up while the console
 *     rings, with both microphones silenced until Answer, so silence flows
 *     before anyone answers. The call's time is the later of the two sides.
 *   - hang-up → both ended: Date.now() at the citizen's "Hang up" click until
 *     both sides' CallSession.state.name is 'ended' (taken inside `dispatch`).
 *   - estimated one-way audio latency, per receiving side, over a stats window
 *     while the call is up: RTT/2 (selected candidate pair's
 *     currentRoundTripTime) + jitterBufferDelay/jitterBufferEmittedCount (delta
 *     over the window) + playout delay (media-playout totalPlayoutDelay /
 *     totalSamplesCount, delta over the window; 0 when Chromium reports none)
 *     + 20 ms packet time. The window runs from SETTLE_MS after audio starts
 *     for WINDOW_MS (1 s and 1 s by default).
 * Bare PeerJS calls, per run (interleaved with the app runs so machine noise
 * lands on both): two pages load node_modules/peerjs/dist/peerjs.min.js and
 * open Peers against the same broker with valid ids (a fresh citizen id, and a
 * console id st-qc-central-<tag> with a station token); connect() → data
 * connection open on both sides, then, ANSWER_AFTER_MS after connect(), call()
 * (auto-answered) → two-way audio, measured with the same in-page loop. The bare caller is a fresh context per
 * run too, so both pay the same first-RTCPeerConnection cost in a new page.
 *
 * The pages are also instrumented (session state changes, messages sent,
 * broker frames as they arrive or leave, ICE and signalling states, how long
 * each createOffer/createAnswer/set*Description takes), and the script prints
 * where the time of each phase goes, for the app and the bare calls.
 *
 * Every wait is bounded (STEP_TIMEOUT_MS); a failed call is reported and
 * replaced, up to MAX_FAILURES; the whole measurement gives up after
 * DEADLINE_MS; the browser, server and temp folder are closed whatever happens.
 *
 * Options:
 *   --calls N               calls of each kind (default 20, the acceptance figure)
 *   --settle-ms=N           start the latency window N ms after audio flows (default 1000)
 *   --answer-after-ms=N     the console answers N ms after it rings (default 1000; the bare caller
 *                           calls N ms after connect()); 0: as soon as the data connection is open
 *   --bare-latency          also estimate the bare calls' latency (~2 s more per call)
 *   --bare-opus-like-app    give the bare calls the app's Opus settings (FEC, DTX, mono, 32 kbps)
 *   BENCH_DEBUG=1           print how long each harness step takes, and every call's breakdown
 *   BENCH_PROFILE=1         CPU-profile both main threads of each call from Answer (call()) to audio
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../peer-server/config.ts';
import { loadOrCreateSecret } from '../../peer-server/secret.ts';
import { startServer, type RunningServer } from '../../peer-server/server.ts';
import { mintToken } from '../../peer-server/tokens.ts';
import { ensureBuilt } from '../build-state.ts';
import { writeWav } from '../../test/e2e/wav.ts';
import { CHROMIUM_ARGS as BASE_CHROMIUM_ARGS, findChromium } from '../find-chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PEERJS_BUNDLE = path.join(ROOT, 'node_modules/peerjs/dist/peerjs.min.js');

const CHROMIUM_ARGS = [...BASE_CHROMIUM_ARGS, '--use-fake-ui-for-media-stream'];

const argv = process.argv.slice(2);
const callsArg = argv.findIndex((a) => a === '--calls' || a.startsWith('--calls='));
const CALLS = callsArg < 0 ? 20 : Number(argv[callsArg]!.includes('=') ? argv[callsArg]!.split('=')[1] : argv[callsArg + 1]);
if (!Number.isInteger(CALLS) || CALLS < 1 || CALLS > 100) throw new Error('--calls takes an integer from 1 to 100');
/** Investigation: also estimate the bare calls' one-way latency (adds ~2 s per bare call). */
const BARE_LATENCY = argv.includes('--bare-latency');
/**
 * How long after its ring the console answers (and after connect() the bare caller calls): a
 * quick dispatcher, who reads the caller's name and place first. 0: the moment the data
 * connection is open, faster than anyone reads.
 */
const answerArg = argv.find((a) => a.startsWith('--answer-after-ms='));
const ANSWER_AFTER_MS = answerArg ? Number(answerArg.split('=')[1]) : 1000;
if (!Number.isInteger(ANSWER_AFTER_MS) || ANSWER_AFTER_MS < 0 || ANSWER_AFTER_MS > 10_000) throw new Error('--answer-after-ms takes an integer from 0 to 10000');
/** Investigation: give the bare calls the app's Opus settings (FEC, DTX, mono, 32 kbps) on offer and answer. */
const BARE_SHAPED = argv.includes('--bare-opus-like-app');

/** Qc-central, the station whose console is online. */
const CONSOLE_STATION = 'qc-central';
/** A caller a few hundred metres from qc-central (14.6515, 121.0493). */
const CALLER_POSITION = { latitude: 14.64871, longitude: 121.04712, accuracy: 12 };
/** Interval of the in-page "is audio flowing yet" loop. */
const POLL_MS = 5;
/** The fake microphone's tone, as a share of full scale, and the inbound audioLevel that counts as hearing it. */
const TONE_LEVEL = 0.3;
const AUDIBLE_LEVEL = 0.05;
const VOICE_RATE = 48_000;

/**
 * What every fake microphone plays (looped): a voice-like sound that never falls silent, a few
 * harmonics of a wandering pitch, its loudness swinging syllable-fast between half and all of
 * TONE_LEVEL, so the noise suppressor of a long-open console microphone does not learn it as noise.
 */
function voiceLike(): Buffer {
  const seconds = 8;
  const data = Buffer.alloc(VOICE_RATE * seconds * 2);
  let phase = 0;
  for (let i = 0; i < VOICE_RATE * seconds; i++) {
    const t = i / VOICE_RATE;
    const pitch = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * pitch) / VOICE_RATE;
    const loudness = TONE_LEVEL * (0.75 + 0.25 * Math.sin(2 * Math.PI * 4 * t));
    const wave = (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase)) / 1.75;
    data.writeInt16LE(Math.round(wave * loudness * 32767), i * 2);
  }
  return data;
}
/** Audio runs this long before the latency window starts (--settle-ms)… */
const settleArg = argv.find((a) => a.startsWith('--settle-ms='));
const SETTLE_MS = settleArg ? Number(settleArg.split('=')[1]) : 1000;
if (!Number.isInteger(SETTLE_MS) || SETTLE_MS < 0 || SETTLE_MS > 10_000) throw new Error('--settle-ms= takes 0 to 10000');
/** …and the window over which the jitter-buffer and playout deltas are taken. */
const WINDOW_MS = 1000;
const STEP_TIMEOUT_MS = 15_000;
const MAX_FAILURES = 3;
const DEADLINE_MS = 400_000;
const PACKET_TIME_S = 0.02;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DEBUG = process.env.BENCH_DEBUG === '1';
/** Investigation: sample both app pages' main threads (CDP Profiler) from the Answer click until audio flows. */
const PROFILE = process.env.BENCH_PROFILE === '1';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time (ms) by what ran: (idle), (program), (garbage collector), or function@file. */
function summariseProfile(profile: CpuProfile): string {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const frame = byNode.get(samples[i]!);
    const dt = (deltas[i + 1] ?? 0) / 1000;
    const file = frame?.url ? frame.url.split('/').pop() : '';
    const key = !frame ? '?' : frame.url ? `${frame.functionName || '(anonymous)'}@${file}:${frame.lineNumber}` : frame.functionName;
    totals.set(key, (totals.get(key) ?? 0) + dt);
  }
  const all = [...totals].sort((a, b) => b[1] - a[1]);
  const total = all.reduce((sum, [, v]) => sum + v, 0);
  const idle = totals.get('(idle)') ?? 0;
  return `${total.toFixed(0)} ms window, busy ${(total - idle).toFixed(0)} ms: ${all
    .filter(([k]) => k !== '(idle)')
    .slice(0, 8)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ')}`;
}
let stepAt = Date.now();
/** With BENCH_DEBUG=1: how long each harness step took (to find where a slow run spends its time). */
function step(label: string): void {
  if (DEBUG) console.log(`  [${((Date.now() - stepAt) / 1000).toFixed(2)} s] ${label}`);
  stepAt = Date.now();
}

/* ------------------------------------------------------------------ */
/* Types of what the pages hold and return                              */
/* ------------------------------------------------------------------ */

interface TimedEvent {
  t: number;
  what: string;
}

interface LatencySide {
  rttS: number | null;
  jitterBufferS: number | null;
  /** NetEq's target delay per emitted sample over the same window (what it aims for). */
  jitterTargetS: number | null;
  playoutS: number | null;
  playoutPresent: boolean;
  /** Inbound audio packets in the window (0 means the window saw no audio). */
  packets: number;
}

interface PollResult {
  /** Date.now() when ICE was connected and the inbound audio was audible, or null on timeout. */
  at: number | null;
  ice: string;
  bytes: number;
}

/** Minimal shape of the app objects the page exposes as window.bfp. */
interface PageSession {
  callId: string;
  direction: 'in' | 'out';
  sos: { name: string } | null;
  state: { name: string };
  media: { peerConnection?: RTCPeerConnection } | null;
  conn: { open: boolean } | null;
  dispatch(event: { type: string }): void;
  send(body: { type: string }): void;
  call(peer: unknown, stream: MediaStream): void;
  answer(media: unknown, stream: MediaStream): void;
  adopt(media: unknown, stream: MediaStream): void;
  benchHooked?: boolean;
}

interface PageSocket {
  emit(event: string, ...args: unknown[]): boolean;
  send(data: { type: string; payload?: { type?: string } }): void;
}

interface PageApp {
  phone: { sessions: PageSession[] } | null;
  link: { peer: { socket: PageSocket } | null } | null;
  presence?: unknown;
}

interface Probe {
  /** Per caller name: what happened when. */
  events: Record<string, TimedEvent[]>;
  /** Broker frames and other page-wide events. */
  global: TimedEvent[];
  log(key: string, what: string): void;
  find(name: string): PageSession | null;
  audio?: Promise<PollResult>;
}

interface BareState {
  peer: import('peerjs').Peer | null;
  stream: MediaStream | null;
  media: import('peerjs').MediaConnection | null;
  conn: import('peerjs').DataConnection | null;
  audioEl: HTMLAudioElement | null;
  connOpenAt: number | null;
  /** Broker frames and ICE states of this run, as in the app pages' probe. */
  frames: TimedEvent[];
  audio?: Promise<PollResult>;
}

declare global {
  interface Window {
    bfp?: PageApp;
    benchProbe?: Probe;
    benchBare?: BareState;
    benchPoll?: (getPc: () => RTCPeerConnection | null | undefined, timeoutMs: number, intervalMs: number) => Promise<PollResult>;
    benchLatency?: (pc: RTCPeerConnection, windowMs: number) => Promise<LatencySide>;
    benchRing?: (at: number, name: string, position: string) => void;
    benchWatchPc?: (pc: RTCPeerConnection | undefined) => void;
    benchShape?: (sdp: string) => string;
    benchSdpOps?: { op: string; start: number; end: number }[];
    Peer: typeof import('peerjs').Peer;
  }
}

/* ------------------------------------------------------------------ */
/* Code that runs in the pages (serialised by Playwright: self-contained) */
/* ------------------------------------------------------------------ */

/** The audio-flowing loop and the latency sampler, shared by app and bare pages. */
function installPageTools(audible: number): void {
  // How long each SDP step takes (start → its promise settles), to tell WebRTC work from waiting.
  window.benchSdpOps = [];
  const proto = RTCPeerConnection.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription']) {
    const original = proto[name]!;
    proto[name] = function (this: RTCPeerConnection, ...args: unknown[]) {
      const start = Date.now();
      const description = args[0] as { type?: string } | undefined;
      const op = name.startsWith('set') ? `${name}(${description?.type ?? '?'})` : name;
      const result = original.apply(this, args);
      void result.then(
        () => window.benchSdpOps!.push({ op, start, end: Date.now() }),
        () => undefined,
      );
      return result;
    };
  }
  // The app's Opus settings (src/client/audio/sdp.ts), for the --bare-opus-like-app comparison.
  window.benchShape = (sdp) => {
    const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
    const lines = sdp.split(eol);
    const opus = new Set(lines.map((l) => /^a=rtpmap:(\d+) opus\/48000/i.exec(l)?.[1]).filter(Boolean));
    const wanted: Record<string, string> = { useinbandfec: '1', usedtx: '1', stereo: '0', 'sprop-stereo': '0', maxaveragebitrate: '32000' };
    return lines
      .map((l) => {
        const m = /^a=fmtp:(\d+) (.*)$/.exec(l);
        if (!m || !opus.has(m[1])) return l;
        const params = new Map(m[2]!.split(';').map((p) => p.trim().split('=') as [string, string]));
        for (const [k, v] of Object.entries(wanted)) params.set(k, v);
        return `a=fmtp:${m[1]} ${[...params].map(([k, v]) => `${k}=${v}`).join(';')}`;
      })
      .join(eol);
  };
  window.benchPoll = async (getPc, timeoutMs, intervalMs) => {
    const end = Date.now() + timeoutMs;
    let ice = 'none';
    let bytes = 0;
    while (Date.now() < end) {
      const pc = getPc();
      if (pc) {
        ice = pc.iceConnectionState;
        if (ice === 'connected' || ice === 'completed') {
          const report = await pc.getStats();
          bytes = 0;
          let level = 0;
          report.forEach((s: { type: string; kind?: string; bytesReceived?: number; audioLevel?: number }) => {
            if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
            bytes += s.bytesReceived ?? 0;
            level = Math.max(level, s.audioLevel ?? 0);
          });
          if (bytes > 0 && level >= audible) return { at: Date.now(), ice, bytes };
        }
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    return { at: null, ice, bytes };
  };

  window.benchLatency = async (pc, windowMs) => {
    type Stat = Record<string, unknown> & { type: string; id: string };
    const read = async () => {
      const report = await pc.getStats();
      const all: Stat[] = [];
      report.forEach((s: Stat) => all.push(s));
      const pairId = all.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')?.selectedCandidatePairId;
      const pair = all.find((s) => s.type === 'candidate-pair' && (pairId ? s.id === pairId : s.nominated === true && s.state === 'succeeded'));
      const inbound = all.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
      const playout = all.find((s) => s.type === 'media-playout' && (!inbound?.playoutId || s.id === inbound.playoutId));
      const num = (v: unknown) => (typeof v === 'number' ? v : null);
      return {
        rtt: num(pair?.currentRoundTripTime),
        jbDelay: num(inbound?.jitterBufferDelay) ?? 0,
        jbEmitted: num(inbound?.jitterBufferEmittedCount) ?? 0,
        jbTarget: num(inbound?.jitterBufferTargetDelay) ?? 0,
        packets: num(inbound?.packetsReceived) ?? 0,
        playoutDelay: num(playout?.totalPlayoutDelay),
        playoutSamples: num(playout?.totalSamplesCount),
      };
    };
    const a = await read();
    await new Promise((r) => setTimeout(r, windowMs));
    const b = await read();
    const emitted = b.jbEmitted - a.jbEmitted;
    const present = b.playoutDelay !== null && b.playoutSamples !== null;
    const samples = present && a.playoutSamples !== null ? b.playoutSamples! - a.playoutSamples : 0;
    return {
      rttS: b.rtt ?? a.rtt,
      jitterBufferS: emitted > 0 ? (b.jbDelay - a.jbDelay) / emitted : null,
      jitterTargetS: emitted > 0 ? (b.jbTarget - a.jbTarget) / emitted : null,
      playoutS: present && samples > 0 ? (b.playoutDelay! - (a.playoutDelay ?? 0)) / samples : null,
      playoutPresent: present,
      packets: b.packets - a.packets,
    };
  };
}

/**
 * Instruments an app page (citizen or console): every session's state changes,
 * messages sent, media call placed/answered and ICE states, plus the broker
 * frames, each stamped with Date.now(). Sessions are keyed by the caller's name.
 */
function installProbe(): void {
  if (window.benchProbe) return;
  const app = window.bfp;
  if (!app?.phone || !app.link?.peer) throw new Error('window.bfp is not ready');
  const probe: Probe = {
    events: {},
    global: [],
    log(key, what) {
      (probe.events[key] ??= []).push({ t: Date.now(), what });
    },
    find(name) {
      return app.phone?.sessions.find((s) => s.sos?.name === name) ?? null;
    },
  };
  window.benchProbe = probe;

  const watchPc = (key: string, pc: RTCPeerConnection | undefined) => {
    if (!pc) return;
    pc.addEventListener('iceconnectionstatechange', () => probe.log(key, `ice:${pc.iceConnectionState}`));
    pc.addEventListener('signalingstatechange', () => probe.log(key, `sig:${pc.signalingState}`));
    pc.addEventListener('track', () => probe.log(key, 'track'));
  };

  const hook = (s: PageSession) => {
    if (s.benchHooked) return;
    s.benchHooked = true;
    const key = s.sos?.name ?? s.callId;
    probe.log(key, `tracked:${s.state.name}`);
    const dispatch = s.dispatch.bind(s);
    s.dispatch = (event) => {
      const before = s.state.name;
      dispatch(event);
      if (s.state.name !== before) probe.log(key, `state:${s.state.name}`);
    };
    const send = s.send.bind(s);
    s.send = (body) => {
      probe.log(key, `send:${body.type}`);
      send(body);
    };
    const call = s.call.bind(s);
    s.call = (peer, stream) => {
      probe.log(key, 'media:call');
      call(peer, stream);
      watchPc(key, s.media?.peerConnection);
    };
    const adopt = s.adopt.bind(s);
    s.adopt = (media, stream) => {
      probe.log(key, 'media:adopt');
      adopt(media, stream);
      watchPc(key, s.media?.peerConnection);
    };
    const answer = s.answer.bind(s);
    s.answer = (media, stream) => {
      probe.log(key, 'media:answer');
      answer(media, stream);
      watchPc(key, s.media?.peerConnection);
    };
  };

  const sessions = app.phone.sessions;
  for (const s of sessions) hook(s);
  const push = sessions.push.bind(sessions);
  sessions.push = (...items: PageSession[]) => {
    for (const s of items) hook(s);
    return push(...items);
  };

  const socket = app.link.peer.socket;
  const frame = (dir: string, m: { type: string; payload?: { type?: string } }) =>
    m.type === 'HEARTBEAT' ? null : probe.global.push({ t: Date.now(), what: `${dir}:${m.type}${m.payload?.type ? `:${m.payload.type}` : ''}` });
  // Stamped as the frame arrives, before PeerJS (and the app) handle it.
  const emit = socket.emit.bind(socket);
  socket.emit = (event, ...args) => {
    if (event === 'message') frame('recv', args[0] as { type: string });
    return emit(event, ...args);
  };
  const sendFrame = socket.send.bind(socket);
  socket.send = (data) => {
    frame('send', data);
    sendFrame(data);
  };
}

/** The console's ring detector: reports when a ringing item shows a position to 5 decimals. */
function installRingObserver(): void {
  const reported = new Set<string>();
  const check = () => {
    const now = Date.now();
    for (const li of document.querySelectorAll('li.ring-item')) {
      const name = li.querySelector('.caller strong')?.textContent ?? '';
      if (reported.has(name)) continue;
      const position = li.querySelector('.caller-position')?.textContent ?? '';
      if (!/-?\d+\.\d{5}, -?\d+\.\d{5}/.test(position)) continue;
      reported.add(name);
      window.benchRing?.(now, name, position);
    }
  };
  new MutationObserver(check).observe(document.body, { childList: true, subtree: true, characterData: true });
}

/* ------------------------------------------------------------------ */
/* Statistics and output                                                */
/* ------------------------------------------------------------------ */

function percentile(values: number[], p: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  // Nearest rank.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/* ------------------------------------------------------------------ */
/* The run                                                              */
/* ------------------------------------------------------------------ */

interface AppRun {
  tapToRing: number;
  answerToAudio: number;
  answerToAudioCitizen: number;
  answerToAudioConsole: number;
  hangupToEnded: number;
  hangupToEndedConsole: number;
  /** Receiving side → its latency estimate. */
  latency: { citizen: LatencySide; console: LatencySide };
  /** Offsets (ms) of instrumented events from the tap / answer / hang-up. */
  marks: Record<string, number>;
}

interface BareRun {
  connectToOpen: number;
  callToAudio: number;
  /** Offsets (ms) of instrumented events from connect() / call(). */
  marks: Record<string, number>;
  /** With --bare-latency: the same estimate as the app's calls. */
  latency: { citizen: LatencySide; console: LatencySide } | null;
}

function makeCitizenId(): { secret: string; id: string } {
  const secret = randomBytes(16).toString('base64url');
  return { secret, id: `c-${createHash('sha256').update(secret).digest('hex').slice(0, 32)}` };
}

/** Duration of the first SDP step `op` that started in [from, to]. */
function sdpMs(ops: { op: string; start: number; end: number }[], op: string, from: number, to: number): number | null {
  const o = ops.find((x) => x.op === op && x.start >= from && x.start <= to);
  return o ? o.end - o.start : null;
}

/** Offset of the first event named `what` (for the session `key`, or page-wide) from `from`. */
function mark(events: TimedEvent[], what: string, from: number, after = from): number | null {
  const e = events.find((x) => x.what === what && x.t >= after);
  return e ? e.t - from : null;
}

async function main(): Promise<void> {
  const started = Date.now();
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let closing = false;
  const closeAll = async () => {
    if (closing) return;
    closing = true;
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await Promise.race([cleanup(), sleep(10_000)]);
      } catch (err) {
        console.warn('bench:call teardown:', err);
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void closeAll().finally(() => process.exit(130)));
  }
  // Output piped into `head` that has exited: finish and clean up rather than die mid-run.
  process.stdout.on('error', () => undefined);
  // The build (when needed) has its own time limit; the deadline covers the measurements.
  const buildSeconds = ensureBuilt('bench:call');
  step('build checked');
  const deadline = setTimeout(() => {
    console.error(`bench:call: gave up after ${DEADLINE_MS / 1000} s of measuring`);
    void closeAll().finally(() => process.exit(1));
  }, DEADLINE_MS);
  deadline.unref();
  const loadBefore = os.loadavg()[0]!;

  try {
    const found = findChromium();
    if ('problem' in found) throw new Error(found.problem);

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-bench-call-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    // Serve a snapshot of dist/: a build started elsewhere during the run replaces the hashed
    // assets under a running server, and a page loaded then stays blank.
    const distDir = path.join(dataDir, 'dist');
    fs.cpSync(path.join(ROOT, 'dist'), distDir, { recursive: true });
    const server: RunningServer = await startServer(
      loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, DIST_DIR: distDir, LOG_LEVEL: 'warn' }, ROOT),
    );
    cleanups.push(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    const secret = loadOrCreateSecret(dataDir);
    const stationToken = await mintToken(secret, { role: 'station', sub: CONSOLE_STATION, station: CONSOLE_STATION, name: 'QC Central', days: 1 });

    const voiceFile = path.join(dataDir, 'voice.wav');
    writeWav(voiceFile, voiceLike(), VOICE_RATE);
    const browser: Browser = await chromium.launch({ executablePath: found.path, args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${voiceFile}`] });
    cleanups.push(() => browser.close());
    const version = browser.version();

    const newContext = async (extra: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> => {
      const context = await browser.newContext({
        permissions: ['microphone', 'geolocation'],
        geolocation: CALLER_POSITION,
        baseURL: base,
        ...extra,
      });
      // tsx (esbuild keepNames) wraps functions in __name(); the serialised page functions need it defined.
      await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      return context;
    };

    /* ---- the station console, online for the whole run ---- */
    const consoleContext = await newContext({ geolocation: { latitude: 14.6515, longitude: 121.0493, accuracy: 5 } });
    cleanups.push(() => consoleContext.close());
    const rings = new Map<string, { resolve: (v: { at: number; position: string }) => void }>();
    const ringSeen = new Map<string, { at: number; position: string }>();
    await consoleContext.exposeFunction('benchRing', (at: number, name: string, position: string) => {
      const waiter = rings.get(name);
      if (waiter) waiter.resolve({ at, position });
      else ringSeen.set(name, { at, position });
    });
    const consolePage = await consoleContext.newPage();
    await consolePage.goto(`/station#token=${stationToken}`);
    await consolePage.getByRole('button', { name: 'Start shift' }).click({ timeout: STEP_TIMEOUT_MS });
    await consolePage.getByText('Connected to BFP').waitFor({ timeout: STEP_TIMEOUT_MS });
    await consolePage.evaluate(installPageTools, AUDIBLE_LEVEL);
    await consolePage.evaluate(installProbe);
    await consolePage.evaluate(installRingObserver);
    const appConsoleId = await consolePage.evaluate(() => (window.bfp?.link?.peer as unknown as { id: string } | null)?.id ?? '');

    /* ---- the bare PeerJS pages ---- */
    /** A page of our origin that runs no app code, with PeerJS and a microphone stream. */
    const barePage = async (context: BrowserContext): Promise<Page> => {
      const page = await context.newPage();
      await page.goto('/api/health', { waitUntil: 'domcontentloaded' });
      await page.addScriptTag({ path: PEERJS_BUNDLE });
      await page.evaluate(installPageTools, AUDIBLE_LEVEL);
      await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        window.benchBare = { peer: null, stream, media: null, conn: null, audioEl: null, connOpenAt: null, frames: [] };
      });
      return page;
    };
    const bareStationContext = await newContext({ bypassCSP: true });
    cleanups.push(() => bareStationContext.close());
    // The bare console, like the app's, is one long-lived page (its Peer is new each run).
    const bareStation = await barePage(bareStationContext);
    const brokerOptions = { host: '127.0.0.1', port: server.port, path: '/broker', key: 'peerjs', secure: false, config: { iceServers: [] }, debug: 0 };

    const presenceIds = async (): Promise<string[]> => {
      const res = await fetch(`${base}/api/presence`);
      const body = (await res.json()) as { stations: Record<string, string[]> };
      return body.stations[CONSOLE_STATION] ?? [];
    };

    const bareRun = async (): Promise<BareRun> => {
      const stationId = `st-${CONSOLE_STATION}-${randomBytes(4).toString('hex')}`;
      const citizen = makeCitizenId();
      const startPeer = (page: Page, id: string, token: string, answers: boolean) =>
        page.evaluate(
          ({ id, token, options, answers, shaped }) =>
            new Promise<void>((resolve, reject) => {
              const bare = window.benchBare!;
              const peer = new window.Peer(id, { ...options, token });
              bare.peer = peer;
              bare.media = null;
              bare.conn = null;
              bare.connOpenAt = null;
              bare.frames = [];
              const log = (what: string) => bare.frames.push({ t: Date.now(), what });
              const socket = (peer as unknown as { socket: PageSocket }).socket;
              const frame = (dir: string, m: { type: string; payload?: { type?: string } }) =>
                m.type === 'HEARTBEAT' ? null : log(`${dir}:${m.type}${m.payload?.type ? `:${m.payload.type}` : ''}`);
              const emit = socket.emit.bind(socket);
              socket.emit = (event, ...args) => {
                if (event === 'message') frame('recv', args[0] as { type: string });
                return emit(event, ...args);
              };
              const sendFrame = socket.send.bind(socket);
              socket.send = (data) => {
                frame('send', data);
                sendFrame(data);
              };
              window.benchWatchPc = (pc: RTCPeerConnection | undefined) =>
                pc?.addEventListener('iceconnectionstatechange', () => log(`ice:${pc.iceConnectionState}`));
              peer.once('open', () => resolve());
              peer.once('error', (err) => reject(new Error(`${id}: ${err.type}: ${err.message}`)));
              if (!answers) return;
              peer.on('connection', (conn) => {
                bare.conn = conn;
                conn.on('open', () => (bare.connOpenAt = Date.now()));
              });
              peer.on('call', (media) => {
                bare.media = media;
                media.answer(bare.stream!, shaped ? { sdpTransform: window.benchShape! } : {});
                window.benchWatchPc?.(media.peerConnection);
                media.on('stream', (remote) => {
                  bare.audioEl ??= new Audio();
                  bare.audioEl.srcObject = remote;
                  void bare.audioEl.play().catch(() => undefined);
                });
              });
            }),
          { id, token, options: brokerOptions, answers, shaped: BARE_SHAPED },
        );
      // The bare caller, like the app's, is a fresh context each run: its first RTCPeerConnection
      // pays the same one-time WebRTC start-up in the page as a first-time citizen's does.
      const bareCitizenContext = await newContext({ bypassCSP: true });
      try {
        step('bare run starts');
        const bareCitizen = await barePage(bareCitizenContext);
        await startPeer(bareStation, stationId, stationToken, true);
        await startPeer(bareCitizen, citizen.id, citizen.secret, false);
        // Data connection: connect() → open on both sides.
        const data = await bareCitizen.evaluate(
          ({ to, timeoutMs }) =>
            new Promise<{ t0: number; openAt: number }>((resolve, reject) => {
              const bare = window.benchBare!;
              const t0 = Date.now();
              const conn = bare.peer!.connect(to, { reliable: true });
              bare.conn = conn;
              const timer = setTimeout(() => reject(new Error('bare data connection did not open')), timeoutMs);
              conn.on('open', () => {
                clearTimeout(timer);
                resolve({ t0, openAt: Date.now() });
              });
            }),
          { to: stationId, timeoutMs: STEP_TIMEOUT_MS },
        );
        await bareStation.waitForFunction(() => window.benchBare?.connOpenAt !== null, undefined, { timeout: STEP_TIMEOUT_MS, polling: 10 });
        const stationOpenAt = await bareStation.evaluate(() => window.benchBare!.connOpenAt!);
        // The bare caller calls as long after connect() as the app's console answers after its ring.
        await sleep(data.t0 + ANSWER_AFTER_MS - Date.now());
        // Audio: call() → both sides' inbound audio flowing, with the same loop as the app's calls.
        await bareStation.evaluate(
          ({ timeoutMs, poll }) => {
            window.benchBare!.audio = window.benchPoll!(() => window.benchBare!.media?.peerConnection, timeoutMs, poll);
          },
          { timeoutMs: STEP_TIMEOUT_MS, poll: POLL_MS },
        );
        const bareProfilers = PROFILE ? await Promise.all([bareCitizenContext.newCDPSession(bareCitizen), bareStationContext.newCDPSession(bareStation)]) : [];
        for (const cdp of bareProfilers) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
        }
        const t0 = await bareCitizen.evaluate(
          ({ to, timeoutMs, poll, shaped }) => {
            const bare = window.benchBare!;
            const t = Date.now();
            bare.media = bare.peer!.call(to, bare.stream!, shaped ? { sdpTransform: window.benchShape! } : {});
            window.benchWatchPc?.(bare.media.peerConnection);
            bare.media.on('stream', (remote) => {
              bare.audioEl ??= new Audio();
              bare.audioEl.srcObject = remote;
              void bare.audioEl.play().catch(() => undefined);
            });
            bare.audio = window.benchPoll!(() => bare.media?.peerConnection, timeoutMs, poll);
            return t;
          },
          { to: stationId, timeoutMs: STEP_TIMEOUT_MS, poll: POLL_MS, shaped: BARE_SHAPED },
        );
        const [a, b] = await Promise.all([bareCitizen.evaluate(() => window.benchBare!.audio!), bareStation.evaluate(() => window.benchBare!.audio!)]);
        for (const [i, cdp] of bareProfilers.entries()) {
          const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
          console.log(`  bare ${i === 0 ? 'caller' : 'console'} main thread, call() → audio: ${summariseProfile(profile)}`);
          await cdp.detach();
        }
        if (a.at === null || b.at === null) throw new Error(`bare call: no two-way audio (citizen ${a.ice}/${a.bytes} B, console ${b.ice}/${b.bytes} B)`);
        let latency: BareRun['latency'] = null;
        if (BARE_LATENCY) {
          const sample = (p: Page) =>
            p.evaluate(
              async ({ settle, windowMs }) => {
                await new Promise((r) => setTimeout(r, settle));
                return window.benchLatency!(window.benchBare!.media!.peerConnection, windowMs);
              },
              { settle: SETTLE_MS, windowMs: WINDOW_MS },
            );
          const [citizenSide, consoleSide] = await Promise.all([sample(bareCitizen), sample(bareStation)]);
          latency = { citizen: citizenSide, console: consoleSide };
        }
        const [cf, sf, cs, ss] = await Promise.all([
          bareCitizen.evaluate(() => window.benchBare!.frames),
          bareStation.evaluate(() => window.benchBare!.frames),
          bareCitizen.evaluate(() => window.benchSdpOps ?? []),
          bareStation.evaluate(() => window.benchSdpOps ?? []),
        ]);
        const marks: Record<string, number> = {};
        const put = (label: string, v: number | null) => {
          if (v !== null) marks[label] = v;
        };
        put('connect: caller sends OFFER (data)', mark(cf, 'send:OFFER:data', data.t0));
        put('connect: console receives OFFER (data)', mark(sf, 'recv:OFFER:data', data.t0));
        put('connect: data connection open, caller', data.openAt - data.t0);
        put('connect: data connection open, console', stationOpenAt - data.t0);
        put('call: caller sends OFFER (media)', mark(cf, 'send:OFFER:media', t0));
        put('call: console receives OFFER (media)', mark(sf, 'recv:OFFER:media', t0));
        put('call: console sends ANSWER (media)', mark(sf, 'send:ANSWER:media', t0));
        put('call: caller receives ANSWER (media)', mark(cf, 'recv:ANSWER:media', t0));
        put('call: caller ICE connected', mark(cf, 'ice:connected', t0));
        put('call: console ICE connected', mark(sf, 'ice:connected', t0));
        put('call: caller hears the console (audio level)', a.at - t0);
        put('call: console hears the caller (audio level)', b.at - t0);
        const end = Math.max(a.at, b.at);
        put('connect: caller createOffer (data), duration', sdpMs(cs, 'createOffer', data.t0, data.openAt));
        put('connect: caller setLocalDescription(offer) (data), duration', sdpMs(cs, 'setLocalDescription(offer)', data.t0, data.openAt));
        put('call: caller createOffer (media), duration', sdpMs(cs, 'createOffer', t0, end));
        put('call: caller setLocalDescription(offer), duration', sdpMs(cs, 'setLocalDescription(offer)', t0, end));
        put('call: console setRemoteDescription(offer), duration', sdpMs(ss, 'setRemoteDescription(offer)', t0, end));
        put('call: console createAnswer, duration', sdpMs(ss, 'createAnswer', t0, end));
        put('call: console setLocalDescription(answer), duration', sdpMs(ss, 'setLocalDescription(answer)', t0, end));
        put('call: caller setRemoteDescription(answer), duration', sdpMs(cs, 'setRemoteDescription(answer)', t0, end));
        return { connectToOpen: Math.max(data.openAt, stationOpenAt) - data.t0, callToAudio: Math.max(a.at, b.at) - t0, marks, latency };
      } finally {
        await bareCitizenContext.close().catch(() => undefined);
        for (const page of [bareStation]) {
          await page
            .evaluate(() => {
              const bare = window.benchBare!;
              bare.media?.close();
              bare.conn?.close();
              bare.peer?.destroy();
              bare.peer = null;
            })
            .catch(() => undefined);
        }
        // The app's caller must not ring the bare console: wait until the broker has let it go.
        for (let i = 0; i < 100 && (await presenceIds()).includes(stationId); i++) await sleep(20);
        step('bare run done');
      }
    };

    const appRun = async (n: number): Promise<AppRun> => {
      const name = `Bench caller ${n}`;
      // No service worker: it registers once the page is idle, and its first install (precaching
      // every asset) would land at a random point of the measured call. A caller who has the app
      // already has it installed and idle, which is what this approximates.
      const context = await newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      try {
        step('citizen context');
        await page.goto('/', { waitUntil: 'domcontentloaded' });
        step('citizen page loaded');
        await page.getByLabel('Your name').fill(name);
        await page.getByLabel('Your phone number').fill(`0917${String(1000000 + n).slice(1)}`);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByText('Connected to BFP').waitFor({ timeout: STEP_TIMEOUT_MS });
        step('citizen online');
        // A person taps after the screen has settled: the position is known and the presence snapshot is in.
        await page.waitForFunction(
          () => document.querySelector('.location')?.getAttribute('data-location') === 'known' && Boolean(window.bfp?.presence),
          undefined,
          { timeout: STEP_TIMEOUT_MS, polling: 20 },
        );
        step('position and presence known');
        const online = await presenceIds();
        if (online.length !== 1 || online[0] !== appConsoleId) throw new Error(`expected only the app console online, got ${online.join(', ')}`);
        await page.evaluate(installPageTools, AUDIBLE_LEVEL);
        await page.evaluate(installProbe);

        // Tap → ringing with position.
        const ringing = new Promise<{ at: number; position: string }>((resolve, reject) => {
          const early = ringSeen.get(name);
          if (early) return resolve(early);
          const timer = setTimeout(() => reject(new Error(`${name}: the console did not ring within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
          rings.set(name, {
            resolve: (v) => {
              clearTimeout(timer);
              resolve(v);
            },
          });
        });
        const tapAt = await page.evaluate(() => {
          const button = document.querySelector<HTMLButtonElement>('button.sos');
          if (!button) throw new Error('no Call BFP button');
          const t = Date.now();
          button.click();
          return t;
        });
        const ring = await ringing;
        step('rang');
        rings.delete(name);
        const expected = `${CALLER_POSITION.latitude.toFixed(5)}, ${CALLER_POSITION.longitude.toFixed(5)}`;
        if (!ring.position.includes(expected)) throw new Error(`${name}: console shows position "${ring.position}", expected ${expected}`);

        // Answer → two-way audio.
        const startPoll = (p: Page) =>
          p.evaluate(
            ({ name, timeoutMs, poll }) => {
              const probe = window.benchProbe!;
              probe.audio = window.benchPoll!(() => probe.find(name)?.media?.peerConnection, timeoutMs, poll);
            },
            { name, timeoutMs: STEP_TIMEOUT_MS, poll: POLL_MS },
          );
        await Promise.all([startPoll(page), startPoll(consolePage)]);
        const profilers = PROFILE ? await Promise.all([context.newCDPSession(page), consoleContext.newCDPSession(consolePage)]) : [];
        for (const cdp of profilers) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
        }
        // Like the bare call, which starts once its data connection is open: answer on an open one,
        // ANSWER_AFTER_MS after the ring.
        await consolePage.waitForFunction((name) => window.bfp?.phone?.sessions.find((s) => s.sos?.name === name)?.conn?.open === true, name, { timeout: STEP_TIMEOUT_MS, polling: 5 });
        await sleep(ring.at + ANSWER_AFTER_MS - Date.now());
        const answerAt = await consolePage.evaluate((name) => {
          const item = [...document.querySelectorAll('li.ring-item')].find((li) => li.querySelector('.caller strong')?.textContent === name);
          const button = item?.querySelector<HTMLButtonElement>('button.answer');
          if (!button) throw new Error(`no Answer button for ${name}`);
          const t = Date.now();
          button.click();
          return t;
        }, name);
        const [citizenAudio, consoleAudio] = await Promise.all([page.evaluate(() => window.benchProbe!.audio!), consolePage.evaluate(() => window.benchProbe!.audio!)]);
        if (citizenAudio.at === null || consoleAudio.at === null) {
          throw new Error(`${name}: no two-way audio (citizen ${citizenAudio.ice}/${citizenAudio.bytes} B, console ${consoleAudio.ice}/${consoleAudio.bytes} B)`);
        }
        step('audio flowing');
        for (const [i, cdp] of profilers.entries()) {
          const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
          console.log(`  ${name} ${i === 0 ? 'citizen' : 'console'} main thread, Answer → audio: ${summariseProfile(profile)}`);
          await cdp.detach();
        }
        // What the people see.
        await page.locator('.call .phase').filter({ hasText: /^Connected \d\d:\d\d/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
        const consoleCall = consolePage.locator('article.active-call', { has: consolePage.getByRole('heading', { name, exact: true }) });
        await consoleCall.locator('.phase').filter({ hasText: /^Connected \d\d:\d\d/ }).waitFor({ timeout: STEP_TIMEOUT_MS });

        step('both show Connected');
        // Latency estimate from stats, both receiving sides at once.
        const sampleLatency = (p: Page) =>
          p.evaluate(
            async ({ name, settle, windowMs }) => {
              await new Promise((r) => setTimeout(r, settle));
              const pc = window.benchProbe!.find(name)?.media?.peerConnection;
              if (!pc) throw new Error('no peer connection for the latency sample');
              return window.benchLatency!(pc, windowMs);
            },
            { name, settle: Math.max(0, SETTLE_MS - (Date.now() - Math.max(citizenAudio.at!, consoleAudio.at!))), windowMs: WINDOW_MS },
          );
        const [citizenLatency, consoleLatency] = await Promise.all([sampleLatency(page), sampleLatency(consolePage)]);

        step('latency sampled');
        // Hang-up → both ended.
        const hangupAt = await page.evaluate(() => {
          const button = [...document.querySelectorAll<HTMLButtonElement>('.call button.hangup')].find((b) => b.textContent?.trim() === 'Hang up');
          if (!button) throw new Error('no Hang up button');
          const t = Date.now();
          button.click();
          return t;
        });
        const endedAt = (p: Page) =>
          p
            .waitForFunction((name) => window.benchProbe!.events[name]?.find((e) => e.what === 'state:ended')?.t ?? false, name, {
              timeout: STEP_TIMEOUT_MS,
              polling: 10,
            })
            .then((h) => h.jsonValue() as Promise<number>);
        const [citizenEnded, consoleEnded] = await Promise.all([endedAt(page), endedAt(consolePage)]);
        await consoleCall.locator('.phase').filter({ hasText: 'Call ended' }).waitFor({ timeout: STEP_TIMEOUT_MS });

        step('both ended');
        // Where the time went.
        const [cz, co] = await Promise.all([
          page.evaluate((name) => ({ events: window.benchProbe!.events[name] ?? [], global: window.benchProbe!.global, sdp: window.benchSdpOps ?? [] }), name),
          consolePage.evaluate((name) => ({ events: window.benchProbe!.events[name] ?? [], global: window.benchProbe!.global, sdp: window.benchSdpOps ?? [] }), name),
        ]);
        const marks: Record<string, number> = {};
        const put = (label: string, v: number | null) => {
          if (v !== null) marks[label] = v;
        };
        put('tap: citizen state ringing (dial)', mark(cz.events, 'state:ringing', tapAt));
        put('tap: citizen sends OFFER (data) to broker', mark(cz.global, 'send:OFFER:data', tapAt));
        put('tap: console receives OFFER (data) from broker', mark(co.global, 'recv:OFFER:data', tapAt));
        put('tap: console ring item with position in DOM', ring.at - tapAt);
        put('answer: console state connecting', mark(co.events, 'state:connecting', answerAt));
        put('answer: console sends accept', mark(co.events, 'send:accept', answerAt));
        put('answer: citizen state connecting (accept received)', mark(cz.events, 'state:connecting', answerAt));
        // The caller places the audio call while the console rings: these may be before Answer (negative).
        put('answer: citizen sends OFFER (media)', mark(cz.global, 'send:OFFER:media', answerAt, tapAt));
        put('answer: console receives OFFER (media)', mark(co.global, 'recv:OFFER:media', answerAt, tapAt));
        put('answer: citizen adopts the media call placed while ringing', mark(cz.events, 'media:adopt', answerAt));
        put('answer: citizen places a new media call', mark(cz.events, 'media:call', answerAt));
        put('answer: console answers media call', mark(co.events, 'media:answer', answerAt));
        put('answer: console media PC has remote offer', mark(co.events, 'sig:have-remote-offer', answerAt));
        put('answer: console sends ANSWER (media)', mark(co.global, 'send:ANSWER:media', answerAt));
        put('answer: citizen receives ANSWER (media)', mark(cz.global, 'recv:ANSWER:media', answerAt));
        put('answer: citizen ICE connected', mark(cz.events, 'ice:connected', answerAt));
        put('answer: console ICE connected', mark(co.events, 'ice:connected', answerAt));
        put('answer: citizen state connected', mark(cz.events, 'state:connected', answerAt));
        put('answer: console state connected', mark(co.events, 'state:connected', answerAt));
        put('answer: citizen hears the console (audio level)', citizenAudio.at - answerAt);
        put('answer: console hears the citizen (audio level)', consoleAudio.at - answerAt);
        const audioEnd = Math.max(citizenAudio.at, consoleAudio.at);
        const opStart = (ops: { op: string; start: number }[], op: string, from: number) => {
          const o = ops.find((x) => x.op === op && x.start >= from);
          return o ? o.start - from : null;
        };
        put('answer: citizen createOffer (media) starts', opStart(cz.sdp, 'createOffer', answerAt));
        put('tap…ring: citizen createOffer (data), duration', sdpMs(cz.sdp, 'createOffer', tapAt, ring.at));
        put('tap…ring: citizen setLocalDescription(offer) (data), duration', sdpMs(cz.sdp, 'setLocalDescription(offer)', tapAt, ring.at));
        put('answer…audio: citizen createOffer (media), duration', sdpMs(cz.sdp, 'createOffer', answerAt, audioEnd));
        put('answer…audio: citizen setLocalDescription(offer), duration', sdpMs(cz.sdp, 'setLocalDescription(offer)', answerAt, audioEnd));
        put('answer…audio: console setRemoteDescription(offer), duration', sdpMs(co.sdp, 'setRemoteDescription(offer)', answerAt, audioEnd));
        put('answer…audio: console createAnswer, duration', sdpMs(co.sdp, 'createAnswer', answerAt, audioEnd));
        put('answer…audio: console setLocalDescription(answer), duration', sdpMs(co.sdp, 'setLocalDescription(answer)', answerAt, audioEnd));
        put('answer…audio: citizen setRemoteDescription(answer), duration', sdpMs(cz.sdp, 'setRemoteDescription(answer)', answerAt, audioEnd));
        put('hang-up: citizen ended', citizenEnded - hangupAt);
        put('hang-up: console ended', consoleEnded - hangupAt);

        return {
          tapToRing: ring.at - tapAt,
          answerToAudio: Math.max(citizenAudio.at, consoleAudio.at) - answerAt,
          answerToAudioCitizen: citizenAudio.at - answerAt,
          answerToAudioConsole: consoleAudio.at - answerAt,
          hangupToEnded: Math.max(citizenEnded, consoleEnded) - hangupAt,
          hangupToEndedConsole: consoleEnded - hangupAt,
          latency: { citizen: citizenLatency, console: consoleLatency },
          marks,
        };
      } catch (err) {
        // Say what the people saw when it failed.
        const seen = async (p: Page) => (await p.locator('body').innerText({ timeout: 2000 }).catch(() => '?')).replace(/\s+/g, ' ').slice(0, 300);
        const detail = `citizen page: "${await seen(page)}"; console page: "${await seen(consolePage)}"`;
        throw new Error(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} — ${detail}`, { cause: err });
      } finally {
        await context.close().catch(() => undefined);
        step('citizen context closed');
      }
    };

    /* ---- warm-up (not counted): one bare call and one app call ---- */
    process.stdout.write(`bench:call: Chromium ${version}, ${CALLS} calls; warming up…`);
    await bareRun();
    await appRun(0);
    process.stdout.write(' measuring');

    const app: AppRun[] = [];
    const bare: BareRun[] = [];
    const failures: string[] = [];
    // A failed call is reported and replaced by another, up to MAX_FAILURES; then the run stops.
    for (let i = 1; app.length < CALLS || bare.length < CALLS; i++) {
      for (const [kind, run] of [
        ['bare call', async () => bare.length < CALLS && bare.push(await bareRun())],
        [`app call ${i}`, async () => app.length < CALLS && app.push(await appRun(i))],
      ] as const) {
        try {
          await run();
        } catch (err) {
          failures.push(`${kind}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
          process.stdout.write('x');
          if (failures.length > MAX_FAILURES) throw new Error(`${failures.length} calls failed:\n  ${failures.join('\n  ')}`);
        }
      }
      if (DEBUG) console.log(JSON.stringify({ bare: bare.at(-1)?.marks, app: app.at(-1)?.marks }));
      process.stdout.write('.');
    }
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(` done in ${seconds.toFixed(0)} s${buildSeconds > 0 ? ` (${buildSeconds.toFixed(0)} s of it building)` : ''}\n\n`);
    if (failures.length > 0) console.log(`${failures.length} call(s) failed and were replaced:\n  ${failures.join('\n  ')}\n`);
    report(app, bare, `${version}, ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} before / ${os.loadavg()[0]!.toFixed(1)} after`);
  } finally {
    clearTimeout(deadline);
    await closeAll();
  }
}

function report(app: AppRun[], bare: BareRun[], version: string): void {
  const ms = (values: number[]) => [percentile(values, 50), percentile(values, 95)] as const;
  const latencyOf = (side: LatencySide) =>
    side.rttS === null || side.jitterBufferS === null ? NaN : (side.rttS / 2 + side.jitterBufferS + (side.playoutS ?? 0) + PACKET_TIME_S) * 1000;
  const oneWay = app.map((r) => Math.max(latencyOf(r.latency.citizen), latencyOf(r.latency.console)));
  const sides = app.flatMap((r) => [r.latency.citizen, r.latency.console]);
  const playoutPresent = sides.some((s) => s.playoutPresent && s.playoutS !== null);

  const tap = ms(app.map((r) => r.tapToRing));
  const answer = ms(app.map((r) => r.answerToAudio));
  const floor = ms(bare.map((r) => r.callToAudio));
  const hang = ms(app.map((r) => r.hangupToEnded));
  const lat = ms(oneWay);
  const bareWithLatency = bare.filter((r) => r.latency !== null);
  const bareLat = ms(bareWithLatency.map((r) => Math.max(latencyOf(r.latency!.citizen), latencyOf(r.latency!.console))));
  const ok = (pass: boolean) => (pass ? '✅ met' : '❌ missed');

  console.log(`### Call benchmark — ${app.length} app calls and ${bare.length} bare PeerJS calls (interleaved), loopback`);
  console.log('');
  console.log(`Chromium ${version}.`);
  console.log('');
  console.log('| metric | app p50 | app p95 | bare PeerJS p50 | bare PeerJS p95 | target | result |');
  console.log('|---|---:|---:|---:|---:|---|---|');
  console.log(`| tap → console ringing with position (ms) | ${fmt(tap[0])} | ${fmt(tap[1])} | — | — | p50 < 150 ms | ${ok(tap[0] < 150)} |`);
  console.log(
    `| answer → two-way audio (ms); bare: call() → two-way audio | ${fmt(answer[0])} | ${fmt(answer[1])} | ${fmt(floor[0])} | ${fmt(floor[1])} | p50 ≤ 1.5 × bare = ${fmt(floor[0] * 1.5)} ms (×${fmt(answer[0] / floor[0], 2)}) | ${ok(answer[0] <= floor[0] * 1.5)} |`,
  );
  const dataOpen = ms(bare.map((r) => r.connectToOpen));
  console.log(`| bare: connect() → data connection open, both sides (ms) | — | — | ${fmt(dataOpen[0])} | ${fmt(dataOpen[1])} | (floor for the ring) | — |`);
  console.log(`| hang-up → both sides ended (ms) | ${fmt(hang[0])} | ${fmt(hang[1])} | — | — | (issue: within 1 s) | ${ok(hang[1] < 1000)} |`);
  const bareLatCells = bareWithLatency.length > 0 ? `${fmt(bareLat[0], 1)} | ${fmt(bareLat[1], 1)}` : '— | —';
  console.log(`| est. one-way audio latency, worse direction (ms) | ${fmt(lat[0], 1)} | ${fmt(lat[1], 1)} | ${bareLatCells} | p50 < 100 ms | ${ok(lat[0] < 100)} |`);
  if (BARE_SHAPED) console.log('\nBare calls used the app\'s Opus settings (--bare-opus-like-app).');
  console.log('');
  console.log('One-way latency estimate, by receiving side (ms, p50 / p95): RTT/2 + jitter buffer + playout + 20 ms packet time');
  console.log('');
  console.log('| receiving side | RTT/2 | jitter buffer per emitted sample | (its target) | playout delay | total |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const rows: [string, { citizen: LatencySide; console: LatencySide }[]][] = [['app', app.map((r) => r.latency)]];
  if (bareWithLatency.length > 0) rows.push(['bare PeerJS', bareWithLatency.map((r) => r.latency!)]);
  const bySide = rows.flatMap(([who, latencies]) => [
    [`${who}: citizen hears (console → citizen)`, latencies.map((l) => l.citizen)] as const,
    [`${who}: console hears (citizen → console)`, latencies.map((l) => l.console)] as const,
  ]);
  for (const [label, s] of bySide) {
    const pair = (values: number[], d = 1) => `${fmt(percentile(values, 50), d)} / ${fmt(percentile(values, 95), d)}`;
    console.log(
      `| ${label} | ${pair(s.map((x) => ((x.rttS ?? NaN) / 2) * 1000), 2)} | ${pair(s.map((x) => (x.jitterBufferS ?? NaN) * 1000))} | ${pair(s.map((x) => (x.jitterTargetS ?? NaN) * 1000))} | ${
        playoutPresent ? pair(s.map((x) => (x.playoutS ?? 0) * 1000)) : '0 (no media-playout stats)'
      } | ${pair(s.map(latencyOf))} |`,
    );
  }
  if (!playoutPresent) console.log('\nChromium reported no media-playout stats (totalPlayoutDelay): playout delay counted as 0.');
  const empty = sides.filter((s) => s.packets === 0).length;
  if (empty > 0) console.log(`\nWarning: ${empty} latency window(s) saw no inbound audio packets.`);

  console.log('');
  console.log('Where the time goes: ms from the tap / the Answer click / the Hang-up click (app), from connect() / call() (bare);');
  console.log('"duration" rows are how long that step took. Each row is p50 / p95 on its own, so rows need not add up.');
  console.log('');
  console.log('| step | p50 | p95 | calls |');
  console.log('|---|---:|---:|---:|');
  const labels: string[] = [];
  for (const r of app) for (const l of Object.keys(r.marks)) if (!labels.includes(l)) labels.push(l);
  for (const l of labels) {
    const values = app.map((r) => r.marks[l]).filter((v): v is number => v !== undefined);
    console.log(`| ${l} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 95))} | ${values.length} |`);
  }
  const bareLabels: string[] = [];
  for (const r of bare) for (const l of Object.keys(r.marks)) if (!bareLabels.includes(l)) bareLabels.push(l);
  for (const l of bareLabels) {
    const values = bare.map((r) => r.marks[l]).filter((v): v is number => v !== undefined);
    console.log(`| bare PeerJS — ${l} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 95))} | ${values.length} |`);
  }
  console.log('');
  console.log(`answer → audio by side (p50): citizen hears ${fmt(percentile(app.map((r) => r.answerToAudioCitizen), 50))} ms, console hears ${fmt(percentile(app.map((r) => r.answerToAudioConsole), 50))} ms`);
  console.log(`raw tap → ringing (ms): ${app.map((r) => r.tapToRing).join(' ')}`);
  console.log(`raw answer → audio (ms): ${app.map((r) => r.answerToAudio).join(' ')}`);
  console.log(`raw bare call() → audio (ms): ${bare.map((r) => r.callToAudio).join(' ')}`);
  console.log(`raw hang-up → ended (ms): ${app.map((r) => r.hangupToEnded).join(' ')}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('\nbench:call failed:', err);
    process.exit(1);
  },
);
