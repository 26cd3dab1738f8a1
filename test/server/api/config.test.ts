/**
 * GET /api/config and MAP_TILE_URL: a station that serves its own map tiles
 * sets the template once; the app learns it from the API, the CSP lets images
 * from that origin (and no other) in, and a template that cannot work is
 * refused at start-up with the reason.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../peer-server/config.ts';
import { startBroker, type Broker } from '../harness.ts';

const TILES = 'https://tiles.example.lan:8443/osm/{z}/{x}/{y}.png';

async function imgSrc(broker: Broker, route: string): Promise<string[]> {
  const csp = (await broker.http(route)).headers.get('content-security-policy') ?? '';
  const directive = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('img-src '));
  return directive?.split(/\s+/).slice(1) ?? [];
}

describe('GET /api/config', () => {
  it('answers no tile URL by default, uncached, and the CSP allows images from the app itself only', async () => {
    const broker = await startBroker();
    const res = await broker.http('/api/config');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ mapTileUrl: null });
    for (const route of ['/station', '/api/config']) expect(await imgSrc(broker, route)).toEqual(["'self'", 'data:', 'blob:']);
  });

  it('hands out MAP_TILE_URL, and the CSP adds exactly that tile origin to img-src and nowhere else', async () => {
    const broker = await startBroker({ env: { MAP_TILE_URL: TILES } });
    expect(await (await broker.http('/api/config')).json()).toEqual({ mapTileUrl: TILES });
    for (const route of ['/station', '/', '/api/health']) {
      expect(await imgSrc(broker, route)).toEqual(["'self'", 'data:', 'blob:', 'https://tiles.example.lan:8443']);
    }
    const csp = (await broker.http('/station')).headers.get('content-security-policy') ?? '';
    expect(csp.match(/tiles\.example\.lan/g)).toHaveLength(1);
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("default-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|\/osm/);
  });

  it('refuses a MAP_TILE_URL that cannot work, naming the variable and the problem', async () => {
    const bad: [string, RegExp][] = [
      ['tiles.example.lan/{z}/{x}/{y}.png', /not a URL/],
      ['https://tiles.example.lan/{z}/{x}.png', /missing \{y\}/],
      ['ftp://tiles.example.lan/{z}/{x}/{y}.png', /http: or https:/],
      // A host like this would end img-src and add a directive of its own.
      ["https://tiles.example.lan;script-src*/{z}/{x}/{y}.png", /not a plain DNS name/],
      ["https://a'b/{z}/{x}/{y}.png", /not a plain DNS name/],
      ['https://{s}.tile.example.org/{z}/{x}/{y}.png', /unsupported placeholder \{s\}/],
    ];
    for (const [value, reason] of bad) {
      expect(() => loadConfig({ MAP_TILE_URL: value }), value).toThrow(/^MAP_TILE_URL /);
      expect(() => loadConfig({ MAP_TILE_URL: value }), value).toThrow(reason);
    }
    await expect(startBroker({ env: { MAP_TILE_URL: 'https://tiles.example.lan/{z}/{x}.png' } })).rejects.toThrow(/MAP_TILE_URL must contain \{z\}, \{x\}, \{y\}/);
  });

  it('treats an empty MAP_TILE_URL as unset', async () => {
    expect(loadConfig({ MAP_TILE_URL: '' }).mapTileUrl).toBeNull();
    expect(loadConfig({ MAP_TILE_URL: '  ' }).mapTileUrl).toBeNull();
  });
});
