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
import { Node, SyntaxKind, type SourceFile, type CallExpression } from './ts-morph.js';

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
  call: CallExpression;
}

const ALLOWED = 'literals, in-file constants, spreads, arithmetic and template strings';

type Primitive = string | number | boolean | null | undefined;

function isPrimitive(v: unknown): v is Primitive {
  return v === null || (typeof v !== 'object' && typeof v !== 'function');
}

function kindName(node: Node): string {
  if (Node.isCallExpression(node)) return 'a function call';
  if (Node.isAwaitExpression(node)) return 'await';
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return 'a function';
  if (Node.isNewExpression(node)) return "'new'";
  if (Node.isTaggedTemplateExpression(node)) return 'a tagged template';
  if (Node.isObjectLiteralExpression(node)) return 'a plain object';
  // IfStatement → 'if statement'
  return node
    .getKindName()
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

class Evaluator {
  readonly origins: Origins = new WeakMap();
  private readonly consts = new Map<string, Node>();
  /** Local names bound by `import { x as y } from 'qhal-gen'`: local → exported name. */
  private readonly imports = new Map<string, string>();
  private readonly cache = new Map<string, unknown>();
  private readonly active = new Set<string>();

  constructor(
    private readonly sf: SourceFile,
    private readonly what: string,
    private readonly define: string,
  ) {}

  /** Checks every top-level statement is one a description may hold; collects constants. */
  scan(): StaticEvalError[] {
    const errors: StaticEvalError[] = [];
    const fail = (node: Node, message: string) => errors.push(new StaticEvalError(node, message));
    for (const st of this.sf.getStatements()) {
      if (Node.isImportDeclaration(st)) {
        const spec = st.getModuleSpecifierValue();
        if (spec === 'qhal-gen') {
          for (const n of st.getNamedImports()) {
            this.imports.set(n.getAliasNode()?.getText() ?? n.getName(), n.getName());
          }
        } else if (!st.isTypeOnly()) {
          fail(
            st.getModuleSpecifier(),
            `${this.what} files may import only from 'qhal-gen' (found '${spec}')`,
          );
        }
      } else if (Node.isVariableStatement(st)) {
        if (st.getDeclarationKind() !== 'const') {
          fail(
            st,
            `${this.what} files may declare only 'const' values (found '${st.getDeclarationKind()}')`,
          );
          continue;
        }
        for (const d of st.getDeclarations()) {
          const name = d.getNameNode();
          const init = d.getInitializer();
          if (!Node.isIdentifier(name) || !init) {
            fail(d, `${this.what} files may declare only 'const name = value'`);
          } else this.consts.set(name.getText(), init);
        }
      } else if (Node.isExportDeclaration(st)) {
        if (st.getModuleSpecifier()) {
          fail(st, `${this.what} files may not re-export from other modules`);
        }
      } else if (
        !Node.isInterfaceDeclaration(st) &&
        !Node.isTypeAliasDeclaration(st) &&
        !Node.isExportAssignment(st) &&
        !Node.isEmptyStatement(st)
      ) {
        if (Node.isFunctionDeclaration(st) && st.isDefaultExport()) {
          fail(st, `${this.exportRule()} (found a function)`);
          continue;
        }
        const what = Node.isFunctionDeclaration(st) ? 'a function declaration' : kindName(st);
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
  defineCall(node: Node): CallExpression | undefined {
    for (let hops = 0; hops < 16; hops++) {
      if (this.isDefineCall(node)) return node as CallExpression;
      if (
        Node.isParenthesizedExpression(node) ||
        Node.isAsExpression(node) ||
        Node.isSatisfiesExpression(node)
      ) {
        node = node.getExpression();
      } else if (Node.isIdentifier(node) && this.consts.has(node.getText())) {
        node = this.consts.get(node.getText()) as Node;
      } else return undefined;
    }
    return undefined;
  }

  private isDefineCall(node: Node): boolean {
    if (!Node.isCallExpression(node)) return false;
    const callee = node.getExpression();
    return Node.isIdentifier(callee) && this.imports.get(callee.getText()) === this.define;
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
    if (Node.isNumericLiteral(node)) return node.getLiteralValue();
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
      return node.getLiteralValue();
    }
    if (Node.isTrueLiteral(node)) return true;
    if (Node.isFalseLiteral(node)) return false;
    if (Node.isNullLiteral(node)) return null;
    if (Node.isTemplateExpression(node)) {
      let s = node.getHead().getLiteralText();
      for (const span of node.getTemplateSpans()) {
        s += String(this.primitive(span.getExpression())) + span.getLiteral().getLiteralText();
      }
      return s;
    }
    if (
      Node.isParenthesizedExpression(node) ||
      Node.isAsExpression(node) ||
      Node.isSatisfiesExpression(node) ||
      Node.isNonNullExpression(node) ||
      Node.isTypeAssertion(node)
    ) {
      return this.value(node.getExpression());
    }
    if (Node.isIdentifier(node)) {
      const name = node.getText();
      if (name === 'undefined') return undefined;
      const init = this.consts.get(name);
      if (init) return this.constant(name, init);
      throw new StaticEvalError(node, `'${name}' is not a constant declared in this file`);
    }
    if (Node.isObjectLiteralExpression(node)) return this.object(node);
    if (Node.isArrayLiteralExpression(node)) return this.array(node);
    if (Node.isPrefixUnaryExpression(node)) return this.prefix(node);
    if (Node.isBinaryExpression(node)) return this.binary(node);
    if (Node.isConditionalExpression(node)) {
      return this.value(node.getCondition())
        ? this.value(node.getWhenTrue())
        : this.value(node.getWhenFalse());
    }
    if (Node.isPropertyAccessExpression(node)) {
      return this.member(node, this.value(node.getExpression()), node.getName());
    }
    if (Node.isElementAccessExpression(node)) {
      const arg = node.getArgumentExpression();
      if (!arg) throw new StaticEvalError(node, 'missing index');
      return this.member(node, this.value(node.getExpression()), String(this.primitive(arg)));
    }
    if (this.isDefineCall(node)) {
      const args = (node as CallExpression).getArguments();
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

  private propertyKey(name: Node): string {
    if (Node.isIdentifier(name) || Node.isPrivateIdentifier(name)) return name.getText();
    if (Node.isStringLiteral(name) || Node.isNumericLiteral(name)) {
      return String(name.getLiteralValue());
    }
    if (Node.isComputedPropertyName(name)) return String(this.primitive(name.getExpression()));
    throw new StaticEvalError(name, 'unsupported property name');
  }

  private object(node: Node & { getProperties(): Node[] }): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const keys = this.record(obj, node);
    for (const p of node.getProperties()) {
      if (Node.isPropertyAssignment(p)) {
        const key = this.propertyKey(p.getNameNode());
        // Assigning `__proto__` would set the prototype, not a key.
        if (key === '__proto__') throw new StaticEvalError(p, "'__proto__' is not a valid key");
        obj[key] = this.value(p.getInitializerOrThrow());
        keys.set(key, p);
      } else if (Node.isShorthandPropertyAssignment(p)) {
        obj[p.getName()] = this.value(p.getNameNode());
        keys.set(p.getName(), p);
      } else if (Node.isSpreadAssignment(p)) {
        const src = this.value(p.getExpression());
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

  private array(node: Node & { getElements(): Node[] }): unknown[] {
    const arr: unknown[] = [];
    const keys = this.record(arr, node);
    for (const e of node.getElements()) {
      if (Node.isSpreadElement(e)) {
        const src = this.value(e.getExpression());
        if (!Array.isArray(src))
          throw new StaticEvalError(e, 'only an array can be spread into an array');
        const from = this.origins.get(src)?.keys;
        src.forEach((v, i) => {
          keys.set(String(arr.length), from?.get(String(i)) ?? e);
          arr.push(v);
        });
      } else if (Node.isOmittedExpression(e)) {
        throw new StaticEvalError(e, 'holes in arrays are not allowed');
      } else {
        keys.set(String(arr.length), e);
        arr.push(this.value(e));
      }
    }
    return arr;
  }

  private prefix(node: Node & { getOperatorToken(): SyntaxKind; getOperand(): Node }): unknown {
    const op = node.getOperatorToken();
    const operand = node.getOperand();
    if (op === SyntaxKind.ExclamationToken) return !this.value(operand);
    if (op === SyntaxKind.MinusToken) return -this.number(operand);
    if (op === SyntaxKind.PlusToken) return +this.number(operand);
    if (op === SyntaxKind.TildeToken) return ~this.number(operand);
    throw new StaticEvalError(node, `operator ${node.getText().slice(0, 2)} is not allowed here`);
  }

  private binary(
    node: Node & { getLeft(): Node; getRight(): Node; getOperatorToken(): Node },
  ): unknown {
    const op = node.getOperatorToken().getKind();
    const l = node.getLeft();
    const r = node.getRight();
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
    const arith: Partial<Record<SyntaxKind, (a: number, b: number) => number | boolean>> = {
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
        node.getOperatorToken(),
        `operator '${node.getOperatorToken().getText()}' is not allowed in a ${this.what} file (allowed: ${ALLOWED})`,
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
  sf: SourceFile,
  what: string,
  define: string,
): { ok: true; result: StaticExport } | { ok: false; errors: StaticEvalError[] } {
  const ev = new Evaluator(sf, what, define);
  const errors = ev.scan();
  if (errors.length) return { ok: false, errors };
  const assignment = sf.getExportAssignment((e) => !e.isExportEquals());
  if (!assignment) {
    const fn = sf.getFunctions().find((f) => f.isDefaultExport());
    const node = fn ?? sf.getExportAssignment(() => true) ?? sf;
    return {
      ok: false,
      errors: [new StaticEvalError(node, `${what} file has no default export`)],
    };
  }
  const expr = assignment.getExpression();
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
