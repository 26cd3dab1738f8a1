/**
 * Call quality from WebRTC stats, with warnings at the levels users know from
 * commercial voice SDKs.
 */
import type { QualitySummary } from '../store/db.ts';

export interface Quality {
  rttMs: number | null;
  jitterMs: number | null;
  /** Inbound packet loss over the last interval, in percent. */
  lossPct: number | null;
  inKbps: number | null;
  outKbps: number | null;
  codec: string | null;
  /** Whether our microphone produced sound in the last interval. */
  micActive: boolean | null;
}

export type QualityWarning = 'rtt' | 'jitter' | 'loss' | 'no-mic';

export const LIMITS = { rttMs: 400, jitterMs: 30, lossPct: 3 } as const;

export interface Counters {
  at: number;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsLost: number;
  energyOut: number | null;
}

export interface Sample {
  quality: Quality;
  counters: Counters;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Reads one stats report into quality figures, using the previous counters for rates. */
export function readStats(report: RTCStatsReport, previous: Counters | null, now: number): Sample {
  let rtt: number | null = null;
  let jitter: number | null = null;
  let codecId: string | null = null;
  let energyOut: number | null = null;
  const counters: Counters = { at: now, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsLost: 0, energyOut: null };
  const codecs = new Map<string, string>();
  report.forEach((s: Record<string, unknown>) => {
    if (s.type === 'codec' && typeof s.id === 'string' && typeof s.mimeType === 'string') codecs.set(s.id, s.mimeType);
    if (s.kind !== 'audio' && s.type !== 'candidate-pair' && s.type !== 'media-source' && s.type !== 'codec') return;
    if (s.type === 'inbound-rtp') {
      counters.bytesIn += num(s.bytesReceived) ?? 0;
      counters.packetsIn += num(s.packetsReceived) ?? 0;
      counters.packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
      jitter = num(s.jitter);
      if (typeof s.codecId === 'string') codecId = s.codecId;
    } else if (s.type === 'outbound-rtp') {
      counters.bytesOut += num(s.bytesSent) ?? 0;
    } else if (s.type === 'remote-inbound-rtp') {
      rtt ??= num(s.roundTripTime);
    } else if (s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded') {
      rtt = num(s.currentRoundTripTime) ?? rtt;
    } else if (s.type === 'media-source') {
      energyOut = num(s.totalAudioEnergy);
    }
  });
  counters.energyOut = energyOut;
  const seconds = previous ? (now - previous.at) / 1000 : 0;
  const rate = (cur: number, prev: number | undefined) => (previous && seconds > 0 && prev !== undefined ? Math.max(0, ((cur - prev) * 8) / 1000 / seconds) : null);
  const received = previous ? counters.packetsIn - previous.packetsIn : 0;
  const lost = previous ? counters.packetsLost - previous.packetsLost : 0;
  const micActive = previous && energyOut !== null && previous.energyOut !== null ? energyOut - previous.energyOut > 1e-7 : null;
  return {
    counters,
    quality: {
      rttMs: rtt === null ? null : Math.round((rtt as number) * 1000),
      jitterMs: jitter === null ? null : Math.round((jitter as number) * 1000),
      lossPct: previous && received + lost > 0 ? Math.round((Math.max(0, lost) / (received + Math.max(0, lost))) * 1000) / 10 : null,
      inKbps: rate(counters.bytesIn, previous?.bytesIn),
      outKbps: rate(counters.bytesOut, previous?.bytesOut),
      codec: codecId ? (codecs.get(codecId) ?? null) : null,
      micActive,
    },
  };
}

export function warningsFor(q: Quality, muted = false): QualityWarning[] {
  const out: QualityWarning[] = [];
  if (q.rttMs !== null && q.rttMs > LIMITS.rttMs) out.push('rtt');
  if (q.jitterMs !== null && q.jitterMs > LIMITS.jitterMs) out.push('jitter');
  if (q.lossPct !== null && q.lossPct > LIMITS.lossPct) out.push('loss');
  if (q.micActive === false && !muted) out.push('no-mic');
  return out;
}

const worst = (a: number | null, b: number | null) => (b === null ? a : a === null ? b : Math.max(a, b));

/** Folds one sample into a call's running summary. */
export function summarize(summary: QualitySummary, q: Quality, warnings: QualityWarning[]): void {
  summary.samples += 1;
  summary.maxRttMs = worst(summary.maxRttMs, q.rttMs);
  summary.maxJitterMs = worst(summary.maxJitterMs, q.jitterMs);
  summary.maxLossPct = worst(summary.maxLossPct, q.lossPct);
  if (q.inKbps !== null) summary.avgInKbps = summary.avgInKbps === null ? q.inKbps : summary.avgInKbps + (q.inKbps - summary.avgInKbps) / summary.samples;
  for (const w of warnings) if (!summary.warnings.includes(w)) summary.warnings.push(w);
}
