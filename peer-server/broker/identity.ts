/**
 * Who a connecting peer is. The id alone claims a role; the token proves it:
 * a citizen's id is derived from their device secret, a staff id from the
 * claims of a signed token.
 */
import { createHash } from 'node:crypto';
import { DEVICE_SECRET, citizenIdFromDigest, parsePeerId } from '../../src/shared/ids.ts';
import { verifyToken } from '../tokens.ts';

export type Identity =
  | { role: 'citizen'; id: string; owner: string }
  | { role: 'station' | 'officer'; id: string; owner: string; station: string; sub: string; name: string };

export type IdentityResult = { ok: true; identity: Identity } | { ok: false; reason: string };

export function citizenIdForSecret(secret: string): string {
  return citizenIdFromDigest(createHash('sha256').update(secret).digest('hex'));
}

export async function identify(secret: Uint8Array, id: string, token: string): Promise<IdentityResult> {
  const parsed = parsePeerId(id);
  if (!parsed) return { ok: false, reason: 'This app id is not valid here. Reload the app to get a new one.' };
  if (parsed.role === 'citizen') {
    if (!DEVICE_SECRET.test(token) || citizenIdForSecret(token) !== id) {
      return { ok: false, reason: 'This device id does not match its secret. Reload the app to get a new one.' };
    }
    // The id is a digest of the secret, so whoever holds the secret owns the id: the id names its
    // owner (no staff owner looks like one), and the session needs no second string for it.
    return { ok: true, identity: { role: 'citizen', id, owner: id } };
  }
  const verified = await verifyToken(secret, token);
  if (!verified.ok) return verified;
  const { claims } = verified;
  if (claims.role !== parsed.role) {
    return { ok: false, reason: `This sign-in link is for the ${claims.role === 'station' ? 'station console' : 'officer screen'}, not this screen.` };
  }
  const matches = parsed.role === 'station' ? parsed.station === claims.station : parsed.sub === claims.sub;
  if (!matches) return { ok: false, reason: 'This sign-in link does not allow this id.' };
  return {
    ok: true,
    identity: {
      role: claims.role,
      id,
      owner: `${claims.role}:${claims.sub}@${claims.station}`,
      station: claims.station,
      sub: claims.sub,
      name: claims.name,
    },
  };
}
