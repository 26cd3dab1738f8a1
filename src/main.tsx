import { options, render } from 'preact';
import { appUpdates, installOffer, startPwa } from './pwa/index.ts';
import { CitizenScreen } from './ui/citizen/CitizenScreen.tsx';
import { InstallButton } from './ui/components/InstallButton.tsx';
import { LanguageSwitch } from './ui/components/LanguageSwitch.tsx';
import { Lazy } from './ui/components/Lazy.tsx';
import { UpdatePrompt } from './ui/components/UpdatePrompt.tsx';
import { language, useT } from './ui/i18n/index.ts';
import './ui/app.css';

startPwa();

const path = location.pathname.replace(/\/+$/, '');
// Only the citizen's screen follows the phone's language on first run; staff screens start in English.
language.start(path !== '/station' && path !== '/officer');

// Staff screens load on demand so the citizen screen stays small.
const loadStation = () => import('./ui/station/StationScreen.tsx').then((m) => m.StationScreen);
const loadOfficer = () => import('./ui/officer/OfficerScreen.tsx').then((m) => m.OfficerScreen);

function Screen() {
  if (path === '/station') return <Lazy load={loadStation} />;
  if (path === '/officer') return <Lazy load={loadOfficer} />;
  return <CitizenScreen />;
}

function App() {
  const t = useT();
  return (
    <>
      <header class="language-bar">
        <LanguageSwitch />
      </header>
      <Screen />
      <aside class="pwa-bar" aria-label={t('app.updates')}>
        <UpdatePrompt updates={appUpdates} />
        <InstallButton offer={installOffer} />
      </aside>
    </>
  );
}

// Re-render after the current task, not in its microtasks: a call's signalling (accept → offer → answer)
// runs in promise continuations, and a screen re-render queued ahead of them delayed every step.
options.debounceRendering = (flush) => setTimeout(flush, 0);

render(<App />, document.getElementById('app') as HTMLElement);
