import { useEffect, useMemo } from 'preact/hooks';
import type { StaffScreen } from '../../client/screens/staff.ts';
import { useObservable } from '../hooks.ts';
import { useT } from '../i18n/index.ts';
import { useStaffT } from '../i18n/staff.ts';

/** Runs a staff screen's controller while the screen is shown, re-rendering on each change. */
export function useStaffScreen<T extends StaffScreen>(create: () => T): T {
  const app = useMemo(create, []);
  useObservable(app);
  useEffect(() => {
    void app.start();
    return () => app.stop();
  }, [app]);
  return app;
}

/** What a staff screen shows until it is signed in: why the sign-in link did not work, or that it is loading. */
export function NotSignedIn({ app, title }: { app: StaffScreen; title: string }) {
  const t = useT();
  const st = useStaffT();
  if (!app.signInError) return <p class="loading">{t('app.loading')}</p>;
  return (
    <main>
      <h1>{title}</h1>
      <p role="alert">{st(`signIn.${app.signInError}`)}</p>
    </main>
  );
}
