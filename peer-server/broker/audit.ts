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
  // The file is opened asynchronously, at start and again after each rotation. Until it is
  // open, audit.log does not exist yet (nothing to rename) and lines wait in memory.
  let open = false;
  dest.on('ready', () => {
    open = true;
  });
  // A file error (disk full, folder gone) must not crash the broker: report it and carry on.
  let failed = false;
  dest.on('error', (err) => {
    failed = true;
    process.emitWarning(`audit log: ${String(err)}`);
  });

  function rotate(): void {
    open = false;
    try {
      dest.flushSync();
      for (let i = keep - 1; i >= 1; i--) {
        const from = `${file}.${i}`;
        if (fs.existsSync(from)) fs.renameSync(from, `${file}.${i + 1}`);
      }
      fs.renameSync(file, `${file}.1`);
    } catch (err) {
      // Auditing must never take the broker down: keep logging into a fresh file.
      process.emitWarning(`audit log rotation failed: ${String(err)}`);
    }
    dest.reopen();
    size = 0;
  }

  return {
    record(entry) {
      logger.info(entry);
      // An estimate is enough to bound the file; the exact line length does not matter.
      size += 160 + entry.src.length + (entry.dst?.length ?? 0) + entry.reason.length;
      if (size >= maxBytes && open) rotate();
    },
    flush: () =>
      new Promise((resolve) => {
        dest.flush(() => resolve());
      }),
    // Resolves once every line is written and the file is closed: the process may exit right after.
    close: () =>
      new Promise((resolve) => {
        if (failed) {
          resolve();
          return;
        }
        dest.once('close', () => resolve());
        dest.once('error', () => resolve());
        dest.end();
      }),
  };
}
