import { consentVersionRecords } from '../../shared/permissions/records';
import { provisionsOf, type ConsentVersionRecord } from '../../shared/permissions/schemas';
import type { Projection } from '../store/projection';

/**
 * Who each consent version names: one row per actor (`member:<id>` or `kind:<kind>`) and
 * version, with whether any permit provision names it. A consent a member is a grantee of is
 * one whose current version has a row for the member or its kind; earlier versions keep
 * theirs, so rows are only ever added.
 */
export const permissionsProjection: Projection = {
  tables: [
    {
      name: 'perm_consent_grantees',
      key: ['grantee', 'consent_id', 'version'],
      columns: ['grantee', 'consent_id', 'version', 'permits', 'height'],
      appendOnly: true,
    },
  ],
  project(block, put) {
    for (const change of block.changes) {
      if (change.record !== consentVersionRecords) continue;
      const version = change.value as ConsentVersionRecord;
      const permits = new Map<string, boolean>();
      for (const { provision } of provisionsOf(version.provision)) {
        for (const actor of provision.actors ?? []) {
          const grantee = 'member' in actor ? `member:${actor.member}` : `kind:${actor.kind}`;
          permits.set(grantee, (permits.get(grantee) ?? false) || provision.type === 'permit');
        }
      }
      // Sorted, so that rows go in the same order whatever order the tree names them in.
      for (const [grantee, permit] of [...permits].sort(([a], [b]) => (a < b ? -1 : 1))) {
        put('perm_consent_grantees', {
          grantee,
          consent_id: version.consent,
          version: version.version,
          permits: permit ? 1 : 0,
          height: block.height,
        });
      }
    }
  },
};
