/**
 * The whole global library a description file is checked against, instead of lib.es5.d.ts:
 * a board is data (see static-eval.ts), so it needs the types the checker itself requires and
 * the ones `as const`, spreads and template strings use. Parsing the full lib was most of
 * `generate`'s time. A method call such as `'a'.concat('b')` is then a type error, as it
 * would be an error when the board is read anyway.
 */
export const DESCRIPTION_LIB_FILE = '/__qhal-gen__/description-lib.d.ts';

export const DESCRIPTION_LIB = `
interface Array<T> { length: number; [n: number]: T; }
interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T; }
interface Boolean {}
interface CallableFunction {}
interface Function {}
interface IArguments {}
interface NewableFunction {}
interface Number {}
interface Object {}
interface RegExp {}
interface String { readonly length: number; }
interface TemplateStringsArray extends ReadonlyArray<string> { readonly raw: readonly string[]; }
interface Promise<T> { then(f: (value: T) => void): void; }
interface PromiseLike<T> { then(f: (value: T) => void): void; }
type Record<K extends keyof any, T> = { [P in K]: T };
type Partial<T> = { [P in keyof T]?: T[P] };
type Readonly<T> = { readonly [P in keyof T]: T[P] };
`;
