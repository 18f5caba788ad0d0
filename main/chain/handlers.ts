import { decodeCertificate, decodeHeader } from '../../shared/ledger/block';
import { decodeTx, verifyTxSignature, type DecodedTx } from '../../shared/ledger/tx';
import { describeBody, validatorSet } from '../../shared/registry';
import type { TxSummary } from '../../shared/rpc/contract';
import { membershipStatus, nodeKeyOwners, signerRole } from '../members/views';
import { verifySignature } from '../platform/ed25519';
import type { ChainNode } from '../service/chain-node';
import type { HandlerContext, HandlersFor } from '../service/handler-context';
import { ServiceError } from '../service/service-error';
import { textOf, type BlockRow, type TxRow } from '../store/replica';

export type ChainMethod = 'chain.status' | 'blocks.list' | 'blocks.get' | 'txs.get';

/*
 * Browsing the chain itself: its status, blocks with their certificates, and transactions with
 * their signatures and inclusion proofs. A transaction is described through the registry
 * (describeBody), so nothing here knows a domain's transactions; who a key belongs to, and the
 * figures of chain.status that are membership's, are asked of membership (main/members/views.ts).
 */

function blockSummary(owners: Map<string, string>, row: BlockRow) {
  return {
    height: row.height,
    hash: row.hash,
    time: row.time,
    proposer: row.proposer,
    proposerMember: owners.get(row.proposer) ?? null,
    txCount: row.tx_count,
  };
}

function summaryOf(node: ChainNode, tx: DecodedTx): string {
  return describeBody(tx.body, node.replica.view);
}

function txSummary(node: ChainNode, row: TxRow): TxSummary {
  const tx = decodeTx(textOf(row.bytes));
  return {
    id: row.id,
    index: row.idx,
    type: row.type,
    member: row.member,
    summary: summaryOf(node, tx),
  };
}

export function chainHandlers(ctx: HandlerContext): HandlersFor<ChainMethod> {
  return {
    'chain.status': () => {
      const node = ctx.requireNode();
      const tip = node.replica.tip();
      const { members, openProposals, policy } = membershipStatus(node.replica.view);
      return {
        chainId: tip.chainId,
        height: tip.height,
        lastBlockHash: tip.hash,
        lastBlockTime: tip.time,
        validators: validatorSet(node.replica.view).length,
        members,
        openProposals,
        pendingTxs: node.pending().length,
        policy,
        replicaProblem: ctx.replicaProblem(),
        writeBlocked: node.cannotCommitReason(),
      };
    },
    'blocks.list': ({ before, limit }) => {
      const node = ctx.requireNode();
      const tip = node.replica.tip();
      const rows = node.replica.blocksBefore(before ?? tip.height + 1, limit);
      const owners = nodeKeyOwners(node.replica.view);
      return { tipHeight: tip.height, blocks: rows.map((r) => blockSummary(owners, r)) };
    },
    'blocks.get': ({ height }) => {
      const node = ctx.requireNode();
      const row = node.replica.block(height);
      if (!row) throw new ServiceError('not_found', `no block at height ${height}`);
      const header = decodeHeader(textOf(row.header));
      const certText = textOf(row.cert);
      const cert = certText ? decodeCertificate(certText) : null;
      const { v: _v, ...fields } = header;
      const owners = nodeKeyOwners(node.replica.view);
      return {
        summary: blockSummary(owners, row),
        header: fields,
        certificate: cert
          ? {
              round: cert.round,
              signers: cert.signatures.map((s) => ({
                validator: s.validator,
                member: owners.get(s.validator) ?? null,
              })),
            }
          : null,
        txs: node.replica.txsAt(height).map((row) => txSummary(node, row)),
      };
    },
    'txs.get': ({ id }) => {
      const node = ctx.requireNode();
      const found = node.replica.inclusionOf(id);
      if (!found) throw new ServiceError('not_found', `no transaction ${id} on chain`);
      const { row, block } = found;
      const tx = decodeTx(textOf(row.bytes));
      return {
        id: row.id,
        height: row.height,
        index: row.idx,
        blockHash: block.hash,
        blockTime: block.time,
        type: row.type,
        member: row.member,
        signer: row.signer,
        signerRole: signerRole(node.replica.view, tx),
        summary: summaryOf(node, tx),
        body: tx.body as unknown as Record<string, unknown>,
        signature: tx.signed.sig,
        signatureValid: verifyTxSignature(tx, node.replica.genesisHash(), verifySignature),
        inclusionProof: found.proof,
        inclusionValid: found.valid,
      };
    },
  };
}
