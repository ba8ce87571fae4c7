#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled toolkit (dist/), built by `npm install`.
import { main } from '../dist/toolkit/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
