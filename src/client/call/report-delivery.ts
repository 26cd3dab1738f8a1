/**
 * Delivers SOS reports written while no station could be reached: to an online
 * console of the nearest staffed station, one console at a time, marked
 * delivered only when a console acknowledges it.
 */
import type { DataConnection } from 'peerjs';
import { PROTOCOL_VERSION, parseMessage, type Report } from '../../shared/protocol.ts';
import type { Directory } from '../../shared/directory.ts';
import { fetchPresence } from '../api.ts';
import type { PeerLink } from '../peer/link.ts';
import { listOutbox, markAttempt, markDelivered } from '../store/reports.ts';
import { rankStations, staffed } from './stations.ts';

const ACK_TIMEOUT_MS = 8000;

export class ReportDelivery {
  private running = false;
  private readonly unavailable = new Map<string, () => void>();

  constructor(
    private readonly link: PeerLink,
    private readonly directory: () => Directory | null,
    private readonly here: () => { lat: number; lng: number } | null,
    private readonly onChange: () => void,
  ) {}

  /** The broker could not reach this console: stop waiting for it. */
  peerUnavailable(id: string): void {
    this.unavailable.get(id)?.();
  }

  /** Tries every waiting report once; safe to call often. */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const waiting = (await listOutbox()).filter((r) => r.status === 'waiting').reverse();
      if (waiting.length === 0) return;
      const directory = this.directory();
      const peer = this.link.peer;
      if (!directory || !peer || peer.disconnected || this.link.status.name !== 'online') return;
      const presence = await fetchPresence();
      if (!presence) return;
      for (const { report } of waiting) {
        await markAttempt(report.id);
        const ranked = staffed(rankStations(directory, presence, report.position ?? this.here()));
        delivery: for (const { station, consoles } of ranked) {
          for (const consoleId of consoles) {
            if (await this.deliver(consoleId, report)) {
              // Changed while on its way (a note added): it stays waiting and the next run delivers the new text.
              await markDelivered(report, station.name);
              this.onChange();
              break delivery;
            }
          }
        }
      }
    } finally {
      this.running = false;
      this.onChange();
    }
  }

  private deliver(consoleId: string, report: Report): Promise<boolean> {
    const peer = this.link.peer;
    if (!peer) return Promise.resolve(false);
    const conn: DataConnection | undefined = peer.connect(consoleId, {
      metadata: { v: PROTOCOL_VERSION, type: 'report', report },
      serialization: 'json',
      reliable: true,
    });
    if (!conn) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.unavailable.delete(consoleId);
        setTimeout(() => conn.close(), 100);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), ACK_TIMEOUT_MS);
      this.unavailable.set(consoleId, () => finish(false));
      conn.on('data', (raw) => {
        const parsed = parseMessage(raw);
        if (parsed.ok && parsed.value.type === 'report-ack' && parsed.value.id === report.id) finish(true);
      });
      conn.on('close', () => finish(false));
      conn.on('error', () => finish(false));
    });
  }
}
