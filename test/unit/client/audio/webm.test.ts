/**
 * A recording's length reaches its WebM header, so players show it and can
 * seek; files that are not WebM, or already say their length, stay as they are.
 */
import { describe, expect, it } from 'vitest';
import { WEBM_HEAD_BYTES, fixWebmDuration, withWebmDuration } from '../../../../src/client/audio/webm.ts';

const UNKNOWN_SIZE = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** An element with a one-byte size (or the given size bytes). */
function el(id: number[], content: number[], size: number[] = [0x80 | content.length]): number[] {
  return [...id, ...size, ...content];
}

function float64(value: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value);
  return [...b];
}

const EBML_HEADER = el([0x1a, 0x45, 0xdf, 0xa3], [
  ...el([0x42, 0x86], [1]),
  ...el([0x42, 0xf7], [1]),
  ...el([0x42, 0xf2], [4]),
  ...el([0x42, 0xf3], [8]),
  ...el([0x42, 0x82], ascii('webm')),
  ...el([0x42, 0x87], [4]),
  ...el([0x42, 0x85], [2]),
]);
const TIMECODE_MS = el([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]);
const APPS = [...el([0x4d, 0x80], ascii('Chrome')), ...el([0x57, 0x41], ascii('Chrome'))];
const TRACKS = el([0x16, 0x54, 0xae, 0x6b], el([0xae], el([0xd7], [1])));
const CLUSTER = [0x1f, 0x43, 0xb6, 0x75, ...UNKNOWN_SIZE, ...el([0xe7], [0]), ...el([0xa3], [0x81, 0, 0, 0x80, 1, 2, 3])];

/** What Chrome's MediaRecorder writes: a streamed Segment (size unknown) whose Info has no Duration. */
function chromeLike(info: number[] = [...TIMECODE_MS, ...APPS], segmentSize = UNKNOWN_SIZE): Uint8Array<ArrayBuffer> {
  const body = [...el([0x15, 0x49, 0xa9, 0x66], info), ...TRACKS, ...CLUSTER];
  return new Uint8Array([...EBML_HEADER, 0x18, 0x53, 0x80, 0x67, ...segmentSize, ...body]);
}

/** The Duration element's value, read the simple way: its id, an 8-byte size, a float64. */
function durationIn(bytes: Uint8Array): number | null {
  for (let i = 0; i + 11 <= bytes.length; i++) {
    if (bytes[i] === 0x44 && bytes[i + 1] === 0x89 && bytes[i + 2] === 0x88) return new DataView(bytes.buffer, bytes.byteOffset + i + 3, 8).getFloat64(0);
  }
  return null;
}

const tail = (bytes: Uint8Array, n: number) => [...bytes.subarray(bytes.length - n)];

describe('withWebmDuration', () => {
  it('writes the duration into a Chrome recording and leaves the audio after the header unchanged', () => {
    const input = chromeLike();
    const out = withWebmDuration(input, 4321);
    expect(out).not.toBeNull();
    expect(durationIn(out!)).toBe(4321);
    expect(out!.length).toBe(input.length + 11);
    // Info's size grew by the Duration element; the Segment stays "unknown size".
    const infoAt = EBML_HEADER.length + 12;
    expect([...out!.subarray(infoAt, infoAt + 5)]).toEqual([0x15, 0x49, 0xa9, 0x66, 0x80 | (TIMECODE_MS.length + APPS.length + 11)]);
    expect([...out!.subarray(EBML_HEADER.length + 4, EBML_HEADER.length + 12)]).toEqual(UNKNOWN_SIZE);
    expect(tail(out!, TRACKS.length + CLUSTER.length)).toEqual([...TRACKS, ...CLUSTER]);
  });

  it('states the duration in the file’s own time unit', () => {
    const microseconds = el([0x2a, 0xd7, 0xb1], [0x03, 0xe8]);
    expect(durationIn(withWebmDuration(chromeLike([...microseconds, ...APPS]), 2500)!)).toBe(2_500_000);
    // No TimecodeScale: the WebM default, milliseconds.
    expect(durationIn(withWebmDuration(chromeLike(APPS), 2500)!)).toBe(2500);
  });

  it('widens the Info size field when the Duration no longer fits in it', () => {
    const long = el([0x4d, 0x80], ascii('x'.repeat(110)));
    const input = chromeLike([...TIMECODE_MS, ...long]);
    const out = withWebmDuration(input, 3000)!;
    expect(durationIn(out)).toBe(3000);
    const infoAt = EBML_HEADER.length + 12;
    // 8-byte size: 0x01 marker, then the new content length.
    expect([...out.subarray(infoAt + 4, infoAt + 12)]).toEqual([0x01, 0, 0, 0, 0, 0, 0, TIMECODE_MS.length + long.length + 11]);
    expect(tail(out, TRACKS.length + CLUSTER.length)).toEqual([...TRACKS, ...CLUSTER]);
  });

  it('grows a Segment of known size by what was added', () => {
    const bodyLength = 2 + TIMECODE_MS.length + APPS.length + TRACKS.length + CLUSTER.length;
    const out = withWebmDuration(chromeLike(undefined, [0x40 | (bodyLength >> 8), bodyLength & 0xff]), 1000)!;
    expect(durationIn(out)).toBe(1000);
    const size = out.subarray(EBML_HEADER.length + 4, EBML_HEADER.length + 6);
    expect(((size[0]! & 0x3f) << 8) | size[1]!).toBe(bodyLength + 11);
  });

  it('leaves files alone that already state a duration, are not WebM, or whose header is cut short', () => {
    expect(withWebmDuration(chromeLike([...TIMECODE_MS, 0x44, 0x89, 0x88, ...float64(9000), ...APPS]), 1000)).toBeNull();
    expect(withWebmDuration(new Uint8Array([0, 0, 0, 0x20, ...ascii('ftypisom')]), 1000)).toBeNull();
    expect(withWebmDuration(new Uint8Array(), 1000)).toBeNull();
    expect(withWebmDuration(chromeLike().subarray(0, EBML_HEADER.length + 20), 1000)).toBeNull();
    // A Cluster before any Info: nothing safe to change.
    expect(withWebmDuration(new Uint8Array([...EBML_HEADER, 0x18, 0x53, 0x80, 0x67, ...UNKNOWN_SIZE, ...CLUSTER]), 1000)).toBeNull();
    expect(withWebmDuration(chromeLike(), 0)).toBeNull();
    expect(withWebmDuration(chromeLike(), Number.NaN)).toBeNull();
  });
});

describe('fixWebmDuration', () => {
  it('returns a WebM recording with its duration and every byte of audio after the header', async () => {
    const audio = new Uint8Array(WEBM_HEAD_BYTES + 5000).map((_, i) => i % 251);
    const blob = new Blob([chromeLike(), audio], { type: 'audio/webm;codecs=opus' });
    const fixed = await fixWebmDuration(blob, 3600);
    expect(fixed.type).toBe('audio/webm;codecs=opus');
    expect(fixed.size).toBe(blob.size + 11);
    const bytes = new Uint8Array(await fixed.arrayBuffer());
    expect(durationIn(bytes)).toBe(3600);
    expect(Buffer.from(bytes.subarray(bytes.length - audio.length)).equals(audio)).toBe(true);
  });

  it('returns other formats unchanged', async () => {
    const blob = new Blob([chromeLike()], { type: 'audio/mp4' });
    expect(await fixWebmDuration(blob, 3600)).toBe(blob);
  });
});
