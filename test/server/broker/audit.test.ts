/**
 * The audit log: one JSON line per call initiation attempt and per refused
 * connection, with who, to whom, when, from where, allowed or not and why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  auditLine,
  citizenCredentials,
  connectRefused,
  eventually,
  openCitizen,
  openOfficer,
  openStation,
  readAudit,
  settle,
  startBroker,
  type AuditLine,
} from '../harness.ts';

function expectRecent(line: AuditLine, since: number): void {
  const at = Date.parse(line.time);
  expect(at).toBeGreaterThanOrEqual(since - 1000);
  expect(at).toBeLessThanOrEqual(Date.now() + 1000);
}

describe('audit log', () => {
  it('records an allowed call attempt with who, to whom, when, from where and why', async () => {
    const since = Date.now();
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    await citizen.offer(station.id);
    await station.next('OFFER');

    const line = await auditLine(broker, (l) => l.event === 'offer' && l.src === citizen.id);
    expect(line).toMatchObject({ src: citizen.id, dst: station.id, srcRole: 'citizen', dstRole: 'station', ip: '127.0.0.1', allowed: true, reason: 'delivered' });
    expectRecent(line, since);
  });

  it('records denied call attempts with their reason', async () => {
    const broker = await startBroker({ env: { LIMIT_OFFERS_PER_CITIZEN: '1' } });
    const citizen = await openCitizen(broker);
    const other = await openCitizen(broker);
    const officer = await openOfficer(broker);
    const station = await openStation(broker);

    await citizen.offer(other.id);
    await citizen.offer(officer.id);
    await citizen.offer(station.id);
    await citizen.offer(station.id);
    for (let n = 0; n < 3; n++) await citizen.next('EXPIRE');

    const lines = await eventually(async () => {
      await broker.flushAudit();
      const mine = readAudit(broker.dataDir).filter((l) => l.src === citizen.id);
      return mine.length >= 4 && mine;
    });
    expect(lines.map((l) => [l.dst, l.allowed, l.reason])).toEqual([
      [other.id, false, 'citizen-to-citizen'],
      [officer.id, false, 'citizen-to-officer'],
      [station.id, true, 'delivered'],
      [station.id, false, 'offer-rate-limit'],
    ]);
    expect(lines.every((l) => l.ip === '127.0.0.1' && l.srcRole === 'citizen')).toBe(true);
    expect(lines[1]?.dstRole).toBe('officer');
  });

  it('records an offer held for an absent peer as queued, and one refused for a full queue', async () => {
    const broker = await startBroker({ env: { LIMIT_QUEUE_PER_PEER: '1', EXPIRE_TIMEOUT_MS: '30000' } });
    const station = await openStation(broker);
    const absent = citizenCredentials().id;
    await station.offer(absent);
    await station.offer(absent);
    await station.next('EXPIRE');
    const lines = await eventually(async () => {
      await broker.flushAudit();
      const mine = readAudit(broker.dataDir).filter((l) => l.dst === absent);
      return mine.length >= 2 && mine;
    });
    expect(lines.map((l) => [l.srcRole, l.allowed, l.reason])).toEqual([
      ['station', true, 'queued'],
      ['station', false, 'queue-full'],
    ]);
  });

  it('records refused connections with the reason, and not admitted ones', async () => {
    const broker = await startBroker();
    const admitted = await openCitizen(broker);
    const victim = citizenCredentials();
    await connectRefused(broker, { id: victim.id, token: citizenCredentials().token });
    await connectRefused(broker, { id: 'st-qc-central-tab1', token: 'not-a-jwt' });

    const refusedCitizen = await auditLine(broker, (l) => l.event === 'connect' && l.src === victim.id);
    expect(refusedCitizen).toMatchObject({ srcRole: 'citizen', ip: '127.0.0.1', allowed: false });
    expect(refusedCitizen.reason).toMatch(/does not match its secret/);
    const refusedStaff = await auditLine(broker, (l) => l.event === 'connect' && l.src === 'st-qc-central-tab1');
    expect(refusedStaff).toMatchObject({ srcRole: 'station', allowed: false });
    expect(readAudit(broker.dataDir).filter((l) => l.src === admitted.id)).toEqual([]);
  });

  it('logs a call initiation once, not its candidates or renegotiations', async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    const cid = await citizen.offer(station.id);
    for (let n = 0; n < 3; n++) await citizen.candidate(station.id, cid, n);
    await citizen.offer(station.id, { connectionId: cid });
    await station.next('OFFER');
    await station.next('OFFER');
    await settle();
    await broker.flushAudit();
    expect(readAudit(broker.dataDir).filter((l) => l.src === citizen.id)).toHaveLength(1);
  });

  it('stays bounded in size: it rotates into audit.log.N and keeps only AUDIT_KEEP old files', async () => {
    const broker = await startBroker({ env: { AUDIT_MAX_BYTES: '2048', AUDIT_KEEP: '2' } });
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    for (let n = 1; n <= 40; n++) {
      // A steady trickle: each attempt (to a different citizen) is on disk before the next.
      const dst = citizenCredentials().id;
      await citizen.offer(dst);
      await citizen.next('EXPIRE');
      await eventually(() => ['audit.log', 'audit.log.1'].some((f) => readAudit(broker.dataDir, f).some((l) => l.dst === dst)), 3000, `attempt ${n} on disk`);
    }
    await citizen.offer(station.id);
    await station.next('OFFER');
    // The newest attempt reaches the current file.
    await auditLine(broker, (l) => l.src === citizen.id && l.dst === station.id);

    const files = fs.readdirSync(broker.dataDir).filter((f) => f.startsWith('audit')).sort();
    expect(files).toEqual(['audit.log', 'audit.log.1', 'audit.log.2']);
    // Line sizes are estimated: allow one line over.
    for (const f of files) expect(fs.statSync(path.join(broker.dataDir, f)).size).toBeLessThan(2048 + 400);
    for (const f of files.slice(1)) expect(readAudit(broker.dataDir, f).length).toBeGreaterThan(0);
    // The oldest lines were dropped.
    const kept = [...files].reverse().flatMap((f) => readAudit(broker.dataDir, f)).filter((l) => l.src === citizen.id);
    expect(kept.length).toBeLessThan(41);
    expect(kept.at(-1)?.dst).toBe(station.id);
  });

  it('survives a burst of denied attempts across rotations without crashing or losing a line', async () => {
    const broker = await startBroker({ env: { AUDIT_MAX_BYTES: '2048', AUDIT_KEEP: '50' } });
    const citizen = await openCitizen(broker);
    const other = await openCitizen(broker);
    await eventually(() => fs.existsSync(path.join(broker.dataDir, 'audit.log')), 3000, 'the audit log being open');
    await settle();
    // Sent back to back: the broker handles many in one go, also while the log file is being reopened.
    await Promise.all(Array.from({ length: 200 }, () => citizen.offer(other.id)));
    await eventually(() => citizen.received('EXPIRE').length === 200);
    expect(citizen.isOpen).toBe(true);
    expect((await broker.http('/api/health')).status).toBe(200);

    const files = () => fs.readdirSync(broker.dataDir).filter((f) => f.startsWith('audit.log'));
    const lines = () => files().flatMap((f) => readAudit(broker.dataDir, f)).filter((l) => l.src === citizen.id);
    await eventually(() => lines().length >= 200, 3000, 'all 200 lines on disk');
    expect(files().length).toBeGreaterThan(1);
    expect(lines()).toHaveLength(200);
  });

  it('has every line on disk once the broker has shut down (SIGTERM exits right after)', async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const other = await openCitizen(broker);
    await Promise.all(Array.from({ length: 300 }, () => citizen.offer(other.id)));
    await eventually(() => citizen.received('EXPIRE').length >= 100);
    await broker.close();
    const refused = citizen.received('EXPIRE').length;
    // Read at once, as nothing runs after the process exits.
    const lines = readAudit(broker.dataDir).filter((l) => l.src === citizen.id);
    expect(lines.length).toBeGreaterThanOrEqual(refused);
  });
});
