import { isActive } from '../../client/call/machine.ts';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { describeCall } from '../callText.ts';
import { Chat } from '../components/Chat.tsx';
import { AssignForm } from './AssignForm.tsx';
import { TransferForm } from './TransferForm.tsx';
import { RecordControl } from './RecordControl.tsx';
import { ConferenceControls } from './ConferenceControls.tsx';
import { QualityLine } from '../components/QualityLine.tsx';
import { formatAge, formatPosition } from '../format.ts';
import { useTick } from '../hooks.ts';

/** Positions arrive about once a second: three missed updates mark the position stale. */
const STALE_AFTER_MS = 3000;

export function ActiveCall({ session, app }: { session: CallSession; app: StationApp }) {
  const now = useTick(500);
  const { state } = session;
  const talking = state.name === 'connected' || state.name === 'reconnecting';
  const latest = session.latestPosition();
  const stale = latest !== null && now - latest.receivedAt > STALE_AFTER_MS;
  return (
    <article class="active-call" aria-label={`Call with ${session.remoteName || session.sos?.name || 'caller'}`}>
      <h3>{session.remoteName || session.sos?.name || 'Caller'}</h3>
      {session.sos?.phone && <p>{`Phone: ${session.sos.phone}`}</p>}
      <p class="phase" role="status" data-state={state.name}>
        {describeCall(state, now)}
      </p>
      <p class="live-position" data-stale={stale ? 'true' : 'false'}>
        {latest
          ? `Position: ${formatPosition(latest.position)}, ${formatAge(now - latest.position.fixTime)} old${stale ? ' — STALE (no recent updates)' : ''}`
          : 'location unavailable'}
      </p>
      {talking && <QualityLine session={session} detailed />}
      {isActive(state) && (
        <div class="actions">
          {talking && (
            <>
              <button type="button" aria-pressed={state.muted} onClick={() => session.setMuted(!state.muted)}>
                {state.muted ? 'Unmute' : 'Mute'}
              </button>
              <button type="button" aria-pressed={state.hold.local} onClick={() => session.setHold(!state.hold.local)}>
                {state.hold.local ? 'Resume' : 'Hold'}
              </button>
              <RecordControl session={session} app={app} now={now} />
            </>
          )}
          <button type="button" class="hangup" onClick={() => app.phone?.cancel(session)}>
            Hang up
          </button>
        </div>
      )}
      {session.problem && <p role="alert" class="problem">{session.problem}</p>}
      {state.name === 'ended' && (state.reason === 'lost' || state.reason === 'failed') && session.remoteId && (
        <div class="actions">
          <button type="button" class="big answer" onClick={() => app.callBack(session)}>
            Call back
          </button>
          <button type="button" onClick={() => app.phone?.forget(session)}>
            Dismiss
          </button>
        </div>
      )}
      {session.invalidMessages > 0 && <p class="muted">{`${session.invalidMessages} invalid message(s) ignored`}</p>}
      {isActive(state) && <Chat session={session} />}
      <ConferenceControls app={app} session={session} />
      {session.direction === 'in' && session.sos?.role === 'citizen' && state.name === 'connected' && <TransferForm app={app} session={session} />}
      {session.direction === 'in' && session.sos?.role === 'citizen' && <AssignForm app={app} session={session} />}
      <label class="notes">
        Notes
        <textarea
          value={session.notes}
          onInput={(e) => app.saveNotes(session, e.currentTarget.value)}
          rows={3}
        />
      </label>
    </article>
  );
}
