import type { z } from 'zod';
import type { MemberView, RpcError } from '../../shared/rpc/contract';
import { sentence } from '../components/text';

/*
 * Where a permissions form says what is wrong: each problem under the field its path names,
 * whether the form's own check (the contract's zod schemas) or the node found it.
 */

/**
 * What is wrong with a form: under the field each problem names (by its path in the params,
 * `period` or `provision.provisions.0.actors`), the rest by the button.
 */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/** Node messages end without a full stop, and are meant to be embedded in a sentence. */
function clause(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

/**
 * The node's messages as people read them: member ids replaced by the names people know them
 * by, and 64-digit hashes (consents, pseudonyms, transactions) shortened.
 */
export function withMemberNames(message: string, members: ReadonlyMap<string, MemberView>): string {
  let text = message.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
  for (const [id, member] of members) {
    text = text.replace(new RegExp(`(?<![\\w-])${id}(?![\\w-])`, 'g'), member.legalName);
  }
  return text;
}

/**
 * The field a problem belongs under: the longest leading part of its path that is a field of
 * the form (`provision.provisions.0.actors.1.member` goes under `provision.provisions.0.actors`).
 */
export function fieldOfPath(path: readonly (string | number)[], fields: ReadonlySet<string>) {
  for (let n = path.length; n > 0; n--) {
    const key = path.slice(0, n).join('.');
    if (fields.has(key)) return key;
  }
  return null;
}

/** A zod schema's issues placed under the form's fields, the rest for the button. */
export function issuesToErrors(
  issues: readonly { path: readonly PropertyKey[] | string; message: string }[],
  fields: ReadonlySet<string>,
  members: ReadonlyMap<string, MemberView> = new Map(),
): FormErrors {
  const result: FormErrors = { fields: {}, form: null };
  const unplaced: string[] = [];
  for (const issue of issues) {
    const path =
      typeof issue.path === 'string'
        ? issue.path.split('.').filter(Boolean)
        : issue.path.map((p) => (typeof p === 'symbol' ? '' : String(p)));
    const message = sentence(withMemberNames(issue.message, members));
    const field = fieldOfPath(path, fields);
    if (field) result.fields[field] ??= message;
    else unplaced.push(message);
  }
  if (unplaced.length > 0) result.form = [...new Set(unplaced)].join(' ');
  return result;
}

/** Checks params with the contract's own schema before anything is signed. */
export function checkParams<S extends z.ZodType>(
  schema: S,
  params: unknown,
  fields: ReadonlySet<string>,
): { ok: true; params: z.output<S> } | { ok: false; errors: FormErrors } {
  const parsed = schema.safeParse(params);
  if (parsed.success) return { ok: true, params: parsed.data };
  return { ok: false, errors: issuesToErrors(parsed.error.issues, fields) };
}

export interface Placement {
  /** The form's fields, by their paths in the params. */
  fields: ReadonlySet<string>;
  /** A rule's refusal that belongs under a field (the policy for a base rule that disagrees). */
  fieldOfRefusal?: (message: string) => string | null;
}

/** Places the node's answer where the user acted: under a field, or by the button. */
export function placeErrors(
  error: RpcError,
  placement: Placement,
  members: ReadonlyMap<string, MemberView>,
): FormErrors {
  if (error.code === 'bad_request' && error.issues?.length) {
    return issuesToErrors(error.issues, placement.fields, members);
  }
  const say = (message: string) => sentence(withMemberNames(message, members));
  if (error.code === 'rejected') {
    const field = placement.fieldOfRefusal?.(error.message) ?? null;
    if (field) return { fields: { [field]: say(error.message) }, form: null };
    return {
      fields: {},
      form: `Nothing was signed: ${clause(withMemberNames(error.message, members))}.`,
    };
  }
  return { fields: {}, form: say(error.message) };
}
