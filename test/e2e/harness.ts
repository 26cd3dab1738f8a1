/**
 * The browser-test harness: the real server (built app from dist/, broker,
 * API) on 127.0.0.1 with an ephemeral port and a temporary data folder, one
 * headless Chromium, and a fresh context per person (citizen, console, officer).
 *
 *   let h: Harness;
 *   beforeAll(async () => { h = await startHarness(); });
 *   afterAll(() => h?.close());
 *   const ctx = await h.newContext();                       // one person
 *   const token = await h.stationToken('central');          // staff sign-in
 *   const citizen = makeCitizen();                          // { secret, id }
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { inject } from 'vitest';
import { loadConfig } from '../../peer-server/config.ts';
import { loadOrCreateSecret } from '../../peer-server/secret.ts';
import { startServer, type RunningServer } from '../../peer-server/server.ts';
import { mintToken } from '../../peer-server/tokens.ts';
import { CHROMIUM_ARGS } from '../../scripts/find-chromium.mjs';

export { CHROMIUM_ARGS };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');


/** Manila City Hall: near the demo stations. */
export const DEFAULT_POSITION = { latitude: 14.5896, longitude: 120.9817, accuracy: 15 };

export interface HarnessOptions {
  /** Extra server environment (LIMIT_*, TURN_*, …) on top of the harness's. */
  env?: Record<string, string>;
  /** Extra Chromium flags, e.g. --use-file-for-fake-audio-capture=… */
  chromiumArgs?: string[];
}

export interface Harness {
  server: RunningServer;
  /** http://127.0.0.1:<port>: what the browser opens. */
  origin: string;
  port: number;
  dataDir: string;
  browser: Browser;
  /** PeerJS options for this broker, without id and token. */
  broker: BrokerOptions;
  /** A new, independent person: microphone and geolocation granted, a position set. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  stationToken(station: string, name?: string): Promise<string>;
  officerToken(officer: string, station: string, name?: string): Promise<string>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  host: string;
  port: number;
  path: string;
  key: string;
  secure: boolean;
  config: { iceServers: RTCIceServer[] };
}

export interface Citizen {
  /** The device secret, the PeerJS token. */
  secret: string;
  /** c- + the first 32 hex digits of SHA-256(secret). */
  id: string;
}

/** A fresh anonymous device, as the app makes one. */
export function makeCitizen(): Citizen {
  const secret = randomBytes(16).toString('base64url');
  return { secret, id: `c-${createHash('sha256').update(secret).digest('hex').slice(0, 32)}` };
}

/** A device tag for staff ids: st-<station>-<tag>, of-<officer>-<tag>. */
export function deviceTag(): string {
  return randomBytes(4).toString('hex');
}

/** The Chromium to launch (found by the global setup, which fails the run when there is none). */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || inject('chromiumPath');
  if (!path) throw new Error('No Chromium: set CHROMIUM_PATH (browser tests never skip).');
  return path;
}

/** Chromium with the flags TESTING.md found necessary, plus `extraArgs`. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** PeerJS options for the broker on this port, without id and token. */
export function brokerOptions(port: number): BrokerOptions {
  return { host: '127.0.0.1', port, path: '/broker', key: 'peerjs', secure: false, config: { iceServers: [] } };
}

/** What the screen helpers need to make people: contexts on `origin`, and sign-in tokens the server in `dataDir` accepts. */
export type Site = Pick<Harness, 'origin' | 'newContext' | 'stationToken' | 'officerToken'>;

/**
 * New people on `origin` in `browser`, and staff tokens signed with the secret in
 * `dataDir` (created there when the server has not made it yet; the server then loads it).
 */
export function sitePeople(browser: Browser, origin: string, dataDir: string): Omit<Site, 'origin'> {
  const secret = loadOrCreateSecret(dataDir);
  return {
    newContext: (contextOptions = {}) =>
      browser.newContext({
        permissions: ['microphone', 'geolocation'],
        geolocation: DEFAULT_POSITION,
        baseURL: origin,
        ...contextOptions,
      }),
    stationToken: (station, name = `${station} console`) => mintToken(secret, { role: 'station', sub: station, station, name, days: 1 }),
    officerToken: (officer, station, name = `Officer ${officer}`) => mintToken(secret, { role: 'officer', sub: officer, station, name, days: 1 }),
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-e2e-'));
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => fs.rmSync(dataDir, { recursive: true, force: true })];
  const close = async () => {
    // Newest first: browser, then server, then the data folder.
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.warn('e2e teardown:', err);
      }
    }
  };
  try {
    const config = loadConfig(
      {
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        DIST_DIR: path.join(ROOT, 'dist'),
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      ROOT,
    );
    const server = await startServer(config);
    cleanups.push(() => server.close());
    const origin = `http://127.0.0.1:${server.port}`;

    const browser = await launchBrowser(options.chromiumArgs);
    cleanups.push(() => browser.close());

    return {
      server,
      origin,
      port: server.port,
      dataDir,
      browser,
      broker: brokerOptions(server.port),
      ...sitePeople(browser, origin, dataDir),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
