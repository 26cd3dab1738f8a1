/**
 * One port for everything: upgrades to the broker path go to the broker; any
 * other upgrade is refused cleanly; the stock PeerServer's peer listing stays
 * closed; shutting down closes every client.
 */
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { eventually, openCitizen, openStation, startBroker, type Broker } from './harness.ts';

function upgrade(broker: Broker, pathAndQuery: string): Promise<{ opened: boolean; status: number | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${broker.nodes[0]?.wsBase}${pathAndQuery}`);
    ws.on('open', () => {
      ws.terminate();
      resolve({ opened: true, status: null });
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? null });
      ws.terminate();
    });
    ws.on('error', () => resolve({ opened: false, status: null }));
  });
}

describe('one port', () => {
  it('refuses WebSocket upgrades on any path but the broker with a 404, and keeps serving', async () => {
    const broker = await startBroker();
    for (const p of ['/', '/ws', '/broker', '/broker/peerjs/', '/broker/peerjs/extra', '/api/health', '/socket.io/?EIO=4&transport=websocket']) {
      expect(await upgrade(broker, p), p).toEqual({ opened: false, status: 404 });
    }
    // The broker path itself upgrades (and then the guard decides).
    expect((await upgrade(broker, '/broker/peerjs?key=peerjs&id=x&token=y')).opened).toBe(true);
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    await citizen.offer(station.id);
    await station.next('OFFER');
    expect((await broker.http('/api/health')).status).toBe(200);
  });

  it('does not list connected peers through the stock PeerServer HTTP API', async () => {
    const broker = await startBroker();
    await openStation(broker);
    const res = await broker.http('/broker/peerjs/peers');
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('st-');
  });

  it('answers garbage HTTP with 400 and stays up', async () => {
    const broker = await startBroker();
    const net = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(broker.nodes[0]?.running.port as number, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await broker.http('/api/health')).status).toBe(200);
  });

  it('drops a peer that stops sending heartbeats, and keeps one that sends them', async () => {
    const broker = await startBroker({ env: { ALIVE_TIMEOUT_MS: '1000' } });
    const silent = await openCitizen(broker);
    const alive = await openStation(broker);
    const started = Date.now();
    while (silent.isOpen && Date.now() - started < 3000) {
      await alive.heartbeat();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(silent.isOpen).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(alive.isOpen).toBe(true);
    await eventually(async () => ((await (await broker.http('/api/health')).json()) as { peers: number }).peers === 1);
  });

  it('closes every client when it shuts down', async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    await broker.close();
    expect((await citizen.closed).code).toBe(1001);
    expect((await station.closed).code).toBe(1001);
  });
});
