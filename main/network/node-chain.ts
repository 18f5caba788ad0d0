import { decodeHeader, type CommitCertificate } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { verifyProposedBlock } from '../../shared/ledger/chain';
import { validatorsAt } from '../../shared/registry';
import { verifySignatureRemembered } from '../platform/ed25519';
import type { ChainNode } from '../service/chain-node';
import type { BlockBody, BlockCheck, ChainAccess } from './consensus-driver';

/** The chain as consensus sees it, over a node's replica and mempool. */
export function nodeChain(node: ChainNode): ChainAccess {
  return {
    tip: () => node.replica.tip(),
    validatorsAt: (height) => validatorsAt(node.replica.view, height),
    due: (now) => node.isDue(now),
    build: (time) => {
      const proposed = node.buildProposal(time);
      return { header: proposed.headerText, txs: proposed.txs.map((tx) => tx.text) };
    },
    check: (body, round, fresh) => checkBlock(node, body, round, fresh),
    commit: (body: BlockBody, certificate: CommitCertificate) => {
      node.commitBlock({ header: body.header, txs: body.txs, cert: canonicalText(certificate) });
    },
  };
}

function checkBlock(node: ChainNode, body: BlockBody, round: number, fresh: boolean): BlockCheck {
  let time = 0;
  try {
    time = decodeHeader(body.header).time;
    // Not fresh: checked as a value re-proposed after `round`, whose header may name the
    // proposer of any round up to it.
    const rounds = fresh ? { round, validRound: -1 } : { round: round + 1, validRound: round };
    verifyProposedBlock(
      node.replica.view,
      node.replica.tip(),
      body,
      verifySignatureRemembered,
      rounds,
    );
    return { valid: true, time };
  } catch (error) {
    return { valid: false, reason: (error as Error).message, time };
  }
}
