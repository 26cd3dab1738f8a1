import type { StationApp } from '../../client/screens/station.ts';
import { formatDateTime, formatPosition, formatTime } from '../format.ts';
import { useStaffT } from '../i18n/staff.ts';

/** SOS reports written by citizens while offline, delivered once each. */
export function OfflineReports({ app }: { app: StationApp }) {
  const st = useStaffT();
  return (
    <section class="reports" aria-labelledby="reports-title">
      <h2 id="reports-title">{st('reports.title')}</h2>
      {app.reports.length === 0 && <p>{st('reports.none')}</p>}
      <ul aria-label={st('reports.title')}>
        {app.reports.map(({ report, receivedAt }) => (
          <li key={report.id} class="report-item">
            <strong>{report.name || st('caller.unnamed')}</strong>
            <span>{` — ${report.phone || st('reports.noPhone')}`}</span>
            <p>{report.position ? formatPosition(report.position) : st('position.unavailable')}</p>
            {report.note && <p class="note">{report.note}</p>}
            <p class="muted">{st('reports.times', { written: formatDateTime(report.createdAt, st), received: formatTime(receivedAt, st) })}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
