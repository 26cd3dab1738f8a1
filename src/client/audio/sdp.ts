/**
 * Opus settings for a voice call on a weak network. PeerJS's sdpTransform
 * shapes only the description it is given (the offer on `call()`, the answer
 * on `answer()`), so both sides apply it.
 */
export const DEFAULT_AUDIO_BITRATE = 32_000;
export const MAX_AUDIO_BITRATE = 64_000;
export const MIN_AUDIO_BITRATE = 6_000;

export function clampBitrate(bps: number): number {
  if (!Number.isFinite(bps)) return DEFAULT_AUDIO_BITRATE;
  return Math.round(Math.min(MAX_AUDIO_BITRATE, Math.max(MIN_AUDIO_BITRATE, bps)));
}

/** Sets in-band FEC, DTX, mono and the average bitrate on every Opus payload type. */
export function shapeOpus(sdp: string, bitrate: number = DEFAULT_AUDIO_BITRATE): string {
  const bps = clampBitrate(bitrate);
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const opus = new Set<string>();
  for (const line of lines) {
    const m = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (m?.[1]) opus.add(m[1]);
  }
  const wanted: Record<string, string> = {
    useinbandfec: '1',
    usedtx: '1',
    stereo: '0',
    'sprop-stereo': '0',
    maxaveragebitrate: String(bps),
  };
  const withFmtp = new Set<string>();
  const out = lines.map((line) => {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (!m?.[1] || !opus.has(m[1])) return line;
    withFmtp.add(m[1]);
    const params = new Map<string, string>();
    for (const part of (m[2] ?? '').split(';')) {
      const [k, val] = part.trim().split('=');
      if (k) params.set(k.trim(), (val ?? '').trim());
    }
    for (const [k, val] of Object.entries(wanted)) params.set(k, val);
    return `a=fmtp:${m[1]} ${[...params].map(([k, val]) => `${k}=${val}`).join(';')}`;
  });
  // An Opus payload without an fmtp line gets one right after its rtpmap.
  const result: string[] = [];
  for (const line of out) {
    result.push(line);
    const m = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (m?.[1] && !withFmtp.has(m[1])) result.push(`a=fmtp:${m[1]} ${Object.entries(wanted).map(([k, val]) => `${k}=${val}`).join(';')}`);
  }
  return result.join(eol);
}

/**
 * Opus treats the sender's limit as a target and overshoots it now and then (64,453 bps over 8 s
 * against 64,000, with a noise microphone): above the default, the sender aims this much lower so
 * the cap holds. Never below the default: under it, Chromium sent no in-band FEC at 5 % loss.
 */
export const SENDER_HEADROOM = 0.97;

/** What the sender aims at for a cap of `bitrate`. */
export function senderTarget(bitrate: number): number {
  const bps = clampBitrate(bitrate);
  return Math.min(bps, Math.max(DEFAULT_AUDIO_BITRATE, Math.round(bps * SENDER_HEADROOM)));
}

/** Caps what this side sends, whatever the far side's SDP allows. */
export async function capAudioSender(pc: RTCPeerConnection, bitrate: number): Promise<void> {
  const bps = senderTarget(bitrate);
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind !== 'audio') continue;
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
    for (const encoding of params.encodings) encoding.maxBitrate = bps;
    try {
      await sender.setParameters(params);
    } catch {
      // Some browsers refuse before negotiation completes; the SDP cap still holds.
    }
  }
}

export const VOICE_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
  video: false,
};
