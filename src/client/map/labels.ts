/**
 * Where marker labels go on the map: beside their marker, inside the view,
 * and not on top of each other.
 */

export interface LabelInput {
  /** The marker's position in view pixels. */
  x: number;
  y: number;
  text: string;
}

export interface LabelPlace {
  /** The text's anchor point (SVG `x`, `y`, `text-anchor`). */
  x: number;
  y: number;
  anchor: 'start' | 'end';
}

/** Gap between a marker's centre and its label. */
const GAP = 13;
/** Margin kept from the view's edges. */
const EDGE = 4;
export const LABEL_LINE = 16;
/** Average advance of a 14 px semi-bold character: labels are not measured, only estimated. */
const CHAR_WIDTH = 7.5;

/**
 * Right of each marker; left of it near the right edge; under it when neither
 * side has room. A label that would overlap an earlier one moves down a line.
 */
export function placeLabels(points: readonly LabelInput[], width: number): LabelPlace[] {
  const taken: { left: number; y: number; w: number }[] = [];
  return points.map((p) => {
    const w = p.text.length * CHAR_WIDTH;
    let left: number;
    let y = p.y + 5;
    let anchor: LabelPlace['anchor'] = 'start';
    if (p.x + GAP + w <= width - EDGE) left = p.x + GAP;
    else if (p.x - GAP - w >= EDGE) {
      left = p.x - GAP - w;
      anchor = 'end';
    } else {
      left = Math.max(EDGE, Math.min(p.x - w / 2, width - EDGE - w));
      y = p.y + 8 + LABEL_LINE;
    }
    while (taken.some((q) => Math.abs(q.y - y) < LABEL_LINE && left < q.left + q.w && q.left < left + w)) y += LABEL_LINE;
    taken.push({ left, y, w });
    return { x: anchor === 'start' ? left : left + w, y, anchor };
  });
}
