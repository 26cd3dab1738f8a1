import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { useStaffT } from '../i18n/staff.ts';

/** Adds an officer to a caller's call (all three hear each other), or drops a party from it. */
export function ConferenceControls({ app, session }: { app: StationApp; session: CallSession }) {
  const [choice, setChoice] = useState('');
  const st = useStaffT();
  const inBridge = app.bridge.has(session);
  const officers = [...app.officers.values()].filter((o) => o.status !== 'off-duty');
  const chosen = officers.some((o) => o.id === choice) ? choice : (officers[0]?.id ?? '');
  if (inBridge) {
    return (
      <div class="conference">
        <p role="status">{st('conference.on')}</p>
        <button type="button" onClick={() => app.dropFromCall(session)} aria-label={session.remoteName ? st('conference.removeLabel', { name: session.remoteName }) : st('conference.removeThisParty')}>
          {st('conference.remove')}
        </button>
      </div>
    );
  }
  if (session.direction !== 'in' || session.sos?.role !== 'citizen' || session.state.name !== 'connected' || officers.length === 0) return null;
  return (
    <form
      class="conference actions"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) app.addToCall(session, chosen);
      }}
    >
      <label>
        {st('conference.officer')}
        <select value={chosen} onChange={(e) => setChoice(e.currentTarget.value)}>
          {officers.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">{st('conference.add')}</button>
    </form>
  );
}
