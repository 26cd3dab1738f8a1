import type { OfficerEntry, StationApp } from '../../client/screens/station.ts';
import { formatAge, formatPosition } from '../format.ts';
import { useTick } from '../hooks.ts';

export const STATUS_TEXT: Record<OfficerEntry['status'], string> = {
  available: 'Available',
  responding: 'Responding',
  'on-scene': 'On scene',
  'off-duty': 'Off duty',
  unknown: 'Online',
};

/** The station's officers who are online: status, time since it changed, last position. */
export function OfficersPanel({ app }: { app: StationApp }) {
  const now = useTick(1000);
  const officers = [...app.officers.values()];
  return (
    <section class="officers" aria-labelledby="officers-title">
      <h2 id="officers-title">Officers</h2>
      {officers.length === 0 && <p>No officer is online.</p>}
      <ul aria-label="Officers">
        {officers.map((o) => (
          <li key={o.id} class="officer" data-status={o.status}>
            <strong>{o.name}</strong>
            <span class="status">{` — ${STATUS_TEXT[o.status]}`}</span>
            {o.changedAt !== null && <span class="since">{` for ${formatAge(now - o.changedAt)}`}</span>}
            <p class="officer-position">{o.position ? formatPosition(o.position) : 'No position yet'}</p>
            <button type="button" onClick={() => app.callOfficer(o)} aria-label={`Call ${o.name}`}>
              Call
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
