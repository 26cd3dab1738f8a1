/**
 * What the network tests read from the screens and from WebRTC: the call's
 * phase and timer as people see them, the broker badge, and the live
 * RTCPeerConnection's stats (window.bfp.phone.sessions[i].media.peerConnection).
 */
import type { Locator, Page } from 'playwright-core';
import { CONNECTED, audioStats, expectAudioFlowing, openCitizen, openConsole, ringItems, tapCallBfp, type Person } from '../e2e/screens/app.ts';
import type { Site } from '../e2e/harness.ts';

export { audioStats, expectAudioFlowing };

/** The call's phase line: the citizen has one call panel, the console one article per call (newest last). */
export function phase(page: Page): Locator {
  return page.locator('.phase').last();
}

/** "Connected 01:07" → 67 (seconds); null when the phase shows no timer. */
export function timerSeconds(text: string): number | null {
  const m = /Connected (?:(\d+):)?(\d\d):(\d\d)/.exec(text);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** The broker badge's state: connecting | online | offline | refused. */
export async function brokerState(page: Page): Promise<string | null> {
  return page.locator('[data-broker]').getAttribute('data-broker');
}

export async function waitForBroker(page: Page, state: string, timeoutMs: number): Promise<void> {
  await page.locator(`[data-broker="${state}"]`).waitFor({ timeout: timeoutMs });
}

/** Waits until the phase text matches, up to `timeoutMs`. */
export async function waitForPhase(page: Page, text: string | RegExp, timeoutMs: number): Promise<void> {
  await page.locator('.phase', { hasText: text }).last().waitFor({ timeout: timeoutMs });
}

export interface PathInfo {
  ice: string;
  /** Candidate types of the selected pair. */
  local: string | null;
  remote: string | null;
  /** UDP ports of the selected pair's candidates. */
  localPort: number | null;
  remotePort: number | null;
  bytesIn: number;
  bytesOut: number;
  fecPacketsReceived: number;
  packetsLost: number;
  packetsReceived: number;
}

/** The selected candidate pair and audio counters of the page's live audio path. */
export async function pathInfo(page: Page): Promise<PathInfo | null> {
  return page.evaluate(async () => {
    type S = { media: { peerConnection: RTCPeerConnection } | null; state: { name: string } };
    const app = (window as unknown as { bfp?: { phone?: { sessions: S[] } } }).bfp;
    const sessions = app?.phone?.sessions ?? [];
    const session = [...sessions].reverse().find((s) => s.media?.peerConnection && s.state.name !== 'ended') ?? sessions.find((s) => s.media?.peerConnection);
    const pc = session?.media?.peerConnection;
    if (!pc) return null;
    const report = await pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
    let pairId: string | null = null;
    const info = { ice: pc.iceConnectionState, local: null as string | null, remote: null as string | null, localPort: null as number | null, remotePort: null as number | null, bytesIn: 0, bytesOut: 0, fecPacketsReceived: 0, packetsLost: 0, packetsReceived: 0 };
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        info.bytesIn += Number(s.bytesReceived ?? 0);
        info.fecPacketsReceived += Number(s.fecPacketsReceived ?? 0);
        info.packetsLost += Number(s.packetsLost ?? 0);
        info.packetsReceived += Number(s.packetsReceived ?? 0);
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') info.bytesOut += Number(s.bytesSent ?? 0);
    });
    const pair = pairId ? byId.get(pairId) : undefined;
    if (pair) {
      const local = byId.get(String(pair.localCandidateId));
      const remote = byId.get(String(pair.remoteCandidateId));
      info.local = String(local?.candidateType ?? '') || null;
      info.remote = String(remote?.candidateType ?? '') || null;
      info.localPort = Number(local?.port) || null;
      info.remotePort = Number(remote?.port) || null;
    }
    return info;
  });
}

/** The UDP ports of every local candidate of the page's live calls (audio and data connections): its addresses now. */
export async function localUdpPorts(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    type S = { media: { peerConnection?: RTCPeerConnection } | null; conn: { peerConnection?: RTCPeerConnection } | null; state: { name: string } };
    const app = (window as unknown as { bfp?: { phone?: { sessions: S[] } } }).bfp;
    const pcs = (app?.phone?.sessions ?? []).filter((s) => s.state.name !== 'ended').flatMap((s) => [s.media?.peerConnection, s.conn?.peerConnection]);
    const ports = new Set<number>();
    for (const pc of pcs) {
      if (!pc) continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'local-candidate' && s.protocol === 'udp' && typeof s.port === 'number') ports.add(s.port);
      });
    }
    return [...ports];
  });
}

/** Every call of the page and its ICE state, for failure messages and timing logs. */
export async function callStates(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      type S = { callId: string; state: { name: string }; media: { peerConnection?: RTCPeerConnection } | null; conn: { open: boolean } | null; problem: string | null };
      const app = (window as unknown as { bfp?: { phone?: { sessions: S[] } } }).bfp;
      return (app?.phone?.sessions ?? [])
        .map((s) => `${s.callId}:${s.state.name}/ice=${s.media?.peerConnection?.iceConnectionState ?? '-'}/data=${s.conn?.open ? 'open' : 'closed'}${s.problem ? `/problem=${s.problem}` : ''}`)
        .join(' ');
    })
    .catch((err: unknown) => `(page gone: ${String(err)})`);
}

/**
 * Runs in every page (an init script): every 200 ms it notes what changed —
 * the broker badge, each call's state, phase text and ICE states — with the
 * time, in window.__netlog. The failure report prints it: what people saw, when.
 */
export function recorderScript(): void {
  type S = {
    callId: string;
    state: { name: string };
    media: { peerConnection?: RTCPeerConnection } | null;
    conn: { open: boolean; peerConnection?: RTCPeerConnection } | null;
  };
  const w = window as unknown as { __netlog?: string[]; bfp?: { phone?: { sessions: S[] } } };
  const log: string[] = (w.__netlog = []);
  const t0 = Date.now();
  let last = '';
  setInterval(() => {
    const broker = document.querySelector('[data-broker]')?.getAttribute('data-broker') ?? '-';
    const phases = [...document.querySelectorAll('.phase')].map((e) => (e.textContent ?? '').replace(/\d\d:\d\d/, 'mm:ss')).join(' | ');
    const calls = (w.bfp?.phone?.sessions ?? [])
      .map((s) => `${s.callId.slice(-4)}:${s.state.name}/media=${s.media?.peerConnection?.iceConnectionState ?? '-'}/data=${s.conn?.peerConnection?.iceConnectionState ?? '-'}${s.conn?.open ? '+open' : ''}`)
      .join(' ');
    const now = `broker=${broker} phase=[${phases}] ${calls}`;
    if (now !== last) {
      last = now;
      log.push(`${new Date().toISOString().slice(11, 23)} +${Date.now() - t0}ms ${now}`);
      if (log.length > 400) log.splice(0, 100);
    }
  }, 200);
}

/** What the recorder noted on this page, and what the page shows now. */
export async function pageReport(page: Page): Promise<string> {
  try {
    const [log, text] = await Promise.all([
      page.evaluate(() => (window as unknown as { __netlog?: string[] }).__netlog ?? []),
      page.locator('body').innerText({ timeout: 2000 }),
    ]);
    return `${page.url()}\n  timeline:\n    ${log.join('\n    ')}\n  screen now:\n    ${text.replace(/\n+/g, '\n    ')}`;
  } catch (err) {
    return `${page.url()}: (no report: ${String(err)})`;
  }
}

/** The ids of the page's calls that are not over, oldest first. */
export async function liveCallIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type S = { callId: string; state: { name: string } };
    const app = (window as unknown as { bfp?: { phone?: { sessions: S[] } } }).bfp;
    return (app?.phone?.sessions ?? []).filter((s) => s.state.name !== 'ended' && s.state.name !== 'idle').map((s) => s.callId);
  });
}

/** Inbound audio bytes of the page's live audio path (0 when there is none). */
export async function bytesIn(page: Page): Promise<number> {
  return (await pathInfo(page))?.bytesIn ?? 0;
}

/** Polls `read` until `check` passes or `timeoutMs` runs out; returns the last value. */
export async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Call {
  citizen: Person;
  console: Person;
}

/** A citizen calls, the console answers, both show Connected and audio flows both ways. */
export async function connectedCall(h: Site, opts: { citizenQuery?: string; consoleQuery?: string } = {}): Promise<Call> {
  const console_ = await openConsole(h, 'qc-central', opts.consoleQuery ?? '');
  const citizen = await openCitizen(h, { query: opts.citizenQuery ?? '' });
  await tapCallBfp(citizen.page);
  await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
  await waitForPhase(citizen.page, CONNECTED, 20_000);
  await waitForPhase(console_.page, CONNECTED, 20_000);
  await expectAudioFlowing(citizen.page);
  await expectAudioFlowing(console_.page);
  return { citizen, console: console_ };
}

/** Sends a chat line from `from` and waits for it on `to`. */
export async function chat(from: Page, to: Page, text: string, timeoutMs = 10_000): Promise<void> {
  await from.getByRole('textbox', { name: 'Message' }).fill(text);
  await from.getByRole('button', { name: 'Send' }).click();
  await to.getByText(text).waitFor({ timeout: timeoutMs });
}

/** Inbound bytes grow on `page` within `timeoutMs` (from the value now). */
export async function expectBytesGrow(page: Page, timeoutMs = 5000): Promise<void> {
  const first = await bytesIn(page);
  await until(() => bytesIn(page), (b) => b > first, timeoutMs, `inbound audio on ${page.url()}`);
}

export { CONNECTED };
