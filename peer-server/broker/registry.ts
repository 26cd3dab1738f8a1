/**
 * The peers this broker holds, by id. An interface so a shared registry
 * (several broker nodes) can replace the local one without touching the guard.
 */
import type { WebSocket } from 'ws';
import type { Identity } from './identity.ts';

export interface Session {
  identity: Identity;
  socket: WebSocket;
  ip: string;
  connectedAt: number;
}

export interface Registry {
  get(id: string): Session | undefined;
  /** Records the session as the holder of its id, replacing any earlier holder. */
  set(session: Session): void;
  /** Forgets the session if it still holds its id. */
  delete(session: Session): void;
  size(): number;
  sessions(): IterableIterator<Session>;
}

export class LocalRegistry implements Registry {
  private readonly byId = new Map<string, Session>();

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  set(session: Session): void {
    this.byId.set(session.identity.id, session);
  }

  delete(session: Session): void {
    if (this.byId.get(session.identity.id) === session) this.byId.delete(session.identity.id);
  }

  size(): number {
    return this.byId.size;
  }

  sessions(): IterableIterator<Session> {
    return this.byId.values();
  }
}
