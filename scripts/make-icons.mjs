/* global process, console, Buffer */
/**
 * Draws the app's icons into public/icons/ (run once; the PNGs are committed):
 * a white flame on BFP red.
 *
 *   node scripts/make-icons.mjs
 *
 * - icon-<size>.png, purpose "any": a red rounded square on transparency.
 * - maskable-<size>.png, purpose "maskable": red to the edges, the flame well
 *   inside the centre circle of 80 % of the width that every mask keeps.
 * - shortcut-96.png (manifest shortcuts) and apple-touch-icon.png (opaque, 180 px).
 *
 * PNG encoding uses nothing but Node's zlib: 8-bit RGBA, filter 0 on every row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public/icons');
const RED = [0xb7, 0x1c, 0x1c];
const WHITE = [0xff, 0xff, 0xff];
/** Sub-samples per axis, for smooth edges. */
const SS = 4;

/**
 * A flame in a unit box (x, y in -1…1, y down): a teardrop with its tip
 * leaning right, and a smaller red teardrop cut into its base.
 */
function teardrop(x, y) {
  if (y < -1 || y > 1) return false;
  const t = Math.acos(-y);
  return Math.abs(x) <= Math.sin(t) * Math.sin(t / 2);
}

function inFlame(x, y) {
  const lean = 0.3 * ((1 - y) / 2) ** 2;
  const outer = teardrop((x - lean) / 0.95, y);
  if (!outer) return false;
  // The inner tongue: the lower half, a little above the outer base.
  const iy = (y - 0.38) / 0.52;
  const ilean = 0.12 * ((1 - iy) / 2) ** 2;
  return !teardrop((x - ilean) / 0.6, iy);
}

/** Inside a square of half-side 1 with corners rounded to radius r. */
function inRoundedSquare(x, y, r) {
  const dx = Math.max(Math.abs(x) - (1 - r), 0);
  const dy = Math.max(Math.abs(y) - (1 - r), 0);
  return dx * dx + dy * dy <= r * r;
}

/**
 * @param {number} size  pixels per side
 * @param {{ corner: number | null, flameScale: number }} shape  corner radius (null: full bleed) and
 *   the flame's half-height as a fraction of half the icon
 */
function draw(size, { corner, flameScale }) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = ((px + (sx + 0.5) / SS) / size) * 2 - 1;
          const y = ((py + (sy + 0.5) / SS) / size) * 2 - 1;
          if (corner !== null && !inRoundedSquare(x, y, corner)) continue;
          bg += 1;
          if (inFlame(x / flameScale, y / flameScale)) fg += 1;
        }
      }
      const n = SS * SS;
      const o = (py * size + px) * 4;
      const white = bg === 0 ? 0 : fg / bg;
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(RED[c] * (1 - white) + WHITE[c] * white);
      rgba[o + 3] = Math.round((bg / n) * 255);
    }
  }
  return encodePng(size, size, rgba);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf);
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const ANY = { corner: 0.36, flameScale: 0.68 };
// The flame reaches 1.05 × flameScale from the centre (its leaning tip): 0.61, inside the safe radius of 0.8.
const MASKABLE = { corner: null, flameScale: 0.58 };

const files = [
  ['icon-192.png', 192, ANY],
  ['icon-512.png', 512, ANY],
  ['maskable-192.png', 192, MASKABLE],
  ['maskable-512.png', 512, MASKABLE],
  ['shortcut-96.png', 96, ANY],
  ['apple-touch-icon.png', 180, MASKABLE],
];

fs.mkdirSync(OUT, { recursive: true });
for (const [name, size, shape] of files) {
  const png = draw(size, shape);
  fs.writeFileSync(path.join(OUT, name), png);
  console.log(`${path.relative(process.cwd(), path.join(OUT, name))}: ${size}×${size}, ${png.length} bytes`);
}
