/**
 * Messages on PeerJS data connections: one versioned discriminated union,
 * validated on receipt. Nothing unvalidated reaches app state.
 */
import * as v from 'valibot';

export const PROTOCOL_VERSION = 1;

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[A-Za-z0-9_-]+$/));
const Time = v.pipe(v.number(), v.finite(), v.minValue(0));

export const PositionSchema = v.strictObject({
  lat: v.pipe(v.number(), v.finite(), v.minValue(-90), v.maxValue(90)),
  lng: v.pipe(v.number(), v.finite(), v.minValue(-180), v.maxValue(180)),
  /** Metres. */
  accuracy: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1e7)),
  /** Degrees from north, when moving. */
  heading: v.nullable(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(360))),
  /** Metres per second. */
  speed: v.nullable(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1000))),
  /** When the fix was taken (ms since epoch). */
  fixTime: Time,
});
export type Position = v.InferOutput<typeof PositionSchema>;

const base = { v: v.literal(PROTOCOL_VERSION) };

export const OFFICER_STATUSES = ['available', 'responding', 'on-scene', 'off-duty'] as const;
export type OfficerStatus = (typeof OFFICER_STATUSES)[number];

export const END_REASONS = ['hangup', 'declined', 'answered-elsewhere', 'no-answer', 'caller-cancelled', 'failed', 'lost', 'busy', 'transferred'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Carried in the data connection request (PeerJS metadata), so a console rings before the connection opens. */
export const SosSchema = v.strictObject({
  ...base,
  type: v.literal('sos'),
  callId: Id,
  role: v.picklist(['citizen', 'officer', 'station']),
  name: Text(80),
  phone: Text(32),
  position: v.nullable(PositionSchema),
  sentAt: Time,
});
export type Sos = v.InferOutput<typeof SosSchema>;

/** Metadata of a non-ringing link: an officer on duty keeps one open to each console of its station. */
export const DutyLinkSchema = v.strictObject({
  ...base,
  type: v.literal('duty'),
  name: Text(80),
});
export type DutyLink = v.InferOutput<typeof DutyLinkSchema>;

/** An SOS written while no station could be reached, delivered later. */
export const ReportSchema = v.strictObject({
  id: Id,
  name: Text(80),
  phone: Text(32),
  position: v.nullable(PositionSchema),
  note: Text(1000),
  createdAt: Time,
});
export type Report = v.InferOutput<typeof ReportSchema>;

/** Metadata of a connection that delivers one offline report; the console answers with report-ack. */
export const ReportDeliverySchema = v.strictObject({
  ...base,
  type: v.literal('report'),
  report: ReportSchema,
});

/** Metadata of a connection that replaces the lost data path of a call in progress. */
export const ResumeSchema = v.strictObject({
  ...base,
  type: v.literal('resume'),
  callId: Id,
});

const ConsoleId = v.pipe(v.string(), v.regex(/^st-[a-z0-9]+(?:-[a-z0-9]+)*-[a-z0-9]{4,16}$/, 'must be a station console id'));
const CitizenId = v.pipe(v.string(), v.regex(/^c-[0-9a-f]{32}$/, 'must be a citizen id'));

/** A console offers one of its calls to another console of the same station. */
export const TransferSchema = v.strictObject({
  ...base,
  type: v.literal('transfer'),
  callId: Id,
  citizenId: CitizenId,
  from: Text(80),
  caller: v.strictObject({ name: Text(80), phone: Text(32), position: v.nullable(PositionSchema), sentAt: Time }),
});
export type Transfer = v.InferOutput<typeof TransferSchema>;

export const ConnectMetaSchema = v.variant('type', [SosSchema, DutyLinkSchema, ReportDeliverySchema, ResumeSchema, TransferSchema]);
export type ConnectMeta = v.InferOutput<typeof ConnectMetaSchema>;

export const MessageSchema = v.variant('type', [
  v.strictObject({ ...base, type: v.literal('accept'), callId: Id, by: Text(80) }),
  v.strictObject({ ...base, type: v.literal('decline'), callId: Id, reason: v.picklist(END_REASONS) }),
  v.strictObject({ ...base, type: v.literal('cancel'), callId: Id, reason: v.picklist(END_REASONS) }),
  v.strictObject({ ...base, type: v.literal('position'), seq: v.pipe(v.number(), v.integer(), v.minValue(0)), position: PositionSchema }),
  v.strictObject({ ...base, type: v.literal('chat'), id: Id, text: v.pipe(v.string(), v.minLength(1), v.maxLength(1000)), sentAt: Time }),
  v.strictObject({ ...base, type: v.literal('ack'), id: Id }),
  v.strictObject({ ...base, type: v.literal('report-ack'), id: Id }),
  /** Console → console: the call so far, sent with a transfer. */
  v.strictObject({
    ...base,
    type: v.literal('incident'),
    callId: Id,
    positions: v.pipe(v.array(v.strictObject({ position: PositionSchema, seq: v.pipe(v.number(), v.integer(), v.minValue(-1)), receivedAt: Time })), v.maxLength(500)),
    chat: v.pipe(v.array(v.strictObject({ id: Id, from: v.picklist(['caller', 'station']), text: v.pipe(v.string(), v.maxLength(1000)), sentAt: Time, acked: v.boolean() })), v.maxLength(500)),
    notes: Text(4000),
  }),
  v.strictObject({ ...base, type: v.literal('transfer-accept'), callId: Id }),
  v.strictObject({ ...base, type: v.literal('transfer-decline'), callId: Id }),
  /** Console → caller: continue this call with another console of the station. */
  v.strictObject({ ...base, type: v.literal('transfer'), callId: Id, to: ConsoleId, name: Text(80) }),
  v.strictObject({ ...base, type: v.literal('hold'), on: v.boolean() }),
  /**
   * Console → caller: this console starts (or stops) recording the call; the caller is shown a notice.
   * With an id, the caller answers `ack` of that id once the notice is on screen, and only then does recording start.
   */
  v.strictObject({ ...base, type: v.literal('recording'), on: v.boolean(), id: v.optional(Id) }),
  v.strictObject({ ...base, type: v.literal('bye'), reason: v.picklist(END_REASONS) }),
  v.strictObject({
    ...base,
    type: v.literal('assign'),
    id: Id,
    incident: v.strictObject({
      callerName: Text(80),
      position: v.nullable(PositionSchema),
      address: Text(240),
      note: Text(1000),
    }),
    sentAt: Time,
  }),
  v.strictObject({ ...base, type: v.literal('assign-ack'), id: Id, at: Time }),
  v.strictObject({
    ...base,
    type: v.literal('officer-status'),
    status: v.picklist(OFFICER_STATUSES),
    name: Text(80),
    position: v.nullable(PositionSchema),
    changedAt: Time,
  }),
]);
export type Message = v.InferOutput<typeof MessageSchema>;
export type Assignment = Extract<Message, { type: 'assign' }>;

/** A message as sent: the version is filled in by `message()`. */
export type Outgoing = Message extends infer M ? (M extends { v: number } ? Omit<M, 'v'> : never) : never;

export function message<T extends Outgoing>(body: T): T & { v: typeof PROTOCOL_VERSION } {
  return { v: PROTOCOL_VERSION, ...body };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parse<S extends v.GenericSchema>(schema: S, data: unknown): Parsed<v.InferOutput<S>> {
  const result = v.safeParse(schema, data);
  if (result.success) return { ok: true, value: result.output };
  const first = result.issues[0];
  return { ok: false, error: first ? `${first.path?.map((p) => String(p.key)).join('.') ?? ''} ${first.message}`.trim() : 'invalid' };
}

/** Validates an incoming data message; anything invalid is rejected with a short reason. */
export function parseMessage(data: unknown): Parsed<Message> {
  return parse(MessageSchema, data);
}

/** Validates what a connection request carries: an SOS (ring) or a duty link. */
export function parseConnectMeta(data: unknown): Parsed<ConnectMeta> {
  return parse(ConnectMetaSchema, data);
}
