import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  runDemo,
  runInit,
  runKeygen,
  runNextNodeKey,
  runNode,
  runServe,
  runVerify,
} from './commands';
import {
  runEpcisExport,
  runEpcisImport,
  runVerifyProduct,
  type EpcisExportOptions,
  type EpcisImportOptions,
  type VerifyProductOptions,
} from '../supply/cli';
import {
  runAnchorAdd,
  runAnchorVerify,
  type AnchorAddOptions,
  type AnchorVerifyOptions,
} from '../research/cli';
import { runConsentCheck, type ConsentCheckOptions } from '../permissions/cli';
import { UsageError } from './usage-error';
import { MAX_DEVNET_NODES, runDevnet } from './devnet';
import { MAX_INVITATION_DAYS } from '../../shared/rpc/join';
import { MEMBER_KINDS } from '../../shared/members/schemas';
import { RESET_FLAG, runSignStateReset, type SignStateResetOptions } from './sign-state';
import { runInvite, runJoin, type JoinOptions } from './join';

export class CliError extends Error {}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

/** An argument parser for a whole number from `min` to `max` whose refusal names the range. */
function wholeNumber(min: number, max: number, unit = ''): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d{1,6}$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`a whole number${unit} from ${min} to ${max}`);
    return n;
  };
}

/**
 * An empty value (`--dir ""`, as an unset shell variable gives) is refused, never taken as the
 * current folder or as no value: `init --dir "$DIR"` would otherwise make a chain where it runs,
 * and `keygen --out "$FILE"` print the secret key.
 */
function refuseEmptyValues(command: Command): void {
  for (const option of command.options) {
    const value: unknown = command.getOptionValue(option.attributeName());
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.includes('')) throw new UsageError(`${option.long} was given an empty value`);
  }
  command.registeredArguments.forEach((argument, i) => {
    if (command.args[i] === '') throw new UsageError(`<${argument.name()}> is empty`);
  });
}

function program(): Command {
  const cli = new Command('carechain')
    .description(
      'CareChain: the node, its replica and its console for a healthcare consortium chain',
    )
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .hook('preAction', (_cli, command) => refuseEmptyValues(command));

  cli
    .command('keygen')
    .description('make a new Ed25519 key pair and write it as a key file (owner-readable only)')
    .option(
      '--out <file>',
      'write the key file here (it must not exist); without it the key file is printed',
    )
    .action((opts: { out?: string }) => runKeygen(opts));

  cli
    .command('init')
    .description('create a new consortium: write genesis and block 0 from a founders file')
    .requiredOption(
      '--founders <file>',
      'JSON: { chainId, policy, members: [{ id, legalName, kind, adminKeys, nodeKey, endpoint, validator }] }',
    )
    .requiredOption('--dir <dir>', 'data folder of this node (created; must not hold a chain)')
    .option('--node-key <file>', "this node's key file; its public key must be a founder's nodeKey")
    .action((opts: { founders: string; dir: string; nodeKey?: string }) => runInit(opts));

  cli
    .command('node')
    .description(
      'run a node headless: keeps the replica and produces blocks when it is the validator',
    )
    .requiredOption('--dir <dir>', 'data folder of the node')
    .action((opts: { dir: string }) => runNode(opts));

  cli
    .command('next-node-key')
    .description(
      "make (or show) this node's next node key for a rotation of its key: kept beside node-key.json as node-key.next.json with its signing record, and printed to name in the rotate-key proposal; the running node switches to it two blocks after the rotation is decided",
    )
    .requiredOption('--dir <dir>', 'data folder of the node (it may be running)')
    .action((opts: { dir: string }) => runNextNodeKey(opts));

  cli
    .command('devnet')
    .description(
      'run a local network: N validator nodes as separate processes on 127.0.0.1, created in the folder on first use (each with a console profile), plus a replica folder to start later',
    )
    .requiredOption('--dir <dir>', 'folder of the network (created; or one devnet made before)')
    .addOption(
      new Option('--nodes <n>', `number of validators (1 to ${MAX_DEVNET_NODES})`)
        .default(4)
        .argParser(wholeNumber(1, MAX_DEVNET_NODES)),
    )
    .addOption(
      new Option('--base-port <port>', 'port of the first node; the others follow')
        .default(7400)
        .argParser(port),
    )
    .option(
      '--demo',
      "on first use, fill the network with the demo consortium's history, every block decided by its validators (the demo's founders; 1 to 5 nodes)",
    )
    .addOption(
      new Option(
        '--console <n>',
        'serve the console of node N (1 to the number of nodes) while the network runs',
      ).argParser(wholeNumber(1, MAX_DEVNET_NODES)),
    )
    .action(
      (opts: { dir: string; nodes: number; basePort: number; demo?: boolean; console?: number }) =>
        runDevnet(opts),
    );

  cli
    .command('invite')
    .description(
      'invite a new organisation to the network: prints an invitation string naming this node (its key, address, chain and a one-use token kept here only as a hash); runs beside the node',
    )
    .requiredOption('--dir <dir>', 'data folder of an active member’s node')
    .addOption(
      new Option('--days <n>', `days until the invitation expires (1 to ${MAX_INVITATION_DAYS})`)
        .default(7)
        .argParser(wholeNumber(1, MAX_INVITATION_DAYS)),
    )
    .option(
      '--address <endpoint...>',
      "where the new node reaches this one, tcp://host:port (default: this member's endpoint on chain)",
    )
    .action((opts: { dir: string; days: number; address?: string[] }) => runInvite(opts));

  cli
    .command('join')
    .description(
      "join a running network with an invitation: makes this organisation's node and admin keys, fetches and checks the genesis, sends the signed join request, writes the node folder, waits for the members' vote and, once admitted, runs the node (without --invite: goes on waiting for the request the folder sent)",
    )
    .requiredOption('--dir <dir>', 'data folder of the new node (created; must hold no chain)')
    .option('--invite <string>', 'the invitation (carechain-invite:1:…)')
    .option('--name <legal name>', "the organisation's legal name")
    .addOption(new Option('--kind <kind>', 'what the organisation is').choices(MEMBER_KINDS))
    .option('--endpoint <endpoint>', 'where other nodes reach this one, tcp://host:port')
    .option('--id <member id>', 'member id (default: made from the legal name)')
    .addOption(
      new Option('--poll <seconds>', 'seconds between questions to the inviting node')
        .default(60)
        .argParser(wholeNumber(1, 999, ' of seconds')),
    )
    .option('--no-run', 'once admitted, exit instead of running the node')
    .action((opts: JoinOptions) => runJoin(opts));

  cli
    .command('sign-state')
    .description("a validator's double-signing record (docs/consensus.md §9)")
    .command('reset')
    .description(
      "recreate this node key's signing record after a restore without it: the key then signs nothing at or below the height after --network-height; refused while the node runs; the old record is kept aside",
    )
    .requiredOption('--dir <dir>', 'data folder of the node (the node must not be running)')
    .option(
      '--network-height <height>',
      'the height the network is deciding now (another member’s Network page: "Deciding block")',
    )
    .option(RESET_FLAG, 'confirm: you read why a reset is dangerous')
    .action((opts: SignStateResetOptions) => runSignStateReset(opts));

  cli
    .command('demo')
    .description(
      'build a demo consortium by running the real protocol: membership history with 2 join requests pending, then seven weeks of drug supply and the anchored documents of two clinical trials; a console profile for every member',
    )
    .requiredOption('--dir <dir>', 'data folder to create (must not hold a chain)')
    .action((opts: { dir: string }) => runDemo(opts));

  cli
    .command('verify')
    .description(
      're-verify the whole replica from genesis; exit 0 if all holds, 1 with the first bad height otherwise',
    )
    .requiredOption('--dir <dir>', 'data folder of the node')
    .action((opts: { dir: string }) => runVerify(opts));

  cli
    .command('serve')
    .description('run the node and serve its console to a browser on 127.0.0.1')
    .requiredOption(
      '--dir <dir>',
      'data folder of the node (created if missing; the console can then open the demo)',
    )
    .addOption(
      new Option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)')
        .default(0)
        .argParser(port),
    )
    .action((opts: { dir: string; port: number }) => runServe(opts));

  cli
    .command('verify-product')
    .description(
      'verify a product identifier (GTIN, serial, lot, expiry) against the replica as DSCSA asks, with the evidence; exit 0 verified, 3 not verified, 1 no replica, 2 bad input',
    )
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--scan <text>', 'the barcode as scanned: GS1 element string, Digital Link or EPC URI')
    .option('--gtin <gtin>', 'GTIN-14')
    .option('--serial <serial>', 'serial number (AI 21)')
    .option('--lot <lot>', 'lot or batch (AI 10)')
    .option('--expiry <date>', 'expiry date, YYYY-MM-DD')
    .option('--json', 'print the answer and its evidence as JSON')
    .action((opts: VerifyProductOptions) => {
      const code = runVerifyProduct(opts);
      if (code !== 0) process.exitCode = code;
    });

  const epcis = cli
    .command('epcis')
    .description('GS1 EPCIS 2.0 documents in and out of the supply chain on the ledger');
  epcis
    .command('import')
    .description(
      "record an EPCIS 2.0 JSON-LD document's events as the key's member's supply transactions, all or nothing, and commit them (the node must not be running: it takes the data folder); exit 0 imported, 2 bad document or input (nothing written), 1 other failure",
    )
    .requiredOption('--dir <dir>', 'data folder of the node (its own node commits the blocks)')
    .requiredOption('--key <file>', 'key file of an admin key of the importing member')
    .requiredOption('--file <file>', 'the EPCIS document (JSON-LD)')
    .option('--dry-run', 'check the whole document and say what would be recorded; write nothing')
    .action(async (opts: EpcisImportOptions) => {
      const code = await runEpcisImport(opts);
      if (code !== 0) process.exitCode = code;
    });
  epcis
    .command('export')
    .description(
      'write the EPCIS 2.0 document of one unit, lot, shipment or member (read-only, beside a running node)',
    )
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--unit <gtin/serial>', "a unit's events")
    .option('--lot <gtin/lot>', "a lot's events")
    .option('--shipment <id>', "a shipment's events (its ship transaction id)")
    .option('--member <id>', "a member's events (the newest 5,000)")
    .option('--out <file>', 'write to this new file instead of standard output')
    .action((opts: EpcisExportOptions) => {
      const code = runEpcisExport(opts);
      if (code !== 0) process.exitCode = code;
    });

  const consent = cli
    .command('consent')
    .description("patients' consents and record access on the ledger");
  consent
    .command('check')
    .description(
      "may a member do an action on a class of a patient's records for a purpose, under the consents in force? exit 0 permit, 3 deny, 4 break-glass, 1 no replica, 2 bad input (read-only, beside a running node)",
    )
    .requiredOption('--dir <dir>', 'data folder of the node')
    .requiredOption('--custodian <member>', 'the member that holds the records')
    .requiredOption(
      '--patient <pseudonym>',
      "the patient's pseudonym at the custodian (64 hex digits; the console shows it)",
    )
    .requiredOption('--member <member>', 'the member that would access the records')
    .requiredOption('--action <action>', 'access, collect, use, disclose or correct')
    .requiredOption('--class <class>', 'the record class, a FHIR resource type such as Observation')
    .requiredOption(
      '--purpose <purpose>',
      'HL7 purpose of use: TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH or PUBHLTH',
    )
    .option('--at <time>', 'ISO 8601 date or time with zone (default: now)')
    .option('--json', 'print the decision as JSON')
    .action((opts: ConsentCheckOptions) => {
      const code = runConsentCheck(opts);
      if (code !== 0) process.exitCode = code;
    });

  const anchor = cli
    .command('anchor')
    .description(
      "clinical-trial documents on the ledger: only a file's SHA-256 is anchored, never the file",
    );
  anchor
    .command('add')
    .description(
      "anchor the SHA-256 of a study's document as the key's member (the first anchor of a study makes it the sponsor), committed by the folder's own node, which must not be running; exit 0 anchored, 2 bad input or refused by a rule (nothing written), 1 other failure",
    )
    .argument(
      '<file>',
      'the document: protocol, amendment, analysis plan, outcome definitions or result set',
    )
    .requiredOption('--dir <dir>', 'data folder of the node (its own node commits the block)')
    .requiredOption('--key <file>', "key file of an admin key of the study's sponsor")
    .requiredOption(
      '--study <id>',
      "the study's registry id, e.g. NCT01234567 (only its SHA-256 goes on chain)",
    )
    .requiredOption('--kind <kind>', 'protocol, amendment, sap, outcomes or results')
    .requiredOption('--version <n>', 'the version of this kind of document: 1, 2, 3…')
    .option(
      '--protocol-version <n>',
      'for every kind but protocol: the protocol version the document belongs to',
    )
    .action(async (file: string, opts: AnchorAddOptions) => {
      const code = await runAnchorAdd(file, opts);
      if (code !== 0) process.exitCode = code;
    });
  anchor
    .command('verify')
    .description(
      'is this file anchored? read-only, beside a running node; exit 0 the current version of an anchored document, 4 superseded by a later version, 3 no anchor, 2 bad input, 1 no chain',
    )
    .argument('<file>', 'the file to check (it is hashed here; nothing is sent anywhere)')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--json', 'print the answer, its anchors and their inclusion proofs as JSON')
    .action(async (file: string, opts: AnchorVerifyOptions) => {
      const code = await runAnchorVerify(file, opts);
      if (code !== 0) process.exitCode = code;
    });

  return cli;
}

/** Plain words for the file-system errors a path the user gave can cause. */
const PATH_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'there is no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  ELOOP: 'its symbolic links go round in a loop',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EEXIST: 'it exists already',
};

/**
 * The line a failed command ends with. A file-system error on a path the user gave is said in
 * words, naming the path, and is a usage error (exit 2); control characters but tab and line
 * feed (a path holding terminal escapes) are shown escaped, never written to the terminal as
 * they are.
 */
function failure(error: unknown): { line: string; code: number } {
  const refused = pathError(error);
  const line = refused ?? (error as Error).message;
  const usage = error instanceof UsageError || refused !== null;
  return { line: escapeControls(line), code: usage ? 2 : 1 };
}

/** The file-system error on a path behind `error` (itself or a cause), in words, or null. */
function pathError(error: unknown): string | null {
  for (let e = error; e instanceof Error; e = e.cause) {
    const { code, path: where } = e as NodeJS.ErrnoException;
    const words = code === undefined ? undefined : PATH_ERRORS[code];
    if (words !== undefined && where !== undefined) return `${where}: ${words} (${code})`;
  }
  return null;
}

function escapeControls(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

async function main(argv: string[]): Promise<number> {
  const cli = program();
  if (argv.length === 0) {
    cli.outputHelp();
    return 2;
  }
  try {
    await cli.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return error.exitCode === 0 ? 0 : 2;
    }
    const { line, code } = failure(error);
    console.error(`carechain: ${line}`);
    return code;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
