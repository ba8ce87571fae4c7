/**
 * Type-checks a description file (board or HAL) with ts-morph against the running toolkit's
 * declarations, so `import { defineBoard } from 'qhal-gen'` works from any folder on disk.
 */
import { Project, ts, type SourceFile } from 'ts-morph';
import type { Diagnostic } from './diagnostic.js';
import { paths } from './toolkit-paths.js';

export interface CheckedFile {
  sourceFile: SourceFile;
  diagnostics: Diagnostic[];
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

export function typecheckFile(file: string): CheckedFile {
  const project = new Project({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      types: [],
      baseUrl: '/',
      paths: { 'qhal-gen': [paths.describeTypes] },
    },
    skipAddingFilesFromTsConfig: true,
  });
  const sourceFile = project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  const program = project.getProgram().compilerObject;
  // A syntax error makes the type errors around it noise: report it alone.
  const syntactic = program.getSyntacticDiagnostics(sourceFile.compilerNode);
  const found = syntactic.length
    ? syntactic
    : program.getSemanticDiagnostics(sourceFile.compilerNode);
  const diagnostics = found
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => toDiagnostic(file, sourceFile, d));
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return { sourceFile, diagnostics };
}
