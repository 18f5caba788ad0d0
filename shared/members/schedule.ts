/**
 * Which validators are in force at each height (docs/consensus.md, section 7). A decision that
 * changes the validator set in block H takes effect for consensus at H + 2: the validators of
 * H + 1 must be known before H is executed, so that nodes can check the votes and proposals of
 * H + 1 that faster validators send while a slower one still applies H.
 */
import { canonicalText } from '../ledger/canonical';
import type { Validator } from '../ledger/domain';
import type { Overlay, StateView } from '../ledger/state';
import { numberKey } from '../ledger/records';
import { scheduleRecords } from './records';
import { membership } from './state';

/**
 * The validator set in the state: active members flagged as validators, sorted by member id.
 * What consensus uses at a height is validatorsAt, which lags it by two blocks after a change.
 */
export function validatorSet(view: StateView): Validator[] {
  return membership(view)
    .members()
    .filter((m) => m.status === 'active' && m.validator)
    .map((m) => ({ member: m.id, nodeKey: m.nodeKey }));
}

/**
 * V_h: the validators that decide, propose and certify block `height`, sorted by member id. The
 * schedule record with the greatest `fromHeight` at most `height`; on a chain whose set never
 * changed there is none, and the set in the state is the one it always had.
 */
export function validatorsAt(view: StateView, height: number): Validator[] {
  const scheduled = view.list(scheduleRecords, 'startingBy', numberKey(height)).at(-1);
  return scheduled ? scheduled.validators : validatorSet(view);
}

/**
 * Schedules the validator set after a decision carried out in block `height`, if the decision
 * changed it (`before` is the set just before it was carried out): the new set is in force from
 * `height + 2`. The first change on a chain also records the set it had until then, from height
 * 0, because afterwards the state no longer holds it. Two changes in one block leave one record
 * for `height + 2`, the set after both. A chain whose set never changes writes nothing, so every
 * block made before the schedule existed verifies as it did.
 */
export function scheduleValidatorChange(
  view: Overlay,
  height: number,
  before: readonly Validator[],
): void {
  const after = validatorSet(view);
  if (canonicalText(after) === canonicalText(before)) return;
  if (!view.get(scheduleRecords, [numberKey(0)])) {
    view.put(scheduleRecords, { fromHeight: 0, validators: [...before] });
  }
  view.put(scheduleRecords, { fromHeight: height + 2, validators: after });
}
