import { useEffect, useMemo, useState } from 'preact/hooks';
import { isActive } from '../../client/call/machine.ts';
import { CitizenApp } from '../../client/screens/citizen.ts';
import { readSettings } from '../../client/screens/settings.ts';
import { BrokerBadge } from '../components/BrokerBadge.tsx';
import { Hotlines } from '../components/Hotlines.tsx';
import { TabGate } from '../components/TabGate.tsx';
import { useObservable } from '../hooks.ts';
import { CallPanel } from './CallPanel.tsx';
import { ProfileForm } from './ProfileForm.tsx';
import { OfflineSos } from './OfflineSos.tsx';
import { HistoryList } from '../components/HistoryList.tsx';

function Citizen() {
  const app = useMemo(() => new CitizenApp(readSettings(location.search)), []);
  const [editingProfile, setEditingProfile] = useState(false);
  useObservable(app);
  useEffect(() => {
    void app.start();
    return () => app.stop();
  }, [app]);

  if (!app.profileLoaded) return <p class="loading">Loading…</p>;
  if (!app.profile || editingProfile) {
    return (
      <main>
        <h1>BFP Emergency Voice</h1>
        <ProfileForm
          initial={app.profile}
          onSave={(p) => {
            void app.saveProfile(p);
            setEditingProfile(false);
          }}
        />
      </main>
    );
  }

  const session = app.current();
  const calling = app.finding || (session !== null && isActive(session.state));
  const noAnswer = session?.state.name === 'ended' && session.state.reason === 'no-answer';
  return (
    <main class="citizen">
      <h1>BFP Emergency Voice</h1>
      <BrokerBadge status={app.broker} />
      <p class="location" data-location={app.location.position ? 'known' : (app.location.problem ?? 'waiting')}>
        {app.location.position
          ? `Your location is known (±${Math.round(app.location.position.accuracy)} m).`
          : app.location.problem === 'denied'
            ? 'Location is off: the station will not see where you are. Tell them your address.'
            : 'Finding your location…'}
      </p>
      {!calling && (
        <button type="button" class="sos" aria-label="Call BFP — talk to the nearest fire station" onClick={() => void app.callBfp()}>
          Call BFP
        </button>
      )}
      {app.finding && !session && <p class="phase" role="status">Finding the nearest station…</p>}
      {session && <CallPanel session={session} phone={app.phone} myName={app.profile.name || 'Caller'} />}
      {(app.problem !== null || noAnswer) && (
        <p role="alert" class="problem">
          {app.problem === 'offline'
            ? 'Cannot reach BFP over the internet right now. Call one of the numbers below.'
            : app.problem === 'no-station'
              ? 'No fire station is online in the app right now. Call one of the numbers below.'
              : 'No station answered. Call one of the numbers below, or try again.'}
        </p>
      )}
      {!app.location.position && app.directory && !calling && (
        <label class="station-pick">
          Station to call (when your location is unknown)
          <select value={app.preferredStation ?? ''} onChange={(e) => app.choosePreferredStation(e.currentTarget.value || null)}>
            <option value="">First available</option>
            {app.directory.stations.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <OfflineSos app={app} offerForm={app.problem !== null || noAnswer} />
      <Hotlines directory={app.directory} nearest={app.stations} />
      <details class="citizen-history">
        <summary>My calls</summary>
        <HistoryList records={app.history} />
      </details>
      <button type="button" class="link" onClick={() => setEditingProfile(true)}>
        Edit my name and phone
      </button>
    </main>
  );
}

export function CitizenScreen() {
  return (
    <TabGate screen="citizen">
      <Citizen />
    </TabGate>
  );
}
