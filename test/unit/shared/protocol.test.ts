/**
 * Validation of every data message between peers: a well-formed message of
 * each type passes, anything else is refused with a reason and never reaches
 * a screen.
 */
import { describe, expect, it } from 'vitest';
import {
  END_REASONS,
  OFFICER_STATUSES,
  PROTOCOL_VERSION,
  PositionSchema,
  message,
  parseConnectMeta,
  parseMessage,
  type Message,
  type Position,
} from '../../../src/shared/protocol.ts';
import * as v from 'valibot';

const POSITION: Position = { lat: 14.65151, lng: 121.04932, accuracy: 12, heading: 90, speed: 1.4, fixTime: 1_760_000_000_000 };

/** One valid message of every type. */
const VALID: Record<Message['type'], Message> = {
  accept: { v: 1, type: 'accept', callId: 'mg1x2a3b4c', by: 'Quezon City Central console' },
  decline: { v: 1, type: 'decline', callId: 'mg1x2a3b4c', reason: 'declined' },
  cancel: { v: 1, type: 'cancel', callId: 'mg1x2a3b4c', reason: 'answered-elsewhere' },
  position: { v: 1, type: 'position', seq: 7, position: POSITION },
  chat: { v: 1, type: 'chat', id: 'msg_01', text: 'The fire is on the second floor', sentAt: 1_760_000_001_000 },
  ack: { v: 1, type: 'ack', id: 'msg_01' },
  'report-ack': { v: 1, type: 'report-ack', id: 'rpt_mg1x2a3b' },
  hold: { v: 1, type: 'hold', on: true },
  recording: { v: 1, type: 'recording', on: true },
  bye: { v: 1, type: 'bye', reason: 'hangup' },
  'officer-status': { v: 1, type: 'officer-status', status: 'responding', name: 'FO1 Juan dela Cruz', position: POSITION, changedAt: 1_760_000_002_000 },
  assign: {
    v: 1,
    type: 'assign',
    id: 'asg_01',
    incident: { callerName: 'Maria Santos', position: POSITION, address: '12 Kalayaan Ave', note: 'Two people inside' },
    sentAt: 1_760_000_003_000,
  },
  'assign-ack': { v: 1, type: 'assign-ack', id: 'asg_01', at: 1_760_000_004_000 },
  incident: {
    v: 1,
    type: 'incident',
    callId: 'mg1x2a3b4c',
    positions: [{ position: POSITION, seq: 3, receivedAt: 1_760_000_001_500 }],
    chat: [{ id: 'msg_01', from: 'caller', text: 'Help', sentAt: 1_760_000_001_000, acked: true }],
    notes: 'Caller trapped',
  },
  'transfer-accept': { v: 1, type: 'transfer-accept', callId: 'mg1x2a3b4c' },
  'transfer-decline': { v: 1, type: 'transfer-decline', callId: 'mg1x2a3b4c' },
  transfer: { v: 1, type: 'transfer', callId: 'mg1x2a3b4c', to: 'st-qc-central-tab2', name: 'QC Central console 2' },
};

const SOS = {
  v: 1,
  type: 'sos',
  callId: 'mg1x2a3b4c',
  role: 'citizen',
  name: 'Maria Santos',
  phone: '+63 917 555 0142',
  position: POSITION,
  sentAt: 1_760_000_000_500,
};

function refused(data: unknown): string {
  const parsed = parseMessage(data);
  expect(parsed.ok, JSON.stringify(data)).toBe(false);
  return parsed.ok ? '' : parsed.error;
}

describe('parseMessage: valid messages', () => {
  it.each(Object.entries(VALID))('accepts a %s message and returns it unchanged', (_type, m) => {
    const parsed = parseMessage(structuredClone(m));
    expect(parsed).toEqual({ ok: true, value: m });
  });

  it('accepts a message as it arrives after a JSON round trip', () => {
    for (const m of Object.values(VALID)) expect(parseMessage(JSON.parse(JSON.stringify(m))).ok).toBe(true);
  });

  it('message() fills in the current version, so what we send is what the far side accepts', () => {
    const out = message({ type: 'chat', id: 'abc', text: 'Help', sentAt: 5 });
    expect(out.v).toBe(PROTOCOL_VERSION);
    expect(parseMessage(out)).toEqual({ ok: true, value: { v: 1, type: 'chat', id: 'abc', text: 'Help', sentAt: 5 } });
  });

  it('every end reason and officer status is understood', () => {
    for (const reason of END_REASONS) expect(parseMessage({ v: 1, type: 'bye', reason }).ok, reason).toBe(true);
    for (const status of OFFICER_STATUSES) expect(parseMessage({ ...VALID['officer-status'], status }).ok, status).toBe(true);
  });

  it('a position without heading or speed (standing still) is fine', () => {
    expect(parseMessage({ v: 1, type: 'position', seq: 0, position: { ...POSITION, heading: null, speed: null } }).ok).toBe(true);
  });

  it('an officer with no fix yet can report a status', () => {
    expect(parseMessage({ ...VALID['officer-status'], position: null }).ok).toBe(true);
  });

  it('positions at the poles and the date line are valid', () => {
    for (const [lat, lng] of [
      [90, 180],
      [-90, -180],
      [0, 0],
    ] as const) {
      expect(parseMessage({ v: 1, type: 'position', seq: 1, position: { ...POSITION, lat, lng } }).ok).toBe(true);
    }
  });
});

describe('parseMessage: refused messages', () => {
  it.each(Object.keys(VALID))('a %s message without a version is refused', (type) => {
    const { v: _v, ...noVersion } = VALID[type as Message['type']];
    refused(noVersion);
  });

  it.each(Object.keys(VALID))('a %s message of version 2 is refused', (type) => {
    refused({ ...VALID[type as Message['type']], v: 2 });
  });

  it('a version given as a string is refused', () => {
    refused({ ...VALID.hold, v: '1' });
  });

  it('an unknown message type is refused', () => {
    refused({ v: 1, type: 'transfer', to: 'st-qc-cubao-ab12' });
    refused(SOS);
    refused({ v: 1 });
  });

  it('things that are not objects are refused', () => {
    for (const data of [null, undefined, 42, 'bye', [], [VALID.bye], true]) refused(data);
  });

  it.each(Object.keys(VALID))('a %s message with an extra field is refused', (type) => {
    refused({ ...VALID[type as Message['type']], admin: true });
  });

  it('a position with an extra field is refused', () => {
    refused({ ...VALID.position, position: { ...POSITION, altitude: 12 } });
  });

  it.each([
    ['lat', Number.NaN],
    ['lat', Number.POSITIVE_INFINITY],
    ['lat', Number.NEGATIVE_INFINITY],
    ['lat', 90.0001],
    ['lat', -91],
    ['lng', Number.NaN],
    ['lng', Number.POSITIVE_INFINITY],
    ['lng', 180.5],
    ['lng', -181],
    ['lat', '14.6'],
    ['lng', null],
  ])('a position with %s = %s is refused', (field, value) => {
    const error = refused({ ...VALID.position, position: { ...POSITION, [field]: value } });
    expect(error).toContain(`position.${field}`);
  });

  it('a position with a negative or absurd accuracy, heading, speed or fix time is refused', () => {
    for (const bad of [
      { accuracy: -1 },
      { accuracy: Number.NaN },
      { accuracy: 1e8 },
      { heading: 361 },
      { heading: -1 },
      { speed: -0.5 },
      { speed: 5000 },
      { speed: Number.POSITIVE_INFINITY },
      { fixTime: -1 },
      { fixTime: Number.NaN },
    ]) {
      refused({ ...VALID.position, position: { ...POSITION, ...bad } });
    }
  });

  it('a position update with a negative or fractional sequence number is refused', () => {
    refused({ ...VALID.position, seq: -1 });
    refused({ ...VALID.position, seq: 1.5 });
    refused({ ...VALID.position, seq: Number.NaN });
  });

  it('an oversized chat message is refused; 1000 characters is the limit', () => {
    expect(parseMessage({ ...VALID.chat, text: 'x'.repeat(1000) }).ok).toBe(true);
    const error = refused({ ...VALID.chat, text: 'x'.repeat(1001) });
    expect(error).toMatch(/^text /);
    refused({ ...VALID.chat, text: 'x'.repeat(1_000_000) });
  });

  it('an empty chat message is refused', () => {
    refused({ ...VALID.chat, text: '' });
  });

  it('ids that could smuggle markup or are too long are refused', () => {
    refused({ ...VALID.ack, id: '<img src=x>' });
    refused({ ...VALID.ack, id: '' });
    refused({ ...VALID.ack, id: 'a'.repeat(65) });
    refused({ ...VALID.accept, callId: 'call 1' });
  });

  it('an unknown end reason or officer status is refused', () => {
    refused({ ...VALID.bye, reason: 'exploded' });
    refused({ ...VALID.decline, reason: 'nope' });
    refused({ ...VALID['officer-status'], status: 'asleep' });
  });

  it('an over-long name in an accept or a status is refused', () => {
    refused({ ...VALID.accept, by: 'x'.repeat(81) });
    refused({ ...VALID['officer-status'], name: 'x'.repeat(81) });
  });

  it('a recording notice carries an id only of the usual shape (the caller acknowledges it)', () => {
    expect(parseMessage({ ...VALID.recording, id: 'notice_01' }).ok).toBe(true);
    refused({ ...VALID.recording, id: '<img src=x>' });
    refused({ ...VALID.recording, id: 7 });
  });

  it('hold must say on or off', () => {
    refused({ v: 1, type: 'hold', on: 'yes' });
    // A caller is only ever sent on to another station console, never to a citizen or an officer.
    refused({ ...VALID.transfer, to: 'c-0123456789abcdef0123456789abcdef' });
    refused({ ...VALID.transfer, to: 'of-reyes-tab1' });
    refused({ ...VALID.incident, chat: [{ id: 'x', from: 'someone', text: 'hi', sentAt: 1, acked: true }] });
    refused({ v: 1, type: 'hold' });
  });

  it('the reason names the field at fault', () => {
    expect(refused({ ...VALID.chat, sentAt: -1 })).toMatch(/^sentAt /);
    expect(refused({ ...VALID.position, position: { ...POSITION, lat: 100 } })).toMatch(/^position\.lat /);
  });
});

describe('parseConnectMeta: what a ringing connection carries', () => {
  it('accepts an SOS with name, phone and position', () => {
    expect(parseConnectMeta(structuredClone(SOS))).toEqual({ ok: true, value: SOS });
  });

  it('accepts an SOS with no position (location denied) and no name or phone given', () => {
    const anonymous = { ...SOS, name: '', phone: '', position: null };
    expect(parseConnectMeta(anonymous)).toEqual({ ok: true, value: anonymous });
  });

  it('accepts an SOS from an officer or a station', () => {
    expect(parseConnectMeta({ ...SOS, role: 'officer' }).ok).toBe(true);
    expect(parseConnectMeta({ ...SOS, role: 'station' }).ok).toBe(true);
  });

  it('refuses an SOS claiming an unknown role', () => {
    expect(parseConnectMeta({ ...SOS, role: 'admin' }).ok).toBe(false);
  });

  it('refuses an SOS without a call id, with a bad position, or with extra fields', () => {
    const { callId: _c, ...noCallId } = SOS;
    expect(parseConnectMeta(noCallId).ok).toBe(false);
    expect(parseConnectMeta({ ...SOS, position: { ...POSITION, lat: Number.NaN } }).ok).toBe(false);
    expect(parseConnectMeta({ ...SOS, position: { ...POSITION, lng: 200 } }).ok).toBe(false);
    expect(parseConnectMeta({ ...SOS, note: 'extra' }).ok).toBe(false);
  });

  it('refuses an SOS whose name or phone is too long', () => {
    expect(parseConnectMeta({ ...SOS, name: 'x'.repeat(81) }).ok).toBe(false);
    expect(parseConnectMeta({ ...SOS, phone: '9'.repeat(33) }).ok).toBe(false);
    expect(parseConnectMeta({ ...SOS, phone: '9'.repeat(32) }).ok).toBe(true);
  });

  it('refuses an SOS of another version', () => {
    const { v: _v, ...noVersion } = SOS;
    expect(parseConnectMeta(noVersion).ok).toBe(false);
    expect(parseConnectMeta({ ...SOS, v: 2 }).ok).toBe(false);
  });

  it('accepts the duty link an officer keeps open to the console', () => {
    const duty = { v: 1, type: 'duty', name: 'FO1 Juan dela Cruz' };
    expect(parseConnectMeta(duty)).toEqual({ ok: true, value: duty });
  });

  it('refuses a duty link with extra fields, another version or a too-long name', () => {
    expect(parseConnectMeta({ v: 1, type: 'duty', name: 'FO1', station: 'qc-central' }).ok).toBe(false);
    expect(parseConnectMeta({ v: 2, type: 'duty', name: 'FO1' }).ok).toBe(false);
    expect(parseConnectMeta({ v: 1, type: 'duty', name: 'x'.repeat(81) }).ok).toBe(false);
  });

  it('refuses a data message or nothing at all as connection metadata', () => {
    expect(parseConnectMeta(VALID.accept).ok).toBe(false);
    expect(parseConnectMeta(undefined).ok).toBe(false);
    expect(parseConnectMeta({}).ok).toBe(false);
  });
});

describe('parseConnectMeta: an SOS report delivered later', () => {
  const REPORT = {
    v: 1,
    type: 'report',
    report: {
      id: 'rpt_mg1x2a3b',
      name: 'Maria Santos',
      phone: '+63 917 555 0142',
      position: POSITION,
      note: 'Smoke from the house next door, nobody answering',
      createdAt: 1_760_000_000_000,
    },
  };

  it('accepts a report with its note, position and time', () => {
    expect(parseConnectMeta(structuredClone(REPORT))).toEqual({ ok: true, value: REPORT });
  });

  it('accepts a report written with location unavailable', () => {
    expect(parseConnectMeta({ ...REPORT, report: { ...REPORT.report, position: null } }).ok).toBe(true);
  });

  it('refuses a report with a bad position, an oversized note, extra fields or no id', () => {
    expect(parseConnectMeta({ ...REPORT, report: { ...REPORT.report, position: { ...POSITION, lat: Number.NaN } } }).ok).toBe(false);
    expect(parseConnectMeta({ ...REPORT, report: { ...REPORT.report, note: 'x'.repeat(1001) } }).ok).toBe(false);
    expect(parseConnectMeta({ ...REPORT, report: { ...REPORT.report, deliveredTo: 'st-qc-central-aaaa' } }).ok).toBe(false);
    expect(parseConnectMeta({ ...REPORT, extra: 1 }).ok).toBe(false);
    const { id: _id, ...noId } = REPORT.report;
    expect(parseConnectMeta({ ...REPORT, report: noId }).ok).toBe(false);
  });

  it('refuses a report of another version', () => {
    expect(parseConnectMeta({ ...REPORT, v: 2 }).ok).toBe(false);
  });
});

describe('PositionSchema', () => {
  it('is the one shape for positions in messages and SOS', () => {
    expect(v.safeParse(PositionSchema, POSITION).success).toBe(true);
    expect(v.safeParse(PositionSchema, { ...POSITION, fixTime: undefined }).success).toBe(false);
  });
});
