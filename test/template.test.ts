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
