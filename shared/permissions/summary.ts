import type { MemberKind } from '../members/schemas';
import { CONSENT_ACTIONS, PURPOSES, RECORD_CLASSES, codesOf } from './codes';
import { decideAccess, inForce, type AccessQuestion } from './decision';
import {
  provisionsOf,
  type ConsentAction,
  type ConsentVersionRecord,
  type Purpose,
  type RecordClass,
} from './schemas';

const ALL_ACTIONS = codesOf(CONSENT_ACTIONS);
const ALL_PURPOSES = codesOf(PURPOSES);
const ALL_CLASSES = codesOf(RECORD_CLASSES);

/** What a member may do for one purpose: these actions on these record classes. */
export interface Grant {
  purpose: Purpose;
  actions: ConsentAction[];
  classes: RecordClass[];
}

export interface MemberGrants {
  member: string;
  grants: Grant[];
}

/**
 * Values of one dimension that can answer differently: those some provision names, and one
 * value that none names (if there is one), which speaks for all the unnamed ones.
 */
function representatives<T extends string>(all: readonly T[], named: ReadonlySet<T>) {
  const unnamed = all.filter((v) => !named.has(v));
  const reps = all.filter((v) => named.has(v));
  const other = unnamed[0];
  return { reps: other === undefined ? reps : [...reps, other], unnamed, other };
}

/** Expands an answer for a representative value to the values it speaks for. */
function expand<T extends string>(value: T, dim: { unnamed: T[]; other: T | undefined }): T[] {
  return value === dim.other ? dim.unnamed : [value];
}

/**
 * Who may access a patient's records at a time, and for what: each member's permitted
 * (purpose, action, class) combinations under the consents given, as decideAccess answers them.
 * Emergency treatment is left out (it is always possible, as break-glass or permitted). The
 * decision depends on a value only through whether some provision names it, so each dimension is
 * asked once per named value and once for all the rest: a handful of decisions, not thousands.
 */
export function whoMayAccess(
  consents: readonly ConsentVersionRecord[],
  members: readonly { id: string; kind: MemberKind }[],
  time: number,
): MemberGrants[] {
  const speaking = consents.filter((c) => inForce(c, time));
  const named = {
    members: new Set<string>(),
    actions: new Set<ConsentAction>(),
    purposes: new Set<Purpose>(),
    classes: new Set<RecordClass>(),
  };
  for (const consent of speaking) {
    for (const { provision: p } of provisionsOf(consent.provision)) {
      // A member named on its own may answer unlike others of its kind; the rest of a kind
      // answer alike, so each kind is asked once in any case.
      for (const a of p.actors ?? []) if ('member' in a) named.members.add(a.member);
      p.actions?.forEach((v) => named.actions.add(v));
      p.purposes?.forEach((v) => named.purposes.add(v));
      p.classes?.forEach((v) => named.classes.add(v));
    }
  }
  // Research consents speak for research only, so research always answers on its own.
  named.purposes.add('HRESCH');
  const actions = representatives(ALL_ACTIONS, named.actions);
  const purposes = representatives(
    ALL_PURPOSES.filter((p) => p !== 'ETREAT'),
    named.purposes,
  );
  const classes = representatives(ALL_CLASSES, named.classes);

  // Members answer alike when neither is named and they are of one kind.
  const answers = new Map<string, Grant[]>();
  const grantsOf = (member: string, memberKind: MemberKind): Grant[] => {
    const key = named.members.has(member) ? `member:${member}` : `kind:${memberKind}`;
    const known = answers.get(key);
    if (known) return known;
    const grants: Grant[] = [];
    for (const purposeRep of purposes.reps) {
      const byClasses = new Map<string, { actions: ConsentAction[]; classes: RecordClass[] }>();
      for (const actionRep of actions.reps) {
        const permitted: RecordClass[] = [];
        for (const classRep of classes.reps) {
          const q: AccessQuestion = {
            member,
            memberKind,
            action: actionRep,
            purpose: purposeRep,
            recordClass: classRep,
            time,
          };
          if (decideAccess(speaking, q).outcome === 'permit')
            permitted.push(...expand(classRep, classes));
        }
        if (permitted.length === 0) continue;
        permitted.sort();
        const group = byClasses.get(permitted.join(',')) ?? { actions: [], classes: permitted };
        group.actions.push(...expand(actionRep, actions));
        byClasses.set(permitted.join(','), group);
      }
      for (const purpose of expand(purposeRep, purposes)) {
        for (const group of byClasses.values()) {
          grants.push({
            purpose,
            actions: ALL_ACTIONS.filter((a) => group.actions.includes(a)),
            classes: group.classes,
          });
        }
      }
    }
    grants.sort((a, b) => ALL_PURPOSES.indexOf(a.purpose) - ALL_PURPOSES.indexOf(b.purpose));
    answers.set(key, grants);
    return grants;
  };
  return members
    .map((m) => ({ member: m.id, grants: grantsOf(m.id, m.kind) }))
    .filter((m) => m.grants.length > 0);
}
