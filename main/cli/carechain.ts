import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runDemo, runInit, runKeygen, runNode, runServe, runVerify } from './commands';

export class CliError extends Error {}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

function program(): Command {
  const cli = new Command('carechain')
    .description(
      'CareChain: the node, its replica and its console for a healthcare consortium chain',
    )
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

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
    .command('demo')
    .description(
      'build a demo consortium by running the real protocol: 6 members with history, 2 join requests pending',
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

  return cli;
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
    console.error(`carechain: ${(error as Error).message}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
