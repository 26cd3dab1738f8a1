import { StationApp } from '../../client/screens/station.ts';
import { BrokerBadge } from '../components/BrokerBadge.tsx';
import { TabGate } from '../components/TabGate.tsx';
import { NotSignedIn, useStaffScreen } from '../components/StaffSignIn.tsx';
import { useT } from '../i18n/index.ts';
import { useStaffT } from '../i18n/staff.ts';
import { ActiveCall } from './ActiveCall.tsx';
import { IncidentMap } from './IncidentMap.tsx';
import { IncomingCalls } from './IncomingCalls.tsx';
import { OfficersPanel } from './OfficersPanel.tsx';
import { OfflineReports } from './OfflineReports.tsx';
import { StationHistory } from './StationHistory.tsx';
import '../staff.css';

function Station() {
  const app = useStaffScreen(() => new StationApp());
  const t = useT();
  const st = useStaffT();
  if (!app.claims || app.signInError) return <NotSignedIn app={app} title={st('station.title')} />;
  const station = app.station();
  return (
    <main class="console">
      <header class="console-head">
        <h1>{station?.name ?? app.claims.station}</h1>
        <p>{app.claims.name}</p>
        {app.shiftStarted && <BrokerBadge status={app.broker} />}
        <button type="button" class="link" onClick={() => void app.signOut()}>
          {st('staff.signOut')}
        </button>
      </header>
      {!app.shiftStarted ? (
        <section class="start-shift">
          <p>{st('station.startIntro')}</p>
          <button type="button" class="big" onClick={() => void app.startShift()}>
            {st('station.startShift')}
          </button>
        </section>
      ) : (
        <div class="console-grid">
          <IncomingCalls app={app} />
          <section aria-label={st('station.calls')} class="calls">
            <h2>{st('station.calls')}</h2>
            {app.phone?.micProblem && (
              <p role="alert" class="problem mic-problem">
                {t(`mic.${app.phone.micProblem}`)}
              </p>
            )}
            {app.recordings.problem && (
              <p role="alert" class="problem">
                {st(`record.problem.${app.recordings.problem}`)}
              </p>
            )}
            {app.calls().length === 0 && <p>{st('station.noCall')}</p>}
            {app.calls().map((s) => (
              <ActiveCall key={s.callId} session={s} app={app} />
            ))}
          </section>
          <IncidentMap app={app} />
          <OfficersPanel app={app} />
          <OfflineReports app={app} />
          <StationHistory app={app} />
        </div>
      )}
    </main>
  );
}

export function StationScreen() {
  return (
    <TabGate screen="station">
      <Station />
    </TabGate>
  );
}
