import { Link } from '@tanstack/react-router';
import { useProfile } from '../../app/profile';
import { Page } from '../../components/Page';
import { EmptyState } from '../../components/States';
import { useSupplyQuery } from '../../stores/supply-queries';
import {
  kindMayRecord,
  RECORD_ACTION_HINTS,
  RECORD_ACTION_LABELS,
  RECORD_ACTIONS,
  type RecordAction,
} from '../permissions';
import { count, units } from '../words';
import { CommissionForm } from './CommissionForm';
import { ItemsForm } from './ItemsForm';
import { ReceiveForm } from './ReceiveForm';

export interface RecordPrefill {
  gtin?: string | undefined;
  serial?: string | undefined;
  sscc?: string | undefined;
  shipment?: string | undefined;
}

/** Who may record each event, said when the profile's member may not. */
const WHO: Record<RecordAction, string> = {
  commission: 'Only a manufacturer commissions serials, of products it registered.',
  pack: 'Members that hold stock pack it.',
  unpack: 'Members that hold stock unpack it.',
  ship: 'Members that hold stock ship it.',
  receive: 'Any member receives what is shipped to it.',
  dispense: 'Only a pharmacy, hospital or clinic dispenses.',
  return: 'Members that received product return it; a manufacturer is where returns go.',
  decommission: 'Members that hold stock decommission it.',
  destroy: 'Members that hold stock destroy it.',
};

/** `#/supply/record`: the events the profile's member can record, and where each stands. */
export function RecordIndexPage() {
  const profile = useProfile();
  const stock = useSupplyQuery('supply.stock', { member: profile.memberId });
  const incoming = useSupplyQuery('supply.shipments.list', {
    member: profile.memberId,
    direction: 'incoming',
    status: 'in-transit',
    limit: 200,
  });
  const held = stock.data?.reduce((n, h) => n + h.quantity, 0) ?? null;
  const waiting = incoming.data?.length ?? null;
  const actions = RECORD_ACTIONS.filter((action) => kindMayRecord(profile.kind, action));

  const noteOf = (action: RecordAction): string | null => {
    if (action === 'receive') {
      if (waiting === null) return null;
      return waiting === 0
        ? 'Nothing is on its way to you.'
        : `${count(waiting)} shipment${waiting === 1 ? '' : 's'} on its way to you.`;
    }
    if (action === 'commission') return null;
    if (held === null) return null;
    return held === 0 ? 'You hold no stock now.' : `You hold ${units(held)}.`;
  };

  return (
    <Page title="Record an event">
      <p className="lede">
        Each event is signed as {profile.memberName} and recorded in the next block. The node checks
        it against the chain first: a mistake is shown here, never recorded.
      </p>
      {profile.kind === 'regulator' && (
        <p className="notice notice-info">
          As a regulator you recall and quarantine products under{' '}
          <Link to="/supply/recalls">Recalls</Link>, and follow what every member does under{' '}
          <Link to="/supply/alerts">Alerts</Link>.
        </p>
      )}
      {actions.length === 0 ? (
        <EmptyState>
          {profile.memberName} is a {profile.kind ?? 'member of another chain'}: it records no
          supply events. Verify products and follow recalls and alerts instead.
        </EmptyState>
      ) : (
        <ul className="action-cards">
          {actions.map((action) => {
            const note = noteOf(action);
            return (
              <li key={action}>
                <Link to="/supply/record/$action" params={{ action }} className="action-card">
                  <span className="action-card-title">{RECORD_ACTION_LABELS[action]}</span>
                  <span className="action-card-hint">{RECORD_ACTION_HINTS[action]}</span>
                  {note && <span className="action-card-note">{note}</span>}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </Page>
  );
}

/** `#/supply/record/<action>`: the form of one event. */
export function RecordActionPage({
  action,
  prefill,
}: {
  action: RecordAction;
  prefill: RecordPrefill;
}) {
  const profile = useProfile();
  const allowed = kindMayRecord(profile.kind, action);
  let form;
  if (!allowed) {
    form = (
      <EmptyState>
        {WHO[action]} {profile.memberName} is a {profile.kind ?? 'member of another chain'}.
      </EmptyState>
    );
  } else if (action === 'commission') {
    form = <CommissionForm gtin={prefill.gtin} />;
  } else if (action === 'receive') {
    form = <ReceiveForm shipmentId={prefill.shipment} />;
  } else {
    form = (
      <ItemsForm
        action={action}
        prefill={{
          ...(prefill.gtin ? { gtin: prefill.gtin } : {}),
          ...(prefill.serial ? { serial: prefill.serial } : {}),
          ...(prefill.sscc ? { sscc: prefill.sscc } : {}),
        }}
      />
    );
  }
  return (
    <Page
      title={RECORD_ACTION_LABELS[action]}
      back={<Link to="/supply/record">← Record an event</Link>}
    >
      <p className="lede">{RECORD_ACTION_HINTS[action]}</p>
      {form}
    </Page>
  );
}
