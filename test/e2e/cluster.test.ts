/**
 * Cluster mode in real Chromium: a citizen's app on one broker node and a
 * station console on another (two nodes on one real redis-server) complete a
 * call with audio both ways; an app whose node hangs moves to another one by
 * itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../peer-server/config.ts';
import { startServer, type RunningServer } from '../../peer-server/server.ts';
import { startCluster, type NodeProcess } from '../server/cluster/harness.ts';
import { startRedis, type RedisServer } from '../server/cluster/redis-server.ts';
import { startBalancer, type Balancer } from './balancer.ts';
import { ROOT, launchBrowser, sitePeople, type Site } from './harness.ts';
import { CONNECTED, closeAll, expectAudioFlowing, openCitizen, openConsole, ringItems, tapCallBfp, type Person } from './screens/app.ts';

describe('a call across two broker nodes', () => {
  let redis: RedisServer;
  let nodes: RunningServer[] = [];
  let browser: Browser;
  let dataDir: string;
  let people: Person[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-e2e-cluster-'));
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, DIST_DIR: path.join(ROOT, 'dist'), LOG_LEVEL: 'warn', REDIS_URL: redis.url }, ROOT);
    nodes = [await startServer(config), await startServer(config)];
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await closeAll(...people);
    await browser?.close();
    for (const node of nodes) await node.close();
    await redis?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function site(node: RunningServer): Site {
    const origin = `http://127.0.0.1:${node.port}`;
    return { origin, ...sitePeople(browser, origin, dataDir) };
  }

  it('rings a console on node 2 for a citizen on node 1; once answered, audio flows both ways', async () => {
    const console_ = await openConsole(site(nodes[1] as RunningServer), 'qc-central');
    const citizen = await openCitizen(site(nodes[0] as RunningServer));
    people = [console_, citizen];

    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    await console_.page.locator('.phase', { hasText: CONNECTED }).waitFor();
    await citizen.page.locator('.phase', { hasText: CONNECTED }).waitFor();
    await expectAudioFlowing(console_.page);
    await expectAudioFlowing(citizen.page);
  });
});

describe('an app whose broker node hangs', () => {
  let browser: Browser;
  let balancer: Balancer | null = null;
  let people: Person[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeAll(...people);
    await balancer?.close();
    await browser?.close();
  });

  it('notices the silent broker and reconnects through the balancer to another node within 15 s', async () => {
    const cluster = await startCluster(2, { DIST_DIR: path.join(ROOT, 'dist') });
    const [hung, healthy] = cluster.nodes as [NodeProcess, NodeProcess];
    balancer = await startBalancer([hung.port, healthy.port]);
    const origin = `http://127.0.0.1:${balancer.port}`;
    const citizen = await openCitizen({ origin, ...sitePeople(browser, origin, cluster.dataDir) });
    people = [citizen];
    const peersOn = async (node: NodeProcess) => ((await (await fetch(`${node.httpUrl}/api/health`)).json()) as { peers: number }).peers;
    expect(await peersOn(healthy)).toBe(1);

    // Frozen: its sockets stay open, nothing comes back. Only the app's watchdog can tell.
    await hung.signal('SIGSTOP');
    const frozenAt = Date.now();
    // The hung node's liveness key expires within about 3 s: from then on the healthy node counts only its own peers.
    while ((await peersOn(healthy)) !== 0) await new Promise((r) => setTimeout(r, 200));
    while ((await peersOn(healthy)) !== 1) {
      expect(Date.now() - frozenAt, 'the app back on the healthy node').toBeLessThan(15_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    await citizen.page.getByText('Connected to BFP').waitFor();
    await hung.signal('SIGCONT');
  });
});
