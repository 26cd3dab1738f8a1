/**
 * Peers held by other broker nodes. Single-process mode has none; cluster mode
 * (peer-server/cluster/) plugs in here so the guard keeps its checks in one place.
 */
import type { RawData } from 'ws';
import type { RelayType } from './frames.ts';
import type { Session } from './registry.ts';

export interface RemoteFrame {
  type: RelayType;
  dst: string;
  /** The frame's payload as the guard parsed it (parsed again from the raw frame when absent). */
  payload?: unknown;
}

/**
 * How a relayed frame ended: at a peer, waiting for it, or refused because the
 * absent peer's queue is full or the peer cannot be reached (Redis is away).
 * A refused sender has been told with EXPIRE.
 */
export type RemoteOutcome = 'delivered' | 'queued' | 'queue-full' | 'unreachable';

export interface RemotePeers {
  /** Takes the id for this session everywhere; a reason to refuse when someone else holds it. */
  claim(session: Session): Promise<string | null>;
  /** The session is registered and has its OPEN: hand it what waited for it elsewhere. */
  arrived(session: Session): void;
  /** The session's socket closed. */
  release(session: Session): void;
  /** Relays a checked frame to a peer that is not on this node; `raw` is the frame as the client sent it. */
  relay(session: Session, frame: RemoteFrame, raw: RawData): Promise<RemoteOutcome>;
}
