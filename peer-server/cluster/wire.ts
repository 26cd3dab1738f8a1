/**
 * Messages between broker nodes, one Redis channel per node. Every message
 * carries the format version; a node drops versions it does not speak (during
 * a rolling upgrade the sender then sees its peer as unreachable).
 *
 * A relayed frame is a header line and the frame exactly as the destination's
 * socket receives it, so the receiving node parses nothing but the header:
 *   1 relay <from node> <hops> <src> <dst> <type>\n{"type":…,"src":…,"dst":…,"payload":…}
 * (ids cannot hold spaces: the guard relays only to valid ids). The rare
 * control messages are JSON with a `v` field.
 */
export const WIRE_VERSION = 1;

const RELAY_PREFIX = `${WIRE_VERSION} relay `;

/** A client frame on its way to the node holding its destination. */
export interface RelayMessage {
  k: 'relay';
  /** The node the sender is on, which is told when the frame cannot be delivered. */
  from: string;
  /** Times the frame was forwarded after a stale route. */
  hops: number;
  src: string;
  dst: string;
  type: string;
  /** What the destination's socket receives: the shape stock PeerServer sends. */
  frame: string;
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

/** The frame a PeerJS client receives for a relayed message. */
export function peerFrame(type: string, src: string, dst: string, payload: unknown): string {
  return JSON.stringify({ type, src, dst, payload });
}

export function encodeRelay(m: Omit<RelayMessage, 'k'>): string {
  return `${RELAY_PREFIX}${m.from} ${m.hops} ${m.src} ${m.dst} ${m.type}\n${m.frame}`;
}

export function encode(message: ExpireMessage | KickMessage | RouteMessage): string {
  return JSON.stringify(message);
}

export function decode(text: string): NodeMessage | null {
  if (text.startsWith(RELAY_PREFIX)) {
    const newline = text.indexOf('\n');
    const [from, hops, src, dst, type] = text.slice(RELAY_PREFIX.length, newline).split(' ');
    if (newline < 0 || !from || !hops || !src || !dst || !type) return null;
    return { k: 'relay', from, hops: Number(hops), src, dst, type, frame: text.slice(newline + 1) };
  }
  if (!text.startsWith('{')) return null;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const m = message as { v?: unknown; k?: unknown };
  if (m.v !== WIRE_VERSION || typeof m.k !== 'string' || m.k === 'relay') return null;
  return message as NodeMessage;
}
