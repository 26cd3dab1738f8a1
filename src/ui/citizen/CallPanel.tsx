import { useEffect } from 'preact/hooks';
import { isActive } from '../../client/call/machine.ts';
import type { Phone } from '../../client/call/phone.ts';
import type { CallSession } from '../../client/call/session.ts';
import { describeCall } from '../callText.ts';
import { Chat } from '../components/Chat.tsx';
import { QualityLine } from '../components/QualityLine.tsx';
import { useTick } from '../hooks.ts';
import { useT } from '../i18n/index.ts';

/** The citizen's call: what is happening in words, and the few controls they need. */
export function CallPanel({ session, phone, myName }: { session: CallSession; phone: Phone | null; myName: string }) {
  const now = useTick(500);
  const t = useT();
  const { state } = session;
  const talking = state.name === 'connected' || state.name === 'reconnecting';
  const recordingNotice = talking && session.recordedByRemote;
  // Runs after the notice is on screen: the console waits for this before it records.
  useEffect(() => {
    if (recordingNotice) session.noticeShown();
  });
  return (
    <section class="call" aria-label={t('call.yourCall')}>
      <p class="phase" role="status" data-state={state.name}>
        {describeCall(state, now, t)}
      </p>
      {recordingNotice && (
        <p class="notice recording-notice" role="status">
          {t('call.recorded')}
        </p>
      )}
      {state.name === 'ringing' && session.direction === 'in' && phone && (
        <div class="actions">
          <button type="button" class="big answer" onClick={() => void phone.answer(session, myName)}>
            {t('call.answer')}
          </button>
          <button type="button" class="big decline" onClick={() => phone.decline(session)}>
            {t('call.decline')}
          </button>
        </div>
      )}
      {session.problem && (
        <p role="alert" class="problem">
          {t(`problem.${session.problem}`)}
        </p>
      )}
      {isActive(state) && phone?.micProblem && (
        <p role="alert" class="problem mic-problem">
          {t(`mic.${phone.micProblem}`)}
        </p>
      )}
      {talking && session.warnings.length > 0 && <QualityLine session={session} />}
      {isActive(state) && !(state.name === 'ringing' && session.direction === 'in') && (
        <div class="actions">
          {talking && (
            <button type="button" class="big" aria-pressed={state.muted} onClick={() => session.setMuted(!state.muted)}>
              {state.muted ? t('call.unmute') : t('call.mute')}
            </button>
          )}
          <button type="button" class="big hangup" onClick={() => phone?.cancel(session)}>
            {talking ? t('call.hangUp') : t('call.cancel')}
          </button>
        </div>
      )}
      {(talking || state.name === 'connecting') && <Chat session={session} />}
    </section>
  );
}
