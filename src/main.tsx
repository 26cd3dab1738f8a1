import { render } from 'preact';
import { appUpdates, installOffer, startPwa } from './pwa/index.ts';
import { CitizenScreen } from './ui/citizen/CitizenScreen.tsx';
import { InstallButton } from './ui/components/InstallButton.tsx';
import { Lazy } from './ui/components/Lazy.tsx';
import { UpdatePrompt } from './ui/components/UpdatePrompt.tsx';
import './ui/app.css';

startPwa();

// Staff screens load on demand so the citizen screen stays small.
const loadStation = () => import('./ui/station/StationScreen.tsx').then((m) => m.StationScreen);
const loadOfficer = () => import('./ui/officer/OfficerScreen.tsx').then((m) => m.OfficerScreen);

function Screen() {
  const path = location.pathname.replace(/\/+$/, '');
  if (path === '/station') return <Lazy load={loadStation} />;
  if (path === '/officer') return <Lazy load={loadOfficer} />;
  return <CitizenScreen />;
}

function App() {
  return (
    <>
      <Screen />
      <aside class="pwa-bar" aria-label="App updates">
        <UpdatePrompt updates={appUpdates} />
        <InstallButton offer={installOffer} />
      </aside>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
