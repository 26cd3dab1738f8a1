/**
 * Who may open which kind of connection to us. The broker lets a citizen
 * reach any station console and staff reach anyone, and a connection's
 * metadata is whatever the far side wrote: so the kind is checked against the
 * id the broker authenticated, never against what the metadata claims.
 */
import { parsePeerId, type Role } from '../../shared/ids.ts';
import type { ConnectMeta } from '../../shared/protocol.ts';

/** The caller's role as its id proves it, or null when this connection must be refused. */
export function senderRole(meta: ConnectMeta, from: string, self: string): Role | null {
  const sender = parsePeerId(from);
  const me = parsePeerId(self);
  if (!sender || !me) return null;
  switch (meta.type) {
    case 'sos':
    case 'resume':
      return sender.role;
    case 'duty':
      // An officer's duty link goes to the consoles of its station; which station is checked by the console.
      return sender.role === 'officer' && me.role === 'station' ? sender.role : null;
    case 'transfer':
      return sender.role === 'station' && me.role === 'station' && sender.station === me.station ? sender.role : null;
    case 'report':
      return sender.role === 'citizen' && me.role === 'station' ? sender.role : null;
  }
}
