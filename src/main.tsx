import { render } from 'preact';
import { CitizenScreen } from './ui/citizen/CitizenScreen.tsx';
import { Lazy } from './ui/components/Lazy.tsx';
import './ui/app.css';

// Staff screens load on demand so the citizen screen stays small.
const loadStation = () => import('./ui/station/StationScreen.tsx').then((m) => m.StationScreen);
const loadOfficer = () => import('./ui/officer/OfficerScreen.tsx').then((m) => m.OfficerScreen);

function App() {
  const path = location.pathname.replace(/\/+$/, '');
  if (path === '/station') return <Lazy load={loadStation} />;
  if (path === '/officer') return <Lazy load={loadOfficer} />;
  return <CitizenScreen />;
}

render(<App />, document.getElementById('app') as HTMLElement);
