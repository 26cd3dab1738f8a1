/**
 * Opus settings written into the offer and the answer: in-band FEC, DTX, mono
 * and a capped average bitrate on every Opus payload type, nothing else touched.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_AUDIO_BITRATE,
  MAX_AUDIO_BITRATE,
  MIN_AUDIO_BITRATE,
  VOICE_CONSTRAINTS,
  capAudioSender,
  clampBitrate,
  shapeOpus,
} from '../../../../src/client/audio/sdp.ts';

/** An offer as Chrome writes it (audio plus a data channel), CRLF line endings, trailing CRLF. */
const CHROME_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 5c3c2a1e-8d7b-4b8a-9f49-0c1a1f0a2b3c',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk3f',
  'a=ice-pwd:9bDq0XyT7mZ1nQ2rS3tU4vW5',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:5c3c2a1e-8d7b-4b8a-9f49-0c1a1f0a2b3c 0f7e3e4e-2c4a-4b1f-8f2e-6d5c4b3a2910',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:3917489220 cname:q1W2e3R4t5Y6u7I8',
  'a=ssrc:3917489220 msid:5c3c2a1e-8d7b-4b8a-9f49-0c1a1f0a2b3c 0f7e3e4e-2c4a-4b1f-8f2e-6d5c4b3a2910',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk3f',
  'a=ice-pwd:9bDq0XyT7mZ1nQ2rS3tU4vW5',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
  'a=setup:actpass',
  'a=mid:1',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

/** The parameters of the fmtp line for payload type `pt`, or null when there is none. */
function fmtp(sdp: string, pt: string): Map<string, string> | null {
  const line = sdp.split(/\r?\n/).find((l) => l.startsWith(`a=fmtp:${pt} `));
  if (!line) return null;
  const params = new Map<string, string>();
  for (const part of line.slice(`a=fmtp:${pt} `.length).split(';')) {
    const [k, v] = part.split('=');
    if (k) params.set(k.trim(), (v ?? '').trim());
  }
  return params;
}

function fmtpLines(sdp: string, pt: string): string[] {
  return sdp.split(/\r?\n/).filter((l) => l.startsWith(`a=fmtp:${pt} `));
}

function expectVoiceOpus(params: Map<string, string> | null, bitrate: number): void {
  expect(params).not.toBeNull();
  expect(params?.get('useinbandfec')).toBe('1');
  expect(params?.get('usedtx')).toBe('1');
  expect(params?.get('stereo')).toBe('0');
  expect(params?.get('maxaveragebitrate')).toBe(String(bitrate));
}

describe('shapeOpus on a Chrome offer', () => {
  it('sets in-band FEC, DTX, mono and 32 kbps by default on Opus', () => {
    expectVoiceOpus(fmtp(shapeOpus(CHROME_OFFER), '111'), 32_000);
    expect(DEFAULT_AUDIO_BITRATE).toBe(32_000);
  });

  it('uses the configured bitrate', () => {
    expectVoiceOpus(fmtp(shapeOpus(CHROME_OFFER, 64_000), '111'), 64_000);
    expectVoiceOpus(fmtp(shapeOpus(CHROME_OFFER, 24_000), '111'), 24_000);
  });

  it('keeps the parameters Chrome already had (minptime)', () => {
    const params = fmtp(shapeOpus(CHROME_OFFER), '111');
    expect(params?.get('minptime')).toBe('10');
  });

  it('writes each parameter once, even those Chrome had already set', () => {
    const line = fmtpLines(shapeOpus(CHROME_OFFER), '111');
    expect(line).toHaveLength(1);
    const keys = (line[0] ?? '').replace('a=fmtp:111 ', '').split(';').map((p) => p.split('=')[0]);
    expect(keys.filter((k) => k === 'useinbandfec')).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('leaves RED, G722, PCMU, PCMA, CN and telephone-event lines exactly as they were', () => {
    const shaped = shapeOpus(CHROME_OFFER).split('\r\n');
    const original = CHROME_OFFER.split('\r\n');
    for (const line of original.filter((l) => !l.startsWith('a=fmtp:111 '))) expect(shaped).toContain(line);
    expect(shaped).toContain('a=fmtp:63 111/111');
    expect(fmtp(shapeOpus(CHROME_OFFER), '63')?.has('maxaveragebitrate')).toBe(false);
  });

  it('changes nothing but the Opus fmtp line', () => {
    const shaped = shapeOpus(CHROME_OFFER).split('\r\n');
    const original = CHROME_OFFER.split('\r\n');
    expect(shaped).toHaveLength(original.length);
    const changed = shaped.filter((l, i) => l !== original[i]);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^a=fmtp:111 /);
  });

  it('keeps CRLF line endings and the trailing CRLF', () => {
    const shaped = shapeOpus(CHROME_OFFER);
    expect(shaped.endsWith('\r\n')).toBe(true);
    expect(shaped.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(shaped.split('\r\n')).toHaveLength(CHROME_OFFER.split('\r\n').length);
  });

  it('keeps LF line endings when the description uses them', () => {
    const lf = CHROME_OFFER.replace(/\r\n/g, '\n');
    const shaped = shapeOpus(lf);
    expect(shaped).not.toContain('\r');
    expectVoiceOpus(fmtp(shaped, '111'), 32_000);
  });

  it('shaping an already shaped description (the answer side) changes nothing', () => {
    const once = shapeOpus(CHROME_OFFER, 48_000);
    expect(shapeOpus(once, 48_000)).toBe(once);
  });

  it('a second pass with a new bitrate replaces the old one rather than adding another', () => {
    const params = fmtp(shapeOpus(shapeOpus(CHROME_OFFER, 48_000), 20_000), '111');
    expect(params?.get('maxaveragebitrate')).toBe('20000');
  });

  it('turns off stereo the far side asked for', () => {
    const stereo = CHROME_OFFER.replace('a=fmtp:111 minptime=10;useinbandfec=1', 'a=fmtp:111 minptime=10;stereo=1;sprop-stereo=1;usedtx=0');
    const params = fmtp(shapeOpus(stereo), '111');
    expect(params?.get('stereo')).toBe('0');
    expect(params?.get('sprop-stereo')).toBe('0');
    expect(params?.get('usedtx')).toBe('1');
  });
});

describe('shapeOpus: payload types', () => {
  it('sets the parameters on every Opus payload type, not only 111', () => {
    const two = CHROME_OFFER.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111 63', 'm=audio 9 UDP/TLS/RTP/SAVPF 111 109 63').replace(
      'a=rtpmap:63 red/48000/2',
      'a=rtpmap:109 opus/48000/2\r\na=fmtp:109 minptime=20\r\na=rtpmap:63 red/48000/2',
    );
    const shaped = shapeOpus(two, 40_000);
    expectVoiceOpus(fmtp(shaped, '111'), 40_000);
    expectVoiceOpus(fmtp(shaped, '109'), 40_000);
    expect(fmtp(shaped, '109')?.get('minptime')).toBe('20');
  });

  it('an Opus payload type on another number (as Firefox offers, pt 109) is found by its rtpmap', () => {
    const firefox = CHROME_OFFER.replace(/\b111\b/g, '109');
    const shaped = shapeOpus(firefox);
    expectVoiceOpus(fmtp(shaped, '109'), 32_000);
    expect(fmtp(shaped, '63')?.has('usedtx')).toBe(false);
  });

  it('an Opus payload type without an fmtp line gets one, right after its rtpmap', () => {
    const bare = CHROME_OFFER.replace('a=fmtp:111 minptime=10;useinbandfec=1\r\n', '');
    const shaped = shapeOpus(bare);
    expectVoiceOpus(fmtp(shaped, '111'), 32_000);
    expect(fmtpLines(shaped, '111')).toHaveLength(1);
    const lines = shaped.split('\r\n');
    expect(lines[lines.indexOf('a=rtpmap:111 opus/48000/2') + 1]).toMatch(/^a=fmtp:111 /);
    expect(shaped.endsWith('\r\n')).toBe(true);
  });

  it('leaves a description without Opus untouched', () => {
    const noOpus = CHROME_OFFER.replace('a=rtpmap:111 opus/48000/2\r\n', '').replace('a=fmtp:111 minptime=10;useinbandfec=1\r\n', '');
    expect(shapeOpus(noOpus)).toBe(noOpus);
  });
});

describe('bitrate limits', () => {
  it('is clamped to 6–64 kbps', () => {
    expect(MIN_AUDIO_BITRATE).toBe(6_000);
    expect(MAX_AUDIO_BITRATE).toBe(64_000);
    expect(clampBitrate(128_000)).toBe(64_000);
    expect(clampBitrate(64_001)).toBe(64_000);
    expect(clampBitrate(1_000)).toBe(6_000);
    expect(clampBitrate(-5)).toBe(6_000);
    expect(clampBitrate(24_000)).toBe(24_000);
  });

  it('a setting that is not a number falls back to the 32 kbps default', () => {
    expect(clampBitrate(Number.NaN)).toBe(32_000);
    expect(clampBitrate(Number.POSITIVE_INFINITY)).toBe(32_000);
  });

  it('is a whole number of bits per second in the SDP', () => {
    expect(clampBitrate(24_000.6)).toBe(24_001);
    expect(fmtp(shapeOpus(CHROME_OFFER, 24_000.4), '111')?.get('maxaveragebitrate')).toBe('24000');
  });

  it('a bitrate above 64 kbps in the settings is written as 64 kbps', () => {
    expect(fmtp(shapeOpus(CHROME_OFFER, 510_000), '111')?.get('maxaveragebitrate')).toBe('64000');
    expect(fmtp(shapeOpus(CHROME_OFFER, 2_000), '111')?.get('maxaveragebitrate')).toBe('6000');
  });
});

describe('capAudioSender', () => {
  function sender(kind: 'audio' | 'video' | null, encodings: RTCRtpEncodingParameters[] | undefined, reject = false) {
    const params = { encodings } as unknown as RTCRtpSendParameters;
    return {
      track: kind ? { kind } : null,
      getParameters: vi.fn(() => params),
      setParameters: vi.fn(async (p: RTCRtpSendParameters) => {
        if (reject) throw new DOMException('not yet', 'InvalidStateError');
        return p;
      }),
    };
  }

  it('caps every audio encoding below the clamped bitrate, with headroom for the encoder, and leaves video alone', async () => {
    const audio = sender('audio', [{}, { maxBitrate: 500_000 }]);
    const video = sender('video', [{}]);
    const pc = { getSenders: () => [audio, video] } as unknown as RTCPeerConnection;
    await capAudioSender(pc, 100_000);
    expect(audio.setParameters).toHaveBeenCalledTimes(1);
    const sent = audio.setParameters.mock.calls[0]?.[0];
    // 64 kbps at most, aimed 3 % lower: Opus overshoots its target now and then.
    expect(sent?.encodings.map((e) => e.maxBitrate)).toEqual([62_080, 62_080]);
    expect(video.setParameters).not.toHaveBeenCalled();
  });

  it('adds an encoding when the browser reports none yet', async () => {
    const audio = sender('audio', undefined);
    await capAudioSender({ getSenders: () => [audio] } as unknown as RTCPeerConnection, 32_000);
    expect(audio.setParameters.mock.calls[0]?.[0].encodings).toEqual([{ maxBitrate: 32_000 }]);
  });

  it('a browser refusing the cap does not break the call', async () => {
    const audio = sender('audio', [{}], true);
    const idle = sender(null, [{}]);
    await expect(capAudioSender({ getSenders: () => [idle, audio] } as unknown as RTCPeerConnection, 32_000)).resolves.toBeUndefined();
    expect(idle.setParameters).not.toHaveBeenCalled();
  });
});

describe('microphone constraints', () => {
  it('ask for echo cancellation, noise suppression, auto gain and mono, no video', () => {
    expect(VOICE_CONSTRAINTS).toEqual({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
      video: false,
    });
  });
});
