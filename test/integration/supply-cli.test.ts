import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import { withCheckDigit } from '../../shared/supply/gs1';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo } from '../../main/service/demo';
import { readKeyFile } from '../../main/service/keystore';
import { Replica } from '../../main/store/replica';
import { carechain, tempDir } from '../support/cli';
import { epcisValidators, schemaErrors } from '../unit/helpers/epcis-schema';

/*
 * The supply CLI for IT automation, run as the real `carechain` process on a copy of the demo
 * chain to which a manufacturer has added a product and a lot of its own.
 */

const MAKER = 'northwind-pharma';
// Numbers no demo product or container uses.
const GTIN = withCheckDigit('0991234518888') as string;
const CASE = withCheckDigit('09912345000000099') as string;
const SERIALS = ['CLI-1', 'CLI-2', 'CLI-3'];
/** The GTIN with a wrong check digit. */
const BAD_GTIN = `${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}`;

let demo: string;
beforeAll(() => {
  demo = path.join(tempDir('carechain-supply-cli-'), 'demo');
  buildDemo(demo);
});

function copyOfDemo(): string {
  const dir = tempDir('carechain-supply-cli-');
  for (const name of ['chain.db', 'genesis.json', 'node-key.json', 'demo-keys', 'profile.json']) {
    const from = path.join(demo, name);
    if (existsSync(from)) cpSync(from, path.join(dir, name), { recursive: true });
  }
  return dir;
}

/** Adds supply history as the members would, through the node's own block production. */
function withSupply(dir: string, bodies: (Pick<TxBody, 'type'> & Record<string, unknown>)[][]) {
  const paths = dataPaths(dir);
  const replica = Replica.open(paths.replica);
  const node = new ChainNode(replica, readKeyFile(paths.nodeKey));
  for (const block of bodies) {
    for (const body of block) {
      const member = (body.member as string | undefined) ?? MAKER;
      const key = readKeyFile(path.join(paths.demoKeys, `${member}.admin.json`));
      const tip = replica.tip();
      node.submit(
        signTx(
          {
            v: 1,
            chainId: tip.chainId,
            signer: key.publicKey,
            nonce: randomBytes(16).toString('hex'),
            ...body,
            member,
          } as TxBody,
          key.secretKey,
          replica.genesisHash(),
        ),
      );
    }
    if (!node.produce()) throw new Error('a block was expected');
  }
  const height = replica.tip().height;
  replica.close();
  return height;
}

const PRODUCT = { name: 'Cefalexin', strength: '250 mg', dosageForm: 'capsule', packSize: 20 };
const REGISTER = { type: 'supply.product.register', gtin: GTIN, product: PRODUCT } as const;
const COMMISSION = {
  type: 'supply.commission',
  gtin: GTIN,
  lot: 'CLI-LOT',
  expiry: '2031-03-31',
  serials: SERIALS,
} as const;

describe('carechain verify-product', () => {
  it('answers verified (0), not verified (3), bad input (2) and no chain (1), with evidence', async () => {
    const dir = copyOfDemo();
    withSupply(dir, [[REGISTER, COMMISSION]]);
    const ok = await carechain([
      'verify-product',
      '--dir',
      dir,
      '--scan',
      `(01)${GTIN}(17)310331(10)CLI-LOT(21)CLI-2`,
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^VERIFIED: GTIN \d{14}, serial CLI-2, lot CLI-LOT, expiry 2031-03-31/,
    );
    expect(ok.stdout).toMatch(/inclusion proof verified/);
    const json = await carechain([
      'verify-product',
      '--dir',
      dir,
      '--json',
      ...['--gtin', GTIN, '--serial', 'CLI-2', '--lot', 'WRONG', '--expiry', '2031-03-31'],
    ]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      verified: false,
      failure: 'No_match_GTIN_Serial_Lot',
      ledger: { status: 'active', custodian: MAKER },
    });
    const bad = await carechain(['verify-product', '--dir', dir, '--scan', `(01)${BAD_GTIN}(21)X`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/check digit/);
    const none = await carechain(['verify-product', '--dir', tempDir(), '--gtin', GTIN]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/holds no chain/);
  });
});

describe('carechain epcis', () => {
  it('exports a lot as a document the official schema accepts, and imports it elsewhere', async () => {
    const source = copyOfDemo();
    withSupply(source, [
      [REGISTER],
      [COMMISSION],
      [
        {
          type: 'supply.pack',
          packs: [{ parent: CASE, children: { units: [{ gtin: GTIN, serials: SERIALS }] } }],
        },
      ],
    ]);
    const out = path.join(tempDir(), 'lot.jsonld');
    const exported = await carechain([
      'epcis',
      'export',
      '--dir',
      source,
      '--lot',
      `${GTIN}/CLI-LOT`,
      '--out',
      out,
    ]);
    expect(exported.code).toBe(0);
    const document = JSON.parse(readFileSync(out, 'utf8')) as {
      epcisBody: { eventList: unknown[] };
    };
    expect(document.epcisBody.eventList).toHaveLength(2);
    const { single } = epcisValidators();
    expect(schemaErrors(single, document)).toEqual([]);

    // Into another copy where only the product is registered: the maker's key imports it.
    const target = copyOfDemo();
    const before = withSupply(target, [[REGISTER]]);
    const key = path.join(target, 'demo-keys', `${MAKER}.admin.json`);
    const dry = await carechain([
      'epcis',
      'import',
      '--dir',
      target,
      '--key',
      key,
      '--file',
      out,
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /dry run: 2 events would be recorded as 2 transactions of northwind-pharma/,
    );
    const imported = await carechain([
      'epcis',
      'import',
      '--dir',
      target,
      '--key',
      key,
      '--file',
      out,
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported 2 events as 2 transactions of northwind-pharma/);
    const replica = Replica.open(dataPaths(target).replica, { readonly: true });
    expect(replica.tip().height).toBeGreaterThan(before);
    replica.close();
    const verified = await carechain([
      'verify-product',
      '--dir',
      target,
      ...['--gtin', GTIN, '--serial', 'CLI-3', '--lot', 'CLI-LOT', '--expiry', '2031-03-31'],
    ]);
    expect(verified.code).toBe(0);
  });

  it('refuses a document with one bad event by index and field, and writes nothing', async () => {
    const target = copyOfDemo();
    const before = withSupply(target, [[REGISTER]]);
    const doc = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-01-01T00:00:00Z',
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            eventTime: '2026-01-01T00:00:00Z',
            eventTimeZoneOffset: '+00:00',
            epcList: [`https://id.gs1.org/01/${GTIN}/21/OK-1`],
            action: 'ADD',
            bizStep: 'commissioning',
            disposition: 'active',
            ilmd: { 'cbvmda:lotNumber': 'L9', 'cbvmda:itemExpirationDate': '2031-01-31' },
          },
          {
            type: 'ObjectEvent',
            eventTime: '2026-01-01T00:00:00Z',
            eventTimeZoneOffset: '+00:00',
            epcList: [`https://id.gs1.org/01/${BAD_GTIN}/21/BAD`],
            action: 'ADD',
            bizStep: 'commissioning',
            disposition: 'active',
            ilmd: { 'cbvmda:lotNumber': 'L9', 'cbvmda:itemExpirationDate': '2031-01-31' },
          },
        ],
      },
    };
    const file = path.join(tempDir(), 'bad.jsonld');
    writeFileSync(file, JSON.stringify(doc));
    const key = path.join(target, 'demo-keys', `${MAKER}.admin.json`);
    const refused = await carechain([
      'epcis',
      'import',
      '--dir',
      target,
      '--key',
      key,
      '--file',
      file,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^event 1 \(epcList\[0\]\): .*check digit/m);
    expect(refused.stderr).toMatch(/nothing was imported/);
    const replica = Replica.open(dataPaths(target).replica, { readonly: true });
    expect(replica.tip().height).toBe(before);
    replica.close();
    const notJson = path.join(tempDir(), 'x.jsonld');
    writeFileSync(notJson, '{"eventList": [');
    const garbage = await carechain([
      'epcis',
      'import',
      '--dir',
      target,
      '--key',
      key,
      '--file',
      notJson,
    ]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/is not JSON/);
  });
});
