import {
  blockHashOf,
  commitSigningBytes,
  decodeCertificate,
  decodeHeader,
} from '../../shared/ledger/block';
import { fromHex } from '../../shared/ledger/bytes';
import { publicKeyProblem } from '../../shared/ledger/keys';
import { decodeTx, signingBytes } from '../../shared/ledger/tx';
import { signatureId, verifySignature } from './ed25519';
// The worker hashes with Node's SHA-256, like the thread that applies the blocks.
import './sha256';

/** A block's texts as stored and served. */
export interface BlockTexts {
  header: string;
  txs: readonly string[];
  cert: string;
}

/**
 * What the stateless checks of a block found, for the sequential part to use: the ids
 * (signatureId) of every transaction and certificate signature that verified, and the answer
 * of publicKeyProblem for keys its transactions may register. Nothing here says a block is
 * valid: a failure is simply absent, and the sequential verifyBlock meets it again and refuses
 * the block with its usual message.
 */
export interface StatelessFindings {
  verified: string[];
  keyProblems: [string, string | null][];
}

// Fields of a transaction body that may carry a key to register (admit, rotate-key, join). A
// key missed here is checked by the sequential part; one checked needlessly costs time only.
const KEY_FIELD = /key/i;
const HEX_KEY = /^[0-9a-f]{64}$/;

function keysIn(value: unknown, named: boolean, out: Set<string>): void {
  if (typeof value === 'string') {
    if (named && HEX_KEY.test(value)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) keysIn(item, named, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [field, item] of Object.entries(value)) {
      // `signer` names a key already registered: nothing to check.
      keysIn(item, field !== 'signer' && KEY_FIELD.test(field), out);
    }
  }
}

/**
 * The checks of one block that need no chain state: decoding, the transaction signatures over
 * this chain's genesis hash, the certificate's signatures over the block's hash, and the
 * subgroup checks of keys it registers. Never throws: bad input just verifies nothing.
 */
export function checkStateless(block: BlockTexts, genesisHash: string): StatelessFindings {
  const verified: string[] = [];
  const keys = new Set<string>();
  for (const text of block.txs) {
    try {
      const tx = decodeTx(text);
      const publicKey = fromHex(tx.body.signer);
      const message = signingBytes(genesisHash, tx.signed.body);
      const signature = fromHex(tx.signed.sig);
      if (verifySignature(publicKey, message, signature))
        verified.push(signatureId(publicKey, message, signature));
      keysIn(tx.body, false, keys);
    } catch {
      // Refused by the sequential part, with the message it always gives.
    }
  }
  try {
    const header = decodeHeader(block.header);
    const cert = decodeCertificate(block.cert);
    const message = commitSigningBytes(
      header.chainId,
      header.height,
      cert.round,
      blockHashOf(block.header),
    );
    for (const { validator, sig } of cert.signatures) {
      const publicKey = fromHex(validator);
      const signature = fromHex(sig);
      if (verifySignature(publicKey, message, signature))
        verified.push(signatureId(publicKey, message, signature));
    }
  } catch {
    // As above: the sequential part decodes it again and says why it fails.
  }
  return { verified, keyProblems: [...keys].map((key) => [key, publicKeyProblem(key)]) };
}
