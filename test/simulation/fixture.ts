/**
 * The chain every run starts from: a genesis whose founders are validators (4 or 7 of them,
 * keys derived from labels, so every run of a given size shares it), with `extra` founders that
 * are members only (runs that change the validator set add one), and a stream of real signed
 * transactions to feed it: research anchors of distinct studies, each valid on its own in any
 * order, so every block can carry whatever a proposer's mempool holds.
 */
import { canonicalText } from '../../shared/ledger/canonical';
import { utf8 } from '../../shared/ledger/bytes';
import type { GenesisBlock, GenesisDoc } from '../../shared/ledger/genesis';
import { sha256Hex } from '../../shared/ledger/hash';
import type { KeyPair } from '../../shared/ledger/keys';
import {
  signingBytes,
  txIdOf,
  TxBody,
  type DecodedTx,
  type SignedTx,
} from '../../shared/ledger/tx';
import type { Validator } from '../../shared/ledger/domain';
import { validatorSet } from '../../shared/registry';
import { MemoryState } from '../../shared/ledger/state';
import { TestChain } from '../unit/helpers/test-chain';
import { fastSign } from './crypto';

export const SIM_CHAIN_ID = 'carechain-sim';

export interface Fixture {
  /** Validators at genesis. */
  n: number;
  /** Nodes: the validators, then the members that are not validators at genesis. */
  nodes: number;
  /** The member id of each node, by index. */
  members: string[];
  doc: GenesisDoc;
  genesis: GenesisBlock;
  genesisHash: string;
  /** V_h of every height (the set is static here), sorted by member id. */
  validators: Validator[];
  /** Node key pairs at genesis, index i is node i's (validators[i]'s for i < n). */
  nodeKeys: KeyPair[];
  /** A further key pair, the same for the same label (a node key rotated in). */
  keyPair(label: string): KeyPair;
  /** Admin key pairs by member id. */
  admins: Map<string, KeyPair>;
  /** The i-th transaction of the stream (made on first use, then kept). */
  tx(i: number): DecodedTx;
}

const fixtures = new Map<string, Fixture>();

/** signTx, with Node's signer. */
export function signTxFast(body: TxBody, key: KeyPair, genesisHash: string): DecodedTx {
  const checked = TxBody.parse(body);
  const bodyText = canonicalText(checked);
  const signedTx: SignedTx = {
    body: bodyText,
    sig: fastSign(key.secretKey, signingBytes(genesisHash, bodyText)),
  };
  const text = canonicalText(signedTx);
  return { id: txIdOf(text), text, signed: signedTx, body: checked };
}

/** The same transaction with a signature that does not verify (a Byzantine proposer's forgery). */
export function forged(tx: DecodedTx): DecodedTx {
  const sig = tx.signed.sig;
  const last = sig.at(-1) === '0' ? '1' : '0';
  const signedTx: SignedTx = { body: tx.signed.body, sig: `${sig.slice(0, -1)}${last}` };
  const text = canonicalText(signedTx);
  return { id: txIdOf(text), text, signed: signedTx, body: tx.body };
}

export function fixture(n: number, extra = 0): Fixture {
  const known = fixtures.get(`${n}/${extra}`);
  if (known) return known;
  const chain = TestChain.create({ chainId: SIM_CHAIN_ID, founders: n + extra, validators: n });
  const state = new MemoryState();
  state.apply(chain.genesis.changes);
  const validators = validatorSet(state);
  const byNodeKey = new Map(chain.founderIds.map((id) => [chain.keys(id).node.publicKey, id]));
  const nodeKeys = validators.map((v) => {
    const id = byNodeKey.get(v.nodeKey);
    if (id === undefined) throw new Error('fixture: a validator without keys');
    return chain.keys(id).node;
  });
  const validatorIds = new Set(validators.map((v) => v.member));
  const others = chain.founderIds.filter((id) => !validatorIds.has(id));
  for (const id of others) nodeKeys.push(chain.keys(id).node);
  const admins = new Map(
    chain.founderIds.map((id) => [id, chain.keys(id).admins[0] as KeyPair] as const),
  );
  const members = [...chain.founderIds].sort();
  const txs: DecodedTx[] = [];
  const made: Fixture = {
    n,
    nodes: n + extra,
    members: [...validators.map((v) => v.member), ...others],
    keyPair: (label) => chain.keyPair(label),
    doc: chain.doc,
    genesis: chain.genesis,
    genesisHash: chain.genesisHash,
    validators,
    nodeKeys,
    admins,
    tx(i) {
      while (txs.length <= i) {
        const k = txs.length;
        const member = members[k % members.length] as string;
        const key = admins.get(member) as KeyPair;
        const body = {
          v: 1,
          chainId: SIM_CHAIN_ID,
          member,
          signer: key.publicKey,
          nonce: k.toString(16).padStart(16, '0'),
          type: 'research.anchor',
          study: sha256Hex(utf8(`sim-study/${k}`)),
          kind: 'protocol',
          version: 1,
          hash: sha256Hex(utf8(`sim-file/${k}`)),
        } as const;
        txs.push(signTxFast(body, key, chain.genesisHash));
      }
      return txs[i] as DecodedTx;
    },
  };
  fixtures.set(`${n}/${extra}`, made);
  return made;
}
