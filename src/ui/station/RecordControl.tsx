import { formatDuration } from '../../client/call/machine.ts';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';

/** Record / Stop recording for one call; the caller is told before recording starts. */
export function RecordControl({ session, app, now }: { session: CallSession; app: StationApp; now: number }) {
  const { recordings } = app;
  const since = recordings.recordingSince(session);
  if (since === null && !recordings.canRecord(session)) return null;
  return since === null ? (
    <button type="button" class="record" onClick={() => recordings.start(session)} title="The caller is told the call is being recorded">
      Record
    </button>
  ) : (
    <>
      <button type="button" class="record" aria-pressed="true" onClick={() => void recordings.stop(session)}>
        Stop recording
      </button>
      <span class="recording-on" role="status">{`● Recording ${formatDuration(now - since)} (the caller is told)`}</span>
    </>
  );
}
