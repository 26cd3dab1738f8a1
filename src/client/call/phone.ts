/**
 * Every call of one screen. Outgoing calls ring all consoles of one target
 * group at once (the nearest staffed station) and move on to the next group
 * on no answer; incoming calls ring until answered, declined or cancelled.
 * The audio path is set up while a call rings, both microphones silenced
 * until it is answered (see placeEarly and incomingMedia).
 */
import type { DataConnection, MediaConnection } from 'peerjs';
import { message, parseConnectMeta, parseMessage, type ConnectMeta, type DutyLink, type Outgoing, type Report, type Transfer, type Position, type Sos } from '../../shared/protocol.ts';
import { VOICE_CONSTRAINTS } from '../audio/sdp.ts';
import type { PeerLink } from '../peer/link.ts';
import { setCallsActive } from './activity.ts';
import { isActive } from './machine.ts';
import { saveCall } from '../store/history.ts';
import type { CallRecord } from '../store/db.ts';
import { CallSession, mediaOptions, newCallId, type CallProblem } from './session.ts';
import { senderRole } from './senders.ts';

/** What the history keeps of an ended call. */
export function toRecord(session: CallSession, scope: string): CallRecord {
  const state = session.state;
  const ended = state.name === 'ended' ? state : null;
  return {
    id: session.callId,
    scope,
    peer: session.remoteId ?? '',
    peerName: session.remoteName || session.sos?.name || '',
    role: session.direction === 'in' ? (session.sos?.role ?? 'unknown') : 'outgoing',
    direction: session.direction,
    startedAt: session.startedAt,
    durationMs: ended?.connectedAt ? ended.at - ended.connectedAt : 0,
    outcome: ended?.reason ?? 'hangup',
    lastPosition: session.latestPosition()?.position ?? session.sos?.position ?? null,
    notes: session.notes,
    chat: session.chat.map(({ from, text, sentAt, acked }) => ({ from, text, sentAt, acked })),
    quality: session.qualitySummary.samples > 0 ? { ...session.qualitySummary, warnings: [...session.qualitySummary.warnings] } : null,
  };
}

/** Why a ring stopped, as the consoles it rang are told and record it: anything else is the caller cancelling. */
function ringEndReason(reason: string): 'answered-elsewhere' | 'no-answer' | 'caller-cancelled' {
  return reason === 'answered-elsewhere' || reason === 'no-answer' ? reason : 'caller-cancelled';
}

/**
 * Tells one console to stop ringing. A console whose connection is still opening
 * hears nothing of a close (PeerJS sends none through the broker) and would ring
 * until its ICE gave up, so it is told once its connection opens, or let go of
 * after a while.
 */
function stopRinging(conn: DataConnection, cancel: object): void {
  const sendAndClose = () => {
    try {
      void conn.send(cancel);
    } catch {
      // Closed under us: the close stops the ring as well.
    }
    // Closing right away would race the cancel; the close also stops the ring on its own.
    setTimeout(() => conn.close(), 150);
  };
  if (conn.open) return sendAndClose();
  const giveUp = setTimeout(() => conn.close(), UNOPENED_RING_GRACE_MS);
  conn.on('open', () => {
    clearTimeout(giveUp);
    sendAndClose();
  });
}

/** How long a ring whose connection has not opened yet is kept, so that it can still be told to stop. */
const UNOPENED_RING_GRACE_MS = 10_000;
/** A console stops ringing for a caller whose connection has not opened after this long. */
const UNOPENED_RING_MS = 20_000;
/** A call whose audio path does not come back within this time is lost. */
const LOST_AFTER_MS = 30_000;
/** Give the old path a moment to recover by itself before building a new one. */
const FIRST_RETRY_MS = 3000;
const RETRY_EVERY_MS = 5000;
/** An answer whose audio call never arrives is reported, not left hanging. */
const ACCEPT_TIMEOUT_MS = 20_000;
/** How long an accepted call waits for the answer to the audio call it placed while ringing. */
const EARLY_ANSWER_MS = 1500;

export interface RingGroup {
  /** What the caller sees: "Ringing Quezon City Central…". */
  label: string;
  peers: string[];
}

export interface PhoneOptions {
  bitrate: number;
  /** Whose history the calls are kept under on this device. */
  scope: string;
  /** How long a group rings before the call moves on. */
  ringTimeoutMs: number;
  onChange(): void;
  /** A duty link (officer ↔ console) opened or delivered a message. */
  onDutyLink?(conn: DataConnection, meta: DutyLink): void;
  /** An offline SOS report is being delivered (consoles only). */
  onReport?(conn: DataConnection, report: Report): void;
}

interface Attempt {
  session: CallSession;
  groups: RingGroup[];
  index: number;
  pending: Map<string, DataConnection>;
  timer: ReturnType<typeof setTimeout> | null;
  stream: Promise<MediaStream>;
  /** Audio calls placed to ringing peers while they ring, by peer id (see placeEarly). */
  early: Map<string, MediaConnection>;
  /** Set when the relay refused us: the call then fails with that reason, not as "no answer". */
  iceProblem?: CallProblem;
}

export class Phone {
  readonly sessions: CallSession[] = [];
  private readonly attempts = new Map<CallSession, Attempt>();
  /**
   * The caller's audio call for a call that rings here (or was just answered): answered at once
   * with a silenced microphone when it is open (`stream`), else on Answer.
   */
  private readonly earlyMedia = new Map<CallSession, { media: MediaConnection; stream: MediaStream | null }>();
  /** Muted players of audio calls set up while ringing (see warmPlayout). */
  private readonly playouts = new Map<MediaConnection, HTMLAudioElement>();
  /** The microphone, once open: a console pre-answers ringing calls only with one already open. */
  private mic: MediaStream | null = null;
  private microphone: Promise<MediaStream | null> | null = null;
  /** Why calls carry no voice from this device, for the screen to say; null while the microphone works. */
  micProblem: 'blocked' | 'missing' | null = null;

  constructor(
    readonly link: PeerLink,
    private readonly options: PhoneOptions,
  ) {}

  /** Opens the microphone once (a console does this at "Start shift"); each call gets its own clone. */
  openMicrophone(): Promise<MediaStream | null> {
    this.microphone ??= navigator.mediaDevices.getUserMedia(VOICE_CONSTRAINTS).then(
      (s) => {
        this.micProblem = null;
        this.mic = s;
        return s;
      },
      (err: unknown) => {
        this.micProblem = err instanceof DOMException && err.name === 'NotAllowedError' ? 'blocked' : 'missing';
        this.microphone = null;
        this.options.onChange();
        return null;
      },
    );
    return this.microphone;
  }

  private async callStream(): Promise<MediaStream> {
    const mic = await this.openMicrophone();
    // Without a microphone the call still carries location and chat; send silence.
    return mic ? mic.clone() : new MediaStream();
  }

  private track(session: CallSession): CallSession {
    this.sessions.push(session);
    setCallsActive(this.activeSessions().length);
    this.options.onChange();
    return session;
  }

  private changed = (session: CallSession) => {
    setCallsActive(this.activeSessions().length);
    if (session.state.name === 'reconnecting') this.startRecovery(session);
    else this.stopRecovery(session);
    if (session.state.name === 'ended') {
      this.dropEarlyMedia(session);
      void saveCall(toRecord(session, this.options.scope)).catch(() => undefined);
      const attempt = this.attempts.get(session);
      if (attempt) this.stopAttempt(attempt, session.state.reason === 'hangup' ? 'caller-cancelled' : session.state.reason);
      // Ended calls stay listed briefly so people can read how they ended; a lost or failed call
      // stays until someone acts on it, because its "Call back" is the way back to the caller.
      const needsCallBack = (session.state.reason === 'lost' || session.state.reason === 'failed') && session.remoteId !== null;
      if (!needsCallBack) setTimeout(() => this.forget(session), 10_000);
    }
    this.options.onChange();
  };

  forget(session: CallSession): void {
    const i = this.sessions.indexOf(session);
    if (i >= 0 && !isActive(session.state)) {
      this.sessions.splice(i, 1);
      this.options.onChange();
    }
  }

  /**
   * Rings each group in turn, every peer of a group at once, carrying `sos`
   * in the connection request so the far side rings before it even opens.
   */
  dial(groups: RingGroup[], sos: Omit<Sos, 'v' | 'type' | 'callId'>): CallSession {
    const session = new CallSession(newCallId(), 'out', { bitrate: this.options.bitrate, onChange: this.changed });
    session.sos = { v: 1, type: 'sos', callId: session.callId, ...sos };
    session.on('transfer', (m) => {
      if (m.callId === session.callId) this.followTransfer(session, m.to, m.name);
    });
    this.track(session);
    session.dispatch({ type: 'dial' });
    let micReady: (s: MediaStream) => void = () => {};
    const attempt: Attempt = { session, groups, index: -1, pending: new Map(), timer: null, stream: new Promise((r) => (micReady = r)), early: new Map() };
    this.attempts.set(session, attempt);
    // Fresh ICE servers for the call; immediate when the current credentials are still good.
    void this.link.ensureIce().then(() => this.nextGroup(attempt));
    // Opening the microphone competes with creating the offers: start it once they are out.
    void this.link
      .ensureIce()
      .then(() => this.offersSent([...attempt.pending.values()]))
      .then(() => this.callStream())
      .then((stream) => {
        // Silent until a console answers: the audio calls placed while ringing carry no voice.
        for (const t of stream.getAudioTracks()) t.enabled = false;
        micReady(stream);
      });
    return session;
  }

  private offersSent(conns: DataConnection[], timeoutMs = 300): Promise<void> {
    const sent = (conn: DataConnection) =>
      new Promise<void>((resolve) => {
        const pc = conn.peerConnection as RTCPeerConnection | undefined;
        if (!pc || pc.signalingState !== 'stable') return resolve();
        pc.addEventListener('signalingstatechange', () => resolve(), { once: true });
      });
    return Promise.race([Promise.all(conns.map(sent)).then(() => undefined), new Promise<void>((r) => setTimeout(r, timeoutMs))]);
  }

  private nextGroup(attempt: Attempt): void {
    const { session } = attempt;
    this.clearPending(attempt, 'no-answer');
    attempt.index += 1;
    const group = attempt.groups[attempt.index];
    if (!group || session.state.name === 'ended') {
      this.attempts.delete(session);
      this.releaseStream(attempt);
      if (attempt.iceProblem) session.fail(attempt.iceProblem);
      else session.dispatch({ type: 'end', reason: 'no-answer' });
      return;
    }
    const peer = this.link.peer;
    if (!peer || peer.disconnected) {
      session.dispatch({ type: 'end', reason: 'failed' });
      return;
    }
    session.remoteName = group.label;
    session.dispatch({ type: 'ring', target: group.label });
    for (const id of group.peers) {
      const conn = peer.connect(id, { metadata: session.sos, serialization: 'json', reliable: true });
      if (!conn) continue;
      attempt.pending.set(id, conn);
      this.watchGathering(attempt, id, conn);
      conn.on('data', (raw) => this.onRingReply(attempt, id, conn, raw));
      conn.on('close', () => this.dropPending(attempt, id));
      conn.on('error', () => this.dropPending(attempt, id));
      this.placeEarly(attempt, id, conn);
    }
    if (attempt.pending.size === 0) {
      queueMicrotask(() => this.nextGroup(attempt));
      return;
    }
    attempt.timer = setTimeout(() => this.nextGroup(attempt), this.options.ringTimeoutMs);
  }

  /**
   * With relay-only ICE, a ring whose connection gathered no candidate at all (the relay refused us
   * or could not be reached) can never open: it counts as not answering at once, instead of after
   * the ring timeout, so the caller moves on or learns why within a second. (Without relay-only, a
   * connection with no local candidate may still open through the far side's.)
   */
  private watchGathering(attempt: Attempt, id: string, conn: DataConnection): void {
    const pc = conn.peerConnection as RTCPeerConnection | undefined;
    if (!pc) return;
    let candidates = 0;
    pc.addEventListener('icecandidateerror', (e) => {
      const code = (e as RTCPeerConnectionIceErrorEvent).errorCode;
      if (code === 401 || code === 431) attempt.iceProblem = 'turn-refused-call';
      else if (code === 701) attempt.iceProblem ??= 'turn-unreachable';
    });
    pc.addEventListener('icecandidate', (e) => {
      if ((e as RTCPeerConnectionIceEvent).candidate) candidates += 1;
    });
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete' || candidates > 0 || conn.open || pc.getConfiguration().iceTransportPolicy !== 'relay') return;
      attempt.iceProblem ??= 'turn-unreachable';
      this.dropPending(attempt, id);
    });
  }

  /**
   * The same for a call that rings here: with relay-only ICE and no candidate gathered (our relay
   * refused us or cannot be reached), its connection can never open, so the call fails at once and
   * says why, instead of ringing (or connecting) until a timer gives up.
   */
  private watchIncomingGathering(session: CallSession, conn: DataConnection): void {
    const pc = conn.peerConnection as RTCPeerConnection | undefined;
    if (!pc) return;
    let candidates = 0;
    let problem: CallProblem | null = null;
    pc.addEventListener('icecandidateerror', (e) => {
      const code = (e as RTCPeerConnectionIceErrorEvent).errorCode;
      if (code === 401 || code === 431) problem = 'turn-refused-call';
      else if (code === 701) problem ??= 'turn-unreachable';
    });
    pc.addEventListener('icecandidate', (e) => {
      if ((e as RTCPeerConnectionIceEvent).candidate) candidates += 1;
    });
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete' || candidates > 0 || conn.open || pc.getConfiguration().iceTransportPolicy !== 'relay') return;
      if (session.state.name === 'ringing' || session.state.name === 'connecting') session.fail(problem ?? 'turn-unreachable');
    });
  }

  private onRingReply(attempt: Attempt, id: string, conn: DataConnection, raw: unknown): void {
    const { session } = attempt;
    if (!attempt.pending.has(id) || session.state.name !== 'ringing') return;
    const parsed = parseMessage(raw);
    if (!parsed.ok) {
      session.invalidMessages += 1;
      return;
    }
    const reply = parsed.value;
    if (reply.type === 'decline' && reply.callId === session.callId) {
      this.dropPending(attempt, id);
      return;
    }
    if (reply.type !== 'accept' || reply.callId !== session.callId) return;
    // First to answer takes the call; the others stop ringing.
    const early = attempt.early.get(id);
    attempt.early.delete(id);
    attempt.pending.delete(id);
    this.clearPending(attempt, 'answered-elsewhere');
    this.attempts.delete(session);
    // An answerer without a name keeps the label it was rung by; the screen words an empty one.
    session.remoteName = reply.by || session.remoteName;
    session.attach(conn);
    session.dispatch({ type: 'accepted' });
    void attempt.stream.then((stream) => {
      const peer = this.link.peer;
      if (session.state.name !== 'connecting' || !peer) {
        if (early) this.closeEarly(early);
        for (const t of stream.getTracks()) t.stop();
      } else if (!early || early.peerConnection?.iceConnectionState === 'failed') {
        if (early) this.closeEarly(early);
        session.call(peer, stream);
      } else {
        session.adopt(early, stream, true, this.takePlayout(early));
        // A console of an older build closes an audio call that arrives while it rings and waits
        // for a new one after its accept; one that still has no answer by now gets that.
        setTimeout(() => {
          const pc = early.peerConnection as RTCPeerConnection | undefined;
          if (session.state.name === 'connecting' && session.media === early && pc?.signalingState === 'have-local-offer') session.call(peer, stream);
        }, EARLY_ANSWER_MS);
      }
    });
  }

  /**
   * Places the audio call to a peer while it rings, its microphone silenced: the console sets up
   * the path at once (see incomingMedia), so answering only has to let the voices through.
   */
  private placeEarly(attempt: Attempt, id: string, conn: DataConnection): void {
    // After the ring's own offer: it is what makes the console ring.
    void Promise.all([attempt.stream, this.offersSent([conn])]).then(([stream]) => {
      const peer = this.link.peer;
      const { session } = attempt;
      if (!peer || peer.disconnected || session.state.name !== 'ringing' || !attempt.pending.has(id) || attempt.early.has(id)) return;
      const media = peer.call(id, stream, mediaOptions(session.callId, this.options.bitrate));
      if (!media) return;
      attempt.early.set(id, media);
      this.warmPlayout(media);
    });
  }

  /**
   * Plays the far side of an audio call set up while ringing, muted, from the moment it arrives:
   * a browser takes a few hundred milliseconds to start playing a stream, which would otherwise
   * come after Answer, and the first words with it.
   */
  private warmPlayout(media: MediaConnection): void {
    const attach = (remote: MediaStream) => {
      if (this.playouts.has(media)) return;
      const audio = new Audio();
      audio.autoplay = true;
      audio.muted = true;
      audio.srcObject = remote;
      void audio.play().catch(() => undefined);
      this.playouts.set(media, audio);
    };
    if (media.remoteStream) attach(media.remoteStream);
    else media.on('stream', attach);
  }

  /** Hands the muted player of an adopted audio call to its session. */
  private takePlayout(media: MediaConnection): HTMLAudioElement | undefined {
    const audio = this.playouts.get(media);
    this.playouts.delete(media);
    return audio;
  }

  private closeEarly(media: MediaConnection): void {
    media.close();
    const audio = this.playouts.get(media);
    this.playouts.delete(media);
    if (audio) audio.srcObject = null;
  }

  /** The microphone clone of a call nobody answered goes back. */
  private releaseStream(attempt: Attempt): void {
    void attempt.stream.then((stream) => {
      if (attempt.session.localStream !== stream) for (const t of stream.getTracks()) t.stop();
    });
  }

  /** A ringing peer can no longer answer (declined, refused by the broker, gone). */
  private dropPending(attempt: Attempt, id: string): void {
    if (!attempt.pending.delete(id)) return;
    const early = attempt.early.get(id);
    if (early) this.closeEarly(early);
    attempt.early.delete(id);
    if (attempt.pending.size === 0 && attempt.session.state.name === 'ringing' && this.attempts.get(attempt.session) === attempt) this.nextGroup(attempt);
  }

  private clearPending(attempt: Attempt, reason: 'answered-elsewhere' | 'no-answer' | 'caller-cancelled' | string): void {
    if (attempt.timer) clearTimeout(attempt.timer);
    attempt.timer = null;
    const conns = [...attempt.pending.values()];
    attempt.pending.clear();
    for (const media of attempt.early.values()) this.closeEarly(media);
    attempt.early.clear();
    const cancel = message({ type: 'cancel', callId: attempt.session.callId, reason: ringEndReason(reason) });
    for (const conn of conns) stopRinging(conn, cancel);
  }

  private stopAttempt(attempt: Attempt, reason: string): void {
    this.clearPending(attempt, reason);
    this.attempts.delete(attempt.session);
    this.releaseStream(attempt);
  }

  /** The broker told us a peer we rang is unreachable. */
  peerUnavailable(peerId: string): void {
    this.transferWatch.get(peerId)?.();
    for (const attempt of this.attempts.values()) this.dropPending(attempt, peerId);
  }

  /** Sends a fresh position to everyone currently ringing or talking with us. */
  broadcastPosition(position: Position, seq: number): void {
    const body: Outgoing = { type: 'position', seq, position };
    for (const attempt of this.attempts.values()) {
      for (const conn of attempt.pending.values()) if (conn.open) void conn.send(message(body));
      if (attempt.session.sos) attempt.session.sos.position = position;
    }
    for (const session of this.sessions) if (isActive(session.state) && session.conn) session.send(body);
  }

  /** A data connection from another peer: a ring (SOS) or a duty link. */
  incoming(conn: DataConnection): void {
    const parsed = parseConnectMeta(conn.metadata);
    if (!parsed.ok) {
      conn.on('open', () => conn.close());
      return;
    }
    const meta: ConnectMeta = parsed.value;
    const role = senderRole(meta, conn.peer, this.link.credentials.id);
    if (!role) {
      conn.on('open', () => conn.close());
      return;
    }
    if (meta.type === 'duty') {
      if (this.options.onDutyLink) this.options.onDutyLink(conn, meta);
      else conn.on('open', () => conn.close());
      return;
    }
    if (meta.type === 'resume') {
      // The caller re-establishes a call whose path was lost: same call, same incident.
      const session = this.sessions.find((x) => x.callId === meta.callId && x.remoteId === conn.peer && isActive(x.state));
      if (session) session.attach(conn);
      else conn.on('open', () => conn.close());
      return;
    }
    if (meta.type === 'transfer') {
      this.incomingTransfer(conn, meta);
      return;
    }
    if (meta.type === 'report') {
      if (this.options.onReport) this.options.onReport(conn, meta.report);
      else conn.on('open', () => conn.close());
      return;
    }
    const session = new CallSession(meta.callId, 'in', { bitrate: this.options.bitrate, onChange: this.changed });
    session.sos = { ...meta, role };
    session.remoteName = meta.name;
    if (meta.position) session.positions.push({ position: meta.position, seq: -1, receivedAt: Date.now() });
    session.attach(conn);
    session.on('cancel', (m) => session.dispatch({ type: 'end', reason: ringEndReason(m.reason) }));
    session.dispatch({ type: 'incoming', target: meta.name });
    this.track(session);
    this.watchIncomingGathering(session, conn);
    // A caller whose connection never opens cannot be answered, nor tell us they gave up: the ring
    // ends as a failed call that keeps the caller's name, phone and position, and a Call back.
    setTimeout(() => {
      if (session.state.name === 'ringing' && !conn.open) session.fail('unreachable');
    }, UNOPENED_RING_MS);
  }

  /** Another console offers us one of its calls: it rings here like a call, with the incident so far. */
  private incomingTransfer(conn: DataConnection, meta: Transfer): void {
    const session = new CallSession(meta.callId, 'in', { bitrate: this.options.bitrate, onChange: this.changed });
    session.sos = { v: 1, type: 'sos', callId: meta.callId, role: 'citizen', ...meta.caller };
    session.remoteName = meta.caller.name;
    session.transfer = { from: meta.from, citizenId: meta.citizenId };
    if (meta.caller.position) session.positions.push({ position: meta.caller.position, seq: -1, receivedAt: Date.now() });
    session.attach(conn);
    session.on('incident', (m) => {
      if (m.callId !== session.callId) return;
      session.positions.splice(0, session.positions.length, ...m.positions);
      session.chat.splice(0, session.chat.length, ...m.chat.map((c) => ({ id: c.id, from: c.from === 'station' ? ('me' as const) : ('them' as const), text: c.text, sentAt: c.sentAt, acked: c.acked })));
      session.notes = m.notes;
    });
    session.dispatch({ type: 'incoming', target: meta.caller.name });
    this.track(session);
  }

  /**
   * Hands a call to another console of the station: it rings there with the
   * incident so far; once accepted, the caller connects to it and only then
   * leaves this console, so they hear no gap longer than the new connection needs.
   */
  transfer(session: CallSession, toConsole: string, fromName: string): void {
    const peer = this.link.peer;
    if (!peer || !session.remoteId || session.state.name !== 'connected') return;
    const conn = peer.connect(toConsole, {
      metadata: {
        v: 1,
        type: 'transfer',
        callId: session.callId,
        citizenId: session.remoteId,
        from: fromName,
        caller: { name: session.sos?.name ?? '', phone: session.sos?.phone ?? '', position: session.latestPosition()?.position ?? null, sentAt: session.sos?.sentAt ?? Date.now() },
      },
      serialization: 'json',
      reliable: true,
    });
    if (!conn) return;
    session.transferStatus = 'asking';
    this.options.onChange();
    let answered = false;
    const settle = (status: 'declined' | 'failed' | null) => {
      answered = true;
      session.transferStatus = status;
      this.options.onChange();
      setTimeout(() => conn.close(), 300);
    };
    conn.on('open', () => {
      void conn.send(
        message({
          type: 'incident',
          callId: session.callId,
          positions: session.positions.slice(-500).map((p) => ({ ...p, seq: Math.max(-1, p.seq) })),
          chat: session.chat.slice(-500).map((c) => ({ id: c.id, from: c.from === 'me' ? ('station' as const) : ('caller' as const), text: c.text, sentAt: c.sentAt, acked: c.acked })),
          notes: session.notes.slice(0, 4000),
        }),
      );
    });
    conn.on('data', (raw) => {
      const parsed = parseMessage(raw);
      if (!parsed.ok || answered) return;
      if (parsed.value.type === 'transfer-decline') settle('declined');
      if (parsed.value.type === 'transfer-accept' && session.state.name === 'connected') {
        session.transferredTo = toConsole;
        session.send({ type: 'transfer', callId: session.callId, to: toConsole, name: fromName });
        settle(null);
      }
    });
    conn.on('close', () => {
      if (!answered) settle('failed');
    });
    this.transferWatch.set(toConsole, () => {
      if (!answered) settle('failed');
    });
  }

  private readonly transferWatch = new Map<string, () => void>();

  /** The caller's side: the console hands us over; continue the same call with the new one. */
  private followTransfer(session: CallSession, to: string, name: string): void {
    const peer = this.link.peer;
    const stream = session.localStream;
    if (!peer || !stream || session.state.name !== 'connected') return;
    session.remoteId = to;
    session.remoteName = name;
    const conn = peer.connect(to, { metadata: { v: 1, type: 'resume', callId: session.callId }, serialization: 'json', reliable: true });
    conn?.on('open', () => {
      if (isActive(session.state)) session.attach(conn);
      else conn.close();
    });
    session.call(peer, stream, true);
    this.options.onChange();
  }

  /** Answers a ringing call: tells the caller, then takes the audio call they place. */
  async answer(session: CallSession, by: string): Promise<void> {
    if (session.state.name !== 'ringing' || session.direction !== 'in') return;
    session.dispatch({ type: 'accepted' });
    if (session.transfer) {
      // The handing-over console tells the caller to come here; the caller then calls us.
      const [stream] = await Promise.all([this.callStream(), this.link.ensureIce()]);
      session.localStream = stream;
      const consoleConn = session.detach();
      if (consoleConn?.open) void consoleConn.send(message({ type: 'transfer-accept', callId: session.callId }));
      setTimeout(() => consoleConn?.close(), 1000);
      session.remoteId = session.transfer.citizenId;
      setTimeout(() => {
        if (session.state.name === 'connecting' && !session.media) session.fail('transfer-missing');
      }, ACCEPT_TIMEOUT_MS);
      return;
    }
    setTimeout(() => {
      if (session.state.name === 'connecting' && !session.media) session.fail('unreachable');
    }, ACCEPT_TIMEOUT_MS);
    const ready = this.earlyMedia.get(session);
    // A path that failed while ringing is let go: the caller places a new call after our accept.
    if (ready?.media.peerConnection?.iceConnectionState === 'failed') this.dropEarlyMedia(session);
    else if (ready?.stream) {
      // Answered while ringing: its path is up or on the way; nothing to wait for.
      this.earlyMedia.delete(session);
      session.send({ type: 'accept', callId: session.callId, by });
      session.adopt(ready.media, ready.stream, false, this.takePlayout(ready.media));
      return;
    }
    const [stream] = await Promise.all([this.callStream(), this.link.ensureIce()]);
    session.localStream = stream;
    session.send({ type: 'accept', callId: session.callId, by });
    // Held unanswered (a pre-answer never completes once Answer was pressed): answer it now.
    const early = this.earlyMedia.get(session);
    if (early && isActive(session.state)) {
      this.earlyMedia.delete(session);
      session.answer(early.media, stream);
    }
  }

  decline(session: CallSession): void {
    if (session.state.name !== 'ringing' || session.direction !== 'in') return;
    if (session.transfer) session.send({ type: 'transfer-decline', callId: session.callId });
    else session.send({ type: 'decline', callId: session.callId, reason: 'declined' });
    session.dispatch({ type: 'end', reason: 'declined' });
  }

  /**
   * An audio call: only the caller's own, for a call that rings here (held until Answer) or was
   * just answered, or one that replaces a lost path, is answered.
   */
  incomingMedia(media: MediaConnection): void {
    const meta = media.metadata as { callId?: unknown; resume?: unknown } | undefined;
    const callId = meta?.callId;
    const session = this.sessions.find((s) => s.callId === callId && s.remoteId === media.peer && !s.placedMedia && isActive(s.state));
    if (!session || typeof callId !== 'string') {
      media.close();
      return;
    }
    if (meta?.resume === true && (session.state.name === 'reconnecting' || session.state.name === 'connected') && session.localStream) {
      session.answer(media, session.localStream);
      return;
    }
    const ringing = session.state.name === 'ringing' && session.direction === 'in' && !session.transfer;
    if (!ringing && session.state.name !== 'connecting') {
      media.close();
      return;
    }
    if (session.state.name === 'connecting' && session.localStream) {
      session.answer(media, session.localStream);
      return;
    }
    // One held call per ringing call: a repeated offer replaces the one before.
    if (this.earlyMedia.get(session)?.media !== media) this.dropEarlyMedia(session);
    const entry = { media, stream: null as MediaStream | null };
    this.earlyMedia.set(session, entry);
    // With the microphone already open (a started shift), answer now with it silenced: the path is
    // up before anyone presses Answer, and neither side hears anything until then. Never opened
    // here: a ring must not pop a permission prompt.
    if (!ringing || !this.mic) return;
    void Promise.all([this.callStream(), this.link.ensureIce()]).then(([stream]) => {
      if (this.earlyMedia.get(session) !== entry || session.state.name !== 'ringing') {
        for (const t of stream.getTracks()) t.stop();
        return;
      }
      for (const t of stream.getAudioTracks()) t.enabled = false;
      entry.stream = stream;
      media.answer(stream, { sdpTransform: mediaOptions(session.callId, this.options.bitrate).sdpTransform });
      this.warmPlayout(media);
    });
  }

  private dropEarlyMedia(session: CallSession): void {
    const entry = this.earlyMedia.get(session);
    if (!entry) return;
    this.earlyMedia.delete(session);
    this.closeEarly(entry.media);
    for (const t of entry.stream?.getTracks() ?? []) t.stop();
  }

  private readonly recoveries = new Map<CallSession, { lost: ReturnType<typeof setTimeout>; retry: ReturnType<typeof setTimeout> | null; tries: number }>();

  /**
   * The audio path dropped. The side that placed the audio call builds a new
   * path to the same party every few seconds (PeerJS has no ICE restart); the
   * old path may also come back by itself. After 30 s the call is lost.
   */
  private startRecovery(session: CallSession): void {
    if (this.recoveries.has(session)) return;
    const recovery = {
      lost: setTimeout(() => {
        if (session.state.name === 'reconnecting') {
          session.problem = 'lost';
          session.dispatch({ type: 'end', reason: 'lost' });
        }
      }, LOST_AFTER_MS),
      retry: null as ReturnType<typeof setTimeout> | null,
      tries: 0,
    };
    this.recoveries.set(session, recovery);
    const schedule = () => {
      recovery.retry = setTimeout(
        () => {
          if (session.state.name !== 'reconnecting') return;
          recovery.tries += 1;
          this.reestablish(session);
          schedule();
        },
        recovery.tries === 0 ? FIRST_RETRY_MS : RETRY_EVERY_MS,
      );
    };
    if (session.placedMedia) schedule();
  }

  private stopRecovery(session: CallSession): void {
    const recovery = this.recoveries.get(session);
    if (!recovery) return;
    clearTimeout(recovery.lost);
    if (recovery.retry) clearTimeout(recovery.retry);
    this.recoveries.delete(session);
  }

  private reestablish(session: CallSession): void {
    const peer = this.link.peer;
    const stream = session.localStream;
    if (!peer || peer.disconnected || !session.remoteId || !stream) return;
    void this.link.ensureIce().then(() => {
      if (session.state.name !== 'reconnecting' || !session.remoteId) return;
      const conn = peer.connect(session.remoteId, { metadata: { v: 1, type: 'resume', callId: session.callId }, serialization: 'json', reliable: true });
      conn?.on('open', () => {
        if (isActive(session.state)) session.attach(conn);
        else conn.close();
      });
      session.call(peer, stream, true);
    });
  }

  cancel(session: CallSession): void {
    session.hangUp(session.state.name === 'ringing' || session.state.name === 'finding' ? 'caller-cancelled' : 'hangup');
  }

  activeSessions(): CallSession[] {
    return this.sessions.filter((s) => isActive(s.state));
  }
}
