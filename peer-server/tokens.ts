/** Staff tokens: HS256 JWTs signed with the data folder's secret. */
import { SignJWT, jwtVerify, errors } from 'jose';
import { isSlug } from '../src/shared/ids.ts';

export type StaffRole = 'station' | 'officer';

export interface StaffClaims {
  role: StaffRole;
  /** The station id for a console token, the officer id for an officer token. */
  sub: string;
  station: string;
  name: string;
}

export interface MintOptions extends StaffClaims {
  days: number;
}

export async function mintToken(secret: Uint8Array, opts: MintOptions): Promise<string> {
  if (!isSlug(opts.sub)) throw new Error(`"${opts.sub}" is not a valid id: use lowercase letters and digits joined by single dashes`);
  if (!isSlug(opts.station)) throw new Error(`"${opts.station}" is not a valid station id`);
  if (opts.role === 'station' && opts.sub !== opts.station) throw new Error('a station token is for its own station');
  const name = opts.name.trim();
  if (!name || name.length > 80) throw new Error('a name of 1 to 80 characters is needed');
  return new SignJWT({ role: opts.role, station: opts.station, name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(opts.sub)
    .setIssuedAt()
    .setExpirationTime(`${opts.days}d`)
    .sign(secret);
}

export type VerifyResult = { ok: true; claims: StaffClaims & { exp: number } } | { ok: false; reason: string };

export async function verifyToken(secret: Uint8Array, token: string): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    const { role, station, name, sub, exp } = payload;
    if (role !== 'station' && role !== 'officer') return { ok: false, reason: 'The sign-in token has no valid role.' };
    if (typeof station !== 'string' || !isSlug(station) || typeof sub !== 'string' || !isSlug(sub) || typeof name !== 'string' || typeof exp !== 'number') {
      return { ok: false, reason: 'The sign-in token is missing its station, name or subject.' };
    }
    return { ok: true, claims: { role, station, name, sub, exp } };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'Your sign-in link has expired. Ask the station administrator for a new one.' };
    return { ok: false, reason: 'Your sign-in link is not valid for this server. Ask the station administrator for a new one.' };
  }
}
