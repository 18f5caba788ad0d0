import { notFound } from '@tanstack/react-router';
import {
  lazy,
  Suspense,
  type ComponentType,
  type LazyExoticComponent,
  type ReactNode,
} from 'react';
import { z } from 'zod';
import { Loading } from './States';

/*
 * What the routes of a lazily loaded section (Supply, Permissions) share: its pages from one
 * module loaded the first time the section opens, search values that fall back when bad, and
 * path identifiers checked as the ledger checks them.
 */

// `lazy` takes components of any props, as React's own types spell it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyComponent = ComponentType<any>;

/** One page of a section, from the section's lazily loaded module (`() => import('./pages')`). */
export function lazyPages<Pages extends { [K in keyof Pages]: AnyComponent }>(
  load: () => Promise<Pages>,
): <K extends keyof Pages>(name: K) => LazyExoticComponent<Pages[K]> {
  return (name) => lazy(async () => ({ default: (await load())[name] }));
}

/** A search value that is dropped (not an error) when it is not what the field expects. */
export function optional<T>(schema: z.ZodType<T>) {
  return schema.optional().catch(undefined);
}

/** A path parameter as the schema reads it; anything else is not found. */
export function parsed<T>(schema: z.ZodType<T>, value: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw notFound();
  return result.data;
}

/** A section's layout while its module loads (`what`: "the Supply section"). */
export function SectionSuspense({ what, children }: { what: string; children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <main className="page">
          <Loading what={what} />
        </main>
      }
    >
      {children}
    </Suspense>
  );
}
