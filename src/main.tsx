import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { CitizenScreen } from './ui/citizen/CitizenScreen.tsx';
import './ui/app.css';

// Staff screens load on demand so the citizen screen stays small.
const StationScreen = lazy(() => import('./ui/station/StationScreen.tsx').then((m) => m.StationScreen));
const OfficerScreen = lazy(() => import('./ui/officer/OfficerScreen.tsx').then((m) => m.OfficerScreen));

function App() {
  const path = location.pathname.replace(/\/+$/, '');
  if (path === '/station' || path === '/officer') {
    return (
      <Suspense fallback={<p class="loading">Loading…</p>}>{path === '/station' ? <StationScreen /> : <OfficerScreen />}</Suspense>
    );
  }
  return <CitizenScreen />;
}

render(<App />, document.getElementById('app') as HTMLElement);
