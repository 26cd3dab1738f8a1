/**
 * The built app: hashed assets cached for a year, the HTML and service worker
 * never cached, the app's screens (/, /station, /officer) all served index.html.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Response } from 'express';
import { tileOrigin } from '../src/shared/map-tiles.ts';

export const APP_PATHS = ['/', '/station', '/officer'];

/**
 * The Content-Security-Policy for every answer. Images may also come from the
 * map's tile server when one is configured (MAP_TILE_URL): its origin only.
 */
export function contentSecurityPolicy(mapTileUrl: string | null): string {
  const tiles = mapTileUrl ? ` ${tileOrigin(mapTileUrl)}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${tiles}`,
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function noCache(res: Response): void {
  res.setHeader('Cache-Control', 'no-cache');
}

export function serveApp(app: Express, distDir: string): void {
  const index = path.join(distDir, 'index.html');
  app.use(
    express.static(distDir, {
      index: false,
      setHeaders(res, file) {
        const name = path.basename(file);
        if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        else noCache(res);
        if (name.endsWith('.webmanifest')) res.setHeader('Content-Type', 'application/manifest+json');
        if (name === 'sw.js') res.setHeader('Service-Worker-Allowed', '/');
      },
    }),
  );
  for (const route of APP_PATHS) {
    app.get(route, (_req, res) => {
      if (!fs.existsSync(index)) {
        res.status(503).type('text/plain').send('The app is not built yet. Run `npm run build` (npm start does this for you).');
        return;
      }
      noCache(res);
      res.sendFile(index);
    });
  }
}
