import { useState } from 'preact/hooks';
import type { CitizenApp } from '../../client/screens/citizen.ts';
import { formatPosition, formatTime } from '../format.ts';
import { useT } from '../i18n/index.ts';

/** The SOS kept on the phone while no station can be reached, and what became of it. */
export function OfflineSos({ app, offerForm }: { app: CitizenApp; offerForm: boolean }) {
  const [note, setNote] = useState('');
  const t = useT();
  const waiting = app.outbox.filter((r) => r.status === 'waiting');
  return (
    <section class="offline-sos" aria-label={t('sos.label')}>
      {offerForm && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            // The text stays in the box until it is safely stored.
            void app.queueSos(note).then(() => setNote(''), () => undefined);
          }}
        >
          <label>
            {t('sos.what')}
            <textarea value={note} maxLength={1000} rows={2} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit" class="big">
            {t('sos.send')}
          </button>
        </form>
      )}
      {app.outbox.length > 0 && (
        <ul aria-label={t('sos.list')}>
          {app.outbox.slice(0, 5).map(({ report, status, deliveredTo, deliveredAt }) => (
            <li key={report.id} class={`sos-report sos-${status}`} data-status={status}>
              <strong>{status === 'waiting' ? t('sos.waiting') : t('sos.deliveredTo', { station: deliveredTo ?? t('sos.aStation') })}</strong>
              <span>{` — ${t('sos.written', { time: formatTime(report.createdAt, t) })}`}</span>
              {deliveredAt && <span>{`, ${t('sos.delivered', { time: formatTime(deliveredAt, t) })}`}</span>}
              <p>{report.position ? formatPosition(report.position) : t('sos.locationUnknown')}</p>
              {report.note && <p class="note">{report.note}</p>}
            </li>
          ))}
        </ul>
      )}
      {app.sosNotSaved && (
        <p role="alert" class="problem">
          {t('sos.notSaved')}
        </p>
      )}
      {waiting.length > 0 && <p role="status">{t('sos.saved')}</p>}
    </section>
  );
}
