import { WARNING_TEXT } from '../../client/call/quality.ts';
import type { CallSession } from '../../client/call/session.ts';

const fmt = (n: number | null, unit: string) => (n === null ? '–' : `${Math.round(n)} ${unit}`);

/** Call quality figures and warnings, while they last. */
export function QualityLine({ session, detailed = false }: { session: CallSession; detailed?: boolean }) {
  const q = session.quality;
  return (
    <div class="quality" aria-label="Call quality">
      {detailed && q && (
        <p class="quality-figures">
          {`RTT ${fmt(q.rttMs, 'ms')} · jitter ${fmt(q.jitterMs, 'ms')} · loss ${q.lossPct === null ? '–' : `${q.lossPct} %`} · in ${fmt(q.inKbps, 'kbps')} · out ${fmt(q.outKbps, 'kbps')}`}
        </p>
      )}
      {session.warnings.length > 0 && (
        <ul class="warnings" role="status">
          {session.warnings.map((w) => (
            <li key={w} data-warning={w}>
              {WARNING_TEXT[w]}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
