/**
 * Reads a description file's default export from its syntax tree instead of running it, so a
 * board file can never touch files, processes or the network: it is data, not a program.
 * What is understood: object and array literals, in-file `const`s, spreads, arithmetic,
 * template strings, `as const` and the `defineBoard(...)`/`defineHal(...)` call. Anything else
 * is an error at its place in the file.
 *
 * Every object built here remembers where each of its properties was written (through spreads
 * too), so a rule broken by a value points at that value.
 */
import { syntaxKindName, ts, type Ts } from './typescript.js';

type Node = Ts.Node;
const SyntaxKind = ts.SyntaxKind;

export class StaticEvalError extends Error {
  constructor(
    readonly node: Node,
    message: string,
  ) {
    super(message);
  }
}

/** Where each property of an evaluated object (or element of an array) was written. */
export type Origins = WeakMap<object, { self: Node; keys: Map<string, Node> }>;

export interface StaticExport {
  value: unknown;
  origins: Origins;
  /** The `defineX(...)` call the default export is (its argument's type is the contract). */
  call: Ts.CallExpression;
}

const ALLOWED = 'literals, in-file constants, spreads, arithmetic and template strings';

type Primitive = string | number | boolean | null | undefined;

function isPrimitive(v: unknown): v is Primitive {
  return v === null || (typeof v !== 'object' && typeof v !== 'function');
}

function kindName(node: Node): string {
  if (ts.isCallExpression(node)) return 'a function call';
  if (ts.isAwaitExpression(node)) return 'await';
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return 'a function';
  if (ts.isNewExpression(node)) return "'new'";
  if (ts.isTaggedTemplateExpression(node)) return 'a tagged template';
  if (ts.isObjectLiteralExpression(node)) return 'a plain object';
  // IfStatement → 'if statement'
  return syntaxKindName(node.kind)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function declarationKind(list: Ts.VariableDeclarationList): string {
  const f = list.flags & ts.NodeFlags.BlockScoped;
  if (f === ts.NodeFlags.Const) return 'const';
  if (f === ts.NodeFlags.Let) return 'let';
  if (f === ts.NodeFlags.AwaitUsing) return 'await using';
  if (f === ts.NodeFlags.Using) return 'using';
  return 'var';
}

function hasModifier(node: Ts.Node, kind: Ts.SyntaxKind): boolean {
  return (
    (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === kind)) ?? false
  );
}

/** Local names the file exports as default (`export default f`, `export { f as default }`). */
function defaultExportedNames(sf: Ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st) && !st.isExportEquals && ts.isIdentifier(st.expression)) {
      names.add(st.expression.text);
    } else if (
      ts.isExportDeclaration(st) &&
      !st.moduleSpecifier &&
      st.exportClause &&
      ts.isNamedExports(st.exportClause)
    ) {
      for (const e of st.exportClause.elements) {
        if (e.name.text === 'default') names.add((e.propertyName ?? e.name).text);
      }
    }
  }
  return names;
}

function isDefaultFunction(st: Ts.Statement, defaults: ReadonlySet<string>): boolean {
  if (!ts.isFunctionDeclaration(st)) return false;
  if (hasModifier(st, SyntaxKind.ExportKeyword) && hasModifier(st, SyntaxKind.DefaultKeyword)) {
    return true;
  }
  return st.name !== undefined && defaults.has(st.name.text);
}

class Evaluator {
  readonly origins: Origins = new WeakMap();
  private readonly consts = new Map<string, Node>();
  /** Local names bound by `import { x as y } from 'qhal-gen'`: local → exported name. */
  private readonly imports = new Map<string, string>();
  private readonly cache = new Map<string, unknown>();
  private readonly active = new Set<string>();

  constructor(
    private readonly sf: Ts.SourceFile,
    private readonly what: string,
    private readonly define: string,
  ) {}

  /** Checks every top-level statement is one a description may hold; collects constants. */
  scan(): StaticEvalError[] {
    const errors: StaticEvalError[] = [];
    const fail = (node: Node, message: string) => errors.push(new StaticEvalError(node, message));
    const defaults = defaultExportedNames(this.sf);
    for (const st of this.sf.statements) {
      if (ts.isImportDeclaration(st)) {
        const spec = ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : '';
        const bindings = st.importClause?.namedBindings;
        if (spec === 'qhal-gen') {
          if (bindings && ts.isNamedImports(bindings)) {
            for (const n of bindings.elements) {
              this.imports.set(n.name.text, (n.propertyName ?? n.name).text);
            }
          }
        } else if (!(st.importClause?.isTypeOnly ?? false)) {
          fail(
            st.moduleSpecifier,
            `${this.what} files may import only from 'qhal-gen' (found '${spec}')`,
          );
        }
      } else if (ts.isVariableStatement(st)) {
        const kind = declarationKind(st.declarationList);
        if (kind !== 'const') {
          fail(st, `${this.what} files may declare only 'const' values (found '${kind}')`);
          continue;
        }
        for (const d of st.declarationList.declarations) {
          const name = d.name;
          const init = d.initializer;
          if (!ts.isIdentifier(name) || !init) {
            fail(d, `${this.what} files may declare only 'const name = value'`);
          } else this.consts.set(name.text, init);
        }
      } else if (ts.isExportDeclaration(st)) {
        if (st.moduleSpecifier) {
          fail(st, `${this.what} files may not re-export from other modules`);
        }
      } else if (
        !ts.isInterfaceDeclaration(st) &&
        !ts.isTypeAliasDeclaration(st) &&
        !ts.isExportAssignment(st) &&
        !ts.isEmptyStatement(st)
      ) {
        if (isDefaultFunction(st, defaults)) {
          fail(st, `${this.exportRule()} (found a function)`);
          continue;
        }
        const what = ts.isFunctionDeclaration(st) ? 'a function declaration' : kindName(st);
        fail(
          st,
          `${this.what} files hold only imports from 'qhal-gen', consts, types and the default export (found ${what})`,
        );
      }
    }
    if (!errors.length) {
      // Every constant must be data, even one the export does not use: nothing is skipped.
      for (const name of this.consts.keys()) {
        try {
          this.constant(name, this.consts.get(name) as Node);
        } catch (err) {
          if (err instanceof StaticEvalError) errors.push(err);
          else throw err;
        }
      }
    }
    return errors;
  }

  exportRule(): string {
    return `the default export must be ${this.define}({ ... }) imported from 'qhal-gen'`;
  }

  private constant(name: string, init: Node): unknown {
    if (this.cache.has(name)) return this.cache.get(name);
    if (this.active.has(name)) throw new StaticEvalError(init, `'${name}' refers to itself`);
    this.active.add(name);
    const v = this.value(init);
    this.active.delete(name);
    this.cache.set(name, v);
    return v;
  }

  /** The `defineX(...)` call behind `node`, through parentheses, casts and constants. */
  defineCall(node: Node): Ts.CallExpression | undefined {
    for (let hops = 0; hops < 16; hops++) {
      if (this.isDefineCall(node)) return node;
      if (
        ts.isParenthesizedExpression(node) ||
        ts.isAsExpression(node) ||
        ts.isSatisfiesExpression(node)
      ) {
        node = node.expression;
      } else if (ts.isIdentifier(node) && this.consts.has(node.text)) {
        node = this.consts.get(node.text) as Node;
      } else return undefined;
    }
    return undefined;
  }

  private isDefineCall(node: Node): node is Ts.CallExpression {
    if (!ts.isCallExpression(node)) return false;
    const callee = node.expression;
    return ts.isIdentifier(callee) && this.imports.get(callee.text) === this.define;
  }

  private record(obj: object, self: Node): Map<string, Node> {
    const keys = new Map<string, Node>();
    this.origins.set(obj, { self, keys });
    return keys;
  }

  private primitive(node: Node): Primitive {
    const v = this.value(node);
    if (!isPrimitive(v))
      throw new StaticEvalError(node, 'expected a string, number or boolean here');
    return v;
  }

  private number(node: Node): number {
    const v = this.value(node);
    if (typeof v !== 'number') throw new StaticEvalError(node, 'expected a number here');
    return v;
  }

  value(node: Node): unknown {
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      return node.text;
    }
    if (node.kind === SyntaxKind.TrueKeyword) return true;
    if (node.kind === SyntaxKind.FalseKeyword) return false;
    if (node.kind === SyntaxKind.NullKeyword) return null;
    if (ts.isTemplateExpression(node)) {
      let s = node.head.text;
      for (const span of node.templateSpans) {
        s += String(this.primitive(span.expression)) + span.literal.text;
      }
      return s;
    }
    if (
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node) ||
      ts.isSatisfiesExpression(node) ||
      ts.isNonNullExpression(node) ||
      ts.isTypeAssertionExpression(node)
    ) {
      return this.value(node.expression);
    }
    if (ts.isIdentifier(node)) {
      const name = node.text;
      if (name === 'undefined') return undefined;
      const init = this.consts.get(name);
      if (init) return this.constant(name, init);
      throw new StaticEvalError(node, `'${name}' is not a constant declared in this file`);
    }
    if (ts.isObjectLiteralExpression(node)) return this.object(node);
    if (ts.isArrayLiteralExpression(node)) return this.array(node);
    if (ts.isPrefixUnaryExpression(node)) return this.prefix(node);
    if (ts.isBinaryExpression(node)) return this.binary(node);
    if (ts.isConditionalExpression(node)) {
      return this.value(node.condition) ? this.value(node.whenTrue) : this.value(node.whenFalse);
    }
    if (ts.isPropertyAccessExpression(node)) {
      return this.member(node, this.value(node.expression), node.name.text);
    }
    if (ts.isElementAccessExpression(node)) {
      const arg = node.argumentExpression;
      return this.member(node, this.value(node.expression), String(this.primitive(arg)));
    }
    if (this.isDefineCall(node)) {
      const args = node.arguments;
      if (args.length !== 1) throw new StaticEvalError(node, `${this.define} takes one argument`);
      return this.value(args[0] as Node);
    }
    throw new StaticEvalError(
      node,
      `${kindName(node)} is not allowed in a ${this.what} file: it is read, not run (allowed: ${ALLOWED})`,
    );
  }

  private member(node: Node, target: unknown, key: string): unknown {
    if ((typeof target === 'string' || Array.isArray(target)) && key === 'length') {
      return target.length;
    }
    if (target !== null && typeof target === 'object' && Object.hasOwn(target, key)) {
      return (target as Record<string, unknown>)[key];
    }
    throw new StaticEvalError(node, `'${key}' is not a property of that value`);
  }

  private propertyKey(name: Ts.PropertyName): string {
    if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isStringLiteral(name)) return name.text;
    if (ts.isNumericLiteral(name)) return String(Number(name.text));
    if (ts.isComputedPropertyName(name)) return String(this.primitive(name.expression));
    throw new StaticEvalError(name, 'unsupported property name');
  }

  private object(node: Ts.ObjectLiteralExpression): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const keys = this.record(obj, node);
    for (const p of node.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = this.propertyKey(p.name);
        // Assigning `__proto__` would set the prototype, not a key.
        if (key === '__proto__') throw new StaticEvalError(p, "'__proto__' is not a valid key");
        obj[key] = this.value(p.initializer);
        keys.set(key, p);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        obj[p.name.text] = this.value(p.name);
        keys.set(p.name.text, p);
      } else if (ts.isSpreadAssignment(p)) {
        const src = this.value(p.expression);
        if (src === undefined || src === null) continue;
        if (typeof src !== 'object' || Array.isArray(src)) {
          throw new StaticEvalError(p, 'only an object can be spread into an object');
        }
        const from = this.origins.get(src)?.keys;
        for (const [k, v] of Object.entries(src)) {
          obj[k] = v;
          keys.set(k, from?.get(k) ?? p);
        }
      } else {
        throw new StaticEvalError(
          p,
          `${kindName(p)} is not allowed in a ${this.what} file (allowed: ${ALLOWED})`,
        );
      }
    }
    return obj;
  }

  private array(node: Ts.ArrayLiteralExpression): unknown[] {
    const arr: unknown[] = [];
    const keys = this.record(arr, node);
    for (const e of node.elements) {
      if (ts.isSpreadElement(e)) {
        const src = this.value(e.expression);
        if (!Array.isArray(src))
          throw new StaticEvalError(e, 'only an array can be spread into an array');
        const from = this.origins.get(src)?.keys;
        src.forEach((v, i) => {
          keys.set(String(arr.length), from?.get(String(i)) ?? e);
          arr.push(v);
        });
      } else if (ts.isOmittedExpression(e)) {
        throw new StaticEvalError(e, 'holes in arrays are not allowed');
      } else {
        keys.set(String(arr.length), e);
        arr.push(this.value(e));
      }
    }
    return arr;
  }

  private prefix(node: Ts.PrefixUnaryExpression): unknown {
    const op = node.operator;
    const operand = node.operand;
    if (op === SyntaxKind.ExclamationToken) return !this.value(operand);
    if (op === SyntaxKind.MinusToken) return -this.number(operand);
    if (op === SyntaxKind.PlusToken) return +this.number(operand);
    if (op === SyntaxKind.TildeToken) return ~this.number(operand);
    throw new StaticEvalError(node, `operator ${node.getText().slice(0, 2)} is not allowed here`);
  }

  private binary(node: Ts.BinaryExpression): unknown {
    const op = node.operatorToken.kind;
    const l = node.left;
    const r = node.right;
    switch (op) {
      case SyntaxKind.AmpersandAmpersandToken:
        return this.value(l) && this.value(r);
      case SyntaxKind.BarBarToken:
        return this.value(l) || this.value(r);
      case SyntaxKind.QuestionQuestionToken:
        return this.value(l) ?? this.value(r);
      case SyntaxKind.PlusToken: {
        const a = this.primitive(l);
        const b = this.primitive(r);
        if (typeof a === 'number' && typeof b === 'number') return a + b;
        if (typeof a === 'string' || typeof b === 'string') return String(a) + String(b);
        throw new StaticEvalError(node, "'+' adds numbers or joins strings");
      }
      case SyntaxKind.EqualsEqualsEqualsToken:
        return this.primitive(l) === this.primitive(r);
      case SyntaxKind.ExclamationEqualsEqualsToken:
        return this.primitive(l) !== this.primitive(r);
      default:
        break;
    }
    const arith: Partial<Record<Ts.SyntaxKind, (a: number, b: number) => number | boolean>> = {
      [SyntaxKind.MinusToken]: (a, b) => a - b,
      [SyntaxKind.AsteriskToken]: (a, b) => a * b,
      [SyntaxKind.SlashToken]: (a, b) => a / b,
      [SyntaxKind.PercentToken]: (a, b) => a % b,
      [SyntaxKind.AsteriskAsteriskToken]: (a, b) => a ** b,
      [SyntaxKind.LessThanLessThanToken]: (a, b) => a << b,
      [SyntaxKind.GreaterThanGreaterThanToken]: (a, b) => a >> b,
      [SyntaxKind.GreaterThanGreaterThanGreaterThanToken]: (a, b) => a >>> b,
      [SyntaxKind.AmpersandToken]: (a, b) => a & b,
      [SyntaxKind.BarToken]: (a, b) => a | b,
      [SyntaxKind.CaretToken]: (a, b) => a ^ b,
      [SyntaxKind.LessThanToken]: (a, b) => a < b,
      [SyntaxKind.GreaterThanToken]: (a, b) => a > b,
      [SyntaxKind.LessThanEqualsToken]: (a, b) => a <= b,
      [SyntaxKind.GreaterThanEqualsToken]: (a, b) => a >= b,
    };
    const fn = arith[op];
    if (!fn) {
      throw new StaticEvalError(
        node.operatorToken,
        `operator '${node.operatorToken.getText()}' is not allowed in a ${this.what} file (allowed: ${ALLOWED})`,
      );
    }
    return fn(this.number(l), this.number(r));
  }
}

/**
 * The default export of `sf`, which must be `define(...)` imported from 'qhal-gen'. Returns
 * the errors instead when the file holds anything but data.
 */
export function evaluateStatically(
  sf: Ts.SourceFile,
  what: string,
  define: string,
): { ok: true; result: StaticExport } | { ok: false; errors: StaticEvalError[] } {
  const ev = new Evaluator(sf, what, define);
  const errors = ev.scan();
  if (errors.length) return { ok: false, errors };
  const assignments = sf.statements.filter(ts.isExportAssignment);
  const assignment = assignments.find((e) => !e.isExportEquals);
  if (!assignment) {
    const defaults = defaultExportedNames(sf);
    const fn = sf.statements.find((st) => isDefaultFunction(st, defaults));
    const node = fn ?? assignments[0] ?? sf;
    return {
      ok: false,
      errors: [new StaticEvalError(node, `${what} file has no default export`)],
    };
  }
  const expr = assignment.expression;
  const call = ev.defineCall(expr);
  if (!call) {
    return {
      ok: false,
      errors: [new StaticEvalError(expr, `${ev.exportRule()} (found ${kindName(expr)})`)],
    };
  }
  try {
    return { ok: true, result: { value: ev.value(expr), origins: ev.origins, call } };
  } catch (err) {
    if (err instanceof StaticEvalError) return { ok: false, errors: [err] };
    throw err;
  }
}
