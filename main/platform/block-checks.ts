import { blockHashOf, commitSigningBytes } from '../../shared/ledger/block';
import { fromHex } from '../../shared/ledger/bytes';
import { publicKeyProblem } from '../../shared/ledger/keys';
import { readTx, txIdOf, type KnownTxs } from '../../shared/ledger/tx';
import { signingBytes } from '../../shared/ledger/tx-signing';
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
 * (signatureId) of every transaction and certificate signature that verified, each transaction's
 * id and canonical form (KnownTxs), and the answer of publicKeyProblem for keys its transactions
 * may register. Nothing here says a block is valid: a failure is simply absent, and the
 * sequential verifyBlock meets it again and refuses the block with its usual message.
 */
export interface StatelessFindings extends KnownTxs {
  verified: string[];
  /** txIdOf of each transaction text, in block order. */
  ids: string[];
  /** Whether each transaction's text and body are canonical JSON (isCanonicalTx), in order. */
  canonical: boolean[];
  keyProblems: [string, string | null][];
  /**
   * The texts all this was found over: the calling thread's own, never sent across (a worker
   * answers without them and the pool puts back those it sent), so an answer is used only for
   * the text it is about (KnownTxs).
   */
  texts: readonly string[];
}

/** The findings as a worker thread answers them. */
export type StatelessAnswer = Omit<StatelessFindings, 'texts'>;

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

/** A field of parsed JSON, if it is an object's. */
function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function hexOf(value: unknown, bytes: number): Uint8Array | null {
  return typeof value === 'string' && value.length === bytes * 2 && /^[0-9a-f]*$/.test(value)
    ? fromHex(value)
    : null;
}

/**
 * The checks of one block that need no chain state: the transaction signatures over this
 * chain's genesis hash, the certificate's signatures over the block's hash, and the subgroup
 * checks of keys it may register. The texts are read with JSON.parse, not decoded against the
 * schemas (the sequential part decodes them): what is read only chooses which questions to ask,
 * and each answer is kept under the exact question (key, signature, message), so a text read
 * differently here than there only means its signature is checked again there. Never throws.
 */
export function checkStateless(block: BlockTexts, genesisHash: string): StatelessFindings {
  const verified: string[] = [];
  const ids: string[] = [];
  const canonical: boolean[] = [];
  const keys = new Set<string>();
  const ask = (key: Uint8Array | null, message: Uint8Array, signature: Uint8Array | null) => {
    if (key && signature && verifySignature(key, message, signature))
      verified.push(signatureId(key, message, signature));
  };
  for (const text of block.txs) {
    ids.push(txIdOf(text));
    const parts = readTx(text);
    canonical.push(parts?.canonical ?? false);
    // Not read: refused by the sequential part, with the message it always gives.
    if (!parts) continue;
    try {
      const message = signingBytes(genesisHash, parts.bodyText);
      ask(hexOf(field(parts.body, 'signer'), 32), message, hexOf(field(parts.signed, 'sig'), 64));
      keysIn(parts.body, false, keys);
    } catch {
      // As above.
    }
  }
  try {
    const header: unknown = JSON.parse(block.header);
    const cert: unknown = JSON.parse(block.cert);
    const chainId = field(header, 'chainId');
    const height = field(header, 'height');
    const round = field(cert, 'round');
    const signatures = field(cert, 'signatures');
    if (
      typeof chainId === 'string' &&
      typeof height === 'number' &&
      typeof round === 'number' &&
      Array.isArray(signatures)
    ) {
      const message = commitSigningBytes(chainId, height, round, blockHashOf(block.header));
      for (const s of signatures as unknown[]) {
        ask(hexOf(field(s, 'validator'), 32), message, hexOf(field(s, 'sig'), 64));
      }
    }
  } catch {
    // As above: the sequential part decodes it again and says why it fails.
  }
  return {
    verified,
    ids,
    canonical,
    keyProblems: [...keys].map((key) => [key, publicKeyProblem(key)]),
    texts: block.txs,
  };
}
