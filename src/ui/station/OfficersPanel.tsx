import type { OfficerEntry, StationApp } from '../../client/screens/station.ts';
import { formatAge, formatPosition } from '../format.ts';
import { useTick } from '../hooks.ts';
import { useT } from '../i18n/index.ts';
import { useStaffT, type StaffT } from '../i18n/staff.ts';

/** An officer's duty status in words. */
export function statusText(status: OfficerEntry['status'], st: StaffT): string {
  return st(`status.${status}`);
}

/** The station's officers who are online: status, time since it changed, last position. */
export function OfficersPanel({ app }: { app: StationApp }) {
  const now = useTick(1000);
  const t = useT();
  const st = useStaffT();
  const officers = [...app.officers.values()];
  return (
    <section class="officers" aria-labelledby="officers-title">
      <h2 id="officers-title">{st('officers.title')}</h2>
      {officers.length === 0 && <p>{st('officers.none')}</p>}
      <ul aria-label={st('officers.title')}>
        {officers.map((o) => (
          <li key={o.id} class="officer" data-status={o.status}>
            <strong>{o.name}</strong>
            <span class="status">{` — ${statusText(o.status, st)}`}</span>
            {o.changedAt !== null && <span class="since">{` ${st('officers.since', { age: formatAge(now - o.changedAt, t) })}`}</span>}
            <p class="officer-position">{o.position ? formatPosition(o.position) : st('officers.noPosition')}</p>
            <button type="button" onClick={() => app.callOfficer(o)} aria-label={st('officers.callLabel', { name: o.name })}>
              {st('officers.call')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
