import { useEffect, useMemo, useState } from 'preact/hooks';
import { isActive } from '../../client/call/machine.ts';
import { CitizenApp } from '../../client/screens/citizen.ts';
import { readSettings } from '../../client/screens/settings.ts';
import { BrokerBadge } from '../components/BrokerBadge.tsx';
import { Hotlines } from '../components/Hotlines.tsx';
import { TabGate } from '../components/TabGate.tsx';
import { useObservable } from '../hooks.ts';
import { useT } from '../i18n/index.ts';
import { CallPanel } from './CallPanel.tsx';
import { ProfileForm } from './ProfileForm.tsx';
import { OfflineSos } from './OfflineSos.tsx';
import { HistoryList } from '../components/HistoryList.tsx';

function Citizen() {
  const app = useMemo(() => new CitizenApp(readSettings(location.search)), []);
  const [editingProfile, setEditingProfile] = useState(false);
  const t = useT();
  useObservable(app);
  useEffect(() => {
    void app.start();
    return () => app.stop();
  }, [app]);

  if (!app.profileLoaded) return <p class="loading">{t('app.loading')}</p>;
  if (!app.profile || editingProfile) {
    return (
      <main>
        <h1>{t('app.name')}</h1>
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
      <h1>{t('app.name')}</h1>
      <BrokerBadge status={app.broker} />
      <p class="location" data-location={app.location.position ? 'known' : (app.location.problem ?? 'waiting')}>
        {app.location.position
          ? t('citizen.locationKnown', { metres: Math.round(app.location.position.accuracy) })
          : app.location.problem === 'denied'
            ? t('citizen.locationDenied')
            : t('citizen.locationFinding')}
      </p>
      {!calling && (
        <button type="button" class="sos" aria-label={t('citizen.callBfpLabel')} onClick={() => void app.callBfp()}>
          {t('citizen.callBfp')}
        </button>
      )}
      {app.finding && !session && <p class="phase" role="status">{t('call.finding')}</p>}
      {session && <CallPanel session={session} phone={app.phone} myName={app.profile.name || app.profile.phone} />}
      {(app.problem !== null || noAnswer) && (
        <p role="alert" class="problem">
          {app.problem === 'offline' ? t('citizen.offline') : app.problem === 'no-station' ? t('citizen.noStation') : t('citizen.noAnswer')}
        </p>
      )}
      {!app.location.position && app.directory && !calling && (
        <label class="station-pick">
          {t('citizen.stationPick')}
          <select value={app.preferredStation ?? ''} onChange={(e) => app.choosePreferredStation(e.currentTarget.value || null)}>
            <option value="">{t('citizen.firstAvailable')}</option>
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
        <summary>{t('citizen.myCalls')}</summary>
        <HistoryList records={app.history} />
      </details>
      <button type="button" class="link" onClick={() => setEditingProfile(true)}>
        {t('citizen.editProfile')}
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
