/** Marker labels stay readable: inside the map and never on top of each other. */
import { describe, expect, it } from 'vitest';
import { LABEL_LINE, placeLabels } from '../../../../src/client/map/labels.ts';

describe('placeLabels', () => {
  it('puts a label right of its marker when there is room', () => {
    expect(placeLabels([{ x: 100, y: 100, text: 'Maria Santos' }], 640)).toEqual([{ x: 113, y: 105, anchor: 'start' }]);
  });

  it('puts it left of the marker, ending there, near the right edge', () => {
    const [place] = placeLabels([{ x: 600, y: 100, text: 'Maria Santos' }], 640);
    expect(place).toEqual({ x: 587, y: 105, anchor: 'end' });
  });

  it('puts it under the marker, inside the view, when neither side has room', () => {
    const [place] = placeLabels([{ x: 200, y: 100, text: 'Quezon City Central Fire Station (demo)' }], 380);
    expect(place?.anchor).toBe('start');
    expect(place?.x).toBeGreaterThanOrEqual(4);
    expect(place?.y).toBeGreaterThan(100 + LABEL_LINE);
  });

  it('moves a label down while it would overlap an earlier one (a caller at the station)', () => {
    const places = placeLabels(
      [
        { x: 300, y: 200, text: 'Station' },
        { x: 302, y: 201, text: 'Maria Santos' },
        { x: 300, y: 199, text: 'FO1 Cruz' },
      ],
      640,
    );
    const ys = places.map((p) => p.y).sort((a, b) => a - b);
    expect(ys[1]! - ys[0]!).toBeGreaterThanOrEqual(LABEL_LINE);
    expect(ys[2]! - ys[1]!).toBeGreaterThanOrEqual(LABEL_LINE);
  });

  it('leaves labels far apart where they are', () => {
    const places = placeLabels(
      [
        { x: 100, y: 100, text: 'A' },
        { x: 100, y: 300, text: 'B' },
      ],
      640,
    );
    expect(places.map((p) => p.y)).toEqual([105, 305]);
  });
});
