/**
 * The permissions domain's tables in the replica: one per record kind it declares
 * (shared/permissions/records.ts), its grantee projection (projection.ts), and the indexes its
 * rules and queries read through. main/store/migrations.ts applies it as a numbered migration.
 *
 * Released schema is never edited (start-up compares sqlite_schema with it byte for byte); a
 * change is a new migration.
 */
export const PERMISSIONS_TABLES_V1 = `
  CREATE TABLE perm_consents (
    id TEXT PRIMARY KEY,
    custodian TEXT NOT NULL,
    patient TEXT NOT NULL,
    status TEXT NOT NULL,
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    recorded_height INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  -- The full order of the list the rules read for every access (id last): without it SQLite
  -- served that list from perm_consents_of_custodian, reading all of the custodian's consents.
  CREATE INDEX perm_consents_of_patient ON perm_consents (custodian, patient, recorded_height, id);
  CREATE INDEX perm_consents_of_custodian ON perm_consents (custodian, recorded_height, id);

  CREATE TABLE perm_consent_versions (
    tx_id TEXT PRIMARY KEY,
    consent_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    custodian TEXT NOT NULL,
    patient TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE UNIQUE INDEX perm_consent_versions_of_consent ON perm_consent_versions (consent_id, version);
  CREATE INDEX perm_consent_versions_of_patient ON perm_consent_versions (custodian, patient, height);
  -- Consents a member recorded for another custodian, and nothing else.
  CREATE INDEX perm_consent_versions_by_delegate ON perm_consent_versions (recorded_by, height, tx_id)
    WHERE version = 1 AND custodian <> recorded_by;

  CREATE TABLE perm_delegates (
    custodian TEXT NOT NULL,
    delegate TEXT NOT NULL,
    active INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (custodian, delegate)
  ) STRICT;
  CREATE INDEX perm_delegates_by_delegate ON perm_delegates (delegate, custodian);

  CREATE TABLE perm_access (
    id TEXT PRIMARY KEY,
    custodian TEXT NOT NULL,
    patient TEXT NOT NULL,
    accessor TEXT NOT NULL,
    outcome TEXT NOT NULL,
    review TEXT NOT NULL,
    time INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX perm_access_of_patient ON perm_access (custodian, patient, time, id);
  CREATE INDEX perm_access_by_custodian ON perm_access (custodian, outcome, time, id);
  CREATE INDEX perm_access_by_accessor ON perm_access (accessor, outcome, time, id);
  CREATE INDEX perm_access_by_outcome ON perm_access (outcome, time, id);
  -- With outcome, so that SQLite prefers it to perm_access_by_custodian for open reviews.
  CREATE INDEX perm_access_open_reviews ON perm_access (custodian, outcome, time, id)
    WHERE review = 'open';

  CREATE TABLE perm_consent_grantees (
    grantee TEXT NOT NULL,
    consent_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    permits INTEGER NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (grantee, consent_id, version)
  ) STRICT;
  CREATE INDEX perm_consent_grantees_by_height ON perm_consent_grantees (grantee, height, consent_id);
`;
