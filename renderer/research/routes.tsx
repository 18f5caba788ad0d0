import { createRoute, notFound, redirect } from '@tanstack/react-router';
import { lazy, Suspense, type LazyExoticComponent } from 'react';
import { z } from 'zod';
import { StudyHash } from '../../shared/research/schemas';
import { rootRoute } from '../app/root-route';
import { hexIdParam, searchValidator } from '../app/search';
import { Loading } from '../components/States';
import '../styles/research.css';

type Pages = typeof import('./pages');

/** One page of the section, from the section's lazily loaded module. */
function lazyPage<K extends keyof Pages>(name: K): LazyExoticComponent<Pages[K]> {
  return lazy(async () => ({ default: (await import('./pages'))[name] }));
}

const ResearchLayout = lazyPage('ResearchLayout');
const StudiesPage = lazyPage('StudiesPage');
const StudyPage = lazyPage('StudyPage');
const AnchorPage = lazyPage('AnchorPage');
const VerifyPage = lazyPage('VerifyPage');

/*
 * The Research section's addresses (bookmarks and the end-to-end tests use them):
 *   #/research                                 → #/research/studies
 *   #/research/studies?mine=yes&before=<h>~<study>   studies, most recently anchored first
 *   #/research/studies/<study hash>            one study: its documents in order in time
 *   #/research/anchor?study=<study hash>       anchor a file (for that study)
 *   #/research/verify                          verify a file
 * A study hash in the path is 64 lowercase hex digits: anything else is not found.
 */

const section = { section: 'research' } as const;

/** `<lastHeight>~<study hash>`: the last study of the page before. */
const BeforeParam = z
  .string()
  .regex(/^\d{1,15}~[0-9a-f]{64}$/)
  .transform((text) => {
    const at = text.indexOf('~');
    return { lastHeight: Number(text.slice(0, at)), study: text.slice(at + 1) };
  });

const researchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/research',
  staticData: section,
  // The tabs and live updates stay mounted from one Research page to the next.
  remountDeps: () => 'research',
  component: function ResearchRoute() {
    return (
      <Suspense
        fallback={
          <main className="page">
            <Loading what="the Research section" />
          </main>
        }
      >
        <ResearchLayout />
      </Suspense>
    );
  },
});

const indexRoute = createRoute({
  getParentRoute: () => researchRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/research/studies', replace: true });
  },
});

const studiesRoute = createRoute({
  getParentRoute: () => researchRoute,
  path: 'studies',
  validateSearch: searchValidator(
    z.object({
      mine: z.literal('yes').optional().catch(undefined),
      before: z.string().optional().catch(undefined),
    }),
  ),
  staticData: { ...section, researchTab: 'studies' },
  component: function StudiesRoute() {
    const { mine, before } = studiesRoute.useSearch();
    const cursor = before === undefined ? null : (BeforeParam.safeParse(before).data ?? null);
    return <StudiesPage mine={mine === 'yes'} before={cursor} />;
  },
});

const studyRoute = createRoute({
  getParentRoute: () => researchRoute,
  path: 'studies/$study',
  params: {
    parse: ({ study }) => {
      const parsed = StudyHash.safeParse(study);
      if (!parsed.success) throw notFound();
      return { study: parsed.data };
    },
    stringify: ({ study }) => ({ study }),
  },
  staticData: { ...section, researchTab: 'studies' },
  component: function StudyRoute() {
    const { study } = studyRoute.useParams();
    return <StudyPage study={study} />;
  },
});

const anchorRoute = createRoute({
  getParentRoute: () => researchRoute,
  path: 'anchor',
  validateSearch: searchValidator(z.object({ study: hexIdParam.optional().catch(undefined) })),
  staticData: { ...section, researchTab: 'anchor' },
  component: function AnchorRoute() {
    const { study } = anchorRoute.useSearch();
    return <AnchorPage study={study} />;
  },
});

const verifyRoute = createRoute({
  getParentRoute: () => researchRoute,
  path: 'verify',
  staticData: { ...section, researchTab: 'verify' },
  component: VerifyPage,
});

export const researchRoutes = [
  researchRoute.addChildren([indexRoute, studiesRoute, studyRoute, anchorRoute, verifyRoute]),
] as const;
