/**
 * Records one call on this device: the dispatcher's microphone and the other
 * party's audio, mixed with Web Audio into one MediaRecorder. Mixing (rather
 * than recording the streams themselves) keeps the recording going when a
 * stream ends or is replaced, and gives one track to play back.
 */
import { fixWebmDuration } from '../audio/webm.ts';
import type { CallSession } from './session.ts';

const PREFERRED_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];
/** Speech in Opus: clear at this rate, about 240 kB a minute. */
const BITS_PER_SECOND = 32_000;
/** Chunks come out this often, so a long call is not held in one buffer until the end. */
const CHUNK_MS = 1000;

export interface Recording {
  audio: Blob;
  mimeType: string;
  /** Wall time from the first to the last recorded moment. */
  durationMs: number;
}

/** True when this browser can record calls. */
export function canRecord(): boolean {
  return typeof MediaRecorder !== 'undefined' && typeof AudioContext !== 'undefined';
}

/** The other party's audio on the call's current audio path, if any. */
export function remoteStream(session: CallSession): MediaStream | null {
  const pc = session.media?.peerConnection as RTCPeerConnection | undefined;
  const tracks = (pc?.getReceivers() ?? []).map((r) => r.track).filter((t) => t.kind === 'audio' && t.readyState === 'live');
  return tracks.length > 0 ? new MediaStream(tracks) : null;
}

/** What a call sounds like on this side: our microphone and the other party's audio. */
export function callStreams(session: CallSession): MediaStream[] {
  return [session.localStream, remoteStream(session)].filter((s): s is MediaStream => s !== null && s.getAudioTracks().length > 0);
}

export class CallRecorder {
  /** When recording started (ms since epoch), for the screen's timer. */
  readonly startedAt = Date.now();
  private readonly context = new AudioContext();
  private readonly destination = this.context.createMediaStreamDestination();
  private readonly recorder: MediaRecorder;
  private readonly chunks: Blob[] = [];
  private readonly finished: Promise<void>;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private cancelled = false;

  /** Starts recording the mix of `streams` at once. */
  constructor(streams: MediaStream[]) {
    const destination = this.destination;
    destination.channelCount = 1;
    this.add(streams);
    void this.context.resume().catch(() => undefined);
    const mimeType = PREFERRED_TYPES.find((t) => MediaRecorder.isTypeSupported(t)) ?? '';
    this.recorder = new MediaRecorder(destination.stream, { mimeType, audioBitsPerSecond: BITS_PER_SECOND });
    this.recorder.addEventListener('start', () => (this.firstAt = performance.now()));
    this.recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size > 0 && !this.cancelled) this.chunks.push(e.data);
    });
    this.finished = new Promise((resolve) => {
      const done = () => {
        this.lastAt ??= performance.now();
        for (const track of destination.stream.getTracks()) track.stop();
        void this.context.close().catch(() => undefined);
        resolve();
      };
      this.recorder.addEventListener('stop', done, { once: true });
      // A recorder that fails stops too; what was recorded so far is kept.
      this.recorder.addEventListener('error', () => this.finish(), { once: true });
    });
    this.recorder.start(CHUNK_MS);
  }

  /** Mixes more audio in from now on (the other party's, after the call moved to a new audio path). */
  add(streams: MediaStream[]): void {
    for (const stream of streams) if (stream.getAudioTracks().length > 0) this.context.createMediaStreamSource(stream).connect(this.destination);
  }

  get recording(): boolean {
    return this.recorder.state !== 'inactive';
  }

  /** Stops and hands back the recording, its duration written into the file where the format allows. */
  async stop(): Promise<Recording> {
    this.finish();
    await this.finished;
    const mimeType = this.recorder.mimeType || this.chunks[0]?.type || 'audio/webm';
    const durationMs = this.firstAt === null || this.lastAt === null ? 0 : Math.round(this.lastAt - this.firstAt);
    const audio = await fixWebmDuration(new Blob(this.chunks, { type: mimeType }), durationMs);
    return { audio, mimeType, durationMs };
  }

  /** Stops and throws the recording away (signing out). */
  cancel(): void {
    this.cancelled = true;
    this.chunks.length = 0;
    this.finish();
  }

  private finish(): void {
    if (this.recorder.state === 'inactive') return;
    this.lastAt = performance.now();
    this.recorder.stop();
  }
}
