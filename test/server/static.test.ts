/**
 * The built app on the same port as the broker: the app's screens served the
 * app, hashed assets cached long, HTML and the service worker never cached,
 * and a strict Content-Security-Policy on every response.
 */
import { describe, expect, it } from 'vitest';
import { startBroker, tempDir } from './harness.ts';

describe('the app', () => {
  it('serves the app HTML at /, /station and /officer, uncached', async () => {
    const broker = await startBroker();
    for (const route of ['/', '/station', '/officer']) {
      const res = await broker.http(route);
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>BFP Emergency Voice</title>');
    }
  });

  it('caches hashed assets for a year, but never the service worker', async () => {
    const broker = await startBroker();
    const asset = await broker.http('/assets/x-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const sw = await broker.http('/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
  });

  it('serves the web manifest with its content type', async () => {
    const broker = await startBroker();
    const res = await broker.http('/manifest.webmanifest');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
  });

  it('sends a strict Content-Security-Policy and related headers on pages and API answers alike', async () => {
    const broker = await startBroker();
    for (const route of ['/station', '/assets/x-abc.js', '/api/health', '/api/nope']) {
      const res = await broker.http(route);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, route).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('does not serve other paths as the app, nor files outside the app folder', async () => {
    const broker = await startBroker();
    expect((await broker.http('/admin')).status).toBe(404);
    expect((await broker.http('/assets/missing-123.js')).status).toBe(404);
    expect((await broker.http('/assets/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(404);
    expect((await broker.http('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });

  it('says plainly that the app is not built when the dist folder is empty', async () => {
    const broker = await startBroker({ env: { DIST_DIR: tempDir('bfp-empty-dist-') } });
    const res = await broker.http('/station');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
  });
});
