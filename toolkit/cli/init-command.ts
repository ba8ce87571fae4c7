/**
 * `qhal-gen init [DIR] [--name N] [--target T] [--stack S] [--os O] [--features LIST]
 * [--ca FILE] [--psk HOOK] [--entropy HOOK] [--ci github|gitlab|none] [--force]`: a new
 * module's project in DIR (default .): boards/<name>.ts, package.json (qhal-gen as a
 * devDependency) and tsconfig.json for the editor, certs/ (the CA given, or instructions),
 * the generated HAL in qhal/<name>/ and the CI workflow. The board is loaded and generated in
 * a scratch folder first, so bad answers write nothing. An existing file that would change is
 * a conflict (exit 2, nothing written) unless --force; package.json only gains the dependency.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ciPlan } from '../ci/plan.js';
import { GENERATED_MARK, renderWorkflow, type CiFormat } from '../ci/workflow.js';
import { generateBoard } from '../generate/index.js';
import { displayPath, formatDiagnostic, InputError, loadBoard, loadHal } from '../load/index.js';
import { oneOf, UsageError } from './args.js';
import { boardCount, writeText } from './ci-command.js';
import {
  boardText,
  CA_FILE,
  caReadme,
  packageJsonText,
  TSCONFIG_TEXT,
  withDevDependency,
  type InitAnswers,
} from './init-files.js';
import { gatherAnswers, readlinePrompter, type Prompter } from './init-questions.js';

const OPTIONS = {
  name: { type: 'string' },
  target: { type: 'string' },
  stack: { type: 'string' },
  os: { type: 'string' },
  features: { type: 'string' },
  ca: { type: 'string' },
  psk: { type: 'string' },
  entropy: { type: 'string' },
  ci: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export interface InitIo {
  /** Ask questions (a terminal); null: every answer must come from a flag. */
  prompter: Prompter | null;
}

function parse(argv: string[]) {
  try {
    const r = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (r.positionals.length > 1)
      throw new Error(`one folder expected, got ${r.positionals.join(' ')}`);
    return { values: r.values, dir: r.positionals[0] ?? '.' };
  } catch (err) {
    const expected = Object.entries(OPTIONS)
      .map(([n, o]) => (o.type === 'string' ? `--${n} <value>` : `--${n}`))
      .join(' ');
    throw new UsageError(
      `init: ${(err as Error).message}\nexpected: qhal-gen init [DIR] ${expected}`,
    );
  }
}

/** The board as qhal-gen sees it, from a scratch copy: the generated HAL, or the loader's complaint. */
async function generateInScratch(a: InitAnswers, board: string) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'qhal-init-'));
  try {
    const file = path.join(scratch, 'boards', `${a.name}.ts`);
    writeText(file, board);
    if (a.ca) writeText(path.join(scratch, 'boards', CA_FILE), fs.readFileSync(a.ca, 'utf8'));
    const model = await loadBoard(file);
    const { hal, source } = await loadHal();
    return generateBoard(model, hal, source).files;
  } catch (err) {
    if (err instanceof InputError) {
      const why = err.diagnostics
        .map((d) => formatDiagnostic(d).replace(/^.*?:\d+:\d+: /, ''))
        .join('; ');
      throw new UsageError(`init: these answers make a board qhal-gen rejects: ${why}`);
    }
    throw err;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export async function runInit(argv: string[], io?: InitIo): Promise<number> {
  const { values: v, dir } = parse(argv);
  const ci: CiFormat | 'none' = oneOf('ci', v.ci ?? 'github', [
    'github',
    'gitlab',
    'none',
  ] as const);
  const root = path.resolve(dir);
  const interactive = io ?? {
    prompter: process.stdin.isTTY ? readlinePrompter(process.stdin, process.stdout) : null,
  };
  let answers: InitAnswers;
  try {
    answers = await gatherAnswers(v, { dir: root, prompter: interactive.prompter });
  } finally {
    interactive.prompter?.close();
  }
  const board = boardText(answers);
  const generated = await generateInScratch(answers, board);

  // Paths relative to the board file's folder are relative to boards/ (certs/ sits beside it).
  const boardFile = `boards/${answers.name}.ts`;
  const files = new Map<string, string>([
    [boardFile, board],
    [`boards/certs/README.md`, caReadme(answers.ca !== null)],
    ['tsconfig.json', TSCONFIG_TEXT],
    ...generated.map((g): [string, string] => [`qhal/${answers.name}/${g.name}`, g.content]),
  ]);
  if (answers.ca) files.set(`boards/${CA_FILE}`, fs.readFileSync(answers.ca, 'utf8'));
  const pkgFile = path.join(root, 'package.json');
  const pkg = fs.existsSync(pkgFile)
    ? withDevDependency(fs.readFileSync(pkgFile, 'utf8'))
    : packageJsonText(
        path
          .basename(root)
          .toLowerCase()
          .replace(/[^a-z0-9._-]/g, '-'),
        boardFile,
      );
  if (pkg !== null) files.set('package.json', pkg);

  const conflicts = [...files]
    .filter(([rel, text]) => rel !== 'package.json' && differs(path.join(root, rel), text))
    .map(([rel]) => rel);
  const workflowOut =
    ci === 'none'
      ? null
      : path.join(
          root,
          ci === 'github' ? '.github/workflows/qhal-gen.yml' : '.gitlab/qhal-gen.yml',
        );
  if (
    workflowOut &&
    fs.existsSync(workflowOut) &&
    !fs.readFileSync(workflowOut, 'utf8').startsWith(GENERATED_MARK)
  ) {
    conflicts.push(path.relative(root, workflowOut));
  }
  if (conflicts.length > 0 && !v.force) {
    throw new UsageError(
      `init: would replace ${conflicts.join(', ')} in ${displayPath(root)}: pass --force to replace them`,
    );
  }
  for (const [rel, text] of files) {
    writeText(path.join(root, rel), text);
    console.log(`wrote ${displayPath(path.join(root, rel))}`);
  }
  if (workflowOut && ci !== 'none') {
    const { options } = await ciPlan({
      root,
      boardsDir: 'boards',
      format: ci,
      generated: 'qhal',
      out: workflowOut,
    });
    writeText(workflowOut, renderWorkflow(options));
    console.log(`wrote ${displayPath(workflowOut)} (${boardCount(options.boards.length)}, ${ci})`);
  }
  console.log(
    `next: npm install, then npx qhal-gen test --board ${boardFile}${answers.ca ? '' : ` (TLS stays off until ${`boards/${CA_FILE}`} exists: see boards/certs/README.md)`}`,
  );
  return 0;
}

function differs(file: string, text: string): boolean {
  return fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== text;
}
