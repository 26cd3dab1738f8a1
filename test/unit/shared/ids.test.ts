/**
 * Peer ids: what the broker and the app read out of an id, and which ids are
 * refused before PeerJS or the broker ever sees them.
 */
import { describe, expect, it } from 'vitest';
import {
  DEVICE_SECRET,
  DEVICE_TAG,
  SLUG_MAX,
  citizenIdFromDigest,
  isSlug,
  officerId,
  parsePeerId,
  roleOfId,
  stationConsoleId,
} from '../../../src/shared/ids.ts';

const DIGEST = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('citizen ids', () => {
  it('are "c-" and the first 32 hex digits of the device secret digest', () => {
    const id = citizenIdFromDigest(DIGEST);
    expect(id).toBe('c-9f86d081884c7d659a2feaa0c55ad015');
    expect(id).toMatch(/^c-[0-9a-f]{32}$/);
    expect(parsePeerId(id)).toEqual({ role: 'citizen', hash: '9f86d081884c7d659a2feaa0c55ad015' });
    expect(roleOfId(id)).toBe('citizen');
  });

  it('are lowercase even from an uppercase digest', () => {
    expect(citizenIdFromDigest(DIGEST.toUpperCase())).toBe('c-9f86d081884c7d659a2feaa0c55ad015');
  });

  it('the same secret always gives the same id, different secrets different ids', () => {
    expect(citizenIdFromDigest(DIGEST)).toBe(citizenIdFromDigest(DIGEST));
    expect(citizenIdFromDigest('0'.repeat(64))).not.toBe(citizenIdFromDigest(DIGEST));
  });

  it('a citizen id of the wrong length, in uppercase or not hex is refused', () => {
    for (const id of [
      'c-9f86d081884c7d659a2feaa0c55ad01',
      'c-9f86d081884c7d659a2feaa0c55ad0150',
      'c-9F86D081884C7D659A2FEAA0C55AD015',
      'c-9f86d081884c7d659a2feaa0c55ad01g',
      'C-9f86d081884c7d659a2feaa0c55ad015',
      'c9f86d081884c7d659a2feaa0c55ad015',
    ]) {
      expect(parsePeerId(id), id).toBeNull();
    }
  });
});

describe('staff ids', () => {
  it('a station console id names the station and the device', () => {
    const id = stationConsoleId('qc-central', 'ab12cd34');
    expect(id).toBe('st-qc-central-ab12cd34');
    expect(parsePeerId(id)).toEqual({ role: 'station', station: 'qc-central', tag: 'ab12cd34' });
    expect(roleOfId(id)).toBe('station');
  });

  it('an officer id names the officer and the device', () => {
    const id = officerId('juan-dela-cruz', 'x9k2');
    expect(id).toBe('of-juan-dela-cruz-x9k2');
    expect(parsePeerId(id)).toEqual({ role: 'officer', sub: 'juan-dela-cruz', tag: 'x9k2' });
    expect(roleOfId(id)).toBe('officer');
  });

  it('a one-word station parses too', () => {
    expect(parsePeerId('st-marikina-0000')).toEqual({ role: 'station', station: 'marikina', tag: '0000' });
  });

  it('two consoles of one station differ only by their device tag', () => {
    const a = parsePeerId(stationConsoleId('qc-central', 'tab1'));
    const b = parsePeerId(stationConsoleId('qc-central', 'tab2'));
    expect(a).toMatchObject({ role: 'station', station: 'qc-central' });
    expect(b).toMatchObject({ role: 'station', station: 'qc-central' });
    expect(a).not.toEqual(b);
  });

  it.each([
    ['doubled dash in the station', 'st-qc--central-ab12'],
    ['doubled dash before the tag', 'st-qc-central--ab12'],
    ['leading dash in the slug', 'st--qc-central-ab12'],
    ['trailing dash', 'st-qc-central-ab12-'],
    ['underscore', 'st-qc_central-ab12'],
    ['uppercase', 'st-QC-central-ab12'],
    ['a tag of 3 characters', 'st-qc-central-ab1'],
    ['a tag of 17 characters', `st-qc-central-${'a'.repeat(17)}`],
    ['no tag', 'st-qc'],
    ['an unknown kind', 'xx-qc-central-ab12'],
    ['a space', 'st-qc central-ab12'],
    ['nothing', ''],
  ])('refuses an id with %s', (_why, id) => {
    expect(parsePeerId(id)).toBeNull();
    expect(roleOfId(id)).toBeNull();
  });

  it('refuses a station slug longer than 40 characters', () => {
    const long = 'a'.repeat(SLUG_MAX + 1);
    expect(parsePeerId(`st-${long}-ab12`)).toBeNull();
    expect(parsePeerId(`st-${'a'.repeat(SLUG_MAX)}-ab12`)).toEqual({ role: 'station', station: 'a'.repeat(SLUG_MAX), tag: 'ab12' });
  });

  it('refuses overlong ids', () => {
    const id = `of-${'ab-'.repeat(20)}x-${'a'.repeat(16)}`;
    expect(id.length).toBeGreaterThan(80);
    expect(parsePeerId(id)).toBeNull();
    expect(parsePeerId(`st-${'a-'.repeat(50_000)}a-ab12`)).toBeNull();
  });
});

describe('slugs, device tags and device secrets', () => {
  it('slugs are lowercase words joined by single dashes, at most 40 characters', () => {
    for (const ok of ['qc-central', 'a', 'station-12', 'a'.repeat(40)]) expect(isSlug(ok), ok).toBe(true);
    for (const bad of ['', 'QC', 'qc--central', '-qc', 'qc-', 'qc_central', 'qc central', 'ñ', 'a'.repeat(41)]) expect(isSlug(bad), bad).toBe(false);
  });

  it('device tags are 4 to 16 lowercase letters or digits', () => {
    for (const ok of ['ab12', 'a'.repeat(16), '0000']) expect(DEVICE_TAG.test(ok), ok).toBe(true);
    for (const bad of ['abc', 'a'.repeat(17), 'AB12', 'ab-1']) expect(DEVICE_TAG.test(bad), bad).toBe(false);
  });

  it('device secrets carry at least 128 bits of base64url', () => {
    expect(DEVICE_SECRET.test('A'.repeat(22))).toBe(true);
    expect(DEVICE_SECRET.test('Zm9v-YmFy_MTIzNDU2Nzg5MA')).toBe(true);
    expect(DEVICE_SECRET.test('A'.repeat(21))).toBe(false);
    expect(DEVICE_SECRET.test('A'.repeat(129))).toBe(false);
    expect(DEVICE_SECRET.test(`${'A'.repeat(21)}=`)).toBe(false);
    expect(DEVICE_SECRET.test(`${'A'.repeat(21)}+`)).toBe(false);
  });
});
