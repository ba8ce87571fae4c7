/** The `qhal-gen` command: dispatches to one command per stage. Exit 0 ok, 1 failure, 2 bad input. */
import { TOOL_VERSION } from '../version.js';
import { UsageError } from './args.js';
import { runGenerate, runTargetDefault } from './generate-command.js';
import { runBuild, runDoctor, runFetchSources } from '../toolchain/commands.js';
import { runBrokerCommand } from '../broker/broker.js';
import { runTestCommand } from '../run/command.js';
import { reportError } from './report-error.js';
import { COMMANDS, usage } from './usage.js';

COMMANDS.generate = runGenerate;
COMMANDS.build = runBuild;
COMMANDS.doctor = runDoctor;
COMMANDS['fetch-sources'] = runFetchSources;
COMMANDS.broker = runBrokerCommand;
COMMANDS.test = runTestCommand;

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
