import { useState } from 'preact/hooks';
import type { CitizenApp } from '../../client/screens/citizen.ts';
import { formatPosition } from '../format.ts';

/** The SOS kept on the phone while no station can be reached, and what became of it. */
export function OfflineSos({ app, offerForm }: { app: CitizenApp; offerForm: boolean }) {
  const [note, setNote] = useState('');
  const waiting = app.outbox.filter((r) => r.status === 'waiting');
  return (
    <section class="offline-sos" aria-label="SOS reports">
      {offerForm && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void app.queueSos(note);
            setNote('');
          }}
        >
          <label>
            What is happening? (optional)
            <textarea value={note} maxLength={1000} rows={2} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit" class="big">
            Send SOS when back online
          </button>
        </form>
      )}
      {app.outbox.length > 0 && (
        <ul aria-label="Your SOS reports">
          {app.outbox.slice(0, 5).map(({ report, status, deliveredTo, deliveredAt }) => (
            <li key={report.id} class={`sos-report sos-${status}`} data-status={status}>
              <strong>{status === 'waiting' ? 'Waiting to be sent' : `Delivered to ${deliveredTo ?? 'a station'}`}</strong>
              <span>{` — written ${new Date(report.createdAt).toLocaleTimeString()}`}</span>
              {deliveredAt && <span>{`, delivered ${new Date(deliveredAt).toLocaleTimeString()}`}</span>}
              <p>{report.position ? formatPosition(report.position) : 'Location unknown'}</p>
              {report.note && <p>{report.note}</p>}
            </li>
          ))}
        </ul>
      )}
      {waiting.length > 0 && <p role="status">Your SOS is saved on this phone and will be sent as soon as a station can be reached. Meanwhile, call a number below.</p>}
    </section>
  );
}
