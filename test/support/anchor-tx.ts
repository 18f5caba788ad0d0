import { randomBytes } from 'node:crypto';
import type { KeyPair } from '../../shared/ledger/keys';
import { signTx, type DecodedTx } from '../../shared/ledger/tx';

/**
 * A valid transaction that is cheap to apply and never conflicts with another: an admin of
 * `member` anchors the protocol of a study of its own (random study and file hashes). For tests
 * that need many transactions, or one to see committed.
 */
export function anchorTx(
  chain: { chainId: string; genesisHash: string },
  member: string,
  admin: KeyPair,
): DecodedTx {
  return signTx(
    {
      v: 1,
      chainId: chain.chainId,
      member,
      signer: admin.publicKey,
      nonce: randomBytes(8).toString('hex'),
      type: 'research.anchor',
      study: randomBytes(32).toString('hex'),
      kind: 'protocol',
      version: 1,
      hash: randomBytes(32).toString('hex'),
    },
    admin.secretKey,
    chain.genesisHash,
  );
}
