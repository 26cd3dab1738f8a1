import { formatDuration } from '../../client/call/machine.ts';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { useStaffT } from '../i18n/staff.ts';

/** Record / Stop recording for one call; recording starts once the caller's app shows the notice. */
export function RecordControl({ session, app, now }: { session: CallSession; app: StationApp; now: number }) {
  const { recordings } = app;
  const st = useStaffT();
  const since = recordings.recordingSince(session);
  if (recordings.awaitingNotice(session)) {
    return (
      <>
        <button type="button" class="record" aria-pressed="true" onClick={() => void recordings.stop(session)}>
          {st('record.stop')}
        </button>
        <span class="recording-waiting" role="status">{st('record.waiting')}</span>
      </>
    );
  }
  if (since === null && !recordings.canRecord(session)) return null;
  return since === null ? (
    <button type="button" class="record" onClick={() => recordings.start(session)} title={st('record.title')}>
      {st('record.start')}
    </button>
  ) : (
    <>
      <button type="button" class="record" aria-pressed="true" onClick={() => void recordings.stop(session)}>
        {st('record.stop')}
      </button>
      <span class="recording-on" role="status">{st('record.on', { time: formatDuration(now - since) })}</span>
    </>
  );
}
