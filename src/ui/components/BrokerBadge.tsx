import type { BrokerStatus } from '../../client/peer/link.ts';

const TEXT: Record<BrokerStatus['name'], string> = {
  connecting: 'Connecting to BFP…',
  online: 'Connected to BFP',
  offline: 'No connection to BFP — retrying',
  refused: 'Not signed in',
};

/** The broker connection state, on every screen. */
export function BrokerBadge({ status }: { status: BrokerStatus }) {
  return (
    <p class={`broker broker-${status.name}`} role="status" data-broker={status.name}>
      {status.name === 'refused' ? status.message : TEXT[status.name]}
    </p>
  );
}
