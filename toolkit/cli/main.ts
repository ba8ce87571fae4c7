/** The `qhal-gen` command: dispatches to one command per stage. Exit 0 ok, 1 failure, 2 bad input. */
import { TOOL_VERSION } from '../version.js';
import { UsageError } from './args.js';
import { runGenerate, runTargetDefault } from './generate-command.js';
import { reportError } from './report-error.js';
import { COMMANDS, usage, type Command } from './usage.js';

/** A command whose module loads when it runs: `generate` does not load the broker or zig code. */
function lazy<M>(load: () => Promise<M>, pick: (m: M) => Command): Command {
  return async (argv) => pick(await load())(argv);
}
const toolchain = () => import('../toolchain/commands.js');

COMMANDS.generate = runGenerate;
COMMANDS.build = lazy(toolchain, (m) => m.runBuild);
COMMANDS.doctor = lazy(toolchain, (m) => m.runDoctor);
COMMANDS['fetch-sources'] = lazy(toolchain, (m) => m.runFetchSources);
COMMANDS.broker = lazy(
  () => import('../broker/broker.js'),
  (m) => m.runBrokerCommand,
);
COMMANDS.test = lazy(
  () => import('../run/command.js'),
  (m) => m.runTestCommand,
);
COMMANDS.ci = lazy(
  () => import('./ci-command.js'),
  (m) => m.runCi,
);
COMMANDS.init = lazy(
  () => import('./init-command.js'),
  (m) => m.runInit,
);

const HELP = ['--help', '-h'];

export async function main(argv: string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || HELP.includes(first) || first === 'help') {
      console.log(usage());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-v') {
      console.log(TOOL_VERSION);
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (command && rest.some((a) => HELP.includes(a))) {
      console.log(usage());
      return 0;
    }
    if (first.startsWith('--target')) return await runTargetDefault(argv);
    if (!command) {
      throw new UsageError(
        `unknown command '${first}'; expected one of: ${Object.keys(COMMANDS).join(', ')}, --target, --help, --version`,
      );
    }
    return await command(rest);
  } catch (err) {
    return reportError(err, argv.includes('--json'));
  }
}
