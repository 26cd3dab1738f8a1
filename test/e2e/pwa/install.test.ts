/**
 * Installable: the web manifest as served, its icons, Chromium's own verdict,
 * and the "Install app" button driven by beforeinstallprompt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath, startHarness, type Harness } from '../harness.ts';
import { waitForControl } from './sw.ts';

interface ManifestIcon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
}

interface Manifest {
  name?: string;
  short_name?: string;
  description?: string;
  start_url?: string;
  scope?: string;
  display?: string;
  theme_color?: string;
  background_color?: string;
  icons?: ManifestIcon[];
  shortcuts?: { name: string; url: string; icons?: ManifestIcon[] }[];
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, or null when it is not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  if (bytes.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('installing the app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  async function fetchManifest(): Promise<{ manifest: Manifest; contentType: string | null }> {
    const html = await (await fetch(`${h.origin}/`)).text();
    const href = /<link rel="manifest" href="([^"]+)"/.exec(html)?.[1];
    expect(href, 'the page links its manifest').toBe('/manifest.webmanifest');
    const res = await fetch(new URL(href!, h.origin));
    expect(res.status).toBe(200);
    return { manifest: (await res.json()) as Manifest, contentType: res.headers.get('content-type') };
  }

  it('serves a manifest with its content type and every field the install criteria ask for', async () => {
    const { manifest, contentType } = await fetchManifest();
    expect(contentType).toMatch(/^application\/manifest\+json/);
    expect(manifest).toMatchObject({
      name: 'BFP Emergency Voice',
      short_name: 'BFP Voice',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      theme_color: '#b71c1c',
      background_color: '#fafafa',
    });
    expect(manifest.description).toBeTruthy();
    const has = (size: string, purpose: string) => manifest.icons?.some((i) => i.sizes === size && i.type === 'image/png' && (i.purpose ?? 'any').split(' ').includes(purpose));
    for (const size of ['192x192', '512x512']) {
      for (const purpose of ['any', 'maskable']) expect(has(size, purpose), `${size} ${purpose}`).toBe(true);
    }
    expect(manifest.shortcuts?.map((s) => [s.name, s.url])).toEqual([
      ['Station console', '/station'],
      ['Officer', '/officer'],
    ]);
    for (const shortcut of manifest.shortcuts ?? []) expect(shortcut.icons?.length, shortcut.name).toBeGreaterThan(0);
  });

  it('every icon in the manifest is a real PNG of the size it claims', async () => {
    const { manifest } = await fetchManifest();
    const icons = [...(manifest.icons ?? []), ...(manifest.shortcuts ?? []).flatMap((s) => s.icons ?? [])];
    expect(icons.length).toBeGreaterThanOrEqual(5);
    for (const icon of icons) {
      const res = await fetch(new URL(icon.src, h.origin));
      expect(res.status, icon.src).toBe(200);
      expect(res.headers.get('content-type'), icon.src).toBe('image/png');
      const size = pngSize(Buffer.from(await res.arrayBuffer()));
      expect(size, `${icon.src} is a PNG`).not.toBeNull();
      expect(`${size!.width}x${size!.height}`, icon.src).toBe(icon.sizes);
    }
  });

  describe('in a browser profile that keeps its data (as an installed browser does)', () => {
    let context: BrowserContext;
    let profile: string;
    beforeAll(async () => {
      profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-e2e-profile-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath(),
        args: CHROMIUM_ARGS,
        baseURL: h.origin,
        permissions: ['microphone', 'geolocation'],
      });
      // Counts prompt() calls: the browser's install dialog itself is out of a test's reach.
      await context.addInitScript(() => {
        type Prompt = { prototype: { prompt(): Promise<void> } };
        const Event = (window as unknown as { BeforeInstallPromptEvent?: Prompt }).BeforeInstallPromptEvent;
        if (!Event) return;
        const prompt = Event.prototype.prompt;
        Event.prototype.prompt = function (this: unknown) {
          const w = window as unknown as { installPrompts?: number };
          w.installPrompts = (w.installPrompts ?? 0) + 1;
          return prompt.call(this);
        };
      });
    });
    afterAll(async () => {
      await context?.close();
      fs.rmSync(profile, { recursive: true, force: true });
    });

    it('Chromium finds the app installable, fires beforeinstallprompt, and the "Install app" button appears and opens the browser’s install prompt', async () => {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto('/');
      await waitForControl(page);
      const install = page.getByRole('button', { name: 'Install app' });
      await install.waitFor({ timeout: 20_000 });

      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
      expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
      const box = await install.boundingBox();
      expect(box?.height).toBeGreaterThanOrEqual(48);

      await install.click();
      await expect.poll(() => page.evaluate(() => (window as unknown as { installPrompts?: number }).installPrompts ?? 0)).toBe(1);
      await install.waitFor({ state: 'detached' });
    });
  });
});
