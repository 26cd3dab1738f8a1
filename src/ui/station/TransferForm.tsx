import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';
import { useStaffT } from '../i18n/staff.ts';

/** Hands this call to another console of the station. */
export function TransferForm({ app, session }: { app: StationApp; session: CallSession }) {
  const [target, setTarget] = useState('');
  const st = useStaffT();
  const consoles = app.otherConsoles;
  const chosen = consoles.includes(target) ? target : (consoles[0] ?? '');
  return (
    <div class="transfer">
      {consoles.length > 0 && session.transferStatus !== 'asking' && (
        <form
          class="actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen) app.transfer(session, chosen);
          }}
        >
          <label>
            {st('transfer.to')}
            <select value={chosen} onChange={(e) => setTarget(e.currentTarget.value)}>
              {consoles.map((id) => (
                <option key={id} value={id}>
                  {st('transfer.console', { tag: id.split('-').at(-1) ?? id })}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{st('transfer.submit')}</button>
        </form>
      )}
      {session.transferStatus && (
        <p role="status" class="transfer-status">
          {st(`transfer.${session.transferStatus}`)}
        </p>
      )}
    </div>
  );
}
