import { useEffect, useState } from 'preact/hooks';
import type { Observable } from '../client/screens/store.ts';

/** Re-renders whenever the controller changes. */
export function useObservable(store: Observable | null): void {
  const [, setVersion] = useState(0);
  useEffect(() => store?.subscribe(() => setVersion((n) => n + 1)), [store]);
}

/** Re-renders every `ms` (timers, ages). */
export function useTick(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
