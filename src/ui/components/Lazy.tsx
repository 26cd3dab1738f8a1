import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** Loads a screen's code on demand (staff screens), without pulling in preact/compat. */
export function Lazy({ load }: { load: () => Promise<ComponentType> }) {
  const [Screen, setScreen] = useState<ComponentType | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    load().then(
      (c) => setScreen(() => c),
      () => setFailed(true),
    );
  }, [load]);
  if (failed) return <p role="alert">This screen could not be loaded. Check the connection and reload.</p>;
  return Screen ? <Screen /> : <p class="loading">Loading…</p>;
}
