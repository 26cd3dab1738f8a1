import type { BrokerStatus } from '../../client/peer/link.ts';
import { useT } from '../i18n/index.ts';

/** The broker connection state, on every screen. */
export function BrokerBadge({ status }: { status: BrokerStatus }) {
  const t = useT();
  return (
    <p class={`broker broker-${status.name}`} role="status" data-broker={status.name}>
      {status.name === 'refused' ? t('broker.refused', { message: status.message }) : t(`broker.${status.name}`)}
    </p>
  );
}
