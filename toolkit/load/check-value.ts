/**
 * Checks an evaluated description against its declared TypeScript type. The type checker
 * cannot see through `as any`, `@ts-ignore` or a property spread in from a constant (no
 * excess-property check there), so the value itself is held to the type: every enum-like
 * string in its union, no unknown key, no missing one.
 */
import { ts, type Ts } from './typescript.js';
import type { Origins } from './static-eval.js';

type Node = Ts.Node;

export interface ValueProblem {
  node: Node;
  message: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function shown(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return 'an array';
  if (isPlainObject(v)) return 'an object';
  return String(v);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(
        cur + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length] as number;
}

const has = (t: Ts.Type, flag: Ts.TypeFlags) => (t.flags & flag) === flag;

/** `Array<T>` or `ReadonlyArray<T>`: its element type. */
function arrayElement(checker: Ts.TypeChecker, t: Ts.Type): Ts.Type | undefined {
  const name = t.getSymbol()?.getName();
  if (name !== 'Array' && name !== 'ReadonlyArray') return undefined;
  const args = checker.getTypeArguments(t as Ts.TypeReference);
  return args.length === 1 ? args[0] : undefined;
}

const TYPE_TEXT =
  ts.TypeFormatFlags.UseTypeOfFunction |
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseFullyQualifiedType |
  ts.TypeFormatFlags.WriteTypeArgumentsOfSignature;

class ValueChecker {
  readonly problems: ValueProblem[] = [];

  constructor(
    private readonly checker: Ts.TypeChecker,
    private readonly origins: Origins,
    /** Where property types are resolved (the define call). */
    private readonly at: Node,
  ) {}

  private isObjectWithKeys(t: Ts.Type): boolean {
    return (
      has(t, ts.TypeFlags.Object) &&
      arrayElement(this.checker, t) === undefined &&
      t.getProperties().length > 0
    );
  }

  /** A type as a user reads it: the values of a union spelled out, objects by their keys. */
  private typeText(t: Ts.Type): string {
    if (has(t, ts.TypeFlags.Boolean)) return 'boolean';
    if (t.isUnion()) {
      return t.types
        .filter((p) => !has(p, ts.TypeFlags.Undefined))
        .map((p) => this.typeText(p))
        .join(' | ');
    }
    if (t.isStringLiteral()) return `'${t.value}'`;
    if (this.isObjectWithKeys(t)) {
      return `{ ${t
        .getProperties()
        .map((p) => p.getName())
        .join(', ')} }`;
    }
    return this.checker.typeToString(t, this.at, TYPE_TEXT);
  }

  private where(container: object, key: string, fallback: Node): Node {
    return this.origins.get(container)?.keys.get(key) ?? fallback;
  }

  private fail(report: boolean, node: Node, message: string): false {
    if (report) this.problems.push({ node, message });
    return false;
  }

  check(v: unknown, t: Ts.Type, node: Node, path: string[], report: boolean): boolean {
    const name = path.join('.');
    if (has(t, ts.TypeFlags.Any) || has(t, ts.TypeFlags.Unknown)) return true;
    if (t.isUnion()) {
      const parts = t.types;
      if (parts.some((p) => this.check(v, p, node, path, false))) return true;
      // An object that fits no member: say what is wrong inside the one object member.
      const objects = parts.filter((p) => this.isObjectWithKeys(p));
      if (isPlainObject(v) && objects.length === 1) {
        return this.check(v, objects[0] as Ts.Type, node, path, report);
      }
      return this.fail(report, node, `${name} must be ${this.typeText(t)}, not ${shown(v)}`);
    }
    if (t.isIntersection()) {
      return t.types.every((p) => this.check(v, p, node, path, report));
    }
    let ok: boolean;
    const element = arrayElement(this.checker, t);
    if (t.isStringLiteral() || t.isNumberLiteral()) ok = v === t.value;
    else if (has(t, ts.TypeFlags.BooleanLiteral)) {
      ok = v === (this.checker.typeToString(t) === 'true');
    } else if (has(t, ts.TypeFlags.String)) ok = typeof v === 'string';
    else if (has(t, ts.TypeFlags.Number)) ok = typeof v === 'number';
    else if (has(t, ts.TypeFlags.Boolean)) ok = typeof v === 'boolean';
    else if (has(t, ts.TypeFlags.Undefined)) ok = v === undefined;
    else if (has(t, ts.TypeFlags.Null)) ok = v === null;
    else if (element) {
      if (!Array.isArray(v)) ok = false;
      else {
        return v
          .map((e, i) =>
            this.check(
              e,
              element,
              this.where(v, String(i), node),
              [...path.slice(0, -1), `${path.at(-1) ?? ''}[${i}]`],
              report,
            ),
          )
          .every(Boolean);
      }
    } else if (has(t, ts.TypeFlags.Object)) {
      return this.object(v, t, node, path, report);
    } else ok = false;
    return ok || this.fail(report, node, `${name} must be ${this.typeText(t)}, not ${shown(v)}`);
  }

  private object(v: unknown, t: Ts.Type, node: Node, path: string[], report: boolean): boolean {
    const props = t.getProperties();
    // `{}` (as in `string & {}`) accepts any value but null and undefined.
    if (!props.length) return v !== null && v !== undefined;
    if (!isPlainObject(v)) {
      return this.fail(report, node, `${path.join('.')} must be an object, not ${shown(v)}`);
    }
    let ok = true;
    const known = props.map((p) => p.getName());
    for (const p of props) {
      const key = p.getName();
      if (!Object.hasOwn(v, key)) {
        if ((p.flags & ts.SymbolFlags.Optional) === 0) {
          ok = this.fail(report, node, `${[...path, key].join('.')} is missing`);
        }
        continue;
      }
      const type = this.checker.getTypeOfSymbolAtLocation(p, this.at);
      ok = this.check(v[key], type, this.where(v, key, node), [...path, key], report) && ok;
    }
    for (const key of Object.keys(v)) {
      if (known.includes(key)) continue;
      const near = known.find((k) => editDistance(k, key) <= 2);
      ok = this.fail(
        report,
        this.where(v, key, node),
        `${[...path, key].join('.')} is not a known property${near ? `; did you mean '${near}'?` : ''}`,
      );
    }
    return ok;
  }
}

/** Problems of `value` against type `t` (resolved at `at`), each at the value's place. */
export function checkValueAgainstType(
  checker: Ts.TypeChecker,
  value: unknown,
  t: Ts.Type,
  origins: Origins,
  at: Node,
  root: Node,
): ValueProblem[] {
  const c = new ValueChecker(checker, origins, at);
  c.check(value, t, root, [], true);
  return c.problems;
}
