/**
 * With a noisy microphone (the hardest thing for Opus to compress), each
 * direction of a call stays within the configured bitrate cap; and while the
 * console rings, with the audio path already set up, neither side hears a
 * thing of the other until Answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { CONNECTED, closeAll, expectAudioFlowing, openCitizen, openConsole, ringItems, tapCallBfp, type Person } from './app.ts';
import type { Page } from 'playwright-core';
import { writeWav } from '../wav.ts';

const CAP = 64_000;

/** 20 s of 48 kHz mono 16-bit white noise from a seeded generator. */
function writeNoiseWav(file: string): void {
  const rate = 48_000;
  const samples = rate * 20;
  const data = Buffer.alloc(samples * 2);
  let seed = 12345;
  for (let i = 0; i < samples; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data.writeInt16LE(Math.round(((seed / 0x7fffffff) * 2 - 1) * 20_000), i * 2);
  }
  writeWav(file, data, rate);
}

async function sent(page: Page): Promise<{ bytes: number; at: number; sdp: string }> {
  return page.evaluate(async () => {
    type S = { media: { peerConnection: RTCPeerConnection } | null };
    const pc = (window as unknown as { bfp: { phone: { sessions: S[] } } }).bfp.phone.sessions.find((s) => s.media)?.media?.peerConnection;
    if (!pc) throw new Error('no audio call');
    let bytes = 0;
    let at = 0;
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        bytes += Number(s.bytesSent ?? 0);
        // The time the counter was read, not the time this script ran: getStats may answer from a
        // snapshot, and a few tens of milliseconds off on a 6 s window is the size of the margin.
        at = Number(s.timestamp);
      }
    });
    return { bytes, at, sdp: `${pc.localDescription?.sdp ?? ''}\n${pc.remoteDescription?.sdp ?? ''}` };
  });
}

/**
 * What this page receives over every audio call it has (also those set up while ringing, which
 * the screen does not show yet): bytes, and the loudest level heard.
 */
async function heard(page: Page): Promise<{ calls: number; bytes: number; level: number }> {
  return page.evaluate(async () => {
    type Conn = { type: string; peerConnection?: RTCPeerConnection };
    const peer = (window as unknown as { bfp: { link: { peer: { connections: Record<string, Conn[]> } } } }).bfp.link.peer;
    let calls = 0;
    let bytes = 0;
    let level = 0;
    for (const conn of Object.values(peer.connections).flat()) {
      if (conn.type !== 'media' || !conn.peerConnection) continue;
      calls += 1;
      (await conn.peerConnection.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        bytes += Number(s.bytesReceived ?? 0);
        level = Math.max(level, Number(s.audioLevel ?? 0));
      });
    }
    return { calls, bytes, level };
  });
}

describe('audio with a noise microphone', () => {
  let h: Harness;
  let people: Person[] = [];
  const wav = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-noise-')), 'noise.wav');

  beforeAll(async () => {
    writeNoiseWav(wav);
    h = await startHarness({ chromiumArgs: [`--use-file-for-fake-audio-capture=${wav}`] });
  });
  afterAll(async () => {
    await closeAll(...people);
    await h?.close();
    fs.rmSync(path.dirname(wav), { recursive: true, force: true });
  });

  it('keeps each direction at or under 64 kbps with a noise microphone', async () => {
    const console_ = await openConsole(h, 'qc-central', '?bitrate=64000');
    const citizen = await openCitizen(h, { query: '?bitrate=64000' });
    people = [console_, citizen];
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    await citizen.page.locator('.phase', { hasText: CONNECTED }).waitFor();
    await expectAudioFlowing(console_.page);
    await expectAudioFlowing(citizen.page);
    // Let the encoder settle, then measure over 8 s.
    await citizen.page.waitForTimeout(2000);
    const before = await Promise.all([sent(citizen.page), sent(console_.page)]);
    await citizen.page.waitForTimeout(8000);
    const after = await Promise.all([sent(citizen.page), sent(console_.page)]);
    for (let i = 0; i < 2; i++) {
      const bps = ((after[i]!.bytes - before[i]!.bytes) * 8) / ((after[i]!.at - before[i]!.at) / 1000);
      // Noise makes Opus use what it is allowed: well above the ~23 kbps of the default beep.
      const who = i === 0 ? 'citizen' : 'console';
      expect(bps, `${who} sends ${Math.round(bps)} bps`).toBeGreaterThan(30_000);
      expect(bps, `${who} sends ${Math.round(bps)} bps`).toBeLessThanOrEqual(CAP);
      expect(after[i]!.sdp).toMatch(/maxaveragebitrate=64000/);
      expect(after[i]!.sdp).toMatch(/useinbandfec=1/);
      expect(after[i]!.sdp).toMatch(/usedtx=1/);
      expect(after[i]!.sdp).toMatch(/stereo=0/);
    }
  });

  it('carries nothing either side says while the console rings, and both voices once it answers', async () => {
    const console_ = await openConsole(h, 'qc-central');
    const citizen = await openCitizen(h);
    people.push(console_, citizen);
    await tapCallBfp(citizen.page);
    const ring = ringItems(console_.page).first();
    await ring.waitFor();
    // The audio call is set up while ringing; give it time to carry whatever it would.
    await expect.poll(async () => (await heard(console_.page)).calls).toBe(1);
    await console_.page.waitForTimeout(1000);
    const before = await Promise.all([heard(citizen.page), heard(console_.page)]);
    await console_.page.waitForTimeout(2000);
    const ringing = await Promise.all([heard(citizen.page), heard(console_.page)]);
    for (const [i, who] of ['citizen', 'console'].entries()) {
      // Noise at 32 kbps would be 8,000 bytes in 2 s; silence is under 200.
      expect(ringing[i]!.bytes - before[i]!.bytes, `${who} received while ringing`).toBeLessThan(1500);
      expect(ringing[i]!.level, `${who} heard while ringing`).toBeLessThan(0.005);
    }
    await ring.getByRole('button', { name: 'Answer' }).click();
    await citizen.page.locator('.phase', { hasText: CONNECTED }).waitFor();
    // Heard through the noise suppressor, the noise comes out at about 0.1; silence is 0.
    for (const page of [citizen.page, console_.page]) await expect.poll(async () => (await heard(page)).level, { timeout: 10_000 }).toBeGreaterThan(0.02);
  });
});
