/**
 * Who this device is to the broker. A citizen is a random device secret and
 * the id derived from it; staff are the token from their sign-in link plus a
 * device tag that tells their devices apart.
 */
import { citizenIdFromDigest, officerId, stationConsoleId, DEVICE_TAG } from '../../shared/ids.ts';
import { deleteSetting, getSetting, isString, setSetting } from '../store/db.ts';

export interface Credentials {
  id: string;
  token: string;
}

/** Why a staff sign-in link cannot be used (the screen puts it in words). */
export type SignInProblem = 'no-link' | 'damaged' | 'for-station' | 'for-officer' | 'expired';

export interface StaffClaims {
  role: 'station' | 'officer';
  sub: string;
  station: string;
  name: string;
  /** Seconds since epoch. */
  exp: number;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function randomToken(bytes = 16): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function citizenCredentials(): Promise<Credentials> {
  let secret = await getSetting('citizen-secret', isString).catch(() => undefined);
  if (!secret) {
    secret = randomToken(16);
    // A phone whose storage fails can still call: this session then has an id of its own.
    await setSetting('citizen-secret', secret).catch(() => undefined);
  }
  return { id: citizenIdFromDigest(await sha256Hex(secret)), token: secret };
}

/** Reads a token's claims without verifying it: the broker verifies. */
export function readClaims(token: string): StaffClaims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    // The payload is UTF-8 JSON: names like "Las Piñas" must survive.
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof json !== 'object' || json === null) return null;
    const { role, sub, station, name, exp } = json as Record<string, unknown>;
    if ((role !== 'station' && role !== 'officer') || typeof sub !== 'string' || typeof station !== 'string' || typeof name !== 'string' || typeof exp !== 'number') {
      return null;
    }
    return { role, sub, station, name, exp };
  } catch {
    return null;
  }
}

export interface StaffSignIn {
  credentials: Credentials;
  claims: StaffClaims;
  /**
   * Set when the token came from a sign-in link and is not the one kept on
   * the device: it is kept (see keepStaffToken) only once the broker accepts
   * it, so a forged, outdated or someone else's link cannot lock out the
   * sign-in that works. `previous` is whom the kept token signs in, if any.
   */
  pending: { previous: StaffClaims | null } | null;
}

/**
 * Takes a token from the sign-in link's fragment (and removes it from the
 * address bar), or the one kept on the device.
 */
export async function staffCredentials(role: 'station' | 'officer'): Promise<StaffSignIn | { error: SignInProblem }> {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromLink) history.replaceState(null, '', location.pathname + location.search);
  const stored = await getSetting(`staff-token:${role}`, isString);
  const token = fromLink ?? stored;
  if (!token) return { error: 'no-link' };
  const claims = readClaims(token);
  if (!claims) return { error: 'damaged' };
  if (claims.role !== role) return { error: claims.role === 'station' ? 'for-station' : 'for-officer' };
  if (claims.exp * 1000 < Date.now()) return { error: 'expired' };
  let tag = await getSetting(`device-tag:${role}`, isString);
  if (!tag || !DEVICE_TAG.test(tag)) {
    tag = Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 8);
    await setSetting(`device-tag:${role}`, tag);
  }
  const id = role === 'station' ? stationConsoleId(claims.station, tag) : officerId(claims.sub, tag);
  const pending = token === stored ? null : { previous: stored ? readClaims(stored) : null };
  return { credentials: { id, token }, claims, pending };
}

/** The broker accepted a sign-in link's token: from now on it is the one kept on the device. */
export async function keepStaffToken(role: 'station' | 'officer', token: string): Promise<void> {
  await setSetting(`staff-token:${role}`, token);
}

/** Whether two sign-ins are the same person at the same station (their records can stay). */
export function samePerson(a: StaffClaims, b: StaffClaims): boolean {
  return a.role === b.role && a.sub === b.sub && a.station === b.station;
}

export async function forgetStaff(role: 'station' | 'officer'): Promise<void> {
  await deleteSetting(`staff-token:${role}`);
  await deleteSetting(`device-tag:${role}`);
}
