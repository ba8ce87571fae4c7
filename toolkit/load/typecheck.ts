/**
 * Type-checks a description file (board or HAL) against the running toolkit's declarations,
 * so `import { defineBoard } from 'qhal-gen'` works from any folder on disk. The files of one
 * batch (every board of a run and the HAL description) share one Program, so one type checker
 * serves them all, with the few global types a description uses (description-lib.ts) instead
 * of TypeScript's libs. The declarations' syntax trees are kept for the process's next batch.
 */
import { ts, lineAndColumn, type Ts } from './typescript.js';
import { DESCRIPTION_LIB, DESCRIPTION_LIB_FILE } from './description-lib.js';
import type { Diagnostic } from './diagnostic.js';
import { paths } from './toolkit-paths.js';

export interface SourceText {
  file: string;
  text: string;
}

export interface CheckedFile {
  sourceFile: Ts.SourceFile;
  checker: Ts.TypeChecker;
  /** Syntax errors: with any, the type errors around them are noise and are not asked for. */
  syntaxErrors: Diagnostic[];
  typeErrors(): Diagnostic[];
}

function toDiagnostic(file: string, sf: Ts.SourceFile, d: Ts.Diagnostic): Diagnostic {
  const { line, column } = lineAndColumn(sf, d.start ?? 0);
  // A chained message ("Type X is not assignable... / Property y is missing...") reads best
  // on one line, like a compiler's first line plus its reason.
  const message = ts
    .flattenDiagnosticMessageText(d.messageText, '\n')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
  return { file, line, col: column, message };
}

const OPTIONS: Ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  skipLibCheck: true,
  noLib: true,
  types: [],
  baseUrl: '/',
  paths: { 'qhal-gen': [paths.describeTypes] },
};

function parse(file: string, text: string): Ts.SourceFile {
  // Parent links: a rule's location and the static evaluation walk up from a node.
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
}

/** The toolkit's declarations (and the description lib) as parsed, by file name and text. */
const declarations = new Map<string, Ts.SourceFile>([
  [DESCRIPTION_LIB_FILE, parse(DESCRIPTION_LIB_FILE, DESCRIPTION_LIB)],
]);
let lastProgram: Ts.Program | undefined;

function host(batch: ReadonlyMap<string, Ts.SourceFile>): Ts.CompilerHost {
  const base = ts.createCompilerHost(OPTIONS, true);
  return {
    ...base,
    fileExists: (f) => batch.has(f) || f === DESCRIPTION_LIB_FILE || base.fileExists(f),
    readFile: (f) => batch.get(f)?.text ?? base.readFile(f),
    getSourceFile: (f, _version, onError) => {
      const inBatch = batch.get(f);
      if (inBatch) return inBatch;
      const text = base.readFile(f);
      if (text === undefined) {
        const kept = declarations.get(f);
        if (!kept) onError?.(`cannot read ${f}`);
        return kept;
      }
      const kept = declarations.get(f);
      if (kept?.text === text) return kept;
      const sf = parse(f, text);
      declarations.set(f, sf);
      return sf;
    },
  };
}

/** Type-checks `files` together: one Program and one type checker for the whole batch. */
export function typecheckFiles(files: readonly SourceText[]): CheckedFile[] {
  // The text the caller read (and keyed its cache by), not the file as it may be by now.
  const batch = new Map(files.map(({ file, text }) => [file, parse(file, text)]));
  const program = ts.createProgram({
    rootNames: [DESCRIPTION_LIB_FILE, ...batch.keys()],
    options: OPTIONS,
    host: host(batch),
    ...(lastProgram ? { oldProgram: lastProgram } : {}),
  });
  lastProgram = program;
  const checker = program.getTypeChecker();
  return files.map(({ file }) => {
    const sourceFile = batch.get(file) as Ts.SourceFile;
    const errors = (found: readonly Ts.Diagnostic[]) =>
      found
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => toDiagnostic(file, sourceFile, d))
        .sort((a, b) => a.line - b.line || a.col - b.col);
    return {
      sourceFile,
      checker,
      syntaxErrors: errors(program.getSyntacticDiagnostics(sourceFile)),
      typeErrors: () => errors(program.getSemanticDiagnostics(sourceFile)),
    };
  });
}
