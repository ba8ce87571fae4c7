/**
 * Resolves the `//% if` / `//% elif` / `//% else` / `//% endif` lines of a C template against
 * a board's flags. Conditions use flag names with !, &&, || and parentheses; an unknown flag
 * is an error, so a typo in a template cannot silently drop code.
 *
 * `//% include "core/slots.c.tmpl"` splices in another fragment (path relative to the
 * templates folder), resolved with the same flags. It is read only when its line is kept, so a
 * fragment a board does not use is never opened; a missing fragment or a cycle is an error
 * naming the including template and line.
 *
 * `//% stub` inside a function body stands for that function's disabled-feature body (the
 * generator writes it from the HAL description), so no template spells a stub out by hand.
 */

export class TemplateError extends Error {}

type Token = { kind: 'id'; name: string } | { kind: 'op'; op: string };

function tokenize(expr: string, where: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||!|\(|\)))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw new TemplateError(`${where}: cannot read condition '${expr}'`);
    tokens.push(m[1] ? { kind: 'id', name: m[1] } : { kind: 'op', op: m[2]! });
    pos = re.lastIndex;
  }
  return tokens;
}

/** Recursive descent: or := and ('||' and)*; and := not ('&&' not)*; not := '!' not | atom. */
export function evaluateCondition(
  expr: string,
  flags: Readonly<Record<string, boolean>>,
  where = 'template',
): boolean {
  const tokens = tokenize(expr, where);
  let i = 0;
  const peekOp = (op: string) => {
    const t = tokens[i];
    return t?.kind === 'op' && t.op === op;
  };
  const fail = (msg: string): never => {
    throw new TemplateError(`${where}: ${msg} in '${expr}'`);
  };
  const atom = (): boolean => {
    const t = tokens[i++];
    if (!t) return fail('condition ends early');
    if (t.kind === 'id') {
      if (!(t.name in flags)) return fail(`unknown flag '${t.name}'`);
      return flags[t.name]!;
    }
    if (t.op === '(') {
      const v = or();
      if (!peekOp(')')) fail("missing ')'");
      i++;
      return v;
    }
    return fail(`unexpected '${t.op}'`);
  };
  const not = (): boolean => {
    if (peekOp('!')) {
      i++;
      return !not();
    }
    return atom();
  };
  const and = (): boolean => {
    let v = not();
    while (peekOp('&&')) {
      i++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  function or(): boolean {
    let v = and();
    while (peekOp('||')) {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  }
  const value = or();
  if (i !== tokens.length) fail('trailing tokens');
  return value;
}

interface Frame {
  /** Some branch of this if-chain was already taken. */
  taken: boolean;
  /** Lines of the current branch are kept. */
  active: boolean;
  /** The enclosing frame is active. */
  parentActive: boolean;
  sawElse: boolean;
  line: number;
}

const DIRECTIVE = /^\s*\/\/%\s*(if|elif|else|endif)\b\s*(.*)$/;
const INCLUDE = /^\s*\/\/%\s*include\s+"([^"]+)"\s*$/;
const STUB = /^\s*\/\/%\s*stub\s*$/;
/** A function definition's first line: the name before the first '(' at column 0. */
const FUNCTION_START = /^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\(/;

export interface TemplateHooks {
  /** Reads a fragment by its path relative to the templates folder; undefined: no such file. */
  read?: (relPath: string) => string | undefined;
  /** The body lines of a function's disabled-feature stub; undefined: it has none. */
  stub?: (functionName: string) => string[] | undefined;
}

export function resolveTemplate(
  text: string,
  flags: Readonly<Record<string, boolean>>,
  name: string,
  hooks: TemplateHooks = {},
): string {
  return resolveLines(text, flags, name, hooks, [name])
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}

function resolveLines(
  text: string,
  flags: Readonly<Record<string, boolean>>,
  name: string,
  hooks: TemplateHooks,
  chain: readonly string[],
): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  const lines = text.split('\n');
  let fn = '';
  lines.forEach((line, idx) => {
    const where = `${name}:${idx + 1}`;
    const m = DIRECTIVE.exec(line);
    const active = stack.length === 0 || stack[stack.length - 1]!.active;
    const inc = INCLUDE.exec(line);
    if (inc) {
      if (active) out.push(...includeFragment(inc[1]!, where, flags, hooks, chain));
      return;
    }
    fn = FUNCTION_START.exec(line)?.[1] ?? fn;
    if (STUB.test(line)) {
      const body = hooks.stub?.(fn);
      if (!body) throw new TemplateError(`${where}: no disabled-feature stub for '${fn}'`);
      if (active) out.push(...body);
      return;
    }
    if (!m) {
      if (/^\s*\/\/%/.test(line)) throw new TemplateError(`${where}: unknown directive`);
      if (active) out.push(line);
      return;
    }
    const [, kind, expr = ''] = m;
    const top = stack[stack.length - 1];
    switch (kind) {
      case 'if': {
        const v = active && evaluateCondition(expr, flags, where);
        if (!active) evaluateCondition(expr, flags, where); // still validate flag names
        stack.push({ taken: v, active: v, parentActive: active, sawElse: false, line: idx + 1 });
        break;
      }
      case 'elif': {
        if (!top || top.sawElse) throw new TemplateError(`${where}: elif without if`);
        const v = evaluateCondition(expr, flags, where);
        top.active = top.parentActive && !top.taken && v;
        top.taken ||= top.active;
        break;
      }
      case 'else':
        if (!top || top.sawElse) throw new TemplateError(`${where}: else without if`);
        top.sawElse = true;
        top.active = top.parentActive && !top.taken;
        top.taken = true;
        break;
      case 'endif':
        if (!top) throw new TemplateError(`${where}: endif without if`);
        stack.pop();
        break;
    }
  });
  if (stack.length) {
    throw new TemplateError(`${name}:${stack[stack.length - 1]!.line}: if without endif`);
  }
  // Dropped branches leave gaps (squeezed to one blank line by resolveTemplate).
  return out;
}

function includeFragment(
  rel: string,
  where: string,
  flags: Readonly<Record<string, boolean>>,
  hooks: TemplateHooks,
  chain: readonly string[],
): string[] {
  if (chain.includes(rel)) {
    throw new TemplateError(`${where}: include cycle ${[...chain, rel].join(' -> ')}`);
  }
  const text = hooks.read?.(rel);
  if (text === undefined)
    throw new TemplateError(`${where}: cannot include "${rel}": no such file`);
  // A fragment ends with a newline; its last empty "line" is not a line of the output.
  return resolveLines(text.replace(/\n$/, ''), flags, rel, hooks, [...chain, rel]);
}
