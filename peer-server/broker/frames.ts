/**
 * The frames a PeerJS client sends to the broker, checked before the stock
 * PeerServer sees them. Anything else is malformed.
 */
export type RelayType = 'OFFER' | 'ANSWER' | 'CANDIDATE' | 'LEAVE';

/** A frame for another peer, checked: the guard relays it as PeerServer would, without parsing it again. */
export interface RelayFrame {
  type: RelayType;
  dst: string;
  connectionId: string | null;
  payload: Record<string, unknown> | undefined;
}

export type ClientFrame = { type: 'HEARTBEAT' } | { type: 'LEAVE'; dst: undefined } | RelayFrame;

export type FrameCheck = { ok: true; frame: ClientFrame } | { ok: false; reason: string };

const RELAY_TYPES = new Set<string>(['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE']);
/** The heartbeat exactly as PeerJS sends it, every few seconds from every peer. */
const HEARTBEAT = Buffer.from(JSON.stringify({ type: 'HEARTBEAT' }));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for PeerJS's own heartbeat bytes: nothing in it needs a check, so it needs no parse. */
export function isPlainHeartbeat(data: Buffer | ArrayBuffer | Buffer[]): boolean {
  return Buffer.isBuffer(data) && data.length === HEARTBEAT.length && data.equals(HEARTBEAT);
}

export function checkFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): FrameCheck {
  if (isBinary) return { ok: false, reason: 'binary frames are not accepted' };
  let message: unknown;
  try {
    message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  if (!isRecord(message) || typeof message.type !== 'string') return { ok: false, reason: 'frame has no type' };
  const { type, dst, payload } = message;
  if (type === 'HEARTBEAT') return { ok: true, frame: { type } };
  if (!RELAY_TYPES.has(type)) return { ok: false, reason: `frame type ${type.slice(0, 20)} is not accepted` };
  if (type === 'LEAVE' && dst === undefined) return { ok: true, frame: { type: 'LEAVE', dst: undefined } };
  if (typeof dst !== 'string' || dst.length === 0 || dst.length > 80) return { ok: false, reason: 'frame has no valid destination' };
  if (payload !== undefined && !isRecord(payload)) return { ok: false, reason: 'frame payload is not an object' };
  const connectionId = payload && typeof payload.connectionId === 'string' ? payload.connectionId.slice(0, 64) : null;
  return { ok: true, frame: { type: type as RelayType, dst, connectionId, payload } };
}
