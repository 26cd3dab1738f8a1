/**
 * An address over its connection limit is told so once in a readable ERROR
 * frame; its further attempts in the next seconds get a bare HTTP 429 before
 * any WebSocket upgrade (a fraction of the broker's work), and are not audited
 * one by one. Other addresses are not affected.
 */
import { describe, expect, it } from 'vitest';
import { PeerClient, citizenCredentials, connectRefused, openCitizen, readAudit, startBroker } from '../harness.ts';

describe('repeated attempts from an address over its connection limit', () => {
  it('get HTTP 429 without an upgrade after the first readable refusal; other addresses still get in', async () => {
    const broker = await startBroker({ env: { LIMIT_CONNECTIONS_PER_IP: '2', TRUST_PROXY: '1' } });
    // Which addresses were told is remembered per broker node: in cluster mode all of this is on the first node.
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip }, node: 0 });
    await openCitizen(broker, citizenCredentials(), from('10.0.0.1'));
    await openCitizen(broker, citizenCredentials(), from('10.0.0.1'));

    // The first refusal explains itself (PeerJS shows the message as server-error).
    const first = await connectRefused(broker, citizenCredentials(), from('10.0.0.1'));
    expect(first.error).toMatch(/Too many connection attempts/);

    // The next ones from that address are turned away at the HTTP level.
    for (let n = 0; n < 5; n++) {
      await expect(PeerClient.connect(broker, citizenCredentials(), from('10.0.0.1'))).rejects.toThrow(/HTTP 429/);
    }
    // Another address is not affected.
    const elsewhere = await openCitizen(broker, citizenCredentials(), from('10.0.0.2'));
    expect(elsewhere.isOpen).toBe(true);

    // One audit line for the refusal, not one per repeat.
    await broker.flushAudit();
    const refused = readAudit(broker.dataDir).filter((l) => l.event === 'connect' && !l.allowed && l.ip === '10.0.0.1');
    expect(refused).toHaveLength(1);
    expect((await broker.http('/api/health')).status).toBe(200);
  });
});
