/**
 * The audit log: one JSON line per call or connection attempt, allowed or
 * not, in <DATA_DIR>/audit.log, rotated by size to audit.log.1, audit.log.2, …
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Role } from '../../src/shared/ids.ts';

export interface AuditEntry {
  event: 'offer' | 'connect';
  src: string;
  dst?: string;
  srcRole: Role | null;
  dstRole?: Role | null;
  ip: string;
  allowed: boolean;
  reason: string;
}

export interface Audit {
  record(entry: AuditEntry): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function openAudit(dataDir: string, maxBytes: number, keep: number): Audit {
  const file = path.join(dataDir, 'audit.log');
  fs.mkdirSync(dataDir, { recursive: true });
  const dest = pino.destination({ dest: file, sync: false, mkdir: true });
  let size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  const logger: Logger = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'msg' }, dest);

  function rotate(): void {
    dest.flushSync();
    for (let i = keep - 1; i >= 1; i--) {
      const from = `${file}.${i}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${file}.${i + 1}`);
    }
    fs.renameSync(file, `${file}.1`);
    dest.reopen();
    size = 0;
  }

  return {
    record(entry) {
      logger.info(entry);
      // An estimate is enough to bound the file; the exact line length does not matter.
      size += 160 + entry.src.length + (entry.dst?.length ?? 0) + entry.reason.length;
      if (size >= maxBytes) rotate();
    },
    flush: () =>
      new Promise((resolve) => {
        dest.flush(() => resolve());
      }),
    close: () =>
      new Promise((resolve) => {
        dest.flush(() => {
          dest.end();
          resolve();
        });
      }),
  };
}
