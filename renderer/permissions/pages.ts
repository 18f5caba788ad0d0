/*
 * The Permissions section's layout and pages, loaded together the first time the section opens
 * (routes.tsx imports them lazily): the console's first paint does not wait for them.
 */
export { CompliancePage } from './CompliancePage';
export { AmendConsentPage, RecordConsentPage } from './ConsentPages';
export { DelegatesPage } from './DelegatesPage';
export { LookupPage } from './LookupPage';
export { PatientPage } from './PatientPage';
export { PatientReportPage } from './PatientReportPage';
export { PermissionsLayout } from './PermissionsLayout';
export { PseudonymSecretPage } from './PseudonymSecretPage';
export { RecordAccessPage } from './RecordAccessPage';
