/** Per-screen settings a deployment link (or a test) may carry in its query string. */
import { DEFAULT_AUDIO_BITRATE } from '../audio/sdp.ts';
import type { LinkOptions } from '../peer/link.ts';

export interface ScreenSettings {
  ringTimeoutMs: number;
  bitrate: number;
  relayOnly: boolean;
}

export function readSettings(search: string = location.search): ScreenSettings {
  const q = new URLSearchParams(search);
  const ring = Number(q.get('ringTimeout'));
  const bitrate = Number(q.get('bitrate'));
  return {
    ringTimeoutMs: Number.isFinite(ring) && ring >= 1000 && ring <= 120_000 ? ring : 20_000,
    bitrate: Number.isFinite(bitrate) && bitrate > 0 ? bitrate : DEFAULT_AUDIO_BITRATE,
    // Forces every call through TURN: for testing a relay deployment.
    relayOnly: q.get('relay') === '1',
  };
}

export function linkOptions(settings: ScreenSettings): LinkOptions {
  return settings.relayOnly ? { iceTransportPolicy: 'relay' } : {};
}
