/** The `qhal-gen` command: dispatches to one command per stage. Exit 0 ok, 1 failure, 2 bad input. */
import { GenerateError } from '../generate/index.js';
import { TemplateError } from '../generate/template.js';
import { InputError, formatDiagnostic } from '../load/index.js';
import { TOOL_VERSION } from '../version.js';
import { UsageError } from './args.js';
import { runGenerate, runTargetDefault } from './generate-command.js';
import { runBuild, runDoctor, runFetchSources } from '../toolchain/commands.js';
import { runBrokerCommand } from '../broker/broker.js';
import { runTestCommand } from '../run/command.js';
import { runCi } from './ci-command.js';
import { runInit } from './init-command.js';
import { COMMANDS, usage } from './usage.js';

COMMANDS.build = runBuild;
COMMANDS.doctor = runDoctor;
COMMANDS['fetch-sources'] = runFetchSources;
COMMANDS.broker = runBrokerCommand;
COMMANDS.test = runTestCommand;
COMMANDS.ci = runCi;
COMMANDS.init = (argv) => runInit(argv);

export async function main(argv: string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      console.log(usage());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-v') {
      console.log(TOOL_VERSION);
      return 0;
    }
    if (first.startsWith('--target')) return await runTargetDefault(argv);
    if (first === 'generate') return await runGenerate(rest);
    const command = COMMANDS[first];
    if (!command) {
      throw new UsageError(
        `unknown command '${first}'; expected one of: generate, ${Object.keys(COMMANDS).join(', ')}, --target, --help, --version`,
      );
    }
    if (rest.includes('--help')) {
      console.log(usage());
      return 0;
    }
    return await command(rest);
  } catch (err) {
    if (err instanceof InputError) {
      for (const d of err.diagnostics) console.error(formatDiagnostic(d));
      return 2;
    }
    if (err instanceof UsageError) {
      console.error(`qhal-gen: ${err.message}`);
      return 2;
    }
    if (err instanceof GenerateError || err instanceof TemplateError) {
      console.error(`qhal-gen: ${err.message}`);
      return 1;
    }
    const known = err as Error & { exitCode?: number };
    if (typeof known.exitCode === 'number') {
      console.error(`qhal-gen: ${known.message}`);
      return known.exitCode;
    }
    console.error(`qhal-gen: internal error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
