import { distanceMetres, formatDistance } from '../../client/location/watch.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { formatAge, formatPosition } from '../format.ts';
import { useTick } from '../hooks.ts';

/** The ringing queue: who is calling, from where, and for how long. */
export function IncomingCalls({ app }: { app: StationApp }) {
  const now = useTick(1000);
  const ringing = app.incoming();
  const station = app.station();
  return (
    <section class={`incoming ${ringing.length > 0 ? 'is-ringing' : ''}`} aria-labelledby="incoming-title">
      <h2 id="incoming-title">Incoming calls</h2>
      <p class="visually-hidden" aria-live="assertive">
        {ringing.length > 0 ? `${ringing.length} incoming call${ringing.length > 1 ? 's' : ''}` : ''}
      </p>
      <ul aria-label="Incoming calls">
        {ringing.map((s) => {
          const pos = s.latestPosition()?.position ?? null;
          const since = s.state.name === 'ringing' ? s.state.since : now;
          return (
            <li key={s.callId} class="ring-item">
              <p class="caller">
                <strong>{s.sos?.name || 'Unnamed caller'}</strong>
                {s.sos?.role !== 'citizen' && ` (${s.sos?.role === 'officer' ? 'officer' : 'station'})`}
              </p>
              {s.transfer && <p class="transfer-from">{`Transfer from ${s.transfer.from}`}</p>}
              <p class="caller-phone">{s.sos?.phone ? `Phone: ${s.sos.phone}` : 'No phone number given'}</p>
              <p class="caller-position">{pos ? formatPosition(pos) : 'location unavailable'}</p>
              {pos && station && <p class="caller-distance">{`${formatDistance(distanceMetres(pos, station))} from the station`}</p>}
              <p class="waiting">{`Waiting ${formatAge(now - since)}`}</p>
              <div class="actions">
                <button type="button" class="big answer" onClick={() => app.answer(s)}>
                  Answer
                </button>
                <button type="button" class="big decline" onClick={() => app.phone?.decline(s)}>
                  Decline
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {ringing.length === 0 && <p>No one is ringing.</p>}
    </section>
  );
}
