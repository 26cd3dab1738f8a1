/** A CallSession attached to a fake open data connection: what it sends, and a way to deliver to it. */
import type { DataConnection } from 'peerjs';
import { CallSession } from '../../../../src/client/call/session.ts';

export function sessionOnFakeConn(direction: 'in' | 'out', peer: string) {
  const handlers = new Map<string, (arg?: unknown) => void>();
  const sent: unknown[] = [];
  const conn = {
    peer,
    open: true,
    on: (event: string, handler: (arg?: unknown) => void) => handlers.set(event, handler),
    send: (m: unknown) => sent.push(m),
    close: () => {},
  } as unknown as DataConnection;
  const session = new CallSession('call1', direction, { bitrate: 32_000, onChange: () => {} });
  session.attach(conn);
  return { session, sent, receive: (m: unknown) => handlers.get('data')?.(m) };
}
