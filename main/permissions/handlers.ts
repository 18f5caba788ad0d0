import { memberNames } from '../members/views';
import type { StateView } from '../../shared/ledger/state';
import type { TxBody } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import { decideAccess, inForce, scopeCovers } from '../../shared/permissions/decision';
import {
  provisionAt,
  type AccessRecord,
  type ConsentRecord,
  type ConsentVersionRecord,
} from '../../shared/permissions/schemas';
import { permissions } from '../../shared/permissions/state';
import { whoMayAccess } from '../../shared/permissions/summary';
import type { MethodName } from '../../shared/rpc/contract';
import {
  MAX_REPORT_ACCESSES,
  type AccessView,
  type ConsentView,
  type ConsentVersionView,
} from '../../shared/rpc/permissions';
import {
  accessToAuditEvent,
  consentToFhir,
  patientAccessBundle,
  type FhirContext,
} from '../../shared/permissions/fhir';
import type { ChainNode } from '../service/chain-node';
import { perNode, type HandlerContext, type HandlersFor } from '../service/handler-context';
import { ServiceError } from '../service/service-error';
import { pseudonymOf } from './pseudonym';
import { custodianSecret } from './secret-guard';
import { PermissionsQueries } from './queries';

/** The record-permission methods (the pseudonym secret's backup has its own handlers). */
export type PermissionsMethod = Exclude<
  Extract<MethodName, `permissions.${string}`>,
  `permissions.secret.${string}`
>;

const queriesOf = perNode((node) => new PermissionsQueries(node.replica.db));

/** Where a consent stands at a time: in force, outside its period, or its status. */
export function standingOf(version: ConsentVersionRecord, time: number): ConsentView['standing'] {
  if (version.status !== 'active') return version.status;
  if (inForce(version, time)) return 'in-force';
  return version.period?.start !== undefined && time < version.period.start ? 'not-yet' : 'expired';
}

/** What FHIR output names: the chain, and members by name. */
function fhirContext(node: ChainNode): FhirContext {
  const members = membership(node.replica.view).members();
  return {
    chainId: node.replica.tip().chainId,
    memberNames: new Map(members.map((m) => [m.id, m.legalName])),
  };
}

/** A patient's consent versions and newest accesses (up to the report's limit). */
function reportOf(node: ChainNode, custodian: string, patient: string) {
  const queries = queriesOf(node);
  const accesses = queries.accessOfPatient(custodian, patient, undefined, MAX_REPORT_ACCESSES + 1);
  return {
    consents: queries.versionsOfPatient(custodian, patient),
    accesses: accesses.slice(0, MAX_REPORT_ACCESSES),
    truncated: accesses.length > MAX_REPORT_ACCESSES,
  };
}

/** Patients' consents and the accesses to their records, as the custodian and compliance see them. */
export function permissionsHandlers(ctx: HandlerContext): HandlersFor<PermissionsMethod> {
  const versionView = (view: StateView, v: ConsentVersionRecord): ConsentVersionView => ({
    ...v,
    recordedByName: memberNames(view)(v.recordedBy),
  });

  const consentView = (view: StateView, consent: ConsentRecord, time: number): ConsentView => {
    const current = permissions(view).version(consent.versionTx);
    if (!current) throw new Error(`consent ${consent.id} has no version ${consent.versionTx}`);
    return {
      consent,
      current: versionView(view, current),
      custodianName: memberNames(view)(consent.custodian),
      standing: standingOf(current, time),
    };
  };

  const accessView = (view: StateView, access: AccessRecord): AccessView => ({
    ...access,
    accessorName: memberNames(view)(access.accessor),
    custodianName: memberNames(view)(access.custodian),
  });

  /** The profile's member, or the one named: whose lists are asked for. */
  const memberOr = (named: string | undefined): string => {
    const member = named ?? ctx.session.memberId();
    if (!member) throw new ServiceError('no_profile', 'name a member, or create a profile first');
    return member;
  };

  const requireMember = (node: ChainNode, id: string, path: string) => {
    const member = membership(node.replica.view).member(id);
    if (!member) {
      const message = `${id} is not a member of the consortium`;
      throw new ServiceError('not_found', message, [{ path, message }]);
    }
    return member;
  };

  /** Signs as the profile's member; the rules run again at the node before it is queued. */
  const submit = (type: TxBody['type']) => (params: object) =>
    ctx.submitAsProfile((common) => ({ ...common, ...params, type }) as TxBody);

  return {
    'permissions.pseudonym': ({ identifier }) => {
      const custodian = memberOr(undefined);
      return { custodian, patient: pseudonymOf(custodianSecret(ctx), identifier) };
    },

    'permissions.consents.ofPatient': ({ custodian, patient, time }) => {
      const node = ctx.requireNode();
      requireMember(node, custodian, 'custodian');
      const view = node.replica.view;
      const at = time ?? Date.now();
      return permissions(view)
        .consentsOf(custodian, patient)
        .map((c) => consentView(view, c, at));
    },

    'permissions.consents.get': ({ id, time }) => {
      const node = ctx.requireNode();
      const view = node.replica.view;
      const consent = permissions(view).consent(id);
      if (!consent) throw new ServiceError('not_found', `no consent ${id}`);
      return {
        ...consentView(view, consent, time ?? Date.now()),
        versions: permissions(view)
          .versions(id)
          .map((v) => versionView(view, v)),
      };
    },

    'permissions.consents.list': ({ member, relation, before, limit }) => {
      const node = ctx.requireNode();
      const view = node.replica.view;
      const id = memberOr(member);
      const record = requireMember(node, id, 'member');
      const queries = queriesOf(node);
      const now = Date.now();
      const consents =
        relation === 'custodian'
          ? queries.consentsOfCustodian(id, before, limit)
          : relation === 'delegate'
            ? queries.consentsRecordedAsDelegate(id, before, limit)
            : queries.consentsGranting(id, record.kind, before, limit).map((r) => r.consent);
      return consents.map((c) => consentView(view, c, now));
    },

    'permissions.check': ({ custodian, patient, member, action, recordClass, purpose, time }) => {
      const node = ctx.requireNode();
      requireMember(node, custodian, 'custodian');
      const view = node.replica.view;
      const accessor = requireMember(node, member, 'member');
      const at = time ?? Date.now();
      // As of a time asked: the consents as they had been recorded by then.
      const consents =
        time === undefined
          ? permissions(view).currentVersionsOf(custodian, patient)
          : permissions(view).versionsAsOf(custodian, patient, time);
      const decision = decideAccess(consents, {
        member,
        memberKind: accessor.kind,
        action,
        recordClass,
        purpose,
        time: at,
      });
      const decided = decision.decidedBy;
      const version = decided ? permissions(view).version(decided.versionTx) : undefined;
      return {
        outcome: decision.outcome,
        basis: decision.basis,
        decidedBy: decided ?? null,
        provision: (version && decided && provisionAt(version.provision, decided.path)) ?? null,
        consentsInForce: consents.filter((c) => inForce(c, at) && scopeCovers(c, purpose)).length,
        time: at,
        asOfHeight: node.replica.tip().height,
      };
    },

    'permissions.whoMayAccess': ({ custodian, patient, time }) => {
      const node = ctx.requireNode();
      requireMember(node, custodian, 'custodian');
      const view = node.replica.view;
      const active = membership(view)
        .members()
        .filter((m) => m.status === 'active');
      const consents =
        time === undefined
          ? permissions(view).currentVersionsOf(custodian, patient)
          : permissions(view).versionsAsOf(custodian, patient, time);
      const grants = whoMayAccess(consents, active, time ?? Date.now());
      const byId = new Map(active.map((m) => [m.id, m]));
      return grants.map((g) => {
        const m = byId.get(g.member);
        if (!m) throw new Error(`no member ${g.member}`);
        return { member: m.id, memberName: m.legalName, kind: m.kind, grants: g.grants };
      });
    },

    'permissions.access.ofPatient': ({ custodian, patient, before, limit }) => {
      const node = ctx.requireNode();
      requireMember(node, custodian, 'custodian');
      const view = node.replica.view;
      return queriesOf(node)
        .accessOfPatient(custodian, patient, before, limit)
        .map((a) => accessView(view, a));
    },

    'permissions.access.list': (filter) => {
      const node = ctx.requireNode();
      const view = node.replica.view;
      if (
        filter.since !== undefined &&
        filter.until !== undefined &&
        filter.since >= filter.until
      ) {
        const message = 'the period must end after it starts';
        throw new ServiceError('bad_request', message, [{ path: 'until', message }]);
      }
      if (filter.custodian !== undefined) requireMember(node, filter.custodian, 'custodian');
      if (filter.accessor !== undefined) requireMember(node, filter.accessor, 'accessor');
      if (filter.review !== undefined && filter.outcome !== 'break-glass') {
        const message = 'only break-glass accesses are reviewed';
        throw new ServiceError('bad_request', message, [{ path: 'review', message }]);
      }
      return queriesOf(node)
        .accesses(filter)
        .map((a) => accessView(view, a));
    },

    'permissions.access.get': ({ id }) => {
      const node = ctx.requireNode();
      const access = permissions(node.replica.view).access(id);
      if (!access) throw new ServiceError('not_found', `no recorded access ${id}`);
      return accessView(node.replica.view, access);
    },

    'permissions.delegates': ({ custodian }) => {
      const node = ctx.requireNode();
      const names = memberNames(node.replica.view);
      return queriesOf(node)
        .delegates(memberOr(custodian))
        .map((d) => ({ ...d, delegateName: names(d.delegate) }));
    },

    'permissions.delegations': ({ delegate }) => {
      const node = ctx.requireNode();
      const names = memberNames(node.replica.view);
      return queriesOf(node)
        .delegations(memberOr(delegate))
        .map((d) => ({ ...d, custodianName: names(d.custodian) }));
    },

    'permissions.report': ({ custodian, patient }) => {
      const node = ctx.requireNode();
      requireMember(node, custodian, 'custodian');
      const view = node.replica.view;
      const report = reportOf(node, custodian, patient);
      const tip = node.replica.tip();
      return {
        custodian,
        custodianName: memberNames(view)(custodian),
        patient,
        consents: report.consents.map((v) => versionView(view, v)),
        accesses: report.accesses.map((a) => accessView(view, a)),
        truncated: report.truncated,
        asOfHeight: tip.height,
        asOfTime: tip.time,
      };
    },

    'permissions.report.fhir': ({ custodian, patient }) => {
      const node = ctx.requireNode();
      requireMember(node, custodian, 'custodian');
      const { consents, accesses, truncated } = reportOf(node, custodian, patient);
      const bundle = patientAccessBundle(
        { custodian, patient, consents, accesses },
        fhirContext(node),
        { timestamp: Date.now(), ...(truncated && { accessesCutAt: MAX_REPORT_ACCESSES }) },
      );
      return { document: `${JSON.stringify(bundle, null, 2)}\n` };
    },

    'permissions.fhir.consent': ({ id, version }) => {
      const node = ctx.requireNode();
      const state = permissions(node.replica.view);
      const consent = state.consent(id);
      if (!consent) throw new ServiceError('not_found', `no consent ${id}`);
      const wanted = version ?? consent.version;
      const found = state.versions(id).find((v) => v.version === wanted);
      if (!found) {
        const message = `consent ${id.slice(0, 12)}… has versions 1 to ${consent.version}`;
        throw new ServiceError('not_found', message, [{ path: 'version', message }]);
      }
      const resource = consentToFhir(found, fhirContext(node));
      return { document: `${JSON.stringify(resource, null, 2)}\n` };
    },

    'permissions.fhir.auditEvent': ({ id }) => {
      const node = ctx.requireNode();
      const access = permissions(node.replica.view).access(id);
      if (!access) throw new ServiceError('not_found', `no recorded access ${id}`);
      const resource = accessToAuditEvent(access, fhirContext(node));
      return { document: `${JSON.stringify(resource, null, 2)}\n` };
    },

    'permissions.consents.record': submit('consent.record'),
    'permissions.consents.amend': submit('consent.amend'),
    'permissions.consents.revoke': submit('consent.revoke'),
    'permissions.delegates.set': submit('consent.delegate'),
    'permissions.access.record': submit('access.record'),
    'permissions.access.review': submit('access.review'),
  };
}
