import { Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import type { BlockSummary } from '../../shared/rpc/contract';
import { shortHex } from '../components/Hex';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { absoluteTime, RelativeTime } from '../components/Time';
import { BLOCKS_PER_PAGE, useBlocksStore, type BlockPage } from '../stores/blocks-store';
import { BlockSearch } from './BlockSearch';
import { BlockHeightHeader, BlockProposer } from './block-cells';

function BlockTable({ blocks }: { blocks: BlockSummary[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Blocks, newest first">
        <thead>
          <tr>
            <th scope="col" className="numeric">
              Height
            </th>
            <th scope="col">Time</th>
            <th scope="col">Hash</th>
            <th scope="col">Proposer</th>
            <th scope="col" className="numeric">
              Transactions
            </th>
          </tr>
        </thead>
        <tbody>
          {blocks.map((block) => (
            <tr key={block.height} data-height={block.height}>
              <BlockHeightHeader height={block.height} />
              <td className="nowrap">
                {absoluteTime(block.time)}{' '}
                <span className="muted">
                  (<RelativeTime ms={block.time} />)
                </span>
              </td>
              <td>
                <code title={block.hash}>{shortHex(block.hash)}</code>
              </td>
              <td>
                <BlockProposer block={block} />
              </td>
              <td className="numeric">{block.txCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Newer/Older links; a page holds heights below `before`, newest first. */
function Pager({ page, before }: { page: BlockPage; before: number | null }) {
  const lowest = page.blocks.at(-1)?.height;
  const newerBefore = before === null ? null : before + BLOCKS_PER_PAGE;
  const isNewest = before === null || before > page.tipHeight;
  const hasOlder = lowest !== undefined && lowest > 0;
  return (
    <nav className="pager" aria-label="Block pages">
      {isNewest ? (
        <span className="pager-disabled" aria-disabled="true">
          ← Newer
        </span>
      ) : (
        <Link
          to="/blocks"
          search={{
            before: newerBefore !== null && newerBefore <= page.tipHeight ? newerBefore : undefined,
          }}
        >
          ← Newer
        </Link>
      )}
      <span className="muted">
        {page.blocks.length > 0 &&
          `Heights ${page.blocks[0]?.height} down to ${lowest} · ${page.tipHeight + 1} blocks in the chain`}
      </span>
      {hasOlder ? (
        <Link to="/blocks" search={{ before: lowest }}>
          Older →
        </Link>
      ) : (
        <span className="pager-disabled" aria-disabled="true">
          Older →
        </span>
      )}
    </nav>
  );
}

export function BlocksPage({ before }: { before: number | null }) {
  const openPage = useBlocksStore((state) => state.openPage);
  const pageBefore = useBlocksStore((state) => state.pageBefore);
  const page = useBlocksStore((state) => state.page);

  useEffect(() => {
    void openPage(before);
  }, [before, openPage]);

  const data = pageBefore === before ? page.data : null;
  return (
    <Page title="Blocks" actions={<BlockSearch />}>
      {before === null && (
        <p className="lede">Newest first. New blocks appear here as they are committed.</p>
      )}
      {page.error && <ErrorNotice error={page.error} retry={() => void openPage(before)} />}
      {data ? (
        <>
          {data.blocks.length === 0 ? (
            <EmptyState>
              {before === null
                ? 'The chain has no blocks yet.'
                : `There are no blocks below height ${before}.`}
            </EmptyState>
          ) : (
            <BlockTable blocks={data.blocks} />
          )}
          <Pager page={data} before={before} />
        </>
      ) : (
        page.loading && <Loading what="blocks" />
      )}
    </Page>
  );
}
