import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { signCommit, type WireBlock } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { proposeBlock } from '../../shared/ledger/chain';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { signTx, type DecodedTx, type TxBody } from '../../shared/ledger/tx';
import { withCheckDigit } from '../../shared/supply/gs1';
import { verifySignature } from '../../main/platform/ed25519';
import { Replica } from '../../main/store/replica';

export const MAKERS = ['maker-a', 'maker-b'];
export const DISTRIBUTORS = ['dist-a', 'dist-b', 'dist-c'];
export const PHARMACIES = ['pharm-a', 'pharm-b', 'pharm-c', 'pharm-d'];
const REGULATOR = 'agency';
const KINDS: Record<string, string> = {
  ...Object.fromEntries(MAKERS.map((m) => [m, 'manufacturer'])),
  ...Object.fromEntries(DISTRIBUTORS.map((m) => [m, 'distributor'])),
  ...Object.fromEntries(PHARMACIES.map((m) => [m, 'pharmacy'])),
  [REGULATOR]: 'regulator',
};
const DAY = 86_400_000;
export const LOT_SIZE = 10_000;
const CASE_SIZE = 100;

export const gtinOf = (product: number) =>
  withCheckDigit(`095060${String(product).padStart(7, '0')}`) as string;
const ssccOf = (n: number) => withCheckDigit(`0950600${String(n).padStart(10, '0')}`) as string;
export const serialOf = (lot: number, i: number) =>
  `S${lot.toString(36).padStart(4, '0')}${i.toString(36).padStart(4, '0')}`;
export const lotName = (lot: number) => `L${String(lot).padStart(5, '0')}`;

type Fields = { type: TxBody['type'] } & Record<string, unknown>;

/**
 * A supply chain built through the real block code: every block is proposed by proposeBlock,
 * certified by the validator and imported by the replica (full verification, derived tables,
 * projections and commitment in one SQLite transaction). Each lot of 10,000 units is
 * commissioned, packed into 100 cases and a pallet, shipped to a distributor and received; a
 * tenth of the cases then go on to pharmacies.
 */
export class SupplyBenchChain {
  readonly replica: Replica;
  private readonly keys = new Map<string, KeyPair>();
  private readonly validator = generateKeyPair();
  private clock = Date.UTC(2030, 0, 1);
  lots = 0;
  units = 0;
  txs = 0;
  private containers = 0;
  readonly genesis: GenesisDoc;

  constructor(dir: string) {
    for (const id of Object.keys(KINDS)) this.keys.set(id, generateKeyPair());
    this.genesis = GenesisDoc.parse({
      v: 1,
      chainId: 'supply-bench',
      time: this.clock,
      policy: { threshold: 'majority', proposalTtlHours: 72 },
      members: Object.entries(KINDS).map(([id, kind], i) => ({
        id,
        legalName: `Bench ${id}`,
        kind,
        adminKeys: [(this.keys.get(id) as KeyPair).publicKey],
        nodeKey: i === 0 ? this.validator.publicKey : generateKeyPair().publicKey,
        endpoint: `tcp://${id}.example:7400`,
        validator: i === 0,
      })),
    });
    this.replica = Replica.open(path.join(dir, 'chain.db'));
    this.replica.initGenesis(this.genesis);
    const register = MAKERS.flatMap((maker, m) =>
      Array.from({ length: 10 }, (_, p) =>
        this.sign(maker, {
          type: 'supply.product.register',
          gtin: gtinOf(m * 100 + p),
          product: {
            name: `${['Amoxicillin', 'Metformin', 'Atorvastatin', 'Lisinopril', 'Omeprazole'][p % 5]} ${m}${p}`,
            strength: `${(p + 1) * 50} mg`,
            dosageForm: 'tablet',
            packSize: 30,
          },
        }),
      ),
    );
    this.commitAll(register);
  }

  sign(member: string, fields: Fields): DecodedTx {
    const key = this.keys.get(member) as KeyPair;
    const body = {
      v: 1,
      chainId: 'supply-bench',
      member,
      signer: key.publicKey,
      nonce: randomBytes(16).toString('hex'),
      ...fields,
    } as TxBody;
    return signTx(body, key.secretKey, this.replica.genesisHash());
  }

  /** Commits transactions in order, as many blocks as the size limit needs. */
  commitAll(txs: DecodedTx[]): void {
    let candidates = txs;
    while (candidates.length > 0) {
      this.clock += 60_000;
      const tip = this.replica.tip();
      const proposed = proposeBlock(
        this.replica.view,
        tip,
        candidates,
        this.clock,
        this.validator.publicKey,
        verifySignature,
      );
      if (proposed.rejected.length > 0)
        throw new Error(`bench: rejected ${proposed.rejected[0]?.reason}`);
      const cert = {
        height: proposed.header.height,
        round: 0,
        blockHash: proposed.hash,
        signatures: [
          {
            validator: this.validator.publicKey,
            sig: signCommit(
              tip.chainId,
              proposed.header.height,
              0,
              proposed.hash,
              this.validator.secretKey,
            ),
          },
        ],
      };
      const wire: WireBlock = {
        header: proposed.headerText,
        txs: proposed.txs.map((t) => t.text),
        cert: canonicalText(cert),
      };
      this.replica.importBlock(wire);
      this.txs += proposed.txs.length;
      candidates = proposed.deferred;
    }
  }

  /** Adds `count` lots of 10,000 units, each through its whole journey. */
  addLots(count: number): void {
    const first = this.lots;
    const lots = Array.from({ length: count }, (_, i) => first + i);
    const phase = (make: (lot: number) => DecodedTx[]) => this.commitAll(lots.flatMap(make));
    const makerOf = (lot: number) => MAKERS[lot % MAKERS.length] as string;
    const gtinOfLot = (lot: number) => gtinOf((lot % MAKERS.length) * 100 + (lot % 10));
    const distOf = (lot: number) => DISTRIBUTORS[lot % DISTRIBUTORS.length] as string;
    const serials = (lot: number, from: number, n: number) =>
      Array.from({ length: n }, (_, i) => serialOf(lot, from + i));
    const caseOf = (lot: number, c: number) => ssccOf(lot * 200 + c + 1);
    const palletOf = (lot: number) => ssccOf(lot * 200 + 150);
    phase((lot) =>
      [0, 5000].map((from) =>
        this.sign(makerOf(lot), {
          type: 'supply.commission',
          gtin: gtinOfLot(lot),
          lot: lotName(lot),
          expiry: '2034-12-31',
          serials: serials(lot, from, 5000),
        }),
      ),
    );
    phase((lot) =>
      [0, 50].map((c0) =>
        this.sign(makerOf(lot), {
          type: 'supply.pack',
          packs: Array.from({ length: 50 }, (_, c) => ({
            parent: caseOf(lot, c0 + c),
            children: {
              units: [
                { gtin: gtinOfLot(lot), serials: serials(lot, (c0 + c) * CASE_SIZE, CASE_SIZE) },
              ],
            },
          })),
        }),
      ),
    );
    phase((lot) => [
      this.sign(makerOf(lot), {
        type: 'supply.pack',
        packs: [
          {
            parent: palletOf(lot),
            children: { containers: Array.from({ length: 100 }, (_, c) => caseOf(lot, c)) },
          },
        ],
      }),
    ]);
    const shipments = new Map<number, string>();
    phase((lot) => {
      const tx = this.sign(makerOf(lot), {
        type: 'supply.ship',
        to: distOf(lot),
        items: { containers: [palletOf(lot)] },
      });
      shipments.set(lot, tx.id);
      return [tx];
    });
    this.clock += 2 * DAY;
    phase((lot) => [
      this.sign(distOf(lot), {
        type: 'supply.receive',
        shipment: shipments.get(lot) as string,
        items: { containers: [palletOf(lot)] },
      }),
    ]);
    phase((lot) => [
      this.sign(distOf(lot), { type: 'supply.unpack', containers: [palletOf(lot)] }),
    ]);
    const onward = new Map<number, { to: string; id: string }>();
    phase((lot) => {
      const to = PHARMACIES[lot % PHARMACIES.length] as string;
      const tx = this.sign(distOf(lot), {
        type: 'supply.ship',
        to,
        items: { containers: Array.from({ length: 10 }, (_, c) => caseOf(lot, c)) },
      });
      onward.set(lot, { to, id: tx.id });
      return [tx];
    });
    phase((lot) => {
      const { to, id } = onward.get(lot) as { to: string; id: string };
      return [
        this.sign(to, {
          type: 'supply.receive',
          shipment: id,
          items: { containers: Array.from({ length: 10 }, (_, c) => caseOf(lot, c)) },
        }),
      ];
    });
    phase((lot) => {
      const to = (onward.get(lot) as { to: string }).to;
      return [
        this.sign(to, {
          type: 'supply.dispense',
          items: { units: [{ gtin: gtinOfLot(lot), serials: serials(lot, 0, 50) }] },
        }),
        // A pharmacy tries to ship what it never held: recorded as an alert.
        this.sign(to, {
          type: 'supply.ship',
          to: distOf(lot),
          items: { units: [{ gtin: gtinOfLot(lot), serials: serials(lot, 5000, 1) }] },
        }),
      ];
    });
    this.lots += count;
    this.units += count * LOT_SIZE;
    this.containers += count * 101;
  }

  /** A recall of one lot, by its manufacturer: alerts for each holder. */
  recall(lot: number): string {
    const tx = this.sign(MAKERS[lot % MAKERS.length] as string, {
      type: 'supply.recall',
      gtin: gtinOf((lot % MAKERS.length) * 100 + (lot % 10)),
      lot: lotName(lot),
      recallClass: 'II',
      reason: 'contamination',
    });
    this.commitAll([tx]);
    return tx.id;
  }

  gtinOfLot(lot: number): string {
    return gtinOf((lot % MAKERS.length) * 100 + (lot % 10));
  }
}
