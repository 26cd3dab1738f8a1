import { describe, expect, it } from 'vitest';
import { senderRole } from '../../../../src/client/call/senders.ts';
import type { ConnectMeta } from '../../../../src/shared/protocol.ts';

const CITIZEN = 'c-0123456789abcdef0123456789abcdef';
const CONSOLE = 'st-qc-central-aaaa';
const COLLEAGUE = 'st-qc-central-bbbb';
const OTHER_STATION = 'st-cubao-aaaa';
const OFFICER = 'of-jdelacruz-abcd';

const sos: ConnectMeta = { v: 1, type: 'sos', callId: 'c1', role: 'station', name: 'X', phone: '', position: null, sentAt: 1 };
const duty: ConnectMeta = { v: 1, type: 'duty', name: 'X' };
const report: ConnectMeta = { v: 1, type: 'report', report: { id: 'r1', name: 'X', phone: '', position: null, note: '', createdAt: 1 } };
const transfer: ConnectMeta = { v: 1, type: 'transfer', callId: 'c1', citizenId: CITIZEN, from: 'X', caller: { name: 'X', phone: '', position: null, sentAt: 1 } };

describe('who may open which connection', () => {
  it('rings with the role the sender’s id proves', () => {
    expect(senderRole(sos, CITIZEN, CONSOLE)).toBe('citizen');
    expect(senderRole(sos, OFFICER, CONSOLE)).toBe('officer');
    expect(senderRole(sos, CONSOLE, CITIZEN)).toBe('station');
  });

  it('takes duty links from officers only, and only on a console', () => {
    expect(senderRole(duty, OFFICER, CONSOLE)).toBe('officer');
    expect(senderRole(duty, CITIZEN, CONSOLE)).toBeNull();
    expect(senderRole(duty, COLLEAGUE, CONSOLE)).toBeNull();
    expect(senderRole(duty, CONSOLE, OFFICER)).toBeNull();
  });

  it('takes transfers from the same station’s consoles only', () => {
    expect(senderRole(transfer, COLLEAGUE, CONSOLE)).toBe('station');
    expect(senderRole(transfer, OTHER_STATION, CONSOLE)).toBeNull();
    expect(senderRole(transfer, CITIZEN, CONSOLE)).toBeNull();
    expect(senderRole(transfer, OFFICER, CONSOLE)).toBeNull();
  });

  it('takes offline reports from citizens, on a console', () => {
    expect(senderRole(report, CITIZEN, CONSOLE)).toBe('citizen');
    expect(senderRole(report, OFFICER, CONSOLE)).toBeNull();
    expect(senderRole(report, CONSOLE, CITIZEN)).toBeNull();
  });

  it('refuses ids that follow no rule', () => {
    expect(senderRole(sos, 'someone', CONSOLE)).toBeNull();
    expect(senderRole(sos, CITIZEN, 'someone')).toBeNull();
  });
});
