/**
 * Messages between broker nodes, one Redis channel per node. Every message
 * carries the format version `v`; a node drops versions it does not speak
 * (during a rolling upgrade the sender then sees its peer as unreachable).
 */
export const WIRE_VERSION = 1;

/** A client frame relayed to the node holding its destination. `m` is the frame exactly as the client sent it. */
export interface RelayMessage {
  v: number;
  k: 'relay';
  /** The node the sender is on, which is told when the frame cannot be delivered. */
  from: string;
  src: string;
  /** Times the frame was forwarded after a stale route. */
  hops: number;
  m: { type: string; dst: string; payload?: unknown };
}

/** Tell a peer on the receiving node that `dst` cannot be reached (an EXPIRE). */
export interface ExpireMessage {
  v: number;
  k: 'expire';
  src: string;
  dst: string;
}

/** The owner of `id` connected elsewhere: close the socket that holds connection `conn`. */
export interface KickMessage {
  v: number;
  k: 'kick';
  id: string;
  conn: string;
}

/** `id` is on node `node` now (answers a frame that followed a stale route). */
export interface RouteMessage {
  v: number;
  k: 'route';
  id: string;
  node: string | null;
}

export type NodeMessage = RelayMessage | ExpireMessage | KickMessage | RouteMessage;

/** Wraps a client frame without parsing it again: the guard has checked it already. */
export function relayText(from: string, src: string, raw: string, hops = 0): string {
  return `{"v":${WIRE_VERSION},"k":"relay","from":${JSON.stringify(from)},"src":${JSON.stringify(src)},"hops":${hops},"m":${raw}}`;
}

export function encode(message: ExpireMessage | KickMessage | RouteMessage): string {
  return JSON.stringify(message);
}

export function decode(text: string): NodeMessage | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const m = message as { v?: unknown; k?: unknown };
  if (m.v !== WIRE_VERSION || typeof m.k !== 'string') return null;
  return message as NodeMessage;
}

/** What the destination's socket receives: the same shape stock PeerServer sends. */
export function peerFrame(message: RelayMessage): string {
  const { type, dst, payload } = message.m;
  return JSON.stringify({ type, src: message.src, dst, payload });
}
