/** The template resolver: conditions, nesting, and errors that point at the template line. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateCondition, resolveTemplate, TemplateError } from '../toolkit/generate/template.js';

const flags = { tls: true, dtls: false, udp: true, psk: false };

test('conditions combine flags with !, &&, || and parentheses', () => {
  assert.equal(evaluateCondition('tls', flags), true);
  assert.equal(evaluateCondition('!tls', flags), false);
  assert.equal(evaluateCondition('tls && dtls', flags), false);
  assert.equal(evaluateCondition('dtls || udp', flags), true);
  assert.equal(evaluateCondition('!(tls && udp) || psk', flags), false);
  assert.equal(evaluateCondition('tls && !dtls && (udp || psk)', flags), true);
});

test('if / elif / else / endif keep exactly one branch, nested', () => {
  const t = [
    'a',
    '//% if dtls',
    'dtls-line',
    '//% elif tls',
    'tls-line',
    '//% if psk',
    'psk-line',
    '//% else',
    'cert-line',
    '//% endif',
    '//% else',
    'plain-line',
    '//% endif',
    'z',
  ].join('\n');
  assert.equal(resolveTemplate(t, flags, 't'), 'a\ntls-line\ncert-line\nz');
  assert.equal(resolveTemplate(t, { ...flags, tls: false }, 't'), 'a\nplain-line\nz');
  assert.equal(resolveTemplate(t, { ...flags, dtls: true }, 't'), 'a\ndtls-line\nz');
});

test('blank lines left by dropped branches are squeezed', () => {
  assert.equal(resolveTemplate('a\n\n//% if dtls\nx\n//% endif\n\nb', flags, 't'), 'a\n\nb');
});

test('mistakes in a template are errors with the template line', () => {
  assert.throws(() => resolveTemplate('//% if tsl\nx\n//% endif', flags, 't.tmpl'), {
    name: 'Error',
    message: "t.tmpl:1: unknown flag 'tsl' in 'tsl'",
  });
  assert.throws(() => resolveTemplate('//% if tls\nx', flags, 't.tmpl'), TemplateError);
  assert.throws(
    () => resolveTemplate('x\n//% endif', flags, 't.tmpl'),
    /t\.tmpl:2: endif without if/,
  );
  assert.throws(() => resolveTemplate('//% iff tls', flags, 't.tmpl'), /unknown directive/);
  assert.throws(() => resolveTemplate('//% if tls &&\n//% endif', flags, 't'), /ends early/);
  // A typo inside a branch that is not taken is still caught.
  assert.throws(() => resolveTemplate('//% if dtls\n//% if tsl\n//% endif\n//% endif', flags, 't'));
});

const fragments: Record<string, string> = {
  'core/a.c.tmpl': 'a1\n//% if tls\n//% include "core/b.c.tmpl"\n//% endif\na2\n',
  'core/b.c.tmpl': 'b1\n//% if udp\nb-udp\n//% endif\n',
  'loop/x.c.tmpl': '//% include "loop/y.c.tmpl"\n',
  'loop/y.c.tmpl': 'y\n//% include "loop/x.c.tmpl"\n',
  'bad/open-if.c.tmpl': '//% if tls\nx\n',
};
const readFragment = { read: (rel: string) => fragments[rel] };

test('include splices a fragment, resolved with the same flags, nested', () => {
  const t = 'top\n//% include "core/a.c.tmpl"\nend';
  assert.equal(resolveTemplate(t, flags, 'top', readFragment), 'top\na1\nb1\nb-udp\na2\nend');
  assert.equal(
    resolveTemplate(t, { ...flags, tls: false }, 'top', readFragment),
    'top\na1\na2\nend',
  );
});

test('an include in a branch that is not taken is never read', () => {
  const seen: string[] = [];
  const t = '//% if dtls\n//% include "missing.c.tmpl"\n//% endif\nok';
  const reader = { read: (rel: string) => (seen.push(rel), fragments[rel]) };
  assert.equal(resolveTemplate(t, flags, 'top', reader), 'ok');
  assert.deepEqual(seen, []);
});

test('a missing fragment, a cycle and an unbalanced fragment name the template line', () => {
  assert.throws(
    () => resolveTemplate('x\n//% include "no/such.c.tmpl"', flags, 'top', readFragment),
    {
      message: 'top:2: cannot include "no/such.c.tmpl": no such file',
    },
  );
  assert.throws(() => resolveTemplate('//% include "loop/x.c.tmpl"', flags, 'top', readFragment), {
    message:
      'loop/y.c.tmpl:2: include cycle top -> loop/x.c.tmpl -> loop/y.c.tmpl -> loop/x.c.tmpl',
  });
  assert.throws(
    () => resolveTemplate('//% include "bad/open-if.c.tmpl"', flags, 'top', readFragment),
    { message: 'bad/open-if.c.tmpl:1: if without endif' },
  );
  // Without a reader, there are no fragments at all.
  assert.throws(() => resolveTemplate('//% include "core/a.c.tmpl"', flags, 't'), /top|t:1/);
});

test('//% stub stands for the enclosing function body the generator writes', () => {
  const t = 'int Qhal_x(int a)\n{\n//% if tls\n    return a;\n//% else\n//% stub\n//% endif\n}';
  const stub = (fn: string) => (fn === 'Qhal_x' ? ['    (void)a;', '    return 0;'] : undefined);
  assert.equal(resolveTemplate(t, flags, 't', { stub }), 'int Qhal_x(int a)\n{\n    return a;\n}');
  assert.equal(
    resolveTemplate(t, { ...flags, tls: false }, 't', { stub }),
    'int Qhal_x(int a)\n{\n    (void)a;\n    return 0;\n}',
  );
  // A function the description has no stub for is an error even where the branch is dropped.
  assert.throws(() => resolveTemplate(t.replace('Qhal_x', 'Qhal_y'), flags, 't', { stub }), {
    message: "t:6: no disabled-feature stub for 'Qhal_y'",
  });
});
