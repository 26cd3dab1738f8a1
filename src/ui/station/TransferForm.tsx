import { useState } from 'preact/hooks';
import type { CallSession } from '../../client/call/session.ts';
import type { StationApp } from '../../client/screens/station.ts';

const STATUS: Record<NonNullable<CallSession['transferStatus']>, string> = {
  asking: 'Waiting for the other console to accept…',
  declined: 'Transfer declined: the call stays with you.',
  failed: 'The transfer did not go through: the call stays with you.',
};

/** Hands this call to another console of the station. */
export function TransferForm({ app, session }: { app: StationApp; session: CallSession }) {
  const [target, setTarget] = useState('');
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
            Transfer to
            <select value={chosen} onChange={(e) => setTarget(e.currentTarget.value)}>
              {consoles.map((id) => (
                <option key={id} value={id}>
                  {`Console ${id.split('-').at(-1) ?? id}`}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Transfer</button>
        </form>
      )}
      {session.transferStatus && (
        <p role="status" class="transfer-status">
          {STATUS[session.transferStatus]}
        </p>
      )}
    </div>
  );
}
