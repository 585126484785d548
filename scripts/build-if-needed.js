#!/usr/bin/env node
// `npm start` runs this first: builds with `nest build` when dist/ is missing or older than the sources.
'use strict';
const { statSync, readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const output = join(root, 'dist', 'src', 'main.js');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const inputs = ['src', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json']
  .map((p) => join(root, p))
  .filter(existsSync);
const stale = !existsSync(output) || inputs.some((p) => newestMtime(p) > statSync(output).mtimeMs);
if (stale) {
  console.log('Building (dist/ is missing or older than src/)...');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: root, stdio: 'inherit' });
}
