#!/usr/bin/env node
// Builds the native addon with node-gyp, offline: it points node-gyp at the
// headers that ship with the running node (PREFIX/include/node) so that no
// header tarball is downloaded. Run by `npm install` and `npm run build`.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = ['rebuild', '--release'];
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${prefix}`);
  } else {
    console.error(`moonbridge-lua: no node headers under ${prefix}/include/node; node-gyp may try to download them`);
  }
}
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
} catch {
  console.error('moonbridge-lua: node-gyp is not installed (it is a dependency; run `npm install`)');
  process.exit(1);
}
const result = spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status === null ? 1 : result.status);
