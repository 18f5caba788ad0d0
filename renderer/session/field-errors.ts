import { sentence } from '../components/text';
import type { RpcError } from '../../shared/rpc/contract';

export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** What cannot be pinned on one field; shown by the submit button. */
  form: string | null;
}

/**
 * Places a failed call's errors where the user acted: each issue under the field its path
 * names (the last segment of "passphrase" or "params.passphrase"), the rest by the button.
 */
export function formErrors<F extends string>(error: RpcError, fields: readonly F[]): FormErrors<F> {
  const result: FormErrors<F> = { fields: {}, form: null };
  const unplaced: string[] = [];
  for (const issue of error.issues ?? []) {
    const segment = issue.path.split(/[./]/).pop() ?? '';
    const field = fields.find((name) => name === segment);
    if (field && !result.fields[field]) result.fields[field] = sentence(issue.message);
    else unplaced.push(sentence(issue.message));
  }
  if (!error.issues?.length) result.form = sentence(error.message);
  else if (unplaced.length) result.form = unplaced.join(' ');
  return result;
}
