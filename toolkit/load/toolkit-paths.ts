/** Where the running toolkit's own files are, whether run from dist/ or from a package. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file compiles to dist/toolkit/load/toolkit-paths.js: the package root is three up.
const here = path.dirname(fileURLToPath(import.meta.url));
export const PACKAGE_ROOT = path.resolve(here, '..', '..', '..');

export const paths = {
  root: PACKAGE_ROOT,
  /** Declarations a board file's `import ... from 'qhal-gen'` is checked against. */
  describeTypes: path.join(PACKAGE_ROOT, 'dist', 'toolkit', 'describe', 'index.d.ts'),
  /** Module a board file's `qhal-gen` import is bound to when it is evaluated. */
  describeModule: path.join(PACKAGE_ROOT, 'dist', 'toolkit', 'describe', 'index.js'),
  hal: path.join(PACKAGE_ROOT, 'hal', 'qhal_socket.ts'),
  templates: path.join(PACKAGE_ROOT, 'templates'),
  sdkShim: path.join(PACKAGE_ROOT, 'templates', 'common', 'sdk-shim'),
  targets: path.join(PACKAGE_ROOT, 'targets'),
  examples: path.join(PACKAGE_ROOT, 'examples'),
  boards: path.join(PACKAGE_ROOT, 'examples', 'boards'),
};
