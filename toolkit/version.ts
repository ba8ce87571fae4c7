/** The toolkit's version, read once from its package.json (stamped into generated files). */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './load/toolkit-paths.js';

export const TOOL_VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
