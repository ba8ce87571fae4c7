/**
 * Runs a type-checked description file to get its value. The file is transpiled in memory
 * and imported from a data: URL with its `qhal-gen` import bound to the running toolkit, so
 * nothing is written next to the user's file.
 */
import { pathToFileURL } from 'node:url';
import { ts, type SourceFile } from 'ts-morph';
import type { Diagnostic } from './diagnostic.js';
import { paths } from './toolkit-paths.js';

export type EvaluateResult = { ok: true; value: unknown } | { ok: false; diagnostic: Diagnostic };

function at(file: string, sf: SourceFile, pos: number, message: string): Diagnostic {
  const { line, column } = sf.getLineAndColumnAtPos(pos);
  return { file, line, col: column, message };
}

export async function evaluateDefaultExport(
  file: string,
  sf: SourceFile,
  what: string,
): Promise<EvaluateResult> {
  // A data: URL has no folder, so relative imports cannot resolve: say so where they are.
  for (const decl of sf.getImportDeclarations()) {
    const spec = decl.getModuleSpecifierValue();
    if (spec !== 'qhal-gen' && !decl.isTypeOnly()) {
      return {
        ok: false,
        diagnostic: at(
          file,
          sf,
          decl.getModuleSpecifier().getStart(),
          `${what} files may import only from 'qhal-gen' (found '${spec}')`,
        ),
      };
    }
  }
  if (!sf.getDefaultExportSymbol()) {
    return {
      ok: false,
      diagnostic: { file, line: 1, col: 1, message: `${what} file has no default export` },
    };
  }
  const js = ts.transpileModule(sf.getFullText(), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  }).outputText;
  const describeUrl = pathToFileURL(paths.describeModule).href;
  const bound = js.replace(/(from\s*)(['"])qhal-gen\2/g, `$1'${describeUrl}'`);
  try {
    const mod = (await import(
      `data:text/javascript;base64,${Buffer.from(bound).toString('base64')}`
    )) as { default: unknown };
    return { ok: true, value: mod.default };
  } catch (err) {
    return {
      ok: false,
      diagnostic: {
        file,
        line: 1,
        col: 1,
        message: `${what} file failed to run: ${(err as Error).message}`,
      },
    };
  }
}
