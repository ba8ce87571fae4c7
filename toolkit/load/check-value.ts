/**
 * Checks an evaluated description against its declared TypeScript type. The type checker
 * cannot see through `as any`, `@ts-ignore` or a property spread in from a constant (no
 * excess-property check there), so the value itself is held to the type: every enum-like
 * string in its union, no unknown key, no missing one.
 */
import { Node, type Type } from './ts-morph.js';
import type { Origins } from './static-eval.js';

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

/** A type as a user reads it: the values of a union spelled out, objects by their keys. */
function typeText(t: Type, at: Node): string {
  if (t.isBoolean()) return 'boolean';
  if (t.isUnion()) {
    return t
      .getUnionTypes()
      .filter((p) => !p.isUndefined())
      .map((p) => typeText(p, at))
      .join(' | ');
  }
  if (t.isStringLiteral()) return `'${String(t.getLiteralValue())}'`;
  if (t.isObject() && !t.isArray() && t.getProperties().length) {
    return `{ ${t
      .getProperties()
      .map((p) => p.getName())
      .join(', ')} }`;
  }
  return t.getText(at);
}

class ValueChecker {
  readonly problems: ValueProblem[] = [];

  constructor(
    private readonly origins: Origins,
    /** Where property types are resolved (the define call). */
    private readonly at: Node,
  ) {}

  private where(container: object, key: string, fallback: Node): Node {
    return this.origins.get(container)?.keys.get(key) ?? fallback;
  }

  private fail(report: boolean, node: Node, message: string): false {
    if (report) this.problems.push({ node, message });
    return false;
  }

  check(v: unknown, t: Type, node: Node, path: string[], report: boolean): boolean {
    const name = path.join('.');
    if (t.isAny() || t.isUnknown()) return true;
    if (t.isUnion()) {
      const parts = t.getUnionTypes();
      if (parts.some((p) => this.check(v, p, node, path, false))) return true;
      // An object that fits no member: say what is wrong inside the one object member.
      const objects = parts.filter((p) => p.isObject() && !p.isArray() && p.getProperties().length);
      if (isPlainObject(v) && objects.length === 1) {
        return this.check(v, objects[0] as Type, node, path, report);
      }
      return this.fail(report, node, `${name} must be ${typeText(t, this.at)}, not ${shown(v)}`);
    }
    if (t.isIntersection()) {
      return t.getIntersectionTypes().every((p) => this.check(v, p, node, path, report));
    }
    let ok: boolean;
    if (t.isStringLiteral() || t.isNumberLiteral()) ok = v === t.getLiteralValue();
    else if (t.isBooleanLiteral()) ok = v === (t.getText() === 'true');
    else if (t.isString()) ok = typeof v === 'string';
    else if (t.isNumber()) ok = typeof v === 'number';
    else if (t.isBoolean()) ok = typeof v === 'boolean';
    else if (t.isUndefined()) ok = v === undefined;
    else if (t.isNull()) ok = v === null;
    else if (t.isArray() || t.isReadonlyArray()) {
      const element = t.getArrayElementType() ?? t.getTypeArguments()[0];
      if (!Array.isArray(v)) ok = false;
      else {
        return v
          .map((e, i) =>
            element
              ? this.check(
                  e,
                  element,
                  this.where(v, String(i), node),
                  [...path.slice(0, -1), `${path.at(-1) ?? ''}[${i}]`],
                  report,
                )
              : true,
          )
          .every(Boolean);
      }
    } else if (t.isObject()) {
      return this.object(v, t, node, path, report);
    } else ok = false;
    return (
      ok || this.fail(report, node, `${name} must be ${typeText(t, this.at)}, not ${shown(v)}`)
    );
  }

  private object(v: unknown, t: Type, node: Node, path: string[], report: boolean): boolean {
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
        if (!p.isOptional()) {
          ok = this.fail(report, node, `${[...path, key].join('.')} is missing`);
        }
        continue;
      }
      const type = p.getTypeAtLocation(this.at);
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
  value: unknown,
  t: Type,
  origins: Origins,
  at: Node,
  root: Node,
): ValueProblem[] {
  const checker = new ValueChecker(origins, at);
  checker.check(value, t, root, [], true);
  return checker.problems;
}
