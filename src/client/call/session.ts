/**
 * One call with one other party: the data connection that rang, the audio
 * call that follows an answer, the messages between them, and the state
 * machine that says where the call is. Screens render it; they never touch
 * PeerJS themselves.
 */
import type { DataConnection, MediaConnection } from 'peerjs';
import { message, parseMessage, type EndReason, type Message, type Outgoing, type Position, type Sos } from '../../shared/protocol.ts';
import { capAudioSender, shapeOpus } from '../audio/sdp.ts';
import { IDLE, transition, type CallEvent, type CallState } from './machine.ts';
import type { QualitySummary } from '../store/db.ts';
import { readStats, summarize, warningsFor, type Counters, type Quality, type QualityWarning } from './quality.ts';

export interface ChatLine {
  id: string;
  from: 'me' | 'them';
  text: string;
  sentAt: number;
  acked: boolean;
}

export interface ReceivedPosition {
  position: Position;
  seq: number;
  receivedAt: number;
}

export interface SessionOptions {
  bitrate: number;
  now?: () => number;
  onChange(session: CallSession): void;
}

/** How long an answered call may take to get its audio path up before it is reported failed. */
const CONNECT_TIMEOUT_MS = 20_000;
/** Chat lines a call keeps (both sides together): far more than any real emergency call needs. */
const CHAT_MAX = 1000;

let sequence = 0;
export function newCallId(): string {
  sequence += 1;
  return `${Date.now().toString(36)}${sequence.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** How this app places an audio call: which call it belongs to, and its Opus settings. */
export function mediaOptions(callId: string, bitrate: number, resume = false) {
  return { metadata: { callId, resume }, sdpTransform: (sdp: string) => shapeOpus(sdp, bitrate) };
}

/** Why a call failed, as a code the screen words in the chosen language. */
export type CallProblem =
  | 'media-failed'
  | 'media-timeout'
  | 'turn-refused'
  | 'turn-refused-call'
  | 'turn-unreachable'
  | 'transfer-missing'
  | 'unreachable'
  | 'lost';

export class CallSession {
  state: CallState = IDLE;
  /** The party on the other end, once known (the console that answered, the caller that rang). */
  remoteId: string | null = null;
  remoteName = '';
  /** What the caller said when ringing: name, phone, position. */
  sos: Sos | null = null;
  conn: DataConnection | null = null;
  media: MediaConnection | null = null;
  localStream: MediaStream | null = null;
  readonly positions: ReceivedPosition[] = [];
  readonly chat: ChatLine[] = [];
  notes = '';
  quality: Quality | null = null;
  /** Worst figures over the call, kept in its history entry. */
  readonly qualitySummary: QualitySummary = { samples: 0, maxRttMs: null, maxJitterMs: null, maxLossPct: null, avgInKbps: null, warnings: [] };
  readonly startedAt: number;
  warnings: QualityWarning[] = [];
  /** Messages from the other side that failed validation and were dropped. */
  invalidMessages = 0;
  /** Why the call failed, when it did (the screen puts it in words). */
  problem: CallProblem | null = null;
  /** On the receiving console: this call is being handed over from another console. */
  transfer: { from: string; citizenId: string } | null = null;
  /** On the handing-over console: the console the caller was sent to, once accepted. */
  transferredTo: string | null = null;
  /** On the handing-over console: how the transfer request went. */
  transferStatus: 'asking' | 'declined' | 'failed' | null = null;
  /** The other side (a console) is recording this call: the caller is shown a notice. */
  recordedByRemote = false;
  /** The console's recording notice that the screen has yet to confirm it showed (see noticeShown). */
  private unconfirmedNotice: string | null = null;
  /** True on the side that placed the audio call: it also re-establishes a lost path. */
  placedMedia = false;
  private iceProblem: CallProblem | null = null;
  /** Audio paths: normally one; during a reconnect the old one and a new attempt. */
  private paths: MediaConnection[] = [];
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private outbox: Message[] = [];
  private audio: HTMLAudioElement | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private counters: Counters | null = null;
  private readonly now: () => number;
  private readonly handlers = new Map<Message['type'], (m: Message) => void>();
  private readonly ackWaiters = new Map<string, (acked: boolean) => void>();

  constructor(
    readonly callId: string,
    readonly direction: 'out' | 'in',
    private readonly options: SessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  dispatch(event: CallEvent): void {
    const next = transition(this.state, event, this.now());
    if (next === this.state) return;
    this.state = next;
    if (next.name === 'ended') this.teardown();
    this.options.onChange(this);
  }

  /** Registers what to do with a validated message of one type (accept, decline, …). */
  on<T extends Message['type']>(type: T, handler: (m: Extract<Message, { type: T }>) => void): void {
    this.handlers.set(type, handler as (m: Message) => void);
  }

  /** Lets go of the data connection without ending the call (a transfer request once answered). */
  detach(): DataConnection | null {
    const conn = this.conn;
    this.conn = null;
    return conn;
  }

  /** Adopts the data connection for this call: messages flow through it from now on. */
  attach(conn: DataConnection): void {
    const previous = this.conn;
    this.conn = conn;
    // A replaced path (after a reconnect or a transfer) is closed once the new one is in place.
    if (previous && previous !== conn) setTimeout(() => previous.close(), 500);
    this.remoteId = conn.peer;
    conn.on('data', (raw) => this.receive(raw));
    conn.on('open', () => this.flush());
    conn.on('close', () => {
      // While reconnecting, the old path closing is expected; the recovery decides.
      if (this.conn !== conn || this.state.name === 'reconnecting') return;
      this.dispatch({ type: 'end', reason: this.transferredTo ? 'transferred' : this.state.name === 'ringing' ? 'caller-cancelled' : 'hangup' });
    });
    conn.on('error', () => {
      if (this.conn === conn && this.state.name !== 'connected' && this.state.name !== 'reconnecting') this.dispatch({ type: 'end', reason: 'failed' });
    });
    if (conn.open) this.flush();
  }

  send(body: Outgoing): void {
    this.outbox.push(message(body) as Message);
    this.flush();
  }

  private flush(): void {
    const conn = this.conn;
    if (!conn?.open) return;
    for (const m of this.outbox.splice(0)) {
      try {
        void conn.send(m);
      } catch {
        // The connection closed under us; its close handler ends the call.
      }
    }
  }

  private receive(raw: unknown): void {
    const parsed = parseMessage(raw);
    if (!parsed.ok) {
      this.invalidMessages += 1;
      this.options.onChange(this);
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'position':
        if (this.positions.length === 0 || m.seq > (this.positions.at(-1)?.seq ?? -1)) {
          this.positions.push({ position: m.position, seq: m.seq, receivedAt: this.now() });
          if (this.positions.length > 2000) this.positions.splice(0, this.positions.length - 2000);
        }
        break;
      case 'chat':
        if (!this.chat.some((c) => c.id === m.id && c.from === 'them')) {
          // A flood from a hostile peer must not eat the device's memory: past the cap, lines are dropped, unacknowledged.
          if (this.chat.length >= CHAT_MAX) {
            this.invalidMessages += 1;
            break;
          }
          this.chat.push({ id: m.id, from: 'them', text: m.text, sentAt: m.sentAt, acked: true });
        }
        this.send({ type: 'ack', id: m.id });
        break;
      case 'ack': {
        const line = this.chat.find((c) => c.id === m.id && c.from === 'me');
        if (line) line.acked = true;
        this.ackWaiters.get(m.id)?.(true);
        break;
      }
      case 'hold':
        this.dispatch({ type: 'hold', by: 'remote', on: m.on });
        this.applyTrackState();
        break;
      case 'recording':
        this.recordedByRemote = m.on;
        this.unconfirmedNotice = m.on ? (m.id ?? null) : null;
        break;
      case 'bye':
        this.dispatch({ type: 'end', reason: m.reason });
        break;
      default:
        break;
    }
    this.handlers.get(m.type)?.(m);
    this.options.onChange(this);
  }

  /** The screen calls this once the recording notice is on screen: the console starts recording only then. */
  noticeShown(): void {
    if (!this.recordedByRemote || this.unconfirmedNotice === null) return;
    this.send({ type: 'ack', id: this.unconfirmedNotice });
    this.unconfirmedNotice = null;
  }

  /** Resolves true once the other side acknowledges message `id`; false after `timeoutMs` or when the call ends first. */
  acknowledged(id: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const settle = (acked: boolean) => {
        clearTimeout(timer);
        this.ackWaiters.delete(id);
        resolve(acked);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.ackWaiters.set(id, settle);
    });
  }

  sendChat(text: string): void {
    const trimmed = text.trim().slice(0, 1000);
    if (!trimmed) return;
    const id = newCallId();
    const sentAt = this.now();
    this.chat.push({ id, from: 'me', text: trimmed, sentAt, acked: false });
    this.send({ type: 'chat', id, text: trimmed, sentAt });
    this.options.onChange(this);
  }

  /** Places the audio call to the party that answered (again, with `resume`, after the path was lost). */
  call(peer: { call(id: string, stream: MediaStream, options: object): MediaConnection }, stream: MediaStream, resume = false): void {
    if (!this.remoteId) return;
    this.localStream = stream;
    this.placedMedia = true;
    this.useMedia(peer.call(this.remoteId, stream, mediaOptions(this.callId, this.options.bitrate, resume)));
  }

  /**
   * Takes over the audio call set up while the call rang (see Phone: the caller places it, a
   * console answers it with its microphone silenced). Its path is usually up already, so the
   * two hear each other as soon as both microphones are let through, at media-up.
   */
  adopt(media: MediaConnection, stream: MediaStream, placedHere: boolean, playing?: HTMLAudioElement): void {
    this.localStream = stream;
    this.placedMedia = placedHere;
    // Its far side has been playing muted since it arrived (see Phone.warmPlayout): no start-up delay.
    if (playing) {
      this.audio = playing;
      playing.muted = false;
    }
    this.useMedia(media);
    if (media.remoteStream) this.play(media.remoteStream);
  }

  /** Answers the audio call that follows our accept. */
  answer(media: MediaConnection, stream: MediaStream): void {
    this.localStream = stream;
    media.answer(stream, { sdpTransform: (sdp: string) => shapeOpus(sdp, this.options.bitrate) });
    this.useMedia(media);
  }

  private useMedia(media: MediaConnection): void {
    // Keep the original path (it may recover by itself) and the newest attempt; drop the ones between.
    for (const old of this.paths.splice(1)) old.close();
    this.paths.push(media);
    this.media = media;
    media.on('stream', (remote) => this.play(remote));
    media.on('close', () => {
      if (this.media === media && this.paths.length === 1 && this.state.name !== 'reconnecting') {
        this.dispatch({ type: 'end', reason: this.transferredTo ? 'transferred' : 'hangup' });
      }
    });
    media.on('error', () => {
      if (this.media === media && this.state.name !== 'reconnecting') this.fail('media-failed');
    });
    const pc = media.peerConnection as RTCPeerConnection | undefined;
    if (pc) this.watchIce(pc, media);
    if (this.state.name === 'connecting') {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = setTimeout(() => {
        if (this.state.name === 'connecting') this.fail(this.iceProblem ?? 'media-timeout');
      }, CONNECT_TIMEOUT_MS);
    }
  }

  private watchIce(pc: RTCPeerConnection, media: MediaConnection): void {
    const check = () => {
      if (!this.paths.includes(media)) return;
      const s = pc.iceConnectionState;
      if (s === 'connected' || s === 'completed') {
        // Whichever path comes back first carries the call; the others go.
        this.media = media;
        for (const other of this.paths) if (other !== media) other.close();
        this.paths = [media];
        this.dispatch({ type: 'media-up' });
        // A microphone silenced while the call rang is let through now (unless muted or on hold).
        this.applyTrackState();
        void capAudioSender(pc, this.options.bitrate);
        this.startStats(pc);
      } else if (this.media !== media) {
        return;
      } else if (s === 'disconnected' || s === 'failed') {
        // Never connected at all (a refused relay, say): say so instead of hanging.
        if (this.state.name === 'connecting' && s === 'failed') this.fail(this.iceProblem ?? 'media-failed');
        else this.dispatch({ type: 'media-down' });
      }
    };
    pc.addEventListener('iceconnectionstatechange', check);
    pc.addEventListener('icecandidateerror', (e) => {
      const err = e as RTCPeerConnectionIceErrorEvent;
      if (err.errorCode === 401 || err.errorCode === 431) this.iceProblem = 'turn-refused';
      else if (err.errorCode === 701 && !this.iceProblem) this.iceProblem = 'turn-unreachable';
    });
    check();
  }

  /** Ends the call as failed, keeping the reason for the screen. */
  fail(problem: CallProblem): void {
    this.problem = problem;
    this.dispatch({ type: 'end', reason: 'failed' });
  }

  /** What the other party sends, once the audio call has it. */
  remoteStream: MediaStream | null = null;

  private play(remote: MediaStream): void {
    this.remoteStream = remote;
    this.audio ??= new Audio();
    this.audio.autoplay = true;
    // Setting the same stream again would restart its playout.
    if (this.audio.srcObject !== remote) this.audio.srcObject = remote;
    void this.audio.play().catch(() => {
      // Autoplay blocked until the next user gesture; the call itself goes on.
    });
  }

  private startStats(pc: RTCPeerConnection): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.counters = null;
    this.statsTimer = setInterval(() => {
      void pc.getStats().then((report) => {
        const sample = readStats(report, this.counters, this.now());
        this.counters = sample.counters;
        this.quality = sample.quality;
        const s = this.state;
        // Mute and hold both silence the microphone on purpose: no "no sound" warning then.
        const silenced = (s.name === 'connected' || s.name === 'reconnecting') && (s.muted || s.hold.local || s.hold.remote);
        this.warnings = warningsFor(sample.quality, silenced);
        summarize(this.qualitySummary, sample.quality, this.warnings);
        this.options.onChange(this);
      });
    }, 1000);
  }

  setMuted(on: boolean): void {
    this.dispatch({ type: 'mute', on });
    this.applyTrackState();
  }

  setHold(on: boolean): void {
    this.dispatch({ type: 'hold', by: 'local', on });
    this.send({ type: 'hold', on });
    this.applyTrackState();
  }

  private applyTrackState(): void {
    const s = this.state;
    if (s.name !== 'connected' && s.name !== 'reconnecting') return;
    const sending = !s.muted && !s.hold.local && !s.hold.remote;
    for (const track of this.localStream?.getAudioTracks() ?? []) track.enabled = sending;
    if (this.audio) this.audio.muted = s.hold.local || s.hold.remote;
  }

  /** Ends the call from this side and tells the other side at once. */
  hangUp(reason: EndReason = 'hangup'): void {
    if (this.state.name === 'ended' || this.state.name === 'idle') return;
    this.send({ type: 'bye', reason });
    this.dispatch({ type: 'end', reason });
  }

  private teardown(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.statsTimer = null;
    for (const settle of [...this.ackWaiters.values()]) settle(false);
    const conn = this.conn;
    const paths = this.paths.splice(0);
    this.conn = null;
    this.media = null;
    for (const media of paths) media.close();
    // Let the bye go out before the data channel closes.
    if (conn) setTimeout(() => conn.close(), 200);
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    if (this.audio) {
      this.audio.srcObject = null;
      this.audio = null;
    }
  }

  latestPosition(): ReceivedPosition | null {
    return this.positions.at(-1) ?? null;
  }
}
