import { decodeHeader, type CommitCertificate } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { verifyProposedBlock, type VerifiedBlock } from '../../shared/ledger/chain';
import { validatorsAt } from '../../shared/registry';
import { verifySignatureRemembered } from '../platform/ed25519';
import type { ChainNode } from '../service/chain-node';
import type { BlockBody, BlockCheck, ChainAccess } from './consensus-driver';

/** Blocks whose contents verified, kept to commit without applying their rules again. */
const VERIFIED_KEPT = 8;

/** The chain as consensus sees it, over a node's replica and mempool. */
export function nodeChain(node: ChainNode): ChainAccess {
  const verified = new Map<string, { tipHash: string; block: VerifiedBlock }>();
  const keep = (block: VerifiedBlock) => {
    verified.set(block.hash, { tipHash: block.header.prevHash, block });
    if (verified.size > VERIFIED_KEPT) verified.delete(verified.keys().next().value as string);
  };
  return {
    tip: () => node.replica.tip(),
    validatorsAt: (height) => validatorsAt(node.replica.view, height),
    due: (now) => node.isDue(now),
    build: (time) => {
      const proposed = node.buildProposal(time);
      // Built by the same rules verification applies, on this tip: as good as verified.
      keep({
        header: proposed.header,
        hash: proposed.hash,
        txs: proposed.txs,
        changes: proposed.changes,
      });
      return { header: proposed.headerText, txs: proposed.txs.map((tx) => tx.text) };
    },
    check: (body, round, fresh) => checkBlock(node, body, round, fresh, keep),
    commit: (body: BlockBody, certificate: CommitCertificate) => {
      const wire = { header: body.header, txs: body.txs, cert: canonicalText(certificate) };
      const known = verified.get(certificate.blockHash);
      verified.clear();
      // Verified on this very tip: only its certificate is left to check.
      const reuse = known && known.tipHash === node.replica.tip().hash ? known.block : undefined;
      node.commitBlock(wire, reuse);
    },
  };
}

function checkBlock(
  node: ChainNode,
  body: BlockBody,
  round: number,
  fresh: boolean,
  keep: (block: VerifiedBlock) => void,
): BlockCheck {
  // Not fresh: checked as a value re-proposed after `round`, whose header may name the
  // proposer of any round up to it.
  const rounds = fresh ? { round, validRound: -1 } : { round: round + 1, validRound: round };
  try {
    const verified = verifyProposedBlock(
      node.replica.view,
      node.replica.tip(),
      body,
      verifySignatureRemembered,
      rounds,
      (text) => node.decoded(text),
    );
    keep(verified);
    return { valid: true, time: verified.header.time };
  } catch (error) {
    return { valid: false, reason: (error as Error).message, time: headerTime(body.header) };
  }
}

/** The time a block's header names, for the clock check; 0 if the header does not decode. */
function headerTime(header: string): number {
  try {
    return decodeHeader(header).time;
  } catch {
    return 0;
  }
}
