/**
 * Peer id rules shared by the broker and the app.
 *
 * Ids use lowercase hex and single dashes only: PeerJS rejects ids with a
 * leading, trailing or doubled `-`/`_`.
 */

export type Role = 'citizen' | 'station' | 'officer';

export type ParsedId =
  | { role: 'citizen'; hash: string }
  | { role: 'station'; station: string; tag: string }
  | { role: 'officer'; sub: string; tag: string };

/** A station or officer slug: lowercase words joined by single dashes. */
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX = 40;
/** A device tag tells two devices (or tabs) of one staff member apart. */
export const DEVICE_TAG = /^[a-z0-9]{4,16}$/;
/** A citizen's device secret: at least 128 random bits, base64url. */
export const DEVICE_SECRET = /^[A-Za-z0-9_-]{22,128}$/;

const CITIZEN_ID = /^c-[0-9a-f]{32}$/;
const STAFF_ID = /^(st|of)-([a-z0-9]+(?:-[a-z0-9]+)*)-([a-z0-9]{4,16})$/;

export function isSlug(value: string): boolean {
  return value.length <= SLUG_MAX && SLUG.test(value);
}

/** Reads what an id claims to be. It proves nothing: the broker checks credentials. */
export function parsePeerId(id: string): ParsedId | null {
  if (id.length > 80) return null;
  if (CITIZEN_ID.test(id)) return { role: 'citizen', hash: id.slice(2) };
  const m = STAFF_ID.exec(id);
  if (!m) return null;
  const [, kind, slug, tag] = m as unknown as [string, string, string, string];
  if (slug.length > SLUG_MAX) return null;
  return kind === 'st' ? { role: 'station', station: slug, tag } : { role: 'officer', sub: slug, tag };
}

/** The citizen id for a SHA-256 digest (hex) of the device secret. */
export function citizenIdFromDigest(hexDigest: string): string {
  return `c-${hexDigest.slice(0, 32).toLowerCase()}`;
}

export function stationConsoleId(station: string, tag: string): string {
  return `st-${station}-${tag}`;
}

export function officerId(sub: string, tag: string): string {
  return `of-${sub}-${tag}`;
}

export function roleOfId(id: string): Role | null {
  return parsePeerId(id)?.role ?? null;
}
