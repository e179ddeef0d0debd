#!/usr/bin/env node
// Builds the native addon build/Release/moonbridge.node with node-gyp. Run by
// `npm install` (the "install" script; npx runs it again the first time it
// links this folder into its cache) and by `npm run build`.
//
// - Offline: node-gyp is pointed at the headers that ship with the running
//   node (PREFIX/include/node), so no header tarball is downloaded.
// - Idempotent: build/Release/moonbridge.stamp.json records what the addon was
//   built from (node version and ABI, platform, arch, node-addon-api version, a
//   hash of binding.gyp and native/*.cc/*.h) and a hash of the .node file
//   itself. When all of that still matches and the addon loads, nothing is
//   built and the script exits 0 at once.
// - Atomic: the sources are copied into build/.staging-<pid>/ and compiled
//   there; only a complete addon that loads is renamed over
//   build/Release/moonbridge.node (rename(2) replaces it in one step), and the
//   stamp is written after it. Interrupting the script at any point leaves the
//   previous addon (or none, on a first build) in place; a staging folder left
//   by a killed build is removed by the next run.
//
//   node native/build.js           build unless up to date
//   node native/build.js --check   exit 0 if up to date, 1 (with the reason) if not
//   node native/build.js --force   build even if up to date
'use strict';
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const STAMP_FORMAT = 1;
const ADDON = 'moonbridge.node';
const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const releaseDir = path.join(buildDir, 'Release');
const addonFile = path.join(releaseDir, ADDON);
const stampFile = path.join(releaseDir, 'moonbridge.stamp.json');

const say = (msg) => console.log(`moonbridge-lua: ${msg}`);
const fail = (msg) => {
  console.error(`moonbridge-lua: ${msg}`);
  process.exit(1);
};

function sha256(...chunks) {
  const h = crypto.createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/**
 * The build inputs: binding.gyp and every *.cc / *.h under native/, as
 * [relative path, contents] pairs in a fixed order.
 */
function readSources() {
  const files = [['binding.gyp', fs.readFileSync(path.join(root, 'binding.gyp'))]];
  for (const name of fs.readdirSync(path.join(root, 'native')).sort()) {
    if (/\.(cc|h)$/.test(name)) files.push([`native/${name}`, fs.readFileSync(path.join(root, 'native', name))]);
  }
  return files;
}

function nodeAddonApiVersion() {
  try {
    return require(require.resolve('node-addon-api/package.json', { paths: [root] })).version;
  } catch {
    return null;
  }
}

/** What the stamp must say for the addon to count as built from the current inputs. */
function expectedStamp(sources) {
  const h = crypto.createHash('sha256');
  for (const [name, data] of sources) {
    h.update(name).update('\0').update(String(data.length)).update('\0').update(data);
  }
  return {
    format: STAMP_FORMAT,
    node: process.version,
    modules: process.versions.modules,
    napi: process.versions.napi,
    platform: process.platform,
    arch: process.arch,
    nodeAddonApi: nodeAddonApiVersion(),
    sources: h.digest('hex'),
  };
}

/** Loads an addon (in this process) and checks that it looks like ours; throws otherwise. */
function loadAddon(file) {
  const addon = require(file);
  if (addon === null || typeof addon !== 'object' || typeof addon.constants !== 'object') {
    throw new Error('it does not export the moonbridge binding');
  }
}

/** null when build/Release/moonbridge.node is up to date and loads, else why not. */
function staleReason(expected) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return fs.existsSync(addonFile) ? 'no build stamp' : 'no addon built yet';
  }
  for (const key of Object.keys(expected)) {
    if (stamp[key] !== expected[key]) {
      return key === 'sources' ? 'the native sources changed' : `${key} changed (${stamp[key]} -> ${expected[key]})`;
    }
  }
  let binary;
  try {
    binary = fs.readFileSync(addonFile);
  } catch {
    return `${path.relative(root, addonFile)} is missing`;
  }
  if (sha256(binary) !== stamp.binary) return `${path.relative(root, addonFile)} is not the file that was built`;
  try {
    loadAddon(addonFile);
  } catch (err) {
    return `${path.relative(root, addonFile)} does not load (${err.message})`;
  }
  return null;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Removes staging folders left by builds that were killed. */
function removeStaleStaging() {
  let entries;
  try {
    entries = fs.readdirSync(buildDir);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = /^\.staging-(\d+)$/.exec(name);
    if (m && (Number(m[1]) === process.pid || !alive(Number(m[1])))) {
      try {
        fs.rmSync(path.join(buildDir, name), { recursive: true, force: true });
      } catch {
        // still being written to by an orphaned compiler; a later run removes it
      }
    }
  }
}

function nodeGypArgs() {
  const args = ['rebuild', '--release'];
  if (!process.env.npm_config_nodedir) {
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
      args.push(`--nodedir=${prefix}`);
    } else {
      console.error(`moonbridge-lua: no node headers under ${prefix}/include/node; node-gyp may try to download them`);
    }
  }
  if (!process.env.npm_config_jobs) {
    const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    args.push(`--jobs=${Math.max(1, Math.min(cpus, 8))}`);
  }
  return args;
}

function writeFileSynced(file, data) {
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncPath(p) {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function build(sources, expected) {
  let gyp;
  try {
    gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  } catch {
    fail('node-gyp is not installed (it is a dependency; run `npm install`)');
  }

  // A snapshot of the inputs: what is compiled is exactly what was hashed.
  const staging = path.join(buildDir, `.staging-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.join(staging, 'native'), { recursive: true });
  for (const [name, data] of sources) fs.writeFileSync(path.join(staging, name), data);

  let child = null;
  let pending = null;
  const cleanUp = () => {
    try {
      fs.rmSync(staging, { recursive: true, force: true });
    } catch {
      // a compiler still writing there; the next run removes it
    }
  };
  // On SIGINT/SIGTERM/SIGHUP: stop node-gyp, remove the staging folder, then
  // die of the same signal. The installed addon is never touched before the
  // build is complete, so this is tidiness, not safety.
  const reRaise = (signal) => {
    cleanUp();
    process.kill(process.pid, signal);
    process.exit(128 + (os.constants.signals[signal] || 0));
  };
  const onSignal = (signal) => {
    pending = signal;
    if (child === null || child.exitCode !== null || child.signalCode !== null) reRaise(signal);
    child.kill(signal);
    setTimeout(() => reRaise(signal), 5000).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, onSignal);

  // node-gyp's build folder is <cwd>/build, so it builds in the staging folder;
  // binding.gyp's require('node-addon-api') resolves up to root/node_modules.
  const code = await new Promise((resolve, reject) => {
    child = spawn(process.execPath, [gyp, ...nodeGypArgs()], { cwd: staging, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c === null ? `signal ${signal}` : c));
  });
  if (pending !== null) reRaise(pending);
  if (code !== 0) {
    cleanUp();
    fail(`node-gyp failed (${typeof code === 'number' ? `exit code ${code}` : code}); ${path.relative(root, addonFile)} was left as it was`);
  }

  const built = path.join(staging, 'build', 'Release', ADDON);
  try {
    loadAddon(built);
  } catch (err) {
    cleanUp();
    fail(`the freshly built addon does not load (${err.message}); ${path.relative(root, addonFile)} was left as it was`);
  }
  const binary = sha256(fs.readFileSync(built));
  fsyncPath(built);

  // Into place: first the addon (one rename), then its stamp (also a rename).
  // A kill between the two leaves a stamp that does not match the addon, so
  // the next run builds again; the addon itself is complete either way.
  fs.mkdirSync(releaseDir, { recursive: true });
  fs.renameSync(built, addonFile);
  const tmpStamp = path.join(staging, 'moonbridge.stamp.json');
  writeFileSynced(tmpStamp, `${JSON.stringify({ ...expected, binary }, null, 2)}\n`);
  fs.renameSync(tmpStamp, stampFile);
  fsyncPath(releaseDir);
  cleanUp();
  say(`built ${path.relative(root, addonFile)}`);
}

async function main() {
  const argv = process.argv.slice(2);
  const unknown = argv.filter((a) => a !== '--check' && a !== '--force');
  if (unknown.length > 0) fail(`unknown argument ${unknown[0]} (usage: node native/build.js [--check | --force])`);
  const check = argv.includes('--check');
  const force = argv.includes('--force');

  const sources = readSources();
  const expected = expectedStamp(sources);
  const reason = staleReason(expected);
  if (check) {
    if (reason === null) say(`${path.relative(root, addonFile)} is up to date`);
    else say(`${path.relative(root, addonFile)} needs a build: ${reason}`);
    process.exit(reason === null ? 0 : 1);
  }
  removeStaleStaging();
  if (reason === null && !force) {
    say(`${path.relative(root, addonFile)} is up to date, nothing to build`);
    process.exit(0);
  }
  say(`building ${path.relative(root, addonFile)}: ${force ? '--force' : reason}`);
  await build(sources, expected);
  process.exit(0);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
