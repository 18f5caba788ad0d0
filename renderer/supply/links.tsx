import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { UnitStatus } from '../../shared/supply/schemas';
import { Badge } from '../components/Badge';
import { shortHex } from '../components/Hex';
import { useMembersById } from '../stores/members-store';
import { useSupplyQuery } from '../stores/supply-queries';
import { UNIT_STATUS_LABELS, UNIT_STATUS_TONES } from './words';

/*
 * Links between the Supply pages and to the chain itself: every identifier shown leads to its
 * page, every event to its block and transaction.
 */

export function ProductLink({ gtin, children }: { gtin: string; children?: ReactNode }) {
  return (
    <Link to="/supply/products/$gtin" params={{ gtin }}>
      {children ?? <code>{gtin}</code>}
    </Link>
  );
}

/** A product's name and strength, read once per GTIN; null until read or if unknown. */
function useProductLabel(gtin: string): string | null {
  const product = useSupplyQuery('supply.products.get', { gtin }).data?.product;
  return product ? `${product.name} ${product.strength}` : null;
}

/** A product by its name and strength (its GTIN until they are read), linking to its page. */
export function ProductName({ gtin }: { gtin: string }) {
  const label = useProductLabel(gtin);
  return <ProductLink gtin={gtin}>{label ?? <code>{gtin}</code>}</ProductLink>;
}

/** A product by name and GTIN, without a link (inside a form that would lose its input). */
export function ProductLabel({ gtin }: { gtin: string }) {
  const label = useProductLabel(gtin);
  return (
    <>
      {label && <>{label} </>}
      <code className={label ? 'muted' : undefined}>{gtin}</code>
    </>
  );
}

export function UnitLink({
  gtin,
  serial,
  children,
}: {
  gtin: string;
  serial: string;
  children?: ReactNode;
}) {
  return (
    <Link to="/supply/units/$gtin/$serial" params={{ gtin, serial }}>
      {children ?? <code>{serial}</code>}
    </Link>
  );
}

export function LotLink({
  gtin,
  lot,
  children,
}: {
  gtin: string;
  lot: string;
  children?: ReactNode;
}) {
  return (
    <Link to="/supply/lots/$gtin/$lot" params={{ gtin, lot }}>
      {children ?? <code>{lot}</code>}
    </Link>
  );
}

export function ContainerLink({ sscc }: { sscc: string }) {
  return (
    <Link to="/supply/containers/$sscc" params={{ sscc }}>
      <code>{sscc}</code>
    </Link>
  );
}

export function ShipmentLink({ id, children }: { id: string; children?: ReactNode }) {
  return (
    <Link to="/supply/shipments/$id" params={{ id }}>
      {children ?? <code title={id}>{shortHex(id)}</code>}
    </Link>
  );
}

export function RecallLink({ id, children }: { id: string; children?: ReactNode }) {
  return (
    <Link to="/supply/recalls/$id" params={{ id }}>
      {children ?? <code title={id}>{shortHex(id)}</code>}
    </Link>
  );
}

export function BlockLink({ height }: { height: number }) {
  return (
    <Link to="/blocks/$height" params={{ height }}>
      block {height}
    </Link>
  );
}

export function TxLink({ id, children }: { id: string; children?: ReactNode }) {
  return (
    <Link to="/tx/$id" params={{ id }} title={id}>
      {children ?? <code>{shortHex(id, 6)}</code>}
    </Link>
  );
}

/** A member by legal name (the name the node gave, or the members list's), linking to its page. */
export function MemberName({ id, name }: { id: string; name?: string }) {
  const member = useMembersById().get(id);
  const label = name ?? member?.legalName ?? id;
  return (
    <Link to="/members/$id" params={{ id }}>
      {label}
    </Link>
  );
}

export function UnitStatusBadge({ status }: { status: UnitStatus }) {
  return <Badge tone={UNIT_STATUS_TONES[status]}>{UNIT_STATUS_LABELS[status]}</Badge>;
}

/** Recall, quarantine and expiry, the states that stop a unit from moving or being dispensed. */
export function HoldBadges({
  recalled,
  quarantined,
  expired,
}: {
  recalled: boolean;
  quarantined: boolean;
  expired: boolean;
}) {
  return (
    <>
      {recalled && <Badge tone="bad">recalled</Badge>}
      {quarantined && <Badge tone="warn">quarantined</Badge>}
      {expired && <Badge tone="warn">expired</Badge>}
    </>
  );
}
