import type { OfficerApp } from '../../client/screens/officer.ts';
import { formatPosition } from '../format.ts';

/** Incidents from the station: where to go, and one tap to say "on it". */
export function Assignments({ app }: { app: OfficerApp }) {
  if (app.assignments.length === 0) return null;
  return (
    <section class="assignments" aria-labelledby="assignments-title">
      <h2 id="assignments-title">Assignments</h2>
      <ul aria-label="Assignments">
        {app.assignments.map(({ assignment: { id, incident, sentAt }, ackAt }) => {
          const pos = incident.position;
          return (
            <li key={id} class="assignment" data-acknowledged={ackAt !== null}>
              <p>
                <strong>{incident.callerName || 'Incident'}</strong>
                {` — sent ${new Date(sentAt).toLocaleTimeString()}`}
              </p>
              <p class="assignment-position">{pos ? formatPosition(pos) : 'No position given'}</p>
              {incident.address && <p>{`Address: ${incident.address}`}</p>}
              {incident.note && <p>{`Note: ${incident.note}`}</p>}
              {pos && (
                <p class="actions">
                  <a class="tel" href={`geo:${pos.lat.toFixed(6)},${pos.lng.toFixed(6)}?q=${pos.lat.toFixed(6)},${pos.lng.toFixed(6)}`}>
                    Navigate
                  </a>
                  <a class="tel" href={`https://www.openstreetmap.org/?mlat=${pos.lat.toFixed(6)}&mlon=${pos.lng.toFixed(6)}#map=17/${pos.lat.toFixed(6)}/${pos.lng.toFixed(6)}`} target="_blank" rel="noopener noreferrer">
                    Open map
                  </a>
                </p>
              )}
              {ackAt === null ? (
                <button type="button" class="big answer" onClick={() => app.acknowledge(id)}>
                  Acknowledge
                </button>
              ) : (
                <p role="status">{`Acknowledged at ${new Date(ackAt).toLocaleTimeString()}`}</p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
