import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../shared/rpc/contract';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { tempDir } from '../support/cli';

/** Inputs a careless or hostile page could send as params, whatever the method. */
const HOSTILE_PARAMS: unknown[] = [
  [],
  'text',
  42,
  true,
  { unexpected: 1 },
  { id: { nested: true } },
  { height: '7' },
  { proposalId: 'z'.repeat(64), choice: 'approve' },
  { action: { type: 'suspend' } },
  { limit: Number.MAX_SAFE_INTEGER + 2 },
  { keyFile: 'x'.repeat(20_000), passphrase: 'long enough passphrase' },
  { passphrase: '' },
  { __proto__: { polluted: true } },
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
];

describe('every RPC method against malformed input', () => {
  let service: NodeService;
  beforeAll(async () => {
    service = await startNodeService({ dataDir: path.join(tempDir(), 'node') });
    await service.handle({ method: 'session.openDemo', params: {} });
    await service.handle({ method: 'session.unlock', params: { passphrase: 'carechain-demo' } });
  });
  afterAll(() => service.close());

  it('answers bad_request (never internal, never a write) for every method and every hostile input', async () => {
    const status = async () =>
      (await service.handle({ method: 'chain.status', params: {} })) as {
        ok: true;
        result: { height: number; pendingTxs: number };
      };
    const before = (await status()).result;
    for (const method of METHOD_NAMES) {
      for (const params of HOSTILE_PARAMS) {
        const response = await service.handle({ method, params });
        if (response.ok) continue; // some methods take no params, or find nothing to refuse
        expect(response.error.code, `${method} ${JSON.stringify(params)}`).not.toBe('internal');
      }
    }
    for (const request of [
      null,
      'x',
      [],
      { method: 42 },
      { method: 'chain.status', params: {}, extra: 1 },
    ]) {
      const response = await service.handle(request);
      expect(response).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    const after = (await status()).result;
    expect(after.pendingTxs).toBe(before.pendingTxs);
    expect(after.height).toBe(before.height);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
