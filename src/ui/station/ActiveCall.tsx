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
import { useT } from '../i18n/index.ts';
import { useStaffT } from '../i18n/staff.ts';

/** Positions arrive about once a second: three missed updates mark the position stale. */
const STALE_AFTER_MS = 3000;

export function ActiveCall({ session, app }: { session: CallSession; app: StationApp }) {
  const now = useTick(500);
  const t = useT();
  const st = useStaffT();
  const { state } = session;
  const talking = state.name === 'connected' || state.name === 'reconnecting';
  const latest = session.latestPosition();
  const stale = latest !== null && now - latest.receivedAt > STALE_AFTER_MS;
  return (
    <article class="active-call" aria-label={st('active.label', { name: session.remoteName || session.sos?.name || st('active.callerLabel') })}>
      <h3>{session.remoteName || session.sos?.name || st('active.caller')}</h3>
      {session.sos?.phone && <p>{st('caller.phone', { phone: session.sos.phone })}</p>}
      <p class="phase" role="status" data-state={state.name}>
        {describeCall(state, now, t)}
      </p>
      <p class="live-position" data-stale={stale ? 'true' : 'false'}>
        {latest
          ? st(stale ? 'active.positionStale' : 'active.position', { position: formatPosition(latest.position), age: formatAge(now - latest.position.fixTime, t) })
          : st('position.unavailable')}
      </p>
      {talking && <QualityLine session={session} detailed />}
      {isActive(state) && (
        <div class="actions">
          {talking && (
            <>
              <button type="button" aria-pressed={state.muted} onClick={() => session.setMuted(!state.muted)}>
                {state.muted ? t('call.unmute') : t('call.mute')}
              </button>
              <button type="button" aria-pressed={state.hold.local} onClick={() => session.setHold(!state.hold.local)}>
                {state.hold.local ? st('active.resume') : st('active.hold')}
              </button>
              <RecordControl session={session} app={app} now={now} />
            </>
          )}
          <button type="button" class="hangup" onClick={() => app.phone?.cancel(session)}>
            {t('call.hangUp')}
          </button>
        </div>
      )}
      {session.problem && <p role="alert" class="problem">{t(`problem.${session.problem}`)}</p>}
      {state.name === 'ended' && (state.reason === 'lost' || state.reason === 'failed') && session.remoteId && (
        <div class="actions">
          <button type="button" class="big answer" onClick={() => app.callBack(session, st('active.callBackUnnamed'))}>
            {st('active.callBack')}
          </button>
          <button type="button" onClick={() => app.phone?.forget(session)}>
            {st('active.dismiss')}
          </button>
        </div>
      )}
      {session.invalidMessages > 0 && <p class="muted">{st('active.invalid', { count: session.invalidMessages })}</p>}
      {isActive(state) && <Chat session={session} />}
      <ConferenceControls app={app} session={session} />
      {session.direction === 'in' && session.sos?.role === 'citizen' && state.name === 'connected' && <TransferForm app={app} session={session} />}
      {session.direction === 'in' && session.sos?.role === 'citizen' && <AssignForm app={app} session={session} />}
      <label class="notes">
        {st('active.notes')}
        <textarea
          value={session.notes}
          onInput={(e) => app.saveNotes(session, e.currentTarget.value)}
          rows={3}
        />
      </label>
    </article>
  );
}
