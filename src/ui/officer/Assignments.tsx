import type { OfficerApp } from '../../client/screens/officer.ts';
import { formatPosition, formatTime } from '../format.ts';
import { useStaffT } from '../i18n/staff.ts';

/** Incidents from the station: where to go, and one tap to say "on it". */
export function Assignments({ app }: { app: OfficerApp }) {
  const st = useStaffT();
  if (app.assignments.length === 0) return null;
  return (
    <section class="assignments" aria-labelledby="assignments-title">
      <h2 id="assignments-title">{st('assignments.title')}</h2>
      <ul aria-label={st('assignments.title')}>
        {app.assignments.map(({ assignment: { id, incident, sentAt }, ackAt }) => {
          const pos = incident.position;
          return (
            <li key={id} class="assignment" data-acknowledged={ackAt !== null}>
              <p>
                <strong>{incident.callerName || st('assignments.incident')}</strong>
                {` — ${st('assignments.sent', { time: formatTime(sentAt, st) })}`}
              </p>
              <p class="assignment-position">{pos ? formatPosition(pos) : st('assignments.noPosition')}</p>
              {incident.address && <p>{st('assignments.address', { address: incident.address })}</p>}
              {incident.note && <p>{st('assignments.note', { note: incident.note })}</p>}
              {pos && (
                <p class="actions">
                  <a class="tel" href={`geo:${pos.lat.toFixed(6)},${pos.lng.toFixed(6)}?q=${pos.lat.toFixed(6)},${pos.lng.toFixed(6)}`}>
                    {st('assignments.navigate')}
                  </a>
                  <a class="tel" href={`https://www.openstreetmap.org/?mlat=${pos.lat.toFixed(6)}&mlon=${pos.lng.toFixed(6)}#map=17/${pos.lat.toFixed(6)}/${pos.lng.toFixed(6)}`} target="_blank" rel="noopener noreferrer">
                    {st('assignments.openMap')}
                  </a>
                </p>
              )}
              {ackAt === null ? (
                <button type="button" class="big answer" onClick={() => app.acknowledge(id)}>
                  {st('assignments.ack')}
                </button>
              ) : (
                <p role="status">{st('assignments.acked', { time: formatTime(ackAt, st) })}</p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
