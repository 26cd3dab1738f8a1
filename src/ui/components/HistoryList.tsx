import type { CallRecord, RecordingRecord } from '../../client/store/db.ts';
import { formatDuration } from '../../client/call/machine.ts';
import { formatDateTime, formatPosition } from '../format.ts';
import { useT } from '../i18n/index.ts';
import { RecordingPlayer } from './RecordingPlayer.tsx';

/** Past calls on this device, newest first. */
export function HistoryList({
  records,
  recordings,
  onDelete,
}: {
  records: CallRecord[];
  /** Call recordings kept on this device, by call id, oldest first. */
  recordings?: ReadonlyMap<string, readonly RecordingRecord[]>;
  onDelete?: (id: string) => void;
}) {
  const t = useT();
  if (records.length === 0) return <p>{t('history.none')}</p>;
  return (
    <ul aria-label={t('history.label')} class="history">
      {records.map((r) => (
        <li key={r.id} class="history-item">
          <strong>{r.peerName || r.peer || t('history.unknown')}</strong>
          <span>{` — ${formatDateTime(r.startedAt, t)} · ${t(`outcome.${r.outcome}`)}${r.durationMs > 0 ? ` · ${formatDuration(r.durationMs)}` : ''}`}</span>
          {r.lastPosition && <p>{t('history.lastPosition', { position: formatPosition(r.lastPosition) })}</p>}
          {r.notes && <p>{t('history.notes', { notes: r.notes })}</p>}
          {r.chat.length > 0 && (
            <details>
              <summary>{t('history.chat', { count: r.chat.length })}</summary>
              <ul>
                {r.chat.map((c, i) => (
                  <li key={i}>{`${c.from === 'me' ? t('chat.you') : t('chat.them')}: ${c.text}`}</li>
                ))}
              </ul>
            </details>
          )}
          {recordings?.get(r.id)?.map((recording) => (
            <RecordingPlayer key={recording.id} recording={recording} peerName={r.peerName || r.peer || t('history.unknownPeer')} />
          ))}
          {onDelete && (
            <button type="button" onClick={() => onDelete(r.id)} aria-label={t('history.deleteLabel', { name: r.peerName || t('history.unknownPeer') })}>
              {t('history.delete')}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
