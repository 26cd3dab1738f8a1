/**
 * Call quality shown to the dispatcher: RTT, jitter, loss and bitrate read from
 * WebRTC stats, and the warnings shown above RTT 400 ms, jitter 30 ms, loss 3 %.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS, readStats, summarize, warningsFor, type Counters, type Quality } from '../../../../src/client/call/quality.ts';
import type { QualitySummary } from '../../../../src/client/store/db.ts';

type Stat = Record<string, unknown> & { id: string; type: string };

/** A fake RTCStatsReport: a Map from stat id to stat, as the browser's report is map-like. */
function report(...stats: Stat[]): RTCStatsReport {
  return new Map(stats.map((s) => [s.id, s])) as unknown as RTCStatsReport;
}

interface Audio {
  bytesReceived?: number;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  bytesSent?: number;
  rtt?: number;
  pairRtt?: number;
  energy?: number;
}

/** What Chrome reports for a one-to-one audio call. */
function chromeAudio(a: Audio): Stat[] {
  return [
    { id: 'COT01_111_minptime=10;useinbandfec=1', type: 'codec', mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 },
    {
      id: 'IT01A1234',
      type: 'inbound-rtp',
      kind: 'audio',
      codecId: 'COT01_111_minptime=10;useinbandfec=1',
      bytesReceived: a.bytesReceived ?? 0,
      packetsReceived: a.packetsReceived ?? 0,
      packetsLost: a.packetsLost ?? 0,
      jitter: a.jitter ?? 0.004,
    },
    { id: 'OT01A5678', type: 'outbound-rtp', kind: 'audio', bytesSent: a.bytesSent ?? 0, packetsSent: 100 },
    { id: 'RIA01A5678', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: a.rtt ?? 0.02, jitter: 0.003 },
    { id: 'CPabc_def', type: 'candidate-pair', nominated: true, state: 'succeeded', ...(a.pairRtt === undefined ? {} : { currentRoundTripTime: a.pairRtt }) },
    { id: 'SA1', type: 'media-source', kind: 'audio', totalAudioEnergy: a.energy ?? 0, audioLevel: 0.1 },
  ];
}

function prev(c: Partial<Counters> & { at: number }): Counters {
  return { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsLost: 0, energyOut: null, ...c };
}

const GOOD: Quality = { rttMs: 40, jitterMs: 5, lossPct: 0, inKbps: 30, outKbps: 30, codec: 'audio/opus', micActive: true };

describe('readStats: first sample', () => {
  it('reads RTT, jitter and codec right away, but no rates or loss yet', () => {
    const { quality } = readStats(report(...chromeAudio({ bytesReceived: 40_000, packetsReceived: 500, rtt: 0.123, jitter: 0.0125 })), null, 1_000);
    expect(quality).toEqual({ rttMs: 123, jitterMs: 13, lossPct: null, inKbps: null, outKbps: null, codec: 'audio/opus', micActive: null });
  });

  it('keeps the counters for the next sample', () => {
    const { counters } = readStats(
      report(...chromeAudio({ bytesReceived: 40_000, packetsReceived: 500, packetsLost: 3, bytesSent: 38_000, energy: 1.5 })),
      null,
      1_000,
    );
    expect(counters).toEqual({ at: 1_000, bytesIn: 40_000, bytesOut: 38_000, packetsIn: 500, packetsLost: 3, energyOut: 1.5 });
  });

  it('shows nothing rather than made-up numbers for an empty report', () => {
    const { quality } = readStats(report(), null, 0);
    expect(quality).toEqual({ rttMs: null, jitterMs: null, lossPct: null, inKbps: null, outKbps: null, codec: null, micActive: null });
  });
});

describe('readStats: over an interval', () => {
  it('turns byte counts into kbps in each direction', () => {
    const before = prev({ at: 1_000, bytesIn: 10_000, bytesOut: 20_000, packetsIn: 100 });
    const { quality } = readStats(report(...chromeAudio({ bytesReceived: 14_000, bytesSent: 26_000, packetsReceived: 150 })), before, 3_000);
    // 4000 bytes in 2 s = 16 kbps; 6000 bytes in 2 s = 24 kbps.
    expect(quality.inKbps).toBe(16);
    expect(quality.outKbps).toBe(24);
  });

  it('computes loss over the last interval only, in percent', () => {
    const before = prev({ at: 0, packetsIn: 10_000, packetsLost: 500 });
    // 48 received and 2 lost since: 4 %.
    const { quality } = readStats(report(...chromeAudio({ packetsReceived: 10_048, packetsLost: 502 })), before, 1_000);
    expect(quality.lossPct).toBe(4);
  });

  it('rounds loss to one decimal', () => {
    const before = prev({ at: 0, packetsIn: 0, packetsLost: 0 });
    // 1 lost of 3 = 33.3 %.
    expect(readStats(report(...chromeAudio({ packetsReceived: 2, packetsLost: 1 })), before, 1_000).quality.lossPct).toBe(33.3);
  });

  it('no loss shows 0 %, and no packets at all shows no figure', () => {
    const before = prev({ at: 0, packetsIn: 100, packetsLost: 0 });
    expect(readStats(report(...chromeAudio({ packetsReceived: 150, packetsLost: 0 })), before, 1_000).quality.lossPct).toBe(0);
    expect(readStats(report(...chromeAudio({ packetsReceived: 100, packetsLost: 0 })), before, 1_000).quality.lossPct).toBeNull();
  });

  it('a negative lost count (duplicates) is not shown as negative loss', () => {
    const before = prev({ at: 0, packetsIn: 100, packetsLost: 0 });
    const { quality, counters } = readStats(report(...chromeAudio({ packetsReceived: 150, packetsLost: -4 })), before, 1_000);
    expect(counters.packetsLost).toBe(0);
    expect(quality.lossPct).toBe(0);
  });

  it('counters that went backwards (a new connection) never show negative bitrates', () => {
    const before = prev({ at: 0, bytesIn: 1_000_000, bytesOut: 1_000_000 });
    const { quality } = readStats(report(...chromeAudio({ bytesReceived: 500, bytesSent: 500 })), before, 1_000);
    expect(quality.inKbps).toBe(0);
    expect(quality.outKbps).toBe(0);
  });

  it('two samples at the same instant give no rates instead of dividing by zero', () => {
    const before = prev({ at: 5_000, bytesIn: 100 });
    const { quality } = readStats(report(...chromeAudio({ bytesReceived: 200 })), before, 5_000);
    expect(quality.inKbps).toBeNull();
    expect(quality.outKbps).toBeNull();
  });

  it('knows the microphone is silent when its energy stops growing', () => {
    const before = prev({ at: 0, energyOut: 2.5 });
    expect(readStats(report(...chromeAudio({ energy: 2.5 })), before, 1_000).quality.micActive).toBe(false);
    expect(readStats(report(...chromeAudio({ energy: 2.6 })), before, 1_000).quality.micActive).toBe(true);
  });

  it('says nothing about the microphone without an energy figure on both sides', () => {
    expect(readStats(report(...chromeAudio({ energy: 2.6 })), prev({ at: 0, energyOut: null }), 1_000).quality.micActive).toBeNull();
  });
});

describe('readStats: which stats count', () => {
  it('prefers the selected candidate pair RTT to the RTCP one, whatever the order', () => {
    const stats = chromeAudio({ rtt: 0.2, pairRtt: 0.05 });
    expect(readStats(report(...stats), null, 0).quality.rttMs).toBe(50);
    expect(readStats(report(...stats.reverse()), null, 0).quality.rttMs).toBe(50);
  });

  it('ignores the RTT of a candidate pair that was not selected', () => {
    const stats = [
      ...chromeAudio({ rtt: 0.08 }),
      { id: 'CPother', type: 'candidate-pair', nominated: false, state: 'succeeded', currentRoundTripTime: 2 },
      { id: 'CPfailed', type: 'candidate-pair', nominated: true, state: 'failed', currentRoundTripTime: 3 },
    ];
    expect(readStats(report(...stats), null, 0).quality.rttMs).toBe(80);
  });

  it('ignores video streams', () => {
    const stats = [
      ...chromeAudio({ bytesReceived: 1_000, bytesSent: 1_000 }),
      { id: 'ITvideo', type: 'inbound-rtp', kind: 'video', bytesReceived: 5_000_000, packetsReceived: 9_000, packetsLost: 900, jitter: 0.9 },
      { id: 'OTvideo', type: 'outbound-rtp', kind: 'video', bytesSent: 5_000_000 },
    ];
    const { counters, quality } = readStats(report(...stats), null, 0);
    expect(counters.bytesIn).toBe(1_000);
    expect(counters.bytesOut).toBe(1_000);
    expect(counters.packetsLost).toBe(0);
    expect(quality.jitterMs).toBe(4);
  });

  it('ignores non-numbers and NaN in the stats', () => {
    const stats = chromeAudio({});
    const inbound = stats.find((s) => s.type === 'inbound-rtp');
    if (inbound) Object.assign(inbound, { bytesReceived: 'lots', packetsLost: Number.NaN, jitter: Number.POSITIVE_INFINITY });
    const { counters, quality } = readStats(report(...stats), null, 0);
    expect(counters.bytesIn).toBe(0);
    expect(counters.packetsLost).toBe(0);
    expect(quality.jitterMs).toBeNull();
  });

  it('names no codec when the codec stat is missing', () => {
    const stats = chromeAudio({}).filter((s) => s.type !== 'codec');
    expect(readStats(report(...stats), null, 0).quality.codec).toBeNull();
  });
});

describe('warningsFor', () => {
  it('a good call has no warnings', () => {
    expect(warningsFor(GOOD)).toEqual([]);
  });

  it('warns above RTT 400 ms, jitter 30 ms and loss 3 %, not at them', () => {
    expect(LIMITS).toEqual({ rttMs: 400, jitterMs: 30, lossPct: 3 });
    expect(warningsFor({ ...GOOD, rttMs: 400, jitterMs: 30, lossPct: 3 })).toEqual([]);
    expect(warningsFor({ ...GOOD, rttMs: 401 })).toEqual(['rtt']);
    expect(warningsFor({ ...GOOD, jitterMs: 31 })).toEqual(['jitter']);
    expect(warningsFor({ ...GOOD, lossPct: 3.1 })).toEqual(['loss']);
  });

  it('lists every problem at once', () => {
    expect(warningsFor({ ...GOOD, rttMs: 900, jitterMs: 80, lossPct: 12, micActive: false })).toEqual(['rtt', 'jitter', 'loss', 'no-mic']);
  });

  it('warns of a silent microphone, but not while the user has muted it', () => {
    expect(warningsFor({ ...GOOD, micActive: false })).toEqual(['no-mic']);
    expect(warningsFor({ ...GOOD, micActive: false }, true)).toEqual([]);
    expect(warningsFor({ ...GOOD, micActive: null })).toEqual([]);
  });

  it('unknown figures raise no warning', () => {
    expect(warningsFor({ rttMs: null, jitterMs: null, lossPct: null, inKbps: null, outKbps: null, codec: null, micActive: null })).toEqual([]);
  });

  it('a bad network read from real stats warns about delay, jitter and loss', () => {
    const before = prev({ at: 0, packetsIn: 1_000, packetsLost: 10, energyOut: 1 });
    const { quality } = readStats(report(...chromeAudio({ packetsReceived: 1_045, packetsLost: 15, rtt: 0.45, jitter: 0.045, energy: 1.2 })), before, 1_000);
    expect(warningsFor(quality)).toEqual(['rtt', 'jitter', 'loss']);
  });
});

describe('summarize: the quality kept in the call history', () => {
  const empty = (): QualitySummary => ({ samples: 0, maxRttMs: null, maxJitterMs: null, maxLossPct: null, avgInKbps: null, warnings: [] });

  it('keeps the worst delay, jitter and loss seen during the call', () => {
    const summary = empty();
    summarize(summary, { ...GOOD, rttMs: 120, jitterMs: 8, lossPct: 0.5 }, []);
    summarize(summary, { ...GOOD, rttMs: 480, jitterMs: 6, lossPct: 4.2 }, ['rtt', 'loss']);
    summarize(summary, { ...GOOD, rttMs: 90, jitterMs: 35, lossPct: 0 }, ['jitter']);
    expect(summary).toMatchObject({ samples: 3, maxRttMs: 480, maxJitterMs: 35, maxLossPct: 4.2 });
  });

  it('averages the incoming bitrate over the samples that had one', () => {
    const summary = empty();
    summarize(summary, { ...GOOD, inKbps: null }, []);
    summarize(summary, { ...GOOD, inKbps: 30 }, []);
    summarize(summary, { ...GOOD, inKbps: 24 }, []);
    summarize(summary, { ...GOOD, inKbps: 36 }, []);
    expect(summary.avgInKbps).toBeCloseTo(30, 6);
  });

  it('unknown figures do not wipe out known ones', () => {
    const summary = empty();
    summarize(summary, { ...GOOD, rttMs: 200, jitterMs: 10, lossPct: 1 }, []);
    summarize(summary, { ...GOOD, rttMs: null, jitterMs: null, lossPct: null }, []);
    expect(summary).toMatchObject({ maxRttMs: 200, maxJitterMs: 10, maxLossPct: 1 });
  });

  it('a call with no figures at all keeps nulls, not zeros', () => {
    const summary = empty();
    summarize(summary, { rttMs: null, jitterMs: null, lossPct: null, inKbps: null, outKbps: null, codec: null, micActive: null }, []);
    expect(summary).toEqual({ ...empty(), samples: 1 });
  });

  it('lists each warning once, in the order first seen', () => {
    const summary = empty();
    summarize(summary, GOOD, ['loss']);
    summarize(summary, GOOD, ['rtt', 'loss']);
    summarize(summary, GOOD, ['loss', 'no-mic']);
    expect(summary.warnings).toEqual(['loss', 'rtt', 'no-mic']);
  });
});
