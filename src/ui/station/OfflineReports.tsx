import type { StationApp } from '../../client/screens/station.ts';
import { formatPosition } from '../format.ts';

/** SOS reports written by citizens while offline, delivered once each. */
export function OfflineReports({ app }: { app: StationApp }) {
  return (
    <section class="reports" aria-labelledby="reports-title">
      <h2 id="reports-title">Offline reports</h2>
      {app.reports.length === 0 && <p>No offline reports.</p>}
      <ul aria-label="Offline reports">
        {app.reports.map(({ report, receivedAt }) => (
          <li key={report.id} class="report-item">
            <strong>{report.name || 'Unnamed caller'}</strong>
            <span>{report.phone ? ` — ${report.phone}` : ' — no phone number'}</span>
            <p>{report.position ? formatPosition(report.position) : 'location unavailable'}</p>
            {report.note && <p>{report.note}</p>}
            <p class="muted">{`Written ${new Date(report.createdAt).toLocaleString()}, received ${new Date(receivedAt).toLocaleTimeString()}`}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
