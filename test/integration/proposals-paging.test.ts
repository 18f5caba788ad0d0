import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { methods, type Params, type Result } from '../../shared/rpc/contract';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo } from '../../main/service/demo';
import { createHandlers } from '../../main/service/handlers';
import { Session } from '../../main/service/session';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';

let list: (params: Params<'proposals.list'>) => Promise<Result<'proposals.list'>>;

beforeAll(() => {
  const dir = path.join(tempDir('carechain-paging-'), 'demo');
  buildDemo(dir);
  const paths = dataPaths(dir);
  const replica = Replica.open(paths.replica);
  const node = new ChainNode(replica, null);
  const handlers = createHandlers({
    session: new Session(paths, () => node),
    node: () => node,
    replicaProblem: () => null,
    openDemo: () => {
      throw new Error('the demo is open');
    },
    paths,
  });
  list = async (params) => {
    const parsed = methods['proposals.list'].params.parse(params);
    return methods['proposals.list'].result.parse(await handlers['proposals.list'](parsed));
  };
});

it('pages decided proposals newest first, each once, with the last of a page as the cursor', async () => {
  const all = await list({ status: 'decided', limit: 200 });
  expect(all.length).toBeGreaterThan(3);
  const heights = all.map((p) => p.decidedHeight ?? -1);
  expect(heights).toEqual([...heights].sort((a, b) => b - a));
  const paged: string[] = [];
  let before: { height: number; id: string } | undefined;
  for (;;) {
    const page = await list({ status: 'decided', limit: 2, ...(before ? { before } : {}) });
    paged.push(...page.map((p) => p.id));
    const last = page[page.length - 1];
    if (page.length < 2 || !last) break;
    before = { height: last.decidedHeight as number, id: last.id };
  }
  expect(paged).toEqual(all.map((p) => p.id));
  // Without a limit the node answers one page, not every decision ever made.
  expect((await list({ status: 'decided' })).length).toBeLessThanOrEqual(50);
  expect(() => methods['proposals.list'].params.parse({ status: 'decided', limit: 201 })).toThrow();
});
