/**
 * Who may signal whom. Citizens reach station consoles only; staff reach anyone.
 */
import type { Role } from '../../src/shared/ids.ts';
import type { Identity } from './identity.ts';

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: Decision = { allowed: true };

/** `dstRole` is the role the destination id claims (roleOfId), null for an id that is no peer id. */
export function mayRelay(src: Identity, dstRole: Role | null): Decision {
  if (dstRole === null) return { allowed: false, reason: 'invalid-destination' };
  if (src.role !== 'citizen') return ALLOWED;
  if (dstRole === 'station') return ALLOWED;
  return { allowed: false, reason: dstRole === 'citizen' ? 'citizen-to-citizen' : 'citizen-to-officer' };
}
