/**
 * Finds where a property of the default-exported description literal is written, so a rule
 * broken by a value points at that value's property in the user's file.
 */
import { Node, SyntaxKind, type SourceFile, type ObjectLiteralExpression } from 'ts-morph';

export interface Position {
  line: number;
  col: number;
}

function exportedObject(sf: SourceFile): ObjectLiteralExpression | undefined {
  const assignment = sf.getExportAssignment((e) => !e.isExportEquals());
  let expr: Node | undefined = assignment?.getExpression();
  // Follow `export default defineBoard({...})` and `const b = ...; export default b`.
  for (let hops = 0; expr && hops < 4; hops++) {
    if (Node.isObjectLiteralExpression(expr)) return expr;
    if (Node.isCallExpression(expr)) expr = expr.getArguments()[0];
    else if (Node.isAsExpression(expr) || Node.isSatisfiesExpression(expr))
      expr = expr.getExpression();
    else if (Node.isParenthesizedExpression(expr)) expr = expr.getExpression();
    else if (Node.isIdentifier(expr)) {
      const decl = expr.getSymbol()?.getDeclarations()[0];
      expr = decl && Node.isVariableDeclaration(decl) ? decl.getInitializer() : undefined;
    } else return undefined;
  }
  return undefined;
}

/** Position of the deepest property along `path` that exists (the literal itself if none). */
export function locateProperty(sf: SourceFile, path: readonly string[]): Position {
  const root = exportedObject(sf);
  const assignment = sf.getExportAssignment((e) => !e.isExportEquals());
  let node: Node | undefined = root ?? assignment;
  let obj: ObjectLiteralExpression | undefined = root;
  for (const key of path) {
    const prop = obj
      ?.getProperties()
      .find(
        (p) =>
          (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) &&
          p.getName().replace(/^['"]|['"]$/g, '') === key,
      );
    if (!prop) break;
    node = prop;
    const init = Node.isPropertyAssignment(prop) ? prop.getInitializer() : undefined;
    obj = init?.asKind(SyntaxKind.ObjectLiteralExpression);
  }
  if (!node) return { line: 1, col: 1 };
  const { line, column } = sf.getLineAndColumnAtPos(node.getStart());
  return { line, col: column };
}
