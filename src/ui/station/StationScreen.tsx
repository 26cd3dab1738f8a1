import { useEffect, useMemo } from 'preact/hooks';
import { StationApp } from '../../client/screens/station.ts';
import { BrokerBadge } from '../components/BrokerBadge.tsx';
import { TabGate } from '../components/TabGate.tsx';
import { useObservable } from '../hooks.ts';
import { ActiveCall } from './ActiveCall.tsx';
import { IncidentMap } from './IncidentMap.tsx';
import { IncomingCalls } from './IncomingCalls.tsx';
import { OfficersPanel } from './OfficersPanel.tsx';
import { OfflineReports } from './OfflineReports.tsx';
import { StationHistory } from './StationHistory.tsx';
import '../staff.css';

function Station() {
  const app = useMemo(() => new StationApp(), []);
  useObservable(app);
  useEffect(() => {
    void app.start();
    return () => app.stop();
  }, [app]);

  if (app.signInError) {
    return (
      <main>
        <h1>Station console</h1>
        <p role="alert">{app.signInError}</p>
      </main>
    );
  }
  if (!app.claims) return <p class="loading">Loading…</p>;
  const station = app.station();
  return (
    <main class="console">
      <header class="console-head">
        <h1>{station?.name ?? app.claims.station}</h1>
        <p>{app.claims.name}</p>
        {app.shiftStarted && <BrokerBadge status={app.broker} />}
        <button type="button" class="link" onClick={() => void app.signOut()}>
          Sign out
        </button>
      </header>
      {!app.shiftStarted ? (
        <section class="start-shift">
          <p>Start the shift to go online: this turns on the ring and the microphone.</p>
          <button type="button" class="big" onClick={() => void app.startShift()}>
            Start shift
          </button>
        </section>
      ) : (
        <div class="console-grid">
          <IncomingCalls app={app} />
          <section aria-label="Calls" class="calls">
            <h2>Calls</h2>
            {app.calls().length === 0 && <p>No active call.</p>}
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
