import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import { ChainNode } from '../../main/service/chain-node';
import { Replica } from '../../main/store/replica';

const FOUNDERS = [
  'alpha-hospital',
  'beta-pharma',
  'gamma-distribution',
  'delta-pharmacy',
  'epsilon-agency',
];

/** A transaction body without the fields every transaction of this chain shares. */
type Unsigned = TxBody extends infer B
  ? B extends TxBody
    ? Omit<B, 'v' | 'chainId' | 'nonce'>
    : never
  : never;

/**
 * Builds a replica of `rounds` x 2 blocks through the real mempool and block production: each
 * round, `joinsPerRound` organisations apply, then four founders vote on every request (one
 * approval, three rejections), so every request is decided and the member count stays at five.
 */
export function buildLargeChain(dir: string, rounds: number, joinsPerRound: number) {
  const admins = new Map<string, KeyPair>(FOUNDERS.map((id) => [id, generateKeyPair()]));
  const validator = generateKeyPair();
  let clock = Date.now() - 365 * 86_400_000;
  const genesis = GenesisDoc.parse({
    v: 1,
    chainId: 'bench-chain',
    time: clock,
    policy: { threshold: 'majority', proposalTtlHours: 24 * 30 },
    members: FOUNDERS.map((id, i) => ({
      id,
      legalName: `Founder ${id}`,
      kind: 'hospital',
      adminKeys: [(admins.get(id) as KeyPair).publicKey],
      nodeKey: i === 0 ? validator.publicKey : generateKeyPair().publicKey,
      endpoint: `tcp://${id}.example:7400`,
      validator: i === 0,
    })),
  });
  const replica = Replica.open(path.join(dir, 'chain.db'));
  replica.initGenesis(genesis);
  const node = new ChainNode(replica, validator, () => clock);
  const submit = (key: KeyPair, body: Unsigned) =>
    node.submit(
      signTx(
        { v: 1, chainId: 'bench-chain', nonce: randomBytes(16).toString('hex'), ...body } as TxBody,
        key.secretKey,
        replica.genesisHash(),
      ),
    );
  const produce = () => {
    clock += 60_000;
    if (!node.produce()) throw new Error('bench: a block was expected');
  };
  let txs = 0;
  for (let round = 0; round < rounds; round++) {
    const requests: string[] = [];
    for (let j = 0; j < joinsPerRound; j++) {
      const admin = generateKeyPair();
      const id = `applicant-${round}-${j}`;
      requests.push(
        submit(admin, {
          type: 'member.join',
          member: id,
          signer: admin.publicKey,
          profile: {
            legalName: `Applicant ${round}-${j}`,
            kind: 'clinic',
            adminKeys: [admin.publicKey],
            nodeKey: generateKeyPair().publicKey,
            endpoint: `tcp://${id}.example:7400`,
          },
        }),
      );
    }
    produce();
    for (const proposalId of requests) {
      FOUNDERS.slice(1).forEach((member, i) => {
        const key = admins.get(member) as KeyPair;
        submit(key, {
          type: 'governance.vote',
          member,
          signer: key.publicKey,
          proposalId,
          choice: i === 0 ? 'approve' : 'reject',
        });
      });
    }
    produce();
    txs += joinsPerRound * 5;
  }
  const height = replica.tip().height;
  replica.close();
  return { height, txs, genesis };
}
