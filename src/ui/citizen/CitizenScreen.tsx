import { useEffect, useState } from 'preact/hooks';
import type { Directory } from '../../shared/directory.ts';

/** First shell of the citizen screen: the hotlines from the live directory. */
export function CitizenScreen() {
  const [directory, setDirectory] = useState<Directory | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/api/directory')
      .then((r) => (r.ok ? (r.json() as Promise<Directory>) : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then(setDirectory, (e: unknown) => setError(String(e)));
  }, []);
  return (
    <main>
      <h1>BFP Emergency Voice</h1>
      {error && <p role="alert">Could not load the station list. In an emergency call <a href="tel:911">911</a>.</p>}
      {directory && (
        <section aria-label="Hotlines">
          {directory.notice && <p class="notice">{directory.notice}</p>}
          <ul>
            {directory.hotlines.map((h) => (
              <li key={h.number}>
                <a class="tel" href={`tel:${h.number.replace(/[^+0-9]/g, '')}`}>{`${h.name}: ${h.number}`}</a>
              </li>
            ))}
            {directory.stations.map((s) => (
              <li key={s.id}>
                <a class="tel" href={`tel:${(s.phones[0] ?? '').replace(/[^+0-9]/g, '')}`}>{`${s.name}: ${s.phones[0] ?? ''}`}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
