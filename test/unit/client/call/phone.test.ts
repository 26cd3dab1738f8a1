/**
 * Ringing every console of a station at once, as the consoles experience it:
 * when one answers, the others stop ringing, also a console whose connection
 * was still opening at that moment (it hears nothing of a close, only a cancel).
 *
 * PeerJS is faked: data connections are event emitters that open when the test
 * says so, and record what was sent on them.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DataConnection, MediaConnection } from 'peerjs';
import { Phone, type PhoneOptions } from '../../../../src/client/call/phone.ts';
import type { PeerLink } from '../../../../src/client/peer/link.ts';
import type { Sos } from '../../../../src/shared/protocol.ts';

vi.mock('../../../../src/client/store/history.ts', () => ({ saveCall: async () => {} }));

/** The connection's RTCPeerConnection, as far as the dialer watches it: ICE gathering and its errors. */
class FakePc extends EventTarget {
  iceGatheringState: RTCIceGatheringState = 'new';
  constructor(private readonly policy: RTCIceTransportPolicy) {
    super();
  }
  getConfiguration(): RTCConfiguration {
    return { iceTransportPolicy: this.policy };
  }
  /** The relay answers our allocation with `code` (401: wrong credentials). */
  relayError(code: number): void {
    this.dispatchEvent(Object.assign(new Event('icecandidateerror'), { errorCode: code }));
  }
  gathered(candidates: number): void {
    for (let i = 0; i < candidates; i++) this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: { candidate: `candidate:${i}` } }));
    this.iceGatheringState = 'complete';
    this.dispatchEvent(new Event('icegatheringstatechange'));
  }
}

class FakeConn extends EventEmitter {
  open = false;
  peerConnection: FakePc = new FakePc('all');
  closed = false;
  readonly sent: unknown[] = [];
  constructor(
    readonly peer: string,
    readonly metadata: unknown = undefined,
  ) {
    super();
  }
  send(data: unknown): void {
    if (!this.open) throw new Error('not open');
    this.sent.push(data);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.emit('close');
  }
  /** The connection opens (ICE connected, data channel up). */
  opened(): void {
    this.open = true;
    this.emit('open');
  }
  /** A message from the far side. */
  receive(m: unknown): void {
    this.emit('data', m);
  }
}

/** An audio call as far as the phone handles it: placed, answered, closed. */
class FakeMedia extends EventEmitter {
  closed = false;
  answered = false;
  remoteStream: MediaStream | undefined = undefined;
  readonly peerConnection = Object.assign(new EventTarget(), { iceConnectionState: 'new', signalingState: 'have-local-offer', getSenders: () => [], getStats: async () => new Map() });
  constructor(
    readonly peer: string,
    readonly metadata: unknown,
    /** What this side sends: the caller's stream when placed here, the answerer's once answered. */
    public stream: FakeStream | null = null,
  ) {
    super();
  }
  answer(stream: FakeStream): void {
    this.answered = true;
    this.stream = stream;
  }
  /** Its ICE connects (both sides of the audio path are up). */
  connected(): void {
    this.peerConnection.iceConnectionState = 'connected';
    this.peerConnection.dispatchEvent(new Event('iceconnectionstatechange'));
  }
  close(): void {
    this.closed = true;
  }
}

const SOS: Omit<Sos, 'v' | 'type' | 'callId'> = { role: 'citizen', name: 'Carlo Reyes', phone: '', position: null, sentAt: 1 };
const CONSOLES = ['st-qc-central-aaaa', 'st-qc-central-bbbb'];

const CITIZEN = 'c-0123456789abcdef0123456789abcdef';
const THIS_CONSOLE = 'st-qc-central-cccc';

function setup(policy: RTCIceTransportPolicy = 'all', self = CITIZEN, extra: Partial<PhoneOptions> = {}) {
  const conns = new Map<string, FakeConn>();
  const calls: FakeMedia[] = [];
  const peer = {
    disconnected: false,
    connect: (id: string) => {
      const conn = new FakeConn(id);
      conn.peerConnection = new FakePc(policy);
      conns.set(id, conn);
      return conn;
    },
    call: (id: string, stream: FakeStream, options: { metadata: unknown }) => {
      const media = new FakeMedia(id, options.metadata, stream);
      calls.push(media);
      return media as unknown as MediaConnection;
    },
  };
  const link = { peer, ensureIce: async () => [], credentials: { id: self } } as unknown as PeerLink;
  const options: PhoneOptions = { bitrate: 32_000, scope: 'citizen', ringTimeoutMs: 20_000, onChange: () => {}, ...extra };
  return { phone: new Phone(link, options), conns, calls };
}

const console_ = () => setup('all', THIS_CONSOLE);

interface FakeStream {
  getAudioTracks(): { enabled: boolean; stop(): void }[];
}

/** Whether the microphone clone a call sends is let through (true) or silenced (false). */
const voice = (stream: FakeStream | null) => stream?.getAudioTracks().map((t) => t.enabled);

beforeEach(() => {
  vi.useFakeTimers();
  // Each call gets its own clone of the microphone, as in the browser.
  const makeStream = (): FakeStream & { clone(): unknown; getTracks(): unknown[] } => {
    const track = { stop: () => {}, enabled: true };
    return { clone: makeStream, getTracks: () => [track], getAudioTracks: () => [track] };
  };
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: async () => makeStream() } });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Rings both consoles; the first one's connection opens and it answers. */
async function answeredByFirst() {
  const { phone, conns, calls } = setup();
  const session = phone.dial([{ label: 'Quezon City Central', peers: CONSOLES }], SOS);
  await vi.advanceTimersByTimeAsync(0);
  const first = conns.get(CONSOLES[0]!)!;
  const second = conns.get(CONSOLES[1]!)!;
  first.opened();
  first.receive({ v: 1, type: 'accept', callId: session.callId, by: 'Dispatcher' });
  await vi.advanceTimersByTimeAsync(0);
  return { session, first, second, calls };
}

describe('ringing a station with two consoles', () => {
  it('tells a console whose connection opens after the other answered to stop ringing, then lets it go', async () => {
    const { session, second } = await answeredByFirst();
    expect(session.state.name).toBe('connecting');
    // Closing it now would leave that console ringing: it would never hear of it.
    await vi.advanceTimersByTimeAsync(1000);
    expect(second.closed).toBe(false);

    second.opened();
    expect(second.sent).toEqual([{ v: 1, type: 'cancel', callId: session.callId, reason: 'answered-elsewhere' }]);
    await vi.advanceTimersByTimeAsync(200);
    expect(second.closed).toBe(true);
  });

  it('tells an open console at once and closes it shortly after', async () => {
    const { phone, conns } = setup();
    const session = phone.dial([{ label: 'Quezon City Central', peers: CONSOLES }], SOS);
    await vi.advanceTimersByTimeAsync(0);
    for (const conn of conns.values()) conn.opened();
    conns.get(CONSOLES[1]!)!.receive({ v: 1, type: 'accept', callId: session.callId, by: 'Dispatcher' });
    const other = conns.get(CONSOLES[0]!)!;
    expect(other.sent).toEqual([{ v: 1, type: 'cancel', callId: session.callId, reason: 'answered-elsewhere' }]);
    await vi.advanceTimersByTimeAsync(200);
    expect(other.closed).toBe(true);
  });

  it('gives up on a console whose connection never opens', async () => {
    const { second } = await answeredByFirst();
    await vi.advanceTimersByTimeAsync(9_000);
    expect(second.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(second.closed).toBe(true);
    expect(second.sent).toEqual([]);
  });

  it('on the caller hanging up while a console is still connecting, that console is told too', async () => {
    const { phone, conns } = setup();
    const session = phone.dial([{ label: 'Quezon City Central', peers: CONSOLES }], SOS);
    await vi.advanceTimersByTimeAsync(0);
    phone.cancel(session);
    const late = conns.get(CONSOLES[0]!)!;
    late.opened();
    expect(late.sent).toEqual([{ v: 1, type: 'cancel', callId: session.callId, reason: 'caller-cancelled' }]);
  });
});

describe('the audio call, placed while the consoles ring', () => {
  it('goes to every ringing console; the one that answers keeps it, the others’ close, and no new call is placed', async () => {
    const { phone, conns, calls } = setup();
    const session = phone.dial([{ label: 'Quezon City Central', peers: CONSOLES }], SOS);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => [c.peer, c.metadata])).toEqual(CONSOLES.map((id) => [id, { callId: session.callId, resume: false }]));
    // Nothing the caller says reaches a console before it answers.
    expect(calls.map((c) => voice(c.stream))).toEqual([[false], [false]]);
    // The console answered it while ringing; its path is up.
    calls[1]!.peerConnection.signalingState = 'stable';
    calls[1]!.connected();
    for (const conn of conns.values()) conn.opened();
    conns.get(CONSOLES[1]!)!.receive({ v: 1, type: 'accept', callId: session.callId, by: 'Dispatcher' });
    await vi.advanceTimersByTimeAsync(0);
    expect(session.media).toBe(calls[1]);
    expect(calls.map((c) => c.closed)).toEqual([true, false]);
    expect(session.state.name).toBe('connected');
    expect(voice(calls[1]!.stream)).toEqual([true]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(2);
  });

  it('is placed again after the accept of a console that never answers the first one (an older build)', async () => {
    const { session, calls } = await answeredByFirst();
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1499);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.peer)).toEqual([...CONSOLES, CONSOLES[0]]);
    // Both attempts stay until one of them connects.
    expect(calls[0]!.closed).toBe(false);
    expect(session.media).toBe(calls[2]);
  });

  it('to a station nobody answers is closed when the next station rings, and the next gets its own', async () => {
    const { phone, calls } = setup();
    phone.dial([{ label: 'Quezon City Central', peers: CONSOLES }, { label: 'Cubao', peers: ['st-qc-cubao-aaaa'] }], SOS);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls.map((c) => [c.peer, c.closed])).toEqual([
      [CONSOLES[0], true],
      [CONSOLES[1], true],
      ['st-qc-cubao-aaaa', false],
    ]);
  });

  it('to a console that declines is closed at once', async () => {
    const { phone, conns, calls } = setup();
    const session = phone.dial([{ label: 'Quezon City Central', peers: CONSOLES }], SOS);
    await vi.advanceTimersByTimeAsync(0);
    conns.get(CONSOLES[0]!)!.opened();
    conns.get(CONSOLES[0]!)!.receive({ v: 1, type: 'decline', callId: session.callId, reason: 'declined' });
    expect(calls.map((c) => c.closed)).toEqual([true, false]);
  });
});

describe('a relay that refuses the caller', () => {
  const STATIONS = [
    { label: 'Quezon City Central', peers: CONSOLES },
    { label: 'Cubao', peers: ['st-qc-cubao-aaaa'] },
  ];

  /** Rings the nearest station; the relay refuses both of its consoles' connections. */
  async function refusedAtNearest(policy: RTCIceTransportPolicy) {
    const { phone, conns } = setup(policy);
    const session = phone.dial(STATIONS, SOS);
    await vi.advanceTimersByTimeAsync(0);
    for (const id of CONSOLES) {
      conns.get(id)!.peerConnection.relayError(401);
      conns.get(id)!.peerConnection.gathered(0);
    }
    return { session, conns };
  }

  it('with relay-only ICE, fails the call at once with the reason instead of ringing out every station', async () => {
    const { session, conns } = await refusedAtNearest('relay');
    expect(session.state).toMatchObject({ name: 'ringing', target: 'Cubao' });
    conns.get('st-qc-cubao-aaaa')!.peerConnection.relayError(401);
    conns.get('st-qc-cubao-aaaa')!.peerConnection.gathered(0);
    expect(session.state).toMatchObject({ name: 'ended', reason: 'failed' });
    expect(session.problem).toBe('turn-refused-call');
  });

  it('without relay-only ICE, keeps ringing: the far side’s candidates may still connect', async () => {
    const { session } = await refusedAtNearest('all');
    expect(session.state).toMatchObject({ name: 'ringing', target: 'Quezon City Central' });
  });

  it('keeps ringing a console whose connection gathered candidates', async () => {
    const { phone, conns } = setup('relay');
    const session = phone.dial(STATIONS, SOS);
    await vi.advanceTimersByTimeAsync(0);
    for (const id of CONSOLES) conns.get(id)!.peerConnection.gathered(2);
    expect(session.state).toMatchObject({ name: 'ringing', target: 'Quezon City Central' });
  });
});

describe('a console that was rung', () => {
  function ring(phone: Phone) {
    const conn = new FakeConn(CITIZEN, { v: 1, type: 'sos', callId: 'call1', ...SOS });
    phone.incoming(conn as unknown as DataConnection);
    conn.opened();
    const session = phone.sessions.find((s) => s.callId === 'call1')!;
    return { conn, session };
  }

  it('shows a call a colleague answered as answered on another console, not as cancelled', () => {
    const { phone } = console_();
    const { conn, session } = ring(phone);
    expect(session.state).toMatchObject({ name: 'ringing', direction: 'in', target: 'Carlo Reyes' });
    conn.receive({ v: 1, type: 'cancel', callId: 'call1', reason: 'answered-elsewhere' });
    expect(session.state).toMatchObject({ name: 'ended', reason: 'answered-elsewhere' });
  });

  it('stops ringing for a caller whose connection never opens, keeping them for a call back', async () => {
    const { phone } = console_();
    const conn = new FakeConn(CITIZEN, { v: 1, type: 'sos', callId: 'call2', ...SOS, phone: '+63 917 555 0101' });
    phone.incoming(conn as unknown as DataConnection);
    const session = phone.sessions.find((s) => s.callId === 'call2')!;
    await vi.advanceTimersByTimeAsync(19_000);
    expect(session.state.name).toBe('ringing');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(session.state).toMatchObject({ name: 'ended', reason: 'failed' });
    expect(session.problem).toBe('unreachable');
    expect(session.sos?.phone).toBe('+63 917 555 0101');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(phone.sessions).toContain(session);
  });

  it('fails a ring at once, saying why, when this console’s own relay refuses it (relay-only)', () => {
    const { phone } = console_();
    const conn = new FakeConn(CITIZEN, { v: 1, type: 'sos', callId: 'call3', ...SOS });
    conn.peerConnection = new FakePc('relay');
    phone.incoming(conn as unknown as DataConnection);
    const session = phone.sessions.find((s) => s.callId === 'call3')!;
    expect(session.state.name).toBe('ringing');
    conn.peerConnection.relayError(401);
    conn.peerConnection.gathered(0);
    expect(session.state).toMatchObject({ name: 'ended', reason: 'failed' });
    expect(session.problem).toBe('turn-refused-call');
  });

  it('keeps ringing when its relay gave candidates', () => {
    const { phone } = console_();
    const conn = new FakeConn(CITIZEN, { v: 1, type: 'sos', callId: 'call4', ...SOS });
    conn.peerConnection = new FakePc('relay');
    phone.incoming(conn as unknown as DataConnection);
    conn.peerConnection.gathered(2);
    expect(phone.sessions.find((s) => s.callId === 'call4')?.state.name).toBe('ringing');
  });

  it('keeps ringing for a caller whose connection opened', async () => {
    const { phone } = console_();
    const { session } = ring(phone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(session.state.name).toBe('ringing');
  });

  /** A ringing call whose caller has placed its audio call; this console's microphone open or not. */
  async function ringWithAudio(micOpen: boolean) {
    const { phone } = console_();
    if (micOpen) await phone.openMicrophone();
    const { conn, session } = ring(phone);
    const media = new FakeMedia(CITIZEN, { callId: 'call1', resume: false });
    phone.incomingMedia(media as unknown as MediaConnection);
    await vi.advanceTimersByTimeAsync(0);
    return { phone, conn, session, media };
  }

  it('with its microphone open, answers the caller’s audio call at once, silenced, and lets the voices through on Answer', async () => {
    const { phone, conn, session, media } = await ringWithAudio(true);
    expect(media.answered).toBe(true);
    expect(voice(media.stream)).toEqual([false]);
    expect(session.state.name).toBe('ringing');
    media.connected();
    expect(session.state.name).toBe('ringing');
    await phone.answer(session, 'Dispatcher');
    expect(conn.sent).toEqual([{ v: 1, type: 'accept', callId: 'call1', by: 'Dispatcher' }]);
    expect(session.media).toBe(media);
    expect(session.state.name).toBe('connected');
    expect(voice(media.stream)).toEqual([true]);
  });

  it('with its microphone open, lets a caller’s audio call that failed while ringing go, for the new one', async () => {
    const { phone, session, media: failed } = await ringWithAudio(true);
    failed.peerConnection.iceConnectionState = 'failed';
    await phone.answer(session, 'Dispatcher');
    expect(failed.closed).toBe(true);
    const fresh = new FakeMedia(CITIZEN, { callId: 'call1', resume: false });
    phone.incomingMedia(fresh as unknown as MediaConnection);
    expect(fresh.answered).toBe(true);
    expect(session.media).toBe(fresh);
  });

  it('without an open microphone, holds the caller’s audio call while it rings and answers it on Answer', async () => {
    const { phone, conn, session, media } = await ringWithAudio(false);
    expect(media.answered).toBe(false);
    expect(media.closed).toBe(false);
    await phone.answer(session, 'Dispatcher');
    expect(media.answered).toBe(true);
    expect(session.media).toBe(media);
    expect(conn.sent).toEqual([{ v: 1, type: 'accept', callId: 'call1', by: 'Dispatcher' }]);
  });

  it('lets the held audio call go when the ring ends unanswered', async () => {
    const { conn, media } = await ringWithAudio(true);
    const tracks = media.stream!.getAudioTracks();
    const stopped = vi.spyOn(tracks[0]!, 'stop');
    conn.receive({ v: 1, type: 'cancel', callId: 'call1', reason: 'answered-elsewhere' });
    expect(media.closed).toBe(true);
    expect(stopped).toHaveBeenCalled();
  });

  it('refuses an audio call for the ringing call from anyone but its caller', () => {
    const { phone } = console_();
    ring(phone);
    const media = new FakeMedia('c-ffffffffffffffffffffffffffffffff', { callId: 'call1', resume: false });
    phone.incomingMedia(media as unknown as MediaConnection);
    expect(media.closed).toBe(true);
  });

  it('shows a caller who hung up while ringing as cancelled, whatever reason they claim', () => {
    const { phone } = console_();
    const { conn, session } = ring(phone);
    conn.receive({ v: 1, type: 'cancel', callId: 'call1', reason: 'transferred' });
    expect(session.state).toMatchObject({ name: 'ended', reason: 'caller-cancelled' });
  });
});

describe('a console opened to by someone the kind of connection does not fit', () => {
  function arrive(phone: Phone, from: string, metadata: unknown) {
    const conn = new FakeConn(from, metadata);
    phone.incoming(conn as unknown as DataConnection);
    conn.opened();
    return conn;
  }

  it('takes the caller’s role from its id, not from what its SOS claims', () => {
    const { phone } = console_();
    arrive(phone, CITIZEN, { v: 1, type: 'sos', callId: 'fake-officer', ...SOS, role: 'officer' });
    expect(phone.sessions.find((s) => s.callId === 'fake-officer')?.sos?.role).toBe('citizen');
  });

  it('refuses a duty link from a citizen: nobody appears among the officers', () => {
    const dutyLinks: string[] = [];
    const { phone } = setup('all', THIS_CONSOLE, { onDutyLink: (conn) => void dutyLinks.push(conn.peer) });
    const conn = arrive(phone, CITIZEN, { v: 1, type: 'duty', name: 'Officer Impostor' });
    expect(conn.closed).toBe(true);
    expect(dutyLinks).toEqual([]);
    arrive(phone, 'of-jdelacruz-abcd', { v: 1, type: 'duty', name: 'Juan Dela Cruz' });
    expect(dutyLinks).toEqual(['of-jdelacruz-abcd']);
  });

  it('refuses a transfer that does not come from a console of its own station', () => {
    const { phone } = console_();
    const transfer = { v: 1, type: 'transfer', callId: 'tr1', citizenId: CITIZEN, from: 'Console aaaa', caller: { name: 'Carlo Reyes', phone: '', position: null, sentAt: 1 } };
    expect(arrive(phone, CITIZEN, transfer).closed).toBe(true);
    expect(arrive(phone, 'st-cubao-aaaa', transfer).closed).toBe(true);
    expect(phone.sessions).toEqual([]);
    expect(arrive(phone, 'st-qc-central-aaaa', transfer).closed).toBe(false);
    expect(phone.sessions.map((s) => s.callId)).toEqual(['tr1']);
  });
});
