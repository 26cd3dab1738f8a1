/**
 * The station directory check: a good directory passes as it is, a bad one is
 * refused with the path of each field at fault, so an administrator importing
 * a file knows what to fix.
 */
import { describe, expect, it } from 'vitest';
import { checkDirectory, formatPath, type DirectoryIssue } from '../../../src/shared/directory.ts';
import { DEMO_DIRECTORY } from '../../../peer-server/demo-directory.ts';
import { CUBAO, QC_CENTRAL, directory } from '../fixtures/directory.ts';

function issues(data: unknown): DirectoryIssue[] {
  const result = checkDirectory(data);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.issues;
}

function paths(data: unknown): string[] {
  return issues(data).map((i) => formatPath(i.path));
}

describe('checkDirectory: valid directories', () => {
  it('a valid directory passes unchanged', () => {
    const d = directory();
    expect(checkDirectory(structuredClone(d))).toEqual({ ok: true, directory: d });
  });

  it('the demo directory shipped with the broker passes', () => {
    const result = checkDirectory(structuredClone(DEMO_DIRECTORY));
    expect(result.ok).toBe(true);
  });

  it('demo flag and notice may be left out', () => {
    const { demo: _d, notice: _n, ...plain } = directory();
    expect(checkDirectory(plain).ok).toBe(true);
  });

  it('a directory with no hotlines is fine', () => {
    expect(checkDirectory({ ...directory(), hotlines: [] }).ok).toBe(true);
  });

  it('trims stray spaces around names and phone numbers', () => {
    const d = directory([{ ...QC_CENTRAL, name: '  Quezon City Central Fire Station ', phones: [' +63 2 8000 0001 '] }]);
    const result = checkDirectory(d);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.directory.stations[0]?.name).toBe('Quezon City Central Fire Station');
    expect(result.directory.stations[0]?.phones).toEqual(['+63 2 8000 0001']);
  });

  it('accepts the phone number styles people write', () => {
    for (const phone of ['911', '+63 2 8426 0219', '02 8426-0219', '+63 (2) 8426 0219', '160']) {
      expect(checkDirectory(directory([{ ...QC_CENTRAL, phones: [phone] }])).ok, phone).toBe(true);
    }
  });
});

describe('checkDirectory: bad directories name the field at fault', () => {
  it('a station latitude out of range points at that station', () => {
    const d = directory();
    (d.stations[2] as { lat: number }).lat = 95;
    const found = issues(d);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual(['stations', 2, 'lat']);
    expect(formatPath(found[0]?.path ?? [])).toBe('stations[2].lat');
  });

  it('a position given as text or NaN is refused', () => {
    expect(paths(directory([{ ...QC_CENTRAL, lng: '121.05' as unknown as number }]))).toEqual(['stations[0].lng']);
    expect(paths(directory([{ ...QC_CENTRAL, lat: Number.NaN }]))).toEqual(['stations[0].lat']);
    // Infinity is both not finite and out of range: either way, only that field is named.
    expect(new Set(paths(directory([{ ...QC_CENTRAL, lng: Number.POSITIVE_INFINITY }])))).toEqual(new Set(['stations[0].lng']));
  });

  it('a bad station id says how ids must look', () => {
    const found = issues(directory([QC_CENTRAL, { ...CUBAO, id: 'QC Cubao' }]));
    expect(found[0]?.path).toEqual(['stations', 1, 'id']);
    expect(found[0]?.message).toMatch(/lowercase letters and digits joined by single dashes/);
    expect(paths(directory([{ ...QC_CENTRAL, id: 'qc--central' }]))).toEqual(['stations[0].id']);
  });

  it('a bad phone number points at the number within the station', () => {
    const found = issues(directory([QC_CENTRAL, { ...CUBAO, phones: ['+63 2 8000 0002', 'call us'] }]));
    expect(found[0]?.path).toEqual(['stations', 1, 'phones', 1]);
    expect(found[0]?.message).toMatch(/phone number/);
  });

  it('a station without phone numbers is refused', () => {
    const found = issues(directory([{ ...QC_CENTRAL, phones: [] }]));
    expect(formatPath(found[0]?.path ?? [])).toBe('stations[0].phones');
    expect(found[0]?.message).toMatch(/at least one phone number/);
  });

  it('an empty station name is refused, also when it is only spaces', () => {
    expect(paths(directory([{ ...QC_CENTRAL, name: '' }]))).toEqual(['stations[0].name']);
    expect(paths(directory([{ ...QC_CENTRAL, name: '   ' }]))).toEqual(['stations[0].name']);
  });

  it('a bad hotline number points at the hotline', () => {
    const d = { ...directory(), hotlines: [{ name: 'BFP', number: '911' }, { name: 'BFP NCR', number: 'none' }] };
    expect(paths(d)).toEqual(['hotlines[1].number']);
  });

  it('a missing field is named', () => {
    const { address: _a, ...noAddress } = QC_CENTRAL;
    expect(paths({ ...directory(), stations: [noAddress] })).toEqual(['stations[0].address']);
    const { version: _v, ...noVersion } = directory();
    expect(paths(noVersion)).toEqual(['version']);
  });

  it('an unknown field is refused rather than silently dropped', () => {
    expect(paths(directory([{ ...QC_CENTRAL, fax: '123' } as typeof QC_CENTRAL]))).toEqual(['stations[0].fax']);
    expect(paths({ ...directory(), extra: true })).toEqual(['extra']);
  });

  it('reports every fault, not only the first', () => {
    const d = directory([{ ...QC_CENTRAL, lat: 200 }, { ...CUBAO, phones: ['x'] }]);
    expect(paths(d)).toEqual(['stations[0].lat', 'stations[1].phones[0]']);
  });

  it('a directory with no stations is refused', () => {
    const found = issues({ ...directory(), stations: [] });
    expect(formatPath(found[0]?.path ?? [])).toBe('stations');
    expect(found[0]?.message).toMatch(/at least one station/);
  });

  it('a version that is not a positive whole number is refused', () => {
    expect(paths({ ...directory(), version: 0 })).toEqual(['version']);
    expect(paths({ ...directory(), version: 1.5 })).toEqual(['version']);
  });

  it('duplicate station ids are refused', () => {
    const found = issues(directory([QC_CENTRAL, CUBAO, { ...CUBAO, name: 'Cubao Annex' }]));
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toBe('station ids must be unique');
    expect(formatPath(found[0]?.path ?? [])).toBe('(top level)');
  });

  it('data that is not a directory at all is refused at the top level', () => {
    for (const data of [null, undefined, 'directory', 42]) {
      const found = issues(data);
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]?.path).toEqual([]);
    }
  });
});

describe('formatPath', () => {
  it('reads like the place in the file', () => {
    expect(formatPath(['stations', 2, 'lat'])).toBe('stations[2].lat');
    expect(formatPath(['stations', 0, 'phones', 1])).toBe('stations[0].phones[1]');
    expect(formatPath(['version'])).toBe('version');
    expect(formatPath([])).toBe('(top level)');
  });
});
