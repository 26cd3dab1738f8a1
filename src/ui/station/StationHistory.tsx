import type { StationApp } from '../../client/screens/station.ts';
import { HistoryList } from '../components/HistoryList.tsx';
import { useStaffT } from '../i18n/staff.ts';

function download(file: { name: string; type: string; body: string }): void {
  const url = URL.createObjectURL(new Blob([file.body], { type: file.type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The console's call history, exportable for the station's records. */
export function StationHistory({ app }: { app: StationApp }) {
  const st = useStaffT();
  return (
    <section class="station-history" aria-labelledby="history-title">
      <h2 id="history-title">{st('history.title')}</h2>
      <div class="actions">
        <button type="button" onClick={() => download(app.exportHistory('json'))} disabled={app.history.length === 0}>
          {st('history.exportJson')}
        </button>
        <button type="button" onClick={() => download(app.exportHistory('csv'))} disabled={app.history.length === 0}>
          {st('history.exportCsv')}
        </button>
      </div>
      <HistoryList records={app.history} recordings={app.recordings.stored} onDelete={(id) => void app.deleteHistoryEntry(id)} />
    </section>
  );
}
