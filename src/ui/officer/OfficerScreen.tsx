import { OFFICER_STATUSES } from '../../shared/protocol.ts';
import { OfficerApp } from '../../client/screens/officer.ts';
import { isActive } from '../../client/call/machine.ts';
import { BrokerBadge } from '../components/BrokerBadge.tsx';
import { TabGate } from '../components/TabGate.tsx';
import { NotSignedIn, useStaffScreen } from '../components/StaffSignIn.tsx';
import { CallPanel } from '../citizen/CallPanel.tsx';
import { statusText } from '../station/OfficersPanel.tsx';
import { Assignments } from './Assignments.tsx';
import { formatPosition } from '../format.ts';
import { useStaffT } from '../i18n/staff.ts';
import '../staff.css';

function Officer() {
  const app = useStaffScreen(() => new OfficerApp());
  const st = useStaffT();
  if (!app.claims || app.signInError) return <NotSignedIn app={app} title={st('officer.title')} />;
  const sessions = app.current();
  const busy = sessions.some((s) => isActive(s.state));
  return (
    <main class="officer-screen">
      <header class="console-head">
        <h1>{app.claims.name}</h1>
        <p>{app.station()?.name ?? app.claims.station}</p>
        <BrokerBadge status={app.broker} />
        <button type="button" class="link" onClick={() => void app.signOut()}>
          {st('staff.signOut')}
        </button>
      </header>
      <fieldset class="duty">
        <legend>{st('officer.duty')}</legend>
        {OFFICER_STATUSES.map((s) => (
          <label key={s} class="duty-option">
            <input type="radio" name="duty" value={s} checked={app.status === s} onChange={() => void app.setStatus(s)} />
            {statusText(s, st)}
          </label>
        ))}
      </fieldset>
      <p class="location">
        {app.status === 'off-duty'
          ? st('officer.offDuty')
          : app.location.position
            ? st('officer.sharing', { position: formatPosition(app.location.position) })
            : app.location.problem === 'denied'
              ? st('officer.blocked')
              : st('officer.finding')}
      </p>
      <Assignments app={app} />
      {!busy && (
        <button type="button" class="big" onClick={() => void app.callStation()}>
          {st('officer.callStation')}
        </button>
      )}
      {app.problem && <p role="alert">{st('officer.noConsole')}</p>}
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
