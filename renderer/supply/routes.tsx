import { createRoute, redirect } from '@tanstack/react-router';
import { z } from 'zod';
import { MemberId } from '../../shared/ledger/schemas';
import {
  ALERT_KINDS,
  Gtin14,
  IsoDate,
  Lot,
  Serial,
  Sscc,
  VERIFICATION_CONTEXTS,
} from '../../shared/supply/schemas';
import { rootRoute } from '../app/root-route';
import { hexIdParam, searchValidator } from '../app/search';
import '../styles/supply.css';
import { lazyPages, optional, parsed, SectionSuspense } from '../components/section-routes';
import { RECORD_ACTIONS } from './permissions';

/** One page of the section, from the section's lazily loaded module. */
const lazyPage = lazyPages(() => import('./pages'));

const SupplyLayout = lazyPage('SupplyLayout');
const ProductsPage = lazyPage('ProductsPage');
const RegisterProductPage = lazyPage('RegisterProductPage');
const ProductPage = lazyPage('ProductPage');
const LotPage = lazyPage('LotPage');
const UnitPage = lazyPage('UnitPage');
const ContainerPage = lazyPage('ContainerPage');
const ShipmentsPage = lazyPage('ShipmentsPage');
const ShipmentPage = lazyPage('ShipmentPage');
const StockPage = lazyPage('StockPage');
const RecordIndexPage = lazyPage('RecordIndexPage');
const RecordActionPage = lazyPage('RecordActionPage');
const VerifyPage = lazyPage('VerifyPage');
const RecallsPage = lazyPage('RecallsPage');
const NewRecallPage = lazyPage('NewRecallPage');
const RecallPage = lazyPage('RecallPage');
const AlertsPage = lazyPage('AlertsPage');
const EpcisPage = lazyPage('EpcisPage');

/*
 * The Supply section's addresses (bookmarks and the end-to-end tests use them):
 *   #/supply                                   → #/supply/products
 *   #/supply/products?q=<text>                 products, searched by name or GTIN
 *   #/supply/products/register                 register a product (manufacturers)
 *   #/supply/products/<gtin>                   one product and its lots
 *   #/supply/lots/<gtin>/<lot>                 one lot: counts, holders, recalls, every unit
 *   #/supply/units/<gtin>/<serial>             one unit and its provenance
 *   #/supply/containers/<sscc>                 one case or pallet
 *   #/supply/shipments?direction=&open=yes     shipments to and from the profile's member
 *   #/supply/shipments/<id>                    one shipment
 *   #/supply/stock?member=<id>                 stock by product and lot
 *   #/supply/record                            the events the member can record
 *   #/supply/record/<action>?gtin&serial&sscc&shipment   one event's form, prefilled
 *   #/supply/verify?gtin&serial&lot&expiry&context       DSCSA verification
 *   #/supply/recalls?kind=recall|quarantine    recalls and quarantines
 *   #/supply/recalls/new?gtin&lot&kind         issue one (owner or regulator)
 *   #/supply/recalls/<id>                      one recall or quarantine
 *   #/supply/alerts?kind&member&since&before   alerts, newest first, paged
 *   #/supply/epcis                             EPCIS 2.0 import (as the member) and export
 * Identifiers in the path are checked as the ledger checks them: anything else is not found.
 */

const section = { section: 'supply' } as const;

/** The section's layout: its tabs and scan box, around every Supply page. */
const supplyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/supply',
  staticData: section,
  // The tabs and live updates stay mounted from one Supply page to the next.
  remountDeps: () => 'supply',
  component: function SupplyRoute() {
    return (
      <SectionSuspense what="the Supply section">
        <SupplyLayout />
      </SectionSuspense>
    );
  },
});

const indexRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/supply/products', replace: true });
  },
});

const productsRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'products',
  validateSearch: searchValidator(z.object({ q: optional(z.string().max(120)) })),
  staticData: { ...section, supplyTab: 'products' },
  component: function ProductsRoute() {
    const { q } = productsRoute.useSearch();
    return <ProductsPage query={q?.trim() ?? ''} />;
  },
});

const registerRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'products/register',
  staticData: { ...section, supplyTab: 'products' },
  component: function RegisterRoute() {
    return <RegisterProductPage />;
  },
});

const productRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'products/$gtin',
  params: {
    parse: ({ gtin }) => ({ gtin: parsed(Gtin14, gtin) }),
    stringify: ({ gtin }) => ({ gtin }),
  },
  staticData: { ...section, supplyTab: 'products' },
  component: function ProductRoute() {
    const { gtin } = productRoute.useParams();
    return <ProductPage gtin={gtin} />;
  },
});

const lotRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'lots/$gtin/$lot',
  params: {
    parse: ({ gtin, lot }) => ({ gtin: parsed(Gtin14, gtin), lot: parsed(Lot, lot) }),
    stringify: ({ gtin, lot }) => ({ gtin, lot }),
  },
  staticData: { ...section, supplyTab: 'products' },
  component: function LotRoute() {
    const { gtin, lot } = lotRoute.useParams();
    return <LotPage gtin={gtin} lot={lot} />;
  },
});

const unitRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'units/$gtin/$serial',
  params: {
    parse: ({ gtin, serial }) => ({ gtin: parsed(Gtin14, gtin), serial: parsed(Serial, serial) }),
    stringify: ({ gtin, serial }) => ({ gtin, serial }),
  },
  staticData: { ...section, supplyTab: 'products' },
  component: function UnitRoute() {
    const { gtin, serial } = unitRoute.useParams();
    return <UnitPage gtin={gtin} serial={serial} />;
  },
});

const containerRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'containers/$sscc',
  params: {
    parse: ({ sscc }) => ({ sscc: parsed(Sscc, sscc) }),
    stringify: ({ sscc }) => ({ sscc }),
  },
  staticData: section,
  component: function ContainerRoute() {
    const { sscc } = containerRoute.useParams();
    return <ContainerPage sscc={sscc} />;
  },
});

const shipmentsRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'shipments',
  validateSearch: searchValidator(
    z.object({
      direction: optional(z.enum(['incoming', 'outgoing'])),
      open: optional(z.literal('yes')),
    }),
  ),
  staticData: { ...section, supplyTab: 'shipments' },
  component: function ShipmentsRoute() {
    const { direction, open } = shipmentsRoute.useSearch();
    return <ShipmentsPage direction={direction ?? 'incoming'} open={open === 'yes'} />;
  },
});

const shipmentRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'shipments/$id',
  params: {
    parse: ({ id }) => ({ id: parsed(hexIdParam, id) }),
    stringify: ({ id }) => ({ id }),
  },
  staticData: { ...section, supplyTab: 'shipments' },
  component: function ShipmentRoute() {
    const { id } = shipmentRoute.useParams();
    return <ShipmentPage id={id} />;
  },
});

const stockRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'stock',
  validateSearch: searchValidator(z.object({ member: optional(MemberId) })),
  staticData: { ...section, supplyTab: 'stock' },
  component: function StockRoute() {
    const { member } = stockRoute.useSearch();
    return <StockPage member={member} />;
  },
});

const recordRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'record',
  staticData: { ...section, supplyTab: 'record' },
  component: function RecordRoute() {
    return <RecordIndexPage />;
  },
});

const recordActionRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'record/$action',
  params: {
    parse: ({ action }) => ({ action: parsed(z.enum(RECORD_ACTIONS), action) }),
    stringify: ({ action }) => ({ action }),
  },
  validateSearch: searchValidator(
    z.object({
      gtin: optional(Gtin14),
      serial: optional(Serial),
      sscc: optional(Sscc),
      shipment: optional(hexIdParam),
    }),
  ),
  staticData: { ...section, supplyTab: 'record', supplyScan: false },
  component: function RecordActionRoute() {
    const { action } = recordActionRoute.useParams();
    const prefill = recordActionRoute.useSearch();
    return <RecordActionPage action={action} prefill={prefill} />;
  },
});

const verifyRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'verify',
  validateSearch: searchValidator(
    z.object({
      gtin: optional(Gtin14),
      serial: optional(Serial),
      lot: optional(Lot),
      expiry: optional(IsoDate),
      context: optional(z.enum(VERIFICATION_CONTEXTS)),
    }),
  ),
  staticData: { ...section, supplyTab: 'verify', supplyScan: false },
  component: function VerifyRoute() {
    const prefill = verifyRoute.useSearch();
    return <VerifyPage prefill={prefill} />;
  },
});

const HoldKindParam = z.enum(['recall', 'quarantine']);

const recallsRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'recalls',
  validateSearch: searchValidator(z.object({ kind: optional(HoldKindParam) })),
  staticData: { ...section, supplyTab: 'recalls' },
  component: function RecallsRoute() {
    const { kind } = recallsRoute.useSearch();
    return <RecallsPage kind={kind} />;
  },
});

const newRecallRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'recalls/new',
  validateSearch: searchValidator(
    z.object({ gtin: optional(Gtin14), lot: optional(Lot), kind: optional(HoldKindParam) }),
  ),
  staticData: { ...section, supplyTab: 'recalls' },
  component: function NewRecallRoute() {
    const { gtin, lot, kind } = newRecallRoute.useSearch();
    return (
      <NewRecallPage
        initial={{
          ...(gtin ? { gtin } : {}),
          ...(lot ? { lot } : {}),
          ...(kind ? { kind } : {}),
        }}
      />
    );
  },
});

const recallRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'recalls/$id',
  params: {
    parse: ({ id }) => ({ id: parsed(hexIdParam, id) }),
    stringify: ({ id }) => ({ id }),
  },
  staticData: { ...section, supplyTab: 'recalls' },
  component: function RecallRoute() {
    const { id } = recallRoute.useParams();
    return <RecallPage id={id} />;
  },
});

/** `<time>~<alert id>`: the last alert of the page before. */
const BeforeParam = z
  .string()
  .regex(/^\d{1,15}~.{1,200}$/)
  .transform((text) => {
    const at = text.indexOf('~');
    return { time: Number(text.slice(0, at)), id: text.slice(at + 1) };
  });

const epcisRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'epcis',
  staticData: { ...section, supplyTab: 'epcis' },
  component: EpcisPage,
});

const alertsRoute = createRoute({
  getParentRoute: () => supplyRoute,
  path: 'alerts',
  validateSearch: searchValidator(
    z.object({
      kind: optional(z.enum(ALERT_KINDS)),
      member: optional(MemberId),
      since: optional(IsoDate),
      before: optional(z.string()),
    }),
  ),
  staticData: { ...section, supplyTab: 'alerts' },
  component: function AlertsRoute() {
    const { kind, member, since, before } = alertsRoute.useSearch();
    const cursor = before === undefined ? undefined : BeforeParam.safeParse(before).data;
    return <AlertsPage filter={{ kind, member, since, before: cursor }} />;
  },
});

export const supplyRoutes = [
  supplyRoute.addChildren([
    indexRoute,
    productsRoute,
    registerRoute,
    productRoute,
    lotRoute,
    unitRoute,
    containerRoute,
    shipmentsRoute,
    shipmentRoute,
    stockRoute,
    recordRoute,
    recordActionRoute,
    verifyRoute,
    recallsRoute,
    newRecallRoute,
    recallRoute,
    alertsRoute,
    epcisRoute,
  ]),
] as const;
