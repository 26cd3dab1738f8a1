/** GET /api/health: for load balancers and monitoring. */
import { describe, expect, it } from 'vitest';
import { eventually, openCitizen, openStation, startBroker } from '../harness.ts';

describe('GET /api/health', () => {
  it('answers ok with the number of connected peers, uncached', async () => {
    const broker = await startBroker();
    const res = await broker.http('/api/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ status: 'ok', peers: 0, version: expect.any(String) });

    const citizen = await openCitizen(broker);
    await openStation(broker);
    expect(await (await broker.http('/api/health')).json()).toMatchObject({ peers: 2 });
    await citizen.close();
    await eventually(async () => ((await (await broker.http('/api/health')).json()) as { peers: number }).peers === 1);
  });

  it('answers unknown API paths with a JSON 404, not the app', async () => {
    const broker = await startBroker();
    const res = await broker.http('/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'No such API endpoint.' });
  });
});
