import { distanceMetres, formatDistance } from '../../client/location/watch.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { formatAge, formatPosition } from '../format.ts';
import { useTick } from '../hooks.ts';
import { useT } from '../i18n/index.ts';
import { useStaffT } from '../i18n/staff.ts';

/** The ringing queue: who is calling, from where, and for how long. */
export function IncomingCalls({ app }: { app: StationApp }) {
  const now = useTick(1000);
  const t = useT();
  const st = useStaffT();
  const ringing = app.incoming();
  const station = app.station();
  return (
    <section class={`incoming ${ringing.length > 0 ? 'is-ringing' : ''}`} aria-labelledby="incoming-title">
      <h2 id="incoming-title">{st('incoming.title')}</h2>
      <p class="visually-hidden" aria-live="assertive">
        {ringing.length === 1
          ? st('incoming.one', { name: ringing[0]?.sos?.name || st('caller.unnamed') })
          : ringing.length > 1
            ? st('incoming.many', { count: ringing.length, names: ringing.map((s) => s.sos?.name || st('caller.unnamed')).join(', ') })
            : ''}
      </p>
      <ul aria-label={st('incoming.title')}>
        {ringing.map((s) => {
          const pos = s.latestPosition()?.position ?? null;
          const since = s.state.name === 'ringing' ? s.state.since : now;
          return (
            <li key={s.callId} class="ring-item">
              <p class="caller">
                <strong>{s.sos?.name || st('caller.unnamed')}</strong>
                {s.sos?.role !== 'citizen' && ` (${s.sos?.role === 'officer' ? st('role.officer') : st('role.station')})`}
              </p>
              {s.transfer && <p class="transfer-from">{st('incoming.transferFrom', { from: s.transfer.from })}</p>}
              <p class="caller-phone">{s.sos?.phone ? st('caller.phone', { phone: s.sos.phone }) : st('incoming.noPhone')}</p>
              <p class="caller-position">{pos ? formatPosition(pos) : st('position.unavailable')}</p>
              {pos && station && <p class="caller-distance">{st('incoming.distance', { distance: formatDistance(distanceMetres(pos, station)) })}</p>}
              <p class="waiting">{st('incoming.waiting', { age: formatAge(now - since, t) })}</p>
              <div class="actions">
                <button type="button" class="big answer" onClick={() => app.answer(s)}>
                  {t('call.answer')}
                </button>
                <button type="button" class="big decline" onClick={() => app.phone?.decline(s)}>
                  {t('call.decline')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {ringing.length === 0 && <p>{st('incoming.none')}</p>}
    </section>
  );
}
