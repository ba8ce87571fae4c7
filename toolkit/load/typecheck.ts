/**
 * Type-checks a description file (board or HAL) with ts-morph against the running toolkit's
 * declarations, so `import { defineBoard } from 'qhal-gen'` works from any folder on disk.
 * One Project serves the HAL description and every board of a run, with only the ES5 lib a
 * description can use (no DOM, no Node types): most of the checker's time was parsing libs.
 */
import { Project, ts, type SourceFile } from 'ts-morph';
import type { Diagnostic } from './diagnostic.js';
import { paths } from './toolkit-paths.js';

export interface CheckedFile {
  sourceFile: SourceFile;
  diagnostics: Diagnostic[];
  /** Drops the file from the shared Project (its nodes are unusable afterwards). */
  release(): void;
}

function toDiagnostic(file: string, sf: SourceFile, d: ts.Diagnostic): Diagnostic {
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
  shared ??= new Project({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      // Promise only so that a stray top-level `await` is reported where it is.
      lib: ['lib.es5.d.ts', 'lib.es2015.promise.d.ts'],
      types: [],
      baseUrl: '/',
      paths: { 'qhal-gen': [paths.describeTypes] },
    },
    skipAddingFilesFromTsConfig: true,
  });
  return shared;
}

export function typecheckFile(file: string): CheckedFile {
  const p = project();
  // The file may have changed since an earlier load in this process: read it afresh.
  const old = p.getSourceFile(file);
  if (old) p.removeSourceFile(old);
  const sourceFile = p.addSourceFileAtPath(file);
  p.resolveSourceFileDependencies();
  const program = p.getProgram().compilerObject;
  // A syntax error makes the type errors around it noise: report it alone.
  const syntactic = program.getSyntacticDiagnostics(sourceFile.compilerNode);
  const found = syntactic.length
    ? syntactic
    : program.getSemanticDiagnostics(sourceFile.compilerNode);
  const diagnostics = found
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => toDiagnostic(file, sourceFile, d));
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return {
    sourceFile,
    diagnostics,
    release: () => {
      if (!sourceFile.wasForgotten()) p.removeSourceFile(sourceFile);
    },
  };
}
