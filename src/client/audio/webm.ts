/**
 * Chrome's MediaRecorder writes WebM without a duration (it streams, so it
 * cannot know it up front): players then show no length and cannot seek. This
 * writes the measured duration into the file's header (the Segment's Info
 * element), leaving the audio itself untouched.
 */

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const CLUSTER = 0x1f43b675;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
/** Nanoseconds per tick when the file does not say. */
const DEFAULT_TIMECODE_SCALE = 1_000_000;

/** How much of a recording to read for its header: Info comes first, well within this. */
export const WEBM_HEAD_BYTES = 64 * 1024;

interface Vint {
  /** Bytes the number takes in the file. */
  length: number;
  value: number;
  /** All value bits set: "size unknown" (a Segment or Cluster written while streaming). */
  unknown: boolean;
}

function readVint(bytes: Uint8Array, pos: number, keepMarker: boolean): Vint | null {
  const first = bytes[pos];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (pos + length > bytes.length) return null;
  const mask = 0xff >> length;
  let value = keepMarker ? first : first & mask;
  let allOnes = (first & mask) === mask;
  for (let i = 1; i < length; i++) {
    const b = bytes[pos + i] ?? 0;
    value = value * 256 + b;
    allOnes &&= b === 0xff;
  }
  return { length, value, unknown: allOnes };
}

interface Element {
  id: number;
  /** Where the element (its id) starts. */
  start: number;
  /** Where its size field starts. */
  sizeAt: number;
  sizeLength: number;
  /** Where its content starts. */
  body: number;
  size: number;
  unknownSize: boolean;
}

function readElement(bytes: Uint8Array, pos: number): Element | null {
  const id = readVint(bytes, pos, true);
  if (!id || id.length > 4) return null;
  const size = readVint(bytes, pos + id.length, false);
  if (!size) return null;
  return { id: id.value, start: pos, sizeAt: pos + id.length, sizeLength: size.length, body: pos + id.length + size.length, size: size.value, unknownSize: size.unknown };
}

/** A size field of exactly `length` bytes, or null when the value does not fit. */
function encodeSize(value: number, length: number): Uint8Array<ArrayBuffer> | null {
  if (length < 1 || length > 8 || value >= 2 ** (7 * length) - 1) return null;
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0] = (out[0] ?? 0) | (0x80 >> (length - 1));
  return out;
}

function readUint(bytes: Uint8Array, from: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + (bytes[from + i] ?? 0);
  return value;
}

function readFloat(bytes: Uint8Array, from: number, length: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + from, length);
  return length === 4 ? view.getFloat32(0) : length === 8 ? view.getFloat64(0) : NaN;
}

/**
 * The start of a WebM file (`head`, at least up to the end of its Info
 * element) with `durationMs` written in. Returns null when there is nothing
 * to do or nothing safe to do: not WebM, the Info element is not within
 * `head`, or the file already states a duration.
 */
export function withWebmDuration(head: Uint8Array, durationMs: number): Uint8Array<ArrayBuffer> | null {
  if (!Number.isFinite(durationMs) || durationMs <= 0) return null;
  const header = readElement(head, 0);
  if (header?.id !== EBML || header.unknownSize) return null;
  const segment = readElement(head, header.body + header.size);
  if (segment?.id !== SEGMENT) return null;

  let info: Element | null = null;
  for (let pos = segment.body; pos < head.length; ) {
    const child = readElement(head, pos);
    if (!child || child.id === CLUSTER || child.unknownSize) return null;
    if (child.id === INFO) {
      info = child;
      break;
    }
    pos = child.body + child.size;
  }
  if (!info || info.body + info.size > head.length) return null;

  let scale = DEFAULT_TIMECODE_SCALE;
  const end = info.body + info.size;
  for (let pos = info.body; pos < end; ) {
    const child = readElement(head, pos);
    if (!child || child.unknownSize || child.body + child.size > end) return null;
    if (child.id === TIMECODE_SCALE) scale = readUint(head, child.body, child.size) || DEFAULT_TIMECODE_SCALE;
    if (child.id === DURATION && readFloat(head, child.body, child.size) > 0) return null;
    pos = child.body + child.size;
  }

  const duration = new Uint8Array(11);
  duration.set([0x44, 0x89, 0x88]);
  new DataView(duration.buffer).setFloat64(3, (durationMs * 1_000_000) / scale);

  const infoSize = encodeSize(info.size + duration.length, info.sizeLength) ?? encodeSize(info.size + duration.length, 8);
  if (!infoSize) return null;
  const grownBy = infoSize.length - info.sizeLength + duration.length;
  // A streamed Segment has an unknown size; a known one grows with its Info.
  const segmentSize = segment.unknownSize ? head.subarray(segment.sizeAt, segment.body) : encodeSize(segment.size + grownBy, segment.sizeLength);
  if (!segmentSize) return null;

  const out = new Uint8Array(head.length + grownBy);
  let at = 0;
  const put = (part: Uint8Array) => {
    out.set(part, at);
    at += part.length;
  };
  put(head.subarray(0, segment.sizeAt));
  put(segmentSize);
  put(head.subarray(segment.body, info.sizeAt));
  put(infoSize);
  put(head.subarray(info.body, end));
  put(duration);
  put(head.subarray(end));
  return out;
}

/** The recording with its duration in the header, when it is WebM; otherwise as it was. */
export async function fixWebmDuration(blob: Blob, durationMs: number): Promise<Blob> {
  if (!blob.type.startsWith('audio/webm') && !blob.type.startsWith('video/webm')) return blob;
  const head = new Uint8Array(await blob.slice(0, WEBM_HEAD_BYTES).arrayBuffer());
  const patched = withWebmDuration(head, durationMs);
  return patched ? new Blob([patched, blob.slice(head.length)], { type: blob.type }) : blob;
}
