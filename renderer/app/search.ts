import { z } from 'zod';

/*
 * Search params as the console has always written them: `?proposal=<hex>&before=12`, plain
 * URLSearchParams, no JSON. (TanStack Router's default would turn a hex id made only of digits
 * into a number and put quotes around strings.) Every value reaches a route's validateSearch as a
 * string; the route's zod schema decides what it means.
 */

/** The router's `parseSearch`: `?a=1&b=x` → `{ a: '1', b: 'x' }`; a repeated key keeps its first value. */
export function parseSearch(searchStr: string): Record<string, string> {
  const search: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(searchStr)) {
    if (!Object.hasOwn(search, key)) search[key] = value;
  }
  return search;
}

/**
 * The router's `stringifySearch`: strings, numbers and booleans as they are, `undefined` and
 * `null` left out; `''` or `?…`. Search values are flat: a route schema never produces objects.
 */
export function stringifySearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    if (typeof value === 'string') params.set(key, value);
    else if (typeof value === 'number' || typeof value === 'boolean') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A route's `validateSearch` from a zod object schema. Give every field `.optional()` and
 * `.catch(undefined)` (or a default): a missing or bad value then falls back instead of failing
 * the route, so `#/blocks?before=xyz` is the same page as `#/blocks`, as bookmarks expect.
 */
export function searchValidator<Output>(
  schema: z.ZodType<Output>,
): (search: Record<string, unknown>) => Output {
  return (search) => schema.parse(search);
}

/** A block height as the URL spells it (digits only, as many as a height can have) or as a number. */
export const heightParam = z.union([
  z.int().min(0),
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
]);

/** A 64-hex id (proposal, transaction) as the URL spells it: lowercase. */
export const hexIdParam = z.string().regex(/^[0-9a-f]{64}$/);
