/**
 * A speech-like microphone for Chromium's --use-file-for-fake-audio-capture:
 * voiced syllables (a glottal-like harmonic source with a moving pitch, shaped
 * by vowel formants), short fricative bursts, and pauses between phrases.
 *
 * Opus picks its mode from what it hears: Chromium's fake beep is a steady
 * tone, which it codes as music (CELT), and CELT frames carry no in-band FEC.
 * Speech is coded with SILK (or hybrid), whose LBRR frames are the FEC a
 * receiver counts in `fecPacketsReceived`. Emergency calls carry speech.
 */
import { writeWav } from '../e2e/wav.ts';

const RATE = 48_000;

/** Vowel formants (Hz) and their bandwidths. */
const VOWELS: [number, number, number][] = [
  [730, 1090, 2440], // a
  [270, 2290, 3010], // i
  [300, 870, 2240], // u
  [530, 1840, 2480], // e
  [570, 840, 2410], // o
];
const BANDWIDTHS = [90, 110, 170];

/** A seeded generator, so every run hears the same speech. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(items: readonly T[], rnd: () => number): T {
  const item = items[Math.floor(rnd() * items.length)] ?? items[0];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

/** The spectral envelope of a vowel at `f` Hz (sum of resonance peaks, falling with frequency like a voice). */
function envelope(f: number, formants: [number, number, number]): number {
  let g = 0.02;
  formants.forEach((F, i) => {
    const b = BANDWIDTHS[i] ?? 150;
    g += (1 / (1 + i)) / (1 + ((f - F) / b) ** 2);
  });
  return g;
}

/** `seconds` of 48 kHz mono 16-bit PCM speech-like audio as a WAV file. */
export function writeSpeechWav(file: string, seconds = 12, seed = 7): void {
  const rnd = random(seed);
  const n = RATE * seconds;
  const out = new Float32Array(n);
  let t = 0.15 * RATE;
  while (t < n - RATE / 2) {
    // A phrase: 3–7 syllables with a falling pitch, then a pause.
    const syllables = 3 + Math.floor(rnd() * 5);
    const baseF0 = 110 + rnd() * 90;
    for (let k = 0; k < syllables && t < n - RATE / 4; k++) {
      // Sometimes a fricative first ("s", "sh"): 40–90 ms of bright noise.
      if (rnd() < 0.4) {
        const len = Math.floor((0.04 + rnd() * 0.05) * RATE);
        let prev = 0;
        for (let i = 0; i < len && t + i < n; i++) {
          const white = rnd() * 2 - 1;
          const bright = white - prev; // crude high-pass
          prev = white;
          const env = Math.sin((Math.PI * i) / len);
          out[t + i] = (out[t + i] ?? 0) + 0.12 * env * bright;
        }
        t += len;
      }
      // The vowel: 120–280 ms, pitch falling through the phrase with a little wobble.
      const len = Math.floor((0.12 + rnd() * 0.16) * RATE);
      const from = pick(VOWELS, rnd);
      const to = pick(VOWELS, rnd);
      const f0Start = baseF0 * (1 - (0.25 * k) / syllables);
      let phase = 0;
      const wobble = 4 + rnd() * 3;
      let amps: number[] = [];
      for (let i = 0; i < len && t + i < n; i++) {
        const x = i / len;
        const f0 = f0Start * (1 + 0.08 * Math.sin(Math.PI * x) + 0.01 * Math.sin((2 * Math.PI * wobble * i) / RATE)) * (1 + 0.004 * (rnd() - 0.5));
        phase += (2 * Math.PI * f0) / RATE;
        if (i % 48 === 0) {
          // Formants glide from one vowel to the next (a diphthong); the harmonics' levels follow every millisecond.
          const formants = from.map((F, j) => F + ((to[j] ?? F) - F) * x) as [number, number, number];
          amps = [];
          for (let h = 1; h * f0 < 4000; h++) amps.push(envelope(h * f0, formants) / h ** 0.5);
        }
        let s = 0;
        for (let h = 1; h <= amps.length; h++) s += (amps[h - 1] ?? 0) * Math.sin(h * phase);
        const attack = Math.min(1, i / (0.025 * RATE), (len - i) / (0.03 * RATE));
        out[t + i] = (out[t + i] ?? 0) + 0.35 * attack * s + 0.004 * (rnd() * 2 - 1);
      }
      t += len + Math.floor((0.03 + rnd() * 0.08) * RATE);
    }
    t += Math.floor((0.25 + rnd() * 0.45) * RATE);
  }
  // Normalise to about -6 dBFS peak, with a little room noise everywhere.
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(out[i] ?? 0));
  const gain = peak > 0 ? 0.5 / peak : 1;
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const v = (out[i] ?? 0) * gain + 0.001 * (rnd() * 2 - 1);
    data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2);
  }
  writeWav(file, data, RATE);
}
