import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { signTx, type DecodedTx, type TxBody } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import type {
  MemberKind,
  MemberProfile,
  ProposalAction,
  VoteChoice,
} from '../../shared/members/schemas';
import { Replica } from '../store/replica';
import { ChainNode } from './chain-node';
import { buildChain, ChainExistsError, dataPaths, type DataPaths } from './data-dir';
import {
  writeSupplyHistory,
  type DemoChain,
  type SupplyCast,
  type SupplyFigures,
} from './demo-supply';
import { DEMO_TRIAL, researchHistory, type ResearchFigures } from './demo-research';
import { writePermissionsHistory, type PermissionsFigures } from './demo-permissions';
import { PSEUDONYM_SECRET_BYTES } from '../permissions/pseudonym';
import { studyHashOf } from '../../shared/research/study-id';
import { sealProfiles, writeKeyFile, writeProfile } from './keystore';

/** The demo profile's passphrase is public: the demo holds no secrets worth protecting. */
export const DEMO_PASSPHRASE = 'carechain-demo';
export const DEMO_CHAIN_ID = 'carechain-demo';
const DEMO_PROFILE_MEMBER = 'st-marys-hospital';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** How far back the demo's history starts: governance first, then seven weeks of supply. */
const HISTORY_DAYS = 100;

interface DemoOrg {
  id: string;
  legalName: string;
  kind: MemberKind;
  host: string;
  validator?: boolean;
}

const FOUNDERS: DemoOrg[] = [
  {
    id: 'st-marys-hospital',
    legalName: "St Mary's University Hospital",
    kind: 'hospital',
    host: 'node.stmarys.example',
    validator: true,
  },
  {
    id: 'northwind-pharma',
    legalName: 'Northwind Pharmaceuticals Ltd',
    kind: 'manufacturer',
    host: 'ledger.northwind.example',
  },
  {
    id: 'medline-distribution',
    legalName: 'MedLine Distribution GmbH',
    kind: 'distributor',
    host: 'chain.medline.example',
  },
  {
    id: 'citycare-pharmacy',
    legalName: 'CityCare Pharmacy Group',
    kind: 'pharmacy',
    host: 'node.citycare.example',
  },
  {
    id: 'national-medicines-agency',
    legalName: 'National Medicines Agency',
    kind: 'regulator',
    host: 'ledger.nma.example',
  },
];
const HELIX: DemoOrg = {
  id: 'helix-clinical-research',
  legalName: 'Helix Clinical Research Institute',
  kind: 'research',
  host: 'node.helixcri.example',
};
const EASTSIDE: DemoOrg = {
  id: 'eastside-family-clinic',
  legalName: 'Eastside Family Clinic',
  kind: 'clinic',
  host: 'node.eastside.example',
};
/** They join once the supply ledger opens, to trade on it. */
const MERIDIAN: DemoOrg = {
  id: 'meridian-generics',
  legalName: 'Meridian Generics Inc',
  kind: 'manufacturer',
  host: 'ledger.meridian.example',
};
const ATLAS: DemoOrg = {
  id: 'atlas-health-logistics',
  legalName: 'Atlas Health Logistics',
  kind: 'distributor',
  host: 'node.atlaslogistics.example',
};
const RIVERSIDE: DemoOrg = {
  id: 'riverside-pharmacy',
  legalName: 'Riverside Community Pharmacy',
  kind: 'pharmacy',
  host: 'node.riverside.example',
};
const HARBOURSIDE: DemoOrg = {
  id: 'harbourside-general-hospital',
  legalName: 'Harbourside General Hospital',
  kind: 'hospital',
  host: 'node.harbourside.example',
};
/** Who plays which part in the supply history. */
const CAST: SupplyCast = {
  northwind: 'northwind-pharma',
  meridian: MERIDIAN.id,
  medline: 'medline-distribution',
  atlas: ATLAS.id,
  citycare: 'citycare-pharmacy',
  riverside: RIVERSIDE.id,
  stMarys: 'st-marys-hospital',
  harbourside: HARBOURSIDE.id,
  regulator: 'national-medicines-agency',
};
/** Left pending: one approval short of a decision, so the console's vote decides it. */
export const DEMO_PENDING_DECIDABLE: DemoOrg = {
  id: 'lakeside-community-clinic',
  legalName: 'Lakeside Community Clinic',
  kind: 'clinic',
  host: 'node.lakeside.example',
};
/** Left pending with few votes: the console's vote alone does not decide it. */
export const DEMO_PENDING_OPEN: DemoOrg = {
  id: 'apex-biologics',
  legalName: 'Apex Biologics Inc',
  kind: 'manufacturer',
  host: 'ledger.apexbio.example',
};

/** What the demo built: its height, and the supply, research and permissions histories' figures. */
export interface DemoBuilt {
  height: number;
  supply: SupplyFigures;
  research: ResearchFigures;
  permissions: PermissionsFigures;
}

export interface OrgKeys {
  admin: KeyPair;
  node: KeyPair;
}

function profileOf(org: DemoOrg, keys: OrgKeys, endpoint: string): MemberProfile {
  return {
    legalName: org.legalName,
    kind: org.kind,
    adminKeys: [keys.admin.publicKey],
    nodeKey: keys.node.publicKey,
    endpoint,
  };
}

/**
 * Builds a demo consortium in the data folder `dir` by running the real protocol: every step is a
 * signed transaction through the mempool into a certified block, on a clock that starts 100 days
 * ago so the history reads like one: six weeks of governance, then four organisations join and
 * seven weeks of drug supply follow (demo-supply.ts). Leaves two join requests open for the
 * console to decide, and a console profile for every member (St Mary's is the current one).
 *
 * The demo is built in a folder of its own inside `dir` and moved into place only once complete
 * (see buildChain): interrupted at any moment, it leaves either no chain or the whole demo. The
 * caller holds the folder's lock and has run recoverBuilds.
 */
export function buildDemo(dir: string, now: number = Date.now()): DemoBuilt {
  const target = dataPaths(dir);
  if (existsSync(target.replica))
    throw new ChainExistsError(
      `${target.root} already holds a chain; choose another folder for the demo`,
    );
  return buildChain(target, 'demo', (paths) => writeDemo(paths, now));
}

/** The demo's organisations, in order: the founders first, the two pending last. */
export const DEMO_ORGS: readonly DemoOrg[] = [
  ...FOUNDERS,
  HELIX,
  EASTSIDE,
  MERIDIAN,
  ATLAS,
  RIVERSIDE,
  HARBOURSIDE,
  DEMO_PENDING_DECIDABLE,
  DEMO_PENDING_OPEN,
];
/** How many founders the demo has: at most this many of them can be its validators. */
export const DEMO_FOUNDERS = FOUNDERS.length;

/** Every organisation's keys and the genesis they found the demo chain with. */
export interface DemoCast {
  keys: Map<string, OrgKeys>;
  genesis: GenesisDoc;
  /** When the history starts (the genesis time). */
  start: number;
  /** When the history ends: "now" for the demo. */
  now: number;
}

/**
 * Keys for every organisation (admin keys written to `keyDir`) and the genesis of the five
 * founders, `validators` of them (the first ones) validators, each organisation reached at
 * `endpointOf(org, its index in DEMO_ORGS)`.
 */
export function demoCast(
  now: number,
  keyDir: string,
  options: { validators?: number; endpointOf?: (index: number) => string } = {},
): DemoCast {
  const keys = new Map<string, OrgKeys>();
  for (const org of DEMO_ORGS) {
    const orgKeys = { admin: generateKeyPair(), node: generateKeyPair() };
    keys.set(org.id, orgKeys);
    writeKeyFile(path.join(keyDir, `${org.id}.admin.json`), orgKeys.admin);
  }
  const validators = options.validators;
  const endpointOf = (org: DemoOrg) =>
    options.endpointOf?.(DEMO_ORGS.indexOf(org)) ?? `tcp://${org.host}:7400`;
  const start = now - HISTORY_DAYS * DAY;
  const genesis = GenesisDoc.parse({
    v: 1,
    chainId: DEMO_CHAIN_ID,
    time: start,
    policy: { threshold: 'majority', proposalTtlHours: 72 },
    members: FOUNDERS.map((org, i) => ({
      id: org.id,
      ...profileOf(org, keys.get(org.id) as OrgKeys, endpointOf(org)),
      validator: validators === undefined ? org.validator === true : i < validators,
    })),
  });
  return { keys, genesis, start, now };
}

/** Where the demo's history is written: the node it submits to and how blocks are made. */
export interface DemoRun {
  /** The node whose mempool takes every transaction (and whose replica the script reads). */
  node: ChainNode;
  /** The demo's clock: the time of the next block. */
  clock: { now: number };
  /** Makes the next block of everything queued (or of an expiry due); throws if none is made. */
  commit(): void;
  /** Where the admin key files are (a rotated key is written again). */
  keyDir: string;
  /** How an organisation's node is reached (as in demoCast). */
  endpointOf?: (index: number) => string;
}

/** What playDemo leaves for the profiles: the hospitals' pseudonym secrets. */
interface DemoPlayed {
  supply: SupplyFigures;
  research: ResearchFigures;
  permissions: PermissionsFigures;
  secrets: Map<string, Buffer>;
}

/** Writes the whole demo into `paths`, a fresh folder laid out like a data folder. */
function writeDemo(paths: DataPaths, now: number): DemoBuilt {
  mkdirSync(paths.demoKeys, { mode: 0o700 });
  const cast = demoCast(now, paths.demoKeys);
  writeFileSync(paths.genesis, `${JSON.stringify(cast.genesis, null, 2)}\n`);
  const validatorKeys = (cast.keys.get(DEMO_PROFILE_MEMBER) as OrgKeys).node;
  writeKeyFile(paths.nodeKey, validatorKeys);

  const replica = Replica.open(paths.replica);
  try {
    // The build folder is synced as a whole before it is moved into place (buildChain): a sync
    // for each of the demo's blocks would only make it slower.
    replica.db.pragma('synchronous = OFF');
    replica.initGenesis(cast.genesis);
    const clock = { now: cast.start };
    const node = new ChainNode(replica, validatorKeys, () => clock.now);
    const played = playDemo(cast, {
      node,
      clock,
      keyDir: paths.demoKeys,
      commit: () => {
        if (!node.produce()) throw new Error('demo: a block was expected');
      },
    });
    writeProfile(paths.profile, demoProfiles(replica, cast, played.secrets, DEMO_PROFILE_MEMBER));
    return {
      height: replica.tip().height,
      supply: played.supply,
      research: played.research,
      permissions: played.permissions,
    };
  } finally {
    replica.close();
  }
}

/**
 * A console profile of every active member, `current` first; all under the demo's passphrase,
 * so the console can switch between them (session.switchProfile).
 */
export function demoProfiles(
  replica: Replica,
  cast: DemoCast,
  secrets: Map<string, Buffer>,
  current: string,
): ReturnType<typeof sealProfiles> {
  const others = membership(replica.view)
    .members()
    .filter((m) => m.status === 'active' && m.id !== current)
    .map((m) => m.id);
  return sealProfiles(
    [current, ...others].map((memberId) => {
      const pseudonymSecret = secrets.get(memberId);
      return {
        memberId,
        pair: (cast.keys.get(memberId) as OrgKeys).admin,
        ...(pseudonymSecret ? { pseudonymSecret } : {}),
      };
    }),
    DEMO_PASSPHRASE,
    true,
  );
}

/**
 * The demo's history, step by step: each a signed transaction submitted to `run.node` and
 * committed in the block `run.commit` makes, on the clock `run.clock`.
 */
export function playDemo(cast: DemoCast, run: DemoRun): DemoPlayed {
  const { node, clock } = run;
  const { now } = cast;
  const replica = node.replica;
  const keysOf = (id: string) => cast.keys.get(id) as OrgKeys;
  const endpointOf = (org: DemoOrg) =>
    run.endpointOf?.(DEMO_ORGS.indexOf(org)) ?? `tcp://${org.host}:7400`;
  // Every demo step must land: a rejected transaction means the script no longer fits the rules.
  const unlisten = node.listen({
    rejected: (tx, reason) => {
      throw new Error(
        `demo: transaction ${tx.body.type} of ${tx.body.member} was rejected: ${reason}`,
      );
    },
  });
  try {
    const sign = (orgId: string, body: { type: string }): DecodedTx => {
      const admin = keysOf(orgId).admin;
      const full = {
        v: 1,
        chainId: DEMO_CHAIN_ID,
        member: orgId,
        signer: admin.publicKey,
        nonce: randomBytes(16).toString('hex'),
        ...body,
      } as TxBody;
      return signTx(full, admin.secretKey, replica.genesisHash());
    };
    const send = (orgId: string, body: { type: string }): string => node.submit(sign(orgId, body));
    // Trial documents anchored on their days, in whichever block comes next (demo-research.ts).
    const research = researchHistory(
      { node, sign },
      { research: HELIX.id, hospital: DEMO_PROFILE_MEMBER },
      clock.now,
    );
    const block = (advanceMs: number) => {
      clock.now += advanceMs;
      research.due(clock.now);
      run.commit();
    };
    const chain: DemoChain = {
      node,
      sign,
      at: (time) => {
        if (time <= replica.tip().time) throw new Error('demo: blocks go forward in time');
        clock.now = time;
      },
      commit: () => block(0),
    };
    const join = (org: DemoOrg) =>
      send(org.id, {
        type: 'member.join',
        profile: profileOf(org, keysOf(org.id), endpointOf(org)),
      } as TxBody);
    const propose = (orgId: string, action: ProposalAction, reason?: string) =>
      send(orgId, { type: 'governance.propose', action, ...(reason ? { reason } : {}) } as TxBody);
    const vote = (orgId: string, proposalId: string, choice: VoteChoice) =>
      send(orgId, { type: 'governance.vote', proposalId, choice } as TxBody);
    const approveBy = (orgIds: readonly string[], proposalId: string) =>
      orgIds.forEach((orgId) => vote(orgId, proposalId, 'approve'));

    // Week 1: a research institute applies and is admitted by a majority of the five founders.
    const helix = join(HELIX);
    block(2 * DAY);
    vote('st-marys-hospital', helix, 'approve');
    vote('northwind-pharma', helix, 'approve');
    block(5 * HOUR);
    vote('national-medicines-agency', helix, 'approve');
    block(20 * HOUR);

    // Week 2: a clinic applies; the members turn it down.
    const eastside = join(EASTSIDE);
    block(6 * DAY);
    vote('citycare-pharmacy', eastside, 'approve');
    vote('medline-distribution', eastside, 'reject');
    block(3 * HOUR);
    vote('national-medicines-agency', eastside, 'reject');
    vote('helix-clinical-research', eastside, 'reject');
    block(9 * HOUR);

    // Week 3: proposals stay open for a week from now on.
    const ttl = propose(
      'national-medicines-agency',
      { type: 'change-policy', policy: { threshold: 'majority', proposalTtlHours: 168 } },
      'Members asked for more time to review join requests',
    );
    block(5 * DAY);
    approveBy(
      [
        'national-medicines-agency',
        'st-marys-hospital',
        'medline-distribution',
        'helix-clinical-research',
      ],
      ttl,
    );
    block(4 * HOUR);

    // Weeks 4-6: a pharmacy is suspended while its licence is renewed, then reinstated.
    const suspend = propose(
      'national-medicines-agency',
      { type: 'suspend', member: 'citycare-pharmacy' },
      'Pharmacy licence renewal pending with the state board',
    );
    block(6 * DAY);
    approveBy(
      [
        'national-medicines-agency',
        'northwind-pharma',
        'medline-distribution',
        'helix-clinical-research',
      ],
      suspend,
    );
    block(2 * HOUR);
    const reinstate = propose(
      'st-marys-hospital',
      { type: 'reinstate', member: 'citycare-pharmacy' },
      'Licence renewed on inspection',
    );
    block(12 * DAY);
    approveBy(['st-marys-hospital', 'national-medicines-agency', 'northwind-pharma'], reinstate);
    block(3 * HOUR);

    // Week 7: the manufacturer rotates its admin key through governance.
    const rotated = generateKeyPair();
    const northwind = keysOf('northwind-pharma');
    const rotate = propose(
      'northwind-pharma',
      {
        type: 'rotate-key',
        member: 'northwind-pharma',
        role: 'admin',
        oldKey: northwind.admin.publicKey,
        newKey: rotated.publicKey,
      },
      'Scheduled annual key rotation',
    );
    block(4 * DAY);
    approveBy(
      ['northwind-pharma', 'st-marys-hospital', 'citycare-pharmacy', 'helix-clinical-research'],
      rotate,
    );
    block(6 * HOUR);
    northwind.admin = rotated;
    writeFileSync(
      path.join(run.keyDir, 'northwind-pharma.admin.json'),
      `${JSON.stringify({ type: 'carechain-key', v: 1, ...rotated }, null, 2)}\n`,
      { mode: 0o600 },
    );

    // A proposal nobody followed up on expires after its week.
    const stale = propose(
      'medline-distribution',
      { type: 'change-policy', policy: { threshold: 'two-thirds', proposalTtlHours: 168 } },
      'Two-thirds approval for every decision',
    );
    block(DAY);
    vote('medline-distribution', stale, 'approve');
    block(2 * HOUR);
    block(7 * DAY);

    // Week 8: the supply ledger opens. A second manufacturer and a second distributor apply
    // (their join requests are a block of their own), then a pharmacy and a hospital.
    const meridian = join(MERIDIAN);
    const atlas = join(ATLAS);
    block(6 * HOUR);
    approveBy(
      [
        'st-marys-hospital',
        'northwind-pharma',
        'medline-distribution',
        'national-medicines-agency',
      ],
      meridian,
    );
    approveBy(
      [
        'st-marys-hospital',
        'northwind-pharma',
        'medline-distribution',
        'national-medicines-agency',
      ],
      atlas,
    );
    const riverside = join(RIVERSIDE);
    const harbourside = join(HARBOURSIDE);
    block(18 * HOUR);
    for (const proposal of [riverside, harbourside]) {
      approveBy(
        [
          'st-marys-hospital',
          'national-medicines-agency',
          'medline-distribution',
          MERIDIAN.id,
          ATLAS.id,
        ],
        proposal,
      );
    }
    block(DAY);

    // The seven weeks since: products, lots, shipments, dispensing, a return, holds, a recall
    // and suspect-product alerts (demo-supply.ts).
    const supply = writeSupplyHistory(chain, CAST, clock.now + 12 * HOUR, now - 2 * DAY);
    clock.now = replica.tip().time;

    // Two days ago: patients' consents at the two hospitals, accesses by other members, a
    // violation and two emergencies (demo-permissions.ts), under each hospital's own secret.
    const secrets = new Map(
      [DEMO_PROFILE_MEMBER, HARBOURSIDE.id].map((id) => [id, randomBytes(PSEUDONYM_SECRET_BYTES)]),
    );
    const permissions = writePermissionsHistory(
      chain,
      {
        stMarys: DEMO_PROFILE_MEMBER,
        harbourside: HARBOURSIDE.id,
        citycare: 'citycare-pharmacy',
        riverside: RIVERSIDE.id,
        northwind: 'northwind-pharma',
        helix: HELIX.id,
      },
      secrets,
      clock.now + HOUR,
      { study: studyHashOf(DEMO_TRIAL), version: 1 },
    );
    clock.now = replica.tip().time;

    // Yesterday: two join requests arrive and are still under vote.
    const lakeside = join(DEMO_PENDING_DECIDABLE);
    const apex = join(DEMO_PENDING_OPEN);
    clock.now = Math.max(clock.now, now - 30 * HOUR);
    block(HOUR);
    vote('northwind-pharma', lakeside, 'approve');
    vote('medline-distribution', lakeside, 'approve');
    vote(MERIDIAN.id, lakeside, 'approve');
    vote('helix-clinical-research', apex, 'approve');
    block(5 * HOUR);
    vote('national-medicines-agency', lakeside, 'approve');
    vote(ATLAS.id, lakeside, 'approve');
    vote('citycare-pharmacy', apex, 'reject');
    block(3 * HOUR);

    const researchFigures = research.finish();
    return { supply, research: researchFigures, permissions, secrets };
  } finally {
    unlisten();
  }
}
