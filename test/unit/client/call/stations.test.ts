/**
 * Which stations a citizen's call rings, in order: the nearest staffed station
 * first, then the next nearest; stations with no console online are never rung.
 */
import { describe, expect, it } from 'vitest';
import { rankStations, ringGroups, staffed } from '../../../../src/client/call/stations.ts';
import type { Presence } from '../../../../src/shared/presence.ts';
import { CUBAO, MANILA, NOVALICHES, QC_CENTRAL, directory } from '../../fixtures/directory.ts';

/** A caller on EDSA near Cubao: Cubao < QC Central < Manila < Novaliches. */
const NEAR_CUBAO = { lat: 14.6205, lng: 121.0545 };
/** A caller in Novaliches: Novaliches < QC Central < Cubao < Manila. */
const IN_NOVALICHES = { lat: 14.7195, lng: 121.0375 };

const ALL_ONLINE: Presence = {
  stations: {
    'qc-central': ['st-qc-central-aaaa', 'st-qc-central-bbbb'],
    'qc-cubao': ['st-qc-cubao-cccc'],
    'qc-novaliches': ['st-qc-novaliches-dddd'],
    'manila-central': ['st-manila-central-eeee'],
  },
};

const ids = (ranked: { station: { id: string } }[]) => ranked.map((r) => r.station.id);

describe('rankStations', () => {
  it('puts the nearest station first, then by distance', () => {
    expect(ids(rankStations(directory(), ALL_ONLINE, NEAR_CUBAO))).toEqual(['qc-cubao', 'qc-central', 'manila-central', 'qc-novaliches']);
    expect(ids(rankStations(directory(), ALL_ONLINE, IN_NOVALICHES))).toEqual(['qc-novaliches', 'qc-central', 'qc-cubao', 'manila-central']);
  });

  it('gives the distance from the caller to each station, in metres', () => {
    const ranked = rankStations(directory(), ALL_ONLINE, NEAR_CUBAO);
    const cubao = ranked.find((r) => r.station.id === 'qc-cubao');
    const central = ranked.find((r) => r.station.id === 'qc-central');
    expect(cubao?.distance).toBeGreaterThan(50);
    expect(cubao?.distance).toBeLessThan(300);
    // QC Central is about 3.6 km north of Cubao.
    expect(central?.distance).toBeGreaterThan(3_000);
    expect(central?.distance).toBeLessThan(4_000);
  });

  it('lists every console online at a station', () => {
    const central = rankStations(directory(), ALL_ONLINE, NEAR_CUBAO).find((r) => r.station.id === 'qc-central');
    expect(central?.consoles).toEqual(['st-qc-central-aaaa', 'st-qc-central-bbbb']);
  });

  it('a station missing from presence has no consoles', () => {
    const ranked = rankStations(directory(), { stations: {} }, NEAR_CUBAO);
    for (const r of ranked) expect(r.consoles).toEqual([]);
  });

  it('with no position, the station the caller picked comes first and the rest keep the directory order', () => {
    const ranked = rankStations(directory(), ALL_ONLINE, null, 'qc-novaliches');
    expect(ids(ranked)).toEqual(['qc-novaliches', 'qc-central', 'qc-cubao', 'manila-central']);
    for (const r of ranked) expect(r.distance).toBeNull();
  });

  it('with no position and no pick, the directory order is kept', () => {
    expect(ids(rankStations(directory(), ALL_ONLINE, null))).toEqual(['qc-central', 'qc-cubao', 'qc-novaliches', 'manila-central']);
    expect(ids(rankStations(directory(), ALL_ONLINE, null, 'no-such-station'))).toEqual(['qc-central', 'qc-cubao', 'qc-novaliches', 'manila-central']);
  });

  it('when the position is known, it beats the station picked earlier', () => {
    expect(ids(rankStations(directory(), ALL_ONLINE, NEAR_CUBAO, 'qc-novaliches'))[0]).toBe('qc-cubao');
  });

  it('does not reorder the directory it was given', () => {
    const d = directory();
    rankStations(d, ALL_ONLINE, IN_NOVALICHES);
    expect(d.stations.map((s) => s.id)).toEqual(['qc-central', 'qc-cubao', 'qc-novaliches', 'manila-central']);
  });
});

describe('staffed', () => {
  it('keeps only stations with a console online, nearest first', () => {
    const presence: Presence = { stations: { 'qc-central': ['st-qc-central-aaaa'], 'qc-cubao': [], 'manila-central': ['st-manila-central-eeee'] } };
    expect(ids(staffed(rankStations(directory(), presence, NEAR_CUBAO)))).toEqual(['qc-central', 'manila-central']);
  });
});

describe('ringGroups', () => {
  it('rings the nearest staffed station first, every console of it at once, labelled with its name', () => {
    const groups = ringGroups(rankStations(directory(), ALL_ONLINE, IN_NOVALICHES));
    expect(groups[0]).toEqual({ label: NOVALICHES.name, peers: ['st-qc-novaliches-dddd'] });
    expect(groups[1]).toEqual({ label: QC_CENTRAL.name, peers: ['st-qc-central-aaaa', 'st-qc-central-bbbb'] });
    expect(groups.map((g) => g.label)).toEqual([NOVALICHES.name, QC_CENTRAL.name, CUBAO.name, MANILA.name]);
  });

  it('skips the nearest station when nobody is at its console', () => {
    const presence: Presence = { stations: { 'qc-cubao': [], 'qc-central': ['st-qc-central-aaaa'], 'qc-novaliches': ['st-qc-novaliches-dddd'] } };
    const groups = ringGroups(rankStations(directory(), presence, NEAR_CUBAO));
    expect(groups.map((g) => g.label)).toEqual([QC_CENTRAL.name, NOVALICHES.name]);
    expect(groups.flatMap((g) => g.peers)).not.toContain('st-qc-cubao-cccc');
  });

  it('with no position, rings the picked station first if it is staffed', () => {
    const groups = ringGroups(rankStations(directory(), ALL_ONLINE, null, 'manila-central'));
    expect(groups[0]?.label).toBe(MANILA.name);
  });

  it('with no position and the picked station unstaffed, rings the first staffed one', () => {
    const presence: Presence = { stations: { 'qc-cubao': ['st-qc-cubao-cccc'], 'qc-novaliches': ['st-qc-novaliches-dddd'] } };
    const groups = ringGroups(rankStations(directory(), presence, null, 'manila-central'));
    expect(groups.map((g) => g.label)).toEqual([CUBAO.name, NOVALICHES.name]);
  });

  it('has nothing to ring when no station is staffed (the caller gets the hotlines)', () => {
    expect(ringGroups(rankStations(directory(), { stations: {} }, NEAR_CUBAO))).toEqual([]);
  });
});
