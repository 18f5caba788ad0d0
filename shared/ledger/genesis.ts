import { z } from 'zod';
import { utf8 } from './bytes';
import { canonicalText } from './canonical';
import { blockHashOf, validatorsHashOf, type BlockHeader, type WireBlock } from './block';
import { DOMAIN, sha256Hex, ZERO_HASH } from './hash';
import { publicKeyProblem } from './keys';
import { merkleRoot } from './merkle';
import { ChainId, Millis } from './schemas';
import { nextStateHash, type Change } from './state';
import { MemberId, MemberProfile, Policy, type MemberRecord } from '../members/schemas';

export const GenesisMember = MemberProfile.extend({ id: MemberId, validator: z.boolean() });
export type GenesisMember = z.infer<typeof GenesisMember>;

export const GenesisDoc = z
  .strictObject({
    v: z.literal(1),
    chainId: ChainId,
    time: Millis,
    policy: Policy,
    members: z.array(GenesisMember).min(1, 'genesis needs at least one founding member').max(100),
  })
  .superRefine((doc, ctx) => {
    const ids = new Set<string>();
    const keys = new Set<string>();
    doc.members.forEach((m, i) => {
      if (ids.has(m.id))
        ctx.addIssue({
          code: 'custom',
          path: ['members', i, 'id'],
          message: `member id ${m.id} appears twice`,
        });
      ids.add(m.id);
      [...m.adminKeys, m.nodeKey].forEach((key) => {
        const problem = publicKeyProblem(key);
        if (problem)
          ctx.addIssue({ code: 'custom', path: ['members', i], message: `${m.id}: ${problem}` });
        if (keys.has(key))
          ctx.addIssue({
            code: 'custom',
            path: ['members', i],
            message: `${m.id}: a key is used twice`,
          });
        keys.add(key);
      });
    });
    if (!doc.members.some((m) => m.validator)) {
      ctx.addIssue({
        code: 'custom',
        path: ['members'],
        message: 'at least one founding member must be a validator',
      });
    }
  });
export type GenesisDoc = z.infer<typeof GenesisDoc>;

export interface GenesisBlock {
  header: BlockHeader;
  wire: WireBlock;
  hash: string;
  changes: Change[];
}

/**
 * The hash that names a chain: block 0's previous-block hash. Transactions sign it, so nothing
 * signed for one chain is valid on another, even one with the same chain id and founders' keys.
 */
export function genesisHashOf(doc: GenesisDoc): string {
  return sha256Hex(DOMAIN.genesis, utf8(canonicalText(doc)));
}

/** Block 0: derived from the genesis document alone, so every founder computes the same block. */
export function genesisBlock(doc: GenesisDoc): GenesisBlock {
  const members: MemberRecord[] = [...doc.members]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map(({ validator, id, ...profile }) => ({
      id,
      ...profile,
      status: 'active',
      validator,
      joinedHeight: 0,
    }));
  const changes: Change[] = [
    { kind: 'policy', value: doc.policy },
    ...members.map((value): Change => ({ kind: 'member', id: value.id, value })),
  ];
  const header: BlockHeader = {
    v: 1,
    chainId: doc.chainId,
    height: 0,
    prevHash: genesisHashOf(doc),
    time: doc.time,
    proposer: '',
    txCount: 0,
    txRoot: merkleRoot([]),
    stateHash: nextStateHash(ZERO_HASH, changes),
    validatorsHash: validatorsHashOf(
      members.filter((m) => m.validator).map((m) => ({ member: m.id, nodeKey: m.nodeKey })),
    ),
  };
  const headerText = canonicalText(header);
  return {
    header,
    hash: blockHashOf(headerText),
    changes,
    wire: { header: headerText, txs: [], cert: '' },
  };
}
