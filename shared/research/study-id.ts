import { utf8 } from '../ledger/bytes';
import { sha256Hex } from '../ledger/hash';

/*
 * A study is known on chain only by the SHA-256 of its registry id: ClinicalTrials.gov's
 * NCT01234567, ISRCTN12345678, a EudraCT or EU CT number such as 2022-500123-41-00. The id is
 * written one way before it is hashed (no spaces, capital letters), so that "nct01234567" and
 * "NCT 01234567" name the same study, in the console (WebCrypto), the CLI and the demo alike.
 */

/** A registry id as it is hashed: letters and digits, and `-` `/` `.` `_` `:` inside. */
const REGISTRY_ID = /^[A-Z0-9][A-Z0-9./:_-]{2,63}$/;

/** The registry id as it is hashed: white space removed, a-z in capitals. */
export function normalRegistryId(text: string): string {
  return text.replace(/\s+/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());
}

/** What is wrong with a registry id as typed, or null. */
export function registryIdProblem(text: string): string | null {
  const id = normalRegistryId(text);
  if (id === '') return 'give the study’s registry id, e.g. NCT01234567';
  if (!REGISTRY_ID.test(id))
    return 'a registry id is 3 to 64 letters and digits (with - / . _ : inside), e.g. NCT01234567 or 2022-500123-41-00';
  return null;
}

/** The study hash of a registry id: SHA-256 of its normal form (see normalRegistryId). */
export function studyHashOf(registryId: string): string {
  const problem = registryIdProblem(registryId);
  if (problem) throw new Error(problem);
  return sha256Hex(utf8(normalRegistryId(registryId)));
}
