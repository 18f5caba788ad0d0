import { createRoute } from '@tanstack/react-router';
import { z } from 'zod';
import { MemberId } from '../../shared/ledger/schemas';
import { Pseudonym } from '../../shared/permissions/schemas';
import { rootRoute } from '../app/root-route';
import { hexIdParam, searchValidator } from '../app/search';
import '../styles/supply.css';
import '../styles/permissions.css';
import { lazyPages, optional, parsed, SectionSuspense } from '../components/section-routes';

/** One page of the section, from the section's lazily loaded module. */
const lazyPage = lazyPages(() => import('./pages'));

const PermissionsLayout = lazyPage('PermissionsLayout');
const LookupPage = lazyPage('LookupPage');
const PatientPage = lazyPage('PatientPage');
const RecordConsentPage = lazyPage('RecordConsentPage');
const AmendConsentPage = lazyPage('AmendConsentPage');
const RecordAccessPage = lazyPage('RecordAccessPage');
const CompliancePage = lazyPage('CompliancePage');
const DelegatesPage = lazyPage('DelegatesPage');
const PatientReportPage = lazyPage('PatientReportPage');
const PseudonymSecretPage = lazyPage('PseudonymSecretPage');

/*
 * The Permissions section's addresses (bookmarks and the end-to-end tests use them). A patient
 * is addressed by custodian and pseudonym only: a local patient identifier never appears in an
 * address, a title or anything the console keeps.
 *   #/permissions?custodian                              find a patient (by pseudonym at that
 *                                                        custodian); the member's consents
 *   #/permissions/patients/<custodian>/<pseudonym>       a patient's consents, accesses, check
 *   #/permissions/patients/<custodian>/<pseudonym>/consent   record a consent
 *   #/permissions/patients/<custodian>/<pseudonym>/report    the patient access report (print)
 *   #/permissions/consents/<id>/amend                    amend a consent (a new version)
 *   #/permissions/access?custodian&patient               record an access, prefilled
 *   #/permissions/compliance?show&custodian&accessor&since&until&review
 *                                                        violations and break-glass reviews
 *   #/permissions/delegates                              the member's delegates; its delegations
 *   #/permissions/secret                                 back up or restore the pseudonym secret
 * Identifiers in the path are checked as the ledger checks them: anything else is not found.
 */

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const section = { section: 'permissions' } as const;

/** The section's layout: its tabs, around every Permissions page. */
const permissionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/permissions',
  staticData: section,
  // The tabs and live updates stay mounted from one Permissions page to the next.
  remountDeps: () => 'permissions',
  component: function PermissionsRoute() {
    return (
      <SectionSuspense what="the Permissions section">
        <PermissionsLayout />
      </SectionSuspense>
    );
  },
});

const lookupRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: '/',
  validateSearch: searchValidator(z.object({ custodian: optional(MemberId) })),
  staticData: { ...section, permissionsTab: 'patients' },
  component: function LookupRoute() {
    const { custodian } = lookupRoute.useSearch();
    return <LookupPage custodian={custodian} />;
  },
});

const patientParams = {
  parse: ({ custodian, patient }: { custodian: string; patient: string }) => ({
    custodian: parsed(MemberId, custodian),
    patient: parsed(Pseudonym, patient),
  }),
  stringify: ({ custodian, patient }: { custodian: string; patient: string }) => ({
    custodian,
    patient,
  }),
};

const patientRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'patients/$custodian/$patient',
  params: patientParams,
  staticData: { ...section, permissionsTab: 'patients' },
  component: function PatientRoute() {
    const { custodian, patient } = patientRoute.useParams();
    return <PatientPage custodian={custodian} patient={patient} />;
  },
});

const recordConsentRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'patients/$custodian/$patient/consent',
  params: patientParams,
  staticData: { ...section, permissionsTab: 'patients' },
  component: function RecordConsentRoute() {
    const { custodian, patient } = recordConsentRoute.useParams();
    return <RecordConsentPage custodian={custodian} patient={patient} />;
  },
});

const reportRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'patients/$custodian/$patient/report',
  params: patientParams,
  staticData: { ...section, permissionsTab: 'patients' },
  component: function ReportRoute() {
    const { custodian, patient } = reportRoute.useParams();
    return <PatientReportPage custodian={custodian} patient={patient} />;
  },
});

const amendConsentRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'consents/$id/amend',
  params: {
    parse: ({ id }) => ({ id: parsed(hexIdParam, id) }),
    stringify: ({ id }) => ({ id }),
  },
  staticData: { ...section, permissionsTab: 'patients' },
  component: function AmendConsentRoute() {
    const { id } = amendConsentRoute.useParams();
    return <AmendConsentPage id={id} />;
  },
});

const recordAccessRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'access',
  validateSearch: searchValidator(
    z.object({ custodian: optional(MemberId), patient: optional(Pseudonym) }),
  ),
  staticData: { ...section, permissionsTab: 'access' },
  component: function RecordAccessRoute() {
    const prefill = recordAccessRoute.useSearch();
    return <RecordAccessPage prefill={prefill} />;
  },
});

const complianceRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'compliance',
  validateSearch: searchValidator(
    z.object({
      show: optional(z.enum(['violation', 'break-glass'])),
      custodian: optional(MemberId),
      accessor: optional(MemberId),
      since: optional(IsoDay),
      until: optional(IsoDay),
      review: optional(z.enum(['open', 'closed'])),
    }),
  ),
  staticData: { ...section, permissionsTab: 'compliance' },
  component: function ComplianceRoute() {
    const filter = complianceRoute.useSearch();
    return <CompliancePage filter={filter} />;
  },
});

const delegatesRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'delegates',
  staticData: { ...section, permissionsTab: 'delegates' },
  component: DelegatesPage,
});

const secretRoute = createRoute({
  getParentRoute: () => permissionsRoute,
  path: 'secret',
  staticData: { ...section, permissionsTab: 'secret' },
  component: PseudonymSecretPage,
});

export const permissionsRoutes = [
  permissionsRoute.addChildren([
    lookupRoute,
    patientRoute,
    recordConsentRoute,
    reportRoute,
    amendConsentRoute,
    recordAccessRoute,
    complianceRoute,
    delegatesRoute,
    secretRoute,
  ]),
] as const;
