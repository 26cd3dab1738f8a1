import { useEffect, useMemo } from 'preact/hooks';
import { OFFICER_STATUSES } from '../../shared/protocol.ts';
import { OfficerApp } from '../../client/screens/officer.ts';
import { isActive } from '../../client/call/machine.ts';
import { BrokerBadge } from '../components/BrokerBadge.tsx';
import { TabGate } from '../components/TabGate.tsx';
import { CallPanel } from '../citizen/CallPanel.tsx';
import { STATUS_TEXT } from '../station/OfficersPanel.tsx';
import { Assignments } from './Assignments.tsx';
import { formatPosition } from '../format.ts';
import { useObservable } from '../hooks.ts';
import '../staff.css';

function Officer() {
  const app = useMemo(() => new OfficerApp(), []);
  useObservable(app);
  useEffect(() => {
    void app.start();
    return () => app.stop();
  }, [app]);
  if (app.signInError) {
    return (
      <main>
        <h1>Officer</h1>
        <p role="alert">{app.signInError}</p>
      </main>
    );
  }
  if (!app.claims) return <p class="loading">Loading…</p>;
  const sessions = app.current();
  const busy = sessions.some((s) => isActive(s.state));
  return (
    <main class="officer-screen">
      <header class="console-head">
        <h1>{app.claims.name}</h1>
        <p>{app.station()?.name ?? app.claims.station}</p>
        <BrokerBadge status={app.broker} />
        <button type="button" class="link" onClick={() => void app.signOut()}>
          Sign out
        </button>
      </header>
      <fieldset class="duty">
        <legend>Duty status</legend>
        {OFFICER_STATUSES.map((s) => (
          <label key={s} class="duty-option">
            <input type="radio" name="duty" value={s} checked={app.status === s} onChange={() => void app.setStatus(s)} />
            {STATUS_TEXT[s]}
          </label>
        ))}
      </fieldset>
      <p class="location">
        {app.status === 'off-duty'
          ? 'Off duty: your position is not shared.'
          : app.location.position
            ? `Sharing your position with the station: ${formatPosition(app.location.position)}`
            : app.location.problem === 'denied'
              ? 'Location is blocked: the station cannot see where you are.'
              : 'Finding your position…'}
      </p>
      <Assignments app={app} />
      {!busy && (
        <button type="button" class="big" onClick={() => void app.callStation()}>
          Call the station
        </button>
      )}
      {app.problem && <p role="alert">{app.problem}</p>}
      {sessions.map((s) => (
        <CallPanel key={s.callId} session={s} phone={app.phone} myName={app.claims?.name ?? "Officer"} />
      ))}
    </main>
  );
}

export function OfficerScreen() {
  return (
    <TabGate screen="officer">
      <Officer />
    </TabGate>
  );
}
