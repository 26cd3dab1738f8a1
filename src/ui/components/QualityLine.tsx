import type { CallSession } from '../../client/call/session.ts';
import { useT } from '../i18n/index.ts';

const fmt = (n: number | null, unit: string) => (n === null ? '–' : `${Math.round(n)} ${unit}`);

/** Call quality figures and warnings, while they last. */
export function QualityLine({ session, detailed = false }: { session: CallSession; detailed?: boolean }) {
  const q = session.quality;
  const t = useT();
  return (
    <div class="quality" role="group" aria-label={t('quality.label')}>
      {detailed && q && (
        <p class="quality-figures">
          {t('quality.figures', { rtt: fmt(q.rttMs, 'ms'), jitter: fmt(q.jitterMs, 'ms'), loss: q.lossPct === null ? '–' : `${q.lossPct} %`, in: fmt(q.inKbps, 'kbps'), out: fmt(q.outKbps, 'kbps') })}
        </p>
      )}
      {session.warnings.length > 0 && (
        <ul class="warnings" role="status">
          {session.warnings.map((w) => (
            <li key={w} data-warning={w}>
              {t(`quality.${w}`)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
