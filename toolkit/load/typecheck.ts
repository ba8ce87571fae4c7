/**
 * Type-checks a description file (board or HAL) with ts-morph against the running toolkit's
 * declarations, so `import { defineBoard } from 'qhal-gen'` works from any folder on disk.
 * One Project serves the HAL description and every board of a run, with the few global types
 * a description uses (description-lib.ts) instead of TypeScript's libs. The files of one
 * batch (every board of a run) share one Program, so one type checker serves them all.
 */
import type { ts as TsTypes } from 'ts-morph';
import { Project, ts, type SourceFile } from './ts-morph.js';
import { DESCRIPTION_LIB, DESCRIPTION_LIB_FILE } from './description-lib.js';
import type { Diagnostic } from './diagnostic.js';
import { paths } from './toolkit-paths.js';

export interface SourceText {
  file: string;
  text: string;
}

export interface CheckedFile {
  sourceFile: SourceFile;
  /** Syntax errors: with any, the type errors around them are noise and are not asked for. */
  syntaxErrors: Diagnostic[];
  typeErrors(): Diagnostic[];
  /** Drops the file from the shared Project (its nodes are unusable afterwards). */
  release(): void;
}

function toDiagnostic(file: string, sf: SourceFile, d: TsTypes.Diagnostic): Diagnostic {
  const start = d.start ?? 0;
  const { line, column } = sf.getLineAndColumnAtPos(start);
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

let shared: Project | undefined;

function project(): Project {
  if (shared) return shared;
  shared = new Project({
    compilerOptions: {
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
    },
    skipAddingFilesFromTsConfig: true,
  });
  shared.createSourceFile(DESCRIPTION_LIB_FILE, DESCRIPTION_LIB);
  return shared;
}

/** Type-checks `files` together: one Program and one type checker for the whole batch. */
export function typecheckFiles(files: readonly SourceText[]): CheckedFile[] {
  const p = project();
  // The text the caller read (and keyed its cache by), not the file as it may be by now.
  const sourceFiles = files.map(({ file, text }) =>
    p.createSourceFile(file, text, { overwrite: true }),
  );
  p.resolveSourceFileDependencies();
  const program = p.getProgram().compilerObject;
  return files.map(({ file }, i) => {
    const sourceFile = sourceFiles[i] as SourceFile;
    const errors = (found: readonly TsTypes.Diagnostic[]) =>
      found
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => toDiagnostic(file, sourceFile, d))
        .sort((a, b) => a.line - b.line || a.col - b.col);
    return {
      sourceFile,
      syntaxErrors: errors(program.getSyntacticDiagnostics(sourceFile.compilerNode)),
      typeErrors: () => errors(program.getSemanticDiagnostics(sourceFile.compilerNode)),
      release: () => {
        if (!sourceFile.wasForgotten()) p.removeSourceFile(sourceFile);
      },
    };
  });
}
