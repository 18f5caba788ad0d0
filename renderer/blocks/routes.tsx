import { createRoute, notFound } from '@tanstack/react-router';
import { z } from 'zod';
import { rootRoute } from '../app/root-route';
import { heightParam, searchValidator } from '../app/search';
import { BlockPage } from './BlockPage';
import { BlocksPage } from './BlocksPage';
import { TxPage } from './TxPage';

/** `?before=<height>`: the page of blocks below that height; anything else is the newest page. */
const BlocksSearch = z.object({ before: heightParam.optional().catch(undefined) });

/** `#/blocks`, `#/blocks?before=<height>`: blocks, newest first. */
const blocksRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/blocks',
  validateSearch: searchValidator(BlocksSearch),
  staticData: { section: 'blocks' },
  component: function BlocksRoute() {
    const { before } = blocksRoute.useSearch();
    return <BlocksPage before={before ?? null} />;
  },
});

/** `#/blocks/<height>`: one block. A height that is not digits is the not-found page. */
const blockRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/blocks/$height',
  params: {
    parse: ({ height }) => {
      const parsed = heightParam.safeParse(height);
      if (!parsed.success) throw notFound();
      return { height: parsed.data };
    },
    stringify: ({ height }) => ({ height: String(height) }),
  },
  staticData: { section: 'blocks' },
  component: function BlockRoute() {
    const { height } = blockRoute.useParams();
    return <BlockPage height={height} />;
  },
});

/** `#/tx/<id>`: one transaction (an unknown id is the page's own "not found"). */
const txRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/tx/$id',
  staticData: { section: 'blocks' },
  component: function TxRoute() {
    const { id } = txRoute.useParams();
    return <TxPage id={id} />;
  },
});

export const blocksRoutes = [blocksRoute, blockRoute, txRoute] as const;
