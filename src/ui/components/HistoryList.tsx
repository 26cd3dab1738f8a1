import type { CallRecord, RecordingRecord } from '../../client/store/db.ts';
import { formatDuration } from '../../client/call/machine.ts';
import { formatPosition } from '../format.ts';
import { RecordingPlayer } from './RecordingPlayer.tsx';

const OUTCOME: Record<CallRecord['outcome'], string> = {
  hangup: 'Completed',
  declined: 'Declined',
  'answered-elsewhere': 'Answered elsewhere',
  'no-answer': 'No answer',
  'caller-cancelled': 'Cancelled',
  failed: 'Failed',
  lost: 'Lost',
  busy: 'Busy',
  transferred: 'Transferred',
};

/** Past calls on this device, newest first. */
export function HistoryList({
  records,
  recordings,
  onDelete,
}: {
  records: CallRecord[];
  /** Call recordings kept on this device, by call id. */
  recordings?: ReadonlyMap<string, RecordingRecord>;
  onDelete?: (id: string) => void;
}) {
  if (records.length === 0) return <p>No calls yet.</p>;
  return (
    <ul aria-label="Call history" class="history">
      {records.map((r) => (
        <li key={r.id} class="history-item">
          <strong>{r.peerName || r.peer || 'Unknown'}</strong>
          <span>{` — ${new Date(r.startedAt).toLocaleString()} · ${OUTCOME[r.outcome]}${r.durationMs > 0 ? ` · ${formatDuration(r.durationMs)}` : ''}`}</span>
          {r.lastPosition && <p>{`Last position: ${formatPosition(r.lastPosition)}`}</p>}
          {r.notes && <p>{`Notes: ${r.notes}`}</p>}
          {r.chat.length > 0 && (
            <details>
              <summary>{`Chat (${r.chat.length})`}</summary>
              <ul>
                {r.chat.map((c, i) => (
                  <li key={i}>{`${c.from === 'me' ? 'You' : 'Them'}: ${c.text}`}</li>
                ))}
              </ul>
            </details>
          )}
          {recordings?.has(r.id) && <RecordingPlayer recording={recordings.get(r.id)!} peerName={r.peerName || r.peer || 'unknown'} />}
          {onDelete && (
            <button type="button" onClick={() => onDelete(r.id)} aria-label={`Delete the call with ${r.peerName || 'unknown'} from history`}>
              Delete
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
