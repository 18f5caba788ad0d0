import { namespacesOf } from './event-hash';
import { batchFragments, fitFragments, validateBodies, type ImportedTx } from './import-batch';
import { readEvent, type Fragment } from './import-event';
import type { ImportContext, ImportProblem } from './import-reader';
import { yearOf } from './time';

/** The outcome of an import: every transaction to sign, or every reason it cannot be done. */
export type ImportResult =
  | {
      readonly ok: true;
      readonly bodies: ImportedTx[];
      /** What was read but not recorded (read points, sensor data, extensions...), per event. */
      readonly notes: ImportProblem[];
    }
  | { readonly ok: false; readonly errors: ImportProblem[] };

/**
 * Bounds on what an import reads, so that a hostile document costs bounded time and memory:
 * it is refused, with the bound it broke, before any of it is mapped.
 */
export const IMPORT_LIMITS = {
  /** Events in one document (10,000 single-unit commissionings are two transactions). */
  maxEvents: 50_000,
  /** JSON values in one document, counting every key, element and scalar. */
  maxValues: 2_000_000,
  /** JSON values in one event. */
  maxEventValues: 100_000,
  /** Nesting depth of objects and arrays, from the document root. */
  maxDepth: 32,
  /** Characters in one string or key (an EPC URI is at most a few hundred). */
  maxString: 2_048,
  /** Problems reported before the import stops looking for more. */
  maxProblems: 1_000,
} as const;

/** Keys that name an object's prototype in JavaScript: refused wherever they occur. */
const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Walks a JSON value without recursion, within a budget of values: reports the first string,
 * key or depth over its bound and every prototype key, and stops at the budget.
 */
function scan(
  root: unknown,
  rootPath: string,
  depth0: number,
  budget: number,
  problem: (field: string, reason: string) => void,
): number {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: root, path: rootPath, depth: depth0 },
  ];
  let seen = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (++seen > budget) return seen;
    if (typeof value === 'string') {
      if (value.length > IMPORT_LIMITS.maxString)
        problem(
          path,
          `is a string of ${value.length} characters; at most ${IMPORT_LIMITS.maxString} are read`,
        );
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= IMPORT_LIMITS.maxDepth) {
      problem(path, `nests deeper than ${IMPORT_LIMITS.maxDepth} levels`);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > budget) return budget + 1;
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > budget) return budget + 1;
    for (const key of keys) {
      const at = path === '' ? key : `${path}.${key}`;
      if (key.length > IMPORT_LIMITS.maxString)
        problem(path, `has a key of ${key.length} characters`);
      else if (POLLUTING_KEYS.has(key))
        problem(at, `the key "${key}" is refused: it names an object's prototype in JavaScript`);
      else
        stack.push({ value: (value as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
  return seen;
}

/** The EPCIS context, by any of the addresses GS1 has published it under. */
const EPCIS_CONTEXT_URL =
  /^https:\/\/(ref\.gs1\.org\/standards\/epcis\/(2\.0\.0\/)?|gs1\.github\.io\/EPCIS\/)epcis-context\.jsonld$/;

/** Document-level checks: a JSON-LD EPCIS 2.0 document with an event list, or why not. */
function documentProblems(document: unknown): { events: unknown[] } | ImportProblem[] {
  const fail = (field: string, reason: string): ImportProblem[] => [{ index: -1, field, reason }];
  if (typeof document === 'string')
    return fail('', 'is a string: pass the parsed JSON document, not its text');
  if (!isRecord(document)) return fail('', 'is not a JSON object: an EPCIS document is one');
  if (!Object.hasOwn(document, '@context'))
    return fail(
      '@context',
      'is missing: not a JSON-LD document (EPCIS 2.0 JSON-LD declares the EPCIS context)',
    );
  const context = document['@context'];
  const entries = Array.isArray(context) ? context : [context];
  if (!entries.some((c) => typeof c === 'string' && EPCIS_CONTEXT_URL.test(c)))
    return fail(
      '@context',
      `does not include the EPCIS 2.0 context (${'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'})`,
    );
  const type = document['type'];
  if (type !== 'EPCISDocument' && type !== 'EPCISQueryDocument')
    return fail(
      'type',
      `is ${JSON.stringify(typeof type === 'string' ? type.slice(0, 40) : (type ?? null))}; an EPCIS document is an EPCISDocument or EPCISQueryDocument`,
    );
  const version = document['schemaVersion'];
  if (typeof version !== 'string' || !/^2\.0(\.\d+)*$/.test(version))
    return fail(
      'schemaVersion',
      `is ${JSON.stringify(version ?? null)}; this import reads EPCIS 2.0 documents ("2.0")`,
    );
  const body = document['epcisBody'];
  if (!isRecord(body)) return fail('epcisBody', 'is missing or not an object');
  let events: unknown = body['eventList'];
  let where = 'epcisBody.eventList';
  if (type === 'EPCISQueryDocument') {
    const results = body['queryResults'];
    const resultsBody = isRecord(results) ? results['resultsBody'] : undefined;
    events = isRecord(resultsBody) ? resultsBody['eventList'] : undefined;
    where = 'epcisBody.queryResults.resultsBody.eventList';
  }
  if (!Array.isArray(events)) return fail(where, 'is missing or not an array of events');
  if (events.length === 0) return fail(where, 'is empty: there is nothing to import');
  if (events.length > IMPORT_LIMITS.maxEvents)
    return fail(
      where,
      `holds ${events.length} events; at most ${IMPORT_LIMITS.maxEvents} are imported at once (split the document)`,
    );
  return { events };
}

/**
 * Maps an EPCIS 2.0 JSON-LD document to supply transaction bodies, all or nothing: either every
 * event becomes part of a body, or every event that cannot is reported with its index in
 * eventList, the JSON path of the field at fault, and why. Bodies carry no envelope (version,
 * chain, member, key, nonce): the node adds it and signs as the importing member.
 *
 * Consecutive compatible events are merged into one body (one commissioning per lot of up to
 * 5,000 serials, one shipment per consignee, ...) and large events are cut where several
 * transactions record the same; the order of events is kept. Never throws; the work is bounded
 * by IMPORT_LIMITS whatever the input.
 */
export function importEpcis(document: unknown, ctx: ImportContext): ImportResult {
  const doc = documentProblems(document);
  if (Array.isArray(doc)) return { ok: false, errors: doc };
  const errors: ImportProblem[] = [];
  const add = (p: ImportProblem) => {
    if (errors.length < IMPORT_LIMITS.maxProblems) errors.push(p);
  };

  // Bounds first, over the whole document, so no mapping work is spent on an oversized one.
  let total = scan(
    Object.fromEntries(
      Object.entries(document as Record<string, unknown>).filter(([k]) => k !== 'epcisBody'),
    ),
    '',
    0,
    IMPORT_LIMITS.maxEventValues,
    (field, reason) => add({ index: -1, field, reason }),
  );
  for (const [i, event] of doc.events.entries()) {
    const seen = scan(event, '', 3, IMPORT_LIMITS.maxEventValues, (field, reason) =>
      add({ index: i, field, reason }),
    );
    if (seen > IMPORT_LIMITS.maxEventValues)
      add({
        index: i,
        field: '',
        reason: `holds more than ${IMPORT_LIMITS.maxEventValues} values`,
      });
    total += seen;
    if (total > IMPORT_LIMITS.maxValues) {
      add({
        index: -1,
        field: 'epcisBody',
        reason: `the document holds more than ${IMPORT_LIMITS.maxValues} values; split it`,
      });
      break;
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const ns = namespacesOf((document as Record<string, unknown>)['@context']);
  const year = yearOf(ctx.now);
  const fragments: Fragment[] = [];
  const notes: ImportProblem[] = [];
  for (const [i, event] of doc.events.entries()) {
    let read: ReturnType<typeof readEvent>;
    try {
      read = readEvent(event, i, ctx, ns, year);
    } catch (e) {
      // The context's callbacks are the caller's code: a throw there is reported, not passed on.
      read = {
        fragments: [],
        errors: [
          {
            index: i,
            field: '',
            reason: `the import context failed on this event: ${e instanceof Error ? e.message : String(e)}`,
          },
        ],
        notes: [],
      };
    }
    read.errors.forEach(add);
    if (notes.length < IMPORT_LIMITS.maxProblems) notes.push(...read.notes.slice(0, 20));
    fragments.push(...read.fragments);
  }
  if (errors.length > 0) return { ok: false, errors };

  const fitted = fitFragments(fragments);
  if (fitted.errors.length > 0)
    return { ok: false, errors: fitted.errors.slice(0, IMPORT_LIMITS.maxProblems) };
  const bodies = batchFragments(fitted.fragments);
  const invalid = validateBodies(bodies);
  if (invalid.length > 0) return { ok: false, errors: invalid.slice(0, IMPORT_LIMITS.maxProblems) };
  return { ok: true, bodies, notes };
}
