/**
 * native/build.js, the package's "install" script (run by `npm install`, and
 * by npx the first time it links this folder into its cache): a second run is
 * a no-op, a stamp says when the addon is out of date, a build killed while
 * compiling leaves the previous addon in place, and the addon is replaced in
 * one rename. All of it happens in a temporary copy of what a build needs
 * (package.json, binding.gyp, native/, a node_modules symlink), never in this
 * checkout's build/, so the suite cannot break its own checkout.
 *
 * The tests run in order on one copy: the first build happens in before(),
 * the kill test changes a source, the last test builds that change.
 */
import { strict as assert } from 'assert';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, waitFor, within } from './helpers/server';

interface Build {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) and the run's duration. */
  exited: Promise<{ code: number | string; ms: number }>;
}

const started = new Set<ChildProcess>();

/** Starts `node native/build.js args...` in dir, in its own process group. */
function runBuild(dir: string, args: string[] = []): Build {
  const t0 = Date.now();
  const proc = spawn(process.execPath, [path.join(dir, 'native', 'build.js'), ...args], {
    cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | string; ms: number }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code: code ?? signal ?? -1, ms: Date.now() - t0 }));
  });
  // the group outlives its leader when the leader alone dies; killGroups() ends it
  return { proc, output: () => out, exited };
}

/** Processes (pids) whose process group is pgid, from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function killGroups(): void {
  for (const proc of started) {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
}

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Whether a fresh node process can require() the addon and sees its binding. */
function loads(file: string): boolean {
  const r = spawnSync(process.execPath, ['-e', `
    const b = require(${JSON.stringify(file)});
    process.exit(typeof b.constants === 'object' && typeof b.signalPipe === 'function' ? 0 : 2);
  `], { stdio: 'ignore', timeout: 10000 });
  return r.status === 0;
}

/** `node native/build.js --check`: [exit code, output]; killed (group-wide) by killGroups() if it hangs. */
async function check(dir: string): Promise<[number | string, string]> {
  const b = runBuild(dir, ['--check']);
  const { code } = await within(b.exited, 10000, 'build.js --check');
  return [code, b.output()];
}

describe('install script (native/build.js)', function () {
  let dir = '';
  let addon = '';
  let stamp = '';
  let first: { code: number | string; ms: number; output: string };
  const staging = (): string[] => fs.readdirSync(path.join(dir, 'build')).filter((n) => n.startsWith('.staging-'));

  before(async function () {
    this.timeout(180000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moonbridge-install-'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    fs.copyFileSync(path.join(ROOT, 'binding.gyp'), path.join(dir, 'binding.gyp'));
    fs.cpSync(path.join(ROOT, 'native'), path.join(dir, 'native'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    addon = path.join(dir, 'build', 'Release', 'moonbridge.node');
    stamp = path.join(dir, 'build', 'Release', 'moonbridge.stamp.json');
    const b = runBuild(dir);
    const { code, ms } = await within(b.exited, 170000, 'the first build');
    first = { code, ms, output: b.output() };
  });

  after(function () {
    killGroups();
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  afterEach(killGroups);

  it('builds from scratch: a loadable addon, its stamp, no staging folder left behind', async function () {
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /building build\/Release\/moonbridge\.node: no addon built yet/);
    assert.ok(loads(addon), `${addon} does not load`);
    const recorded = JSON.parse(fs.readFileSync(stamp, 'utf8')) as Record<string, unknown>;
    assert.equal(recorded.node, process.version);
    assert.equal(recorded.modules, process.versions.modules);
    assert.equal(recorded.platform, process.platform);
    assert.equal(recorded.arch, process.arch);
    assert.equal(recorded.binary, sha(addon));
    assert.deepEqual(staging(), []);
    assert.equal((await check(dir))[0], 0);
  });

  it('runs a second time as a no-op: exits 0 fast, the addon and the stamp untouched (same inode, mtime, ctime)', async function () {
    const a0 = fs.statSync(addon);
    const s0 = fs.statSync(stamp);
    const text0 = fs.readFileSync(stamp, 'utf8');
    const b = runBuild(dir);
    const { code, ms } = await within(b.exited, 10000, 'the second run');
    assert.equal(code, 0, b.output());
    assert.match(b.output(), /build\/Release\/moonbridge\.node is up to date, nothing to build/);
    assert.doesNotMatch(b.output(), /gyp/);
    assert.ok(ms < 2000, `the no-op took ${ms} ms (the first build took ${first.ms} ms)`);
    const a1 = fs.statSync(addon);
    const s1 = fs.statSync(stamp);
    assert.deepEqual([a1.ino, a1.size, a1.mtimeMs, a1.ctimeMs], [a0.ino, a0.size, a0.mtimeMs, a0.ctimeMs]);
    assert.deepEqual([s1.ino, s1.mtimeMs, s1.ctimeMs], [s0.ino, s0.mtimeMs, s0.ctimeMs]);
    assert.equal(fs.readFileSync(stamp, 'utf8'), text0);
    assert.deepEqual(staging(), []);
  });

  it('takes the addon as out of date when a source, binding.gyp, the node version or the addon file differ', async function () {
    const expectStale = async (what: string, reason: RegExp, change: () => void, undo: () => void): Promise<void> => {
      change();
      try {
        const [code, out] = await check(dir);
        assert.equal(code, 1, `${what}: ${out}`);
        assert.match(out, reason, what);
      } finally {
        undo();
      }
      const [code, out] = await check(dir);
      assert.equal(code, 0, `after undoing ${what}: ${out}`);
    };
    const edit = (file: string, extra: string): [() => void, () => void] => {
      const p = path.join(dir, file);
      const orig = fs.readFileSync(p);
      return [() => fs.appendFileSync(p, extra), () => fs.writeFileSync(p, orig)];
    };
    await expectStale('an edited .cc', /the native sources changed/, ...edit('native/time.cc', '\n// edited\n'));
    await expectStale('an edited .h', /the native sources changed/, ...edit('native/errors.h', '\n'));
    await expectStale('an edited binding.gyp', /the native sources changed/, ...edit('binding.gyp', ' '));
    const extra = path.join(dir, 'native', 'extra.h');
    await expectStale('a new header', /the native sources changed/, () => fs.writeFileSync(extra, '#pragma once\n'), () => fs.rmSync(extra));
    const text = fs.readFileSync(stamp, 'utf8');
    const other = (key: string, value: string): void => {
      fs.writeFileSync(stamp, JSON.stringify({ ...JSON.parse(text), [key]: value }));
    };
    await expectStale('another node', /node changed \(v0\.0\.1 -> v/, () => other('node', 'v0.0.1'), () => fs.writeFileSync(stamp, text));
    await expectStale('another ABI', /modules changed/, () => other('modules', '1'), () => fs.writeFileSync(stamp, text));
    await expectStale('another arch', /arch changed/, () => other('arch', 'pdp11'), () => fs.writeFileSync(stamp, text));
    await expectStale('no stamp', /no build stamp/, () => fs.rmSync(stamp), () => fs.writeFileSync(stamp, text));
    const aside = `${addon}.aside`;
    await expectStale('no addon', /moonbridge\.node is missing/, () => fs.renameSync(addon, aside), () => fs.renameSync(aside, addon));
    const bytes = fs.readFileSync(addon);
    await expectStale('a truncated addon', /is not the file that was built/, () => {
      fs.renameSync(addon, aside);
      fs.writeFileSync(addon, bytes.subarray(0, bytes.length >> 1));
    }, () => fs.renameSync(aside, addon));
  });

  it('leaves the previous addon in place, complete and loadable, when the build is killed (SIGKILL) while compiling', async function () {
    this.timeout(60000);
    // a change that alters the binary, so that the next build makes a new file
    fs.appendFileSync(path.join(dir, 'native', 'locale.cc'),
      `\n__attribute__((used)) static const char spec_marker[] = "21-install ${process.pid} ${Date.now()}";\n`);
    const before = fs.statSync(addon);
    const sum = sha(addon);
    const stampText = fs.readFileSync(stamp, 'utf8');
    const b = runBuild(dir);
    let done = false;
    void b.exited.then(() => { done = true; });
    await waitFor(() => done || /CXX\(target\)/.test(b.output()), 30000, 'the build to start compiling');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!done, `the build ended before it could be killed:\n${b.output()}`);
    assert.equal(staging().length, 1, 'the build compiles in a staging folder');
    process.kill(-b.proc.pid!, 'SIGKILL');
    assert.equal((await within(b.exited, 10000, 'the killed build')).code, 'SIGKILL');
    await waitFor(() => groupMembers(b.proc.pid!).length === 0, 10000, 'the compiler processes to go');
    const after = fs.statSync(addon);
    assert.deepEqual([after.ino, after.size, after.mtimeMs], [before.ino, before.size, before.mtimeMs]);
    assert.equal(sha(addon), sum);
    assert.ok(loads(addon), 'the previous addon no longer loads');
    assert.equal(fs.readFileSync(stamp, 'utf8'), stampText);
    const [code, out] = await check(dir);
    assert.equal(code, 1, out);
    assert.match(out, /the native sources changed/);
  });

  it('then builds the changed source, removes the killed build\'s staging folder, and swaps the addon in with one rename', async function () {
    this.timeout(120000);
    const oldIno = fs.statSync(addon).ino;
    const oldSum = sha(addon);
    const oldStamp = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { sources: string };
    assert.equal(staging().length, 1, 'the killed build left its staging folder');
    // watch the installed file throughout the build: it must always be there, complete
    const seen = new Map<string, number>();
    const failures: string[] = [];
    const poll = setInterval(() => {
      try {
        const s = sha(addon);
        seen.set(s, (seen.get(s) ?? 0) + 1);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }, 15);
    let result: { code: number | string; ms: number };
    const b = runBuild(dir);
    try {
      result = await within(b.exited, 110000, 'the rebuild');
    } finally {
      clearInterval(poll);
    }
    assert.equal(result.code, 0, b.output());
    assert.match(b.output(), /building build\/Release\/moonbridge\.node: the native sources changed/);
    assert.match(b.output(), /built build\/Release\/moonbridge\.node/);
    const newSum = sha(addon);
    assert.notEqual(newSum, oldSum, 'the changed source gave the same binary');
    assert.notEqual(fs.statSync(addon).ino, oldIno, 'the addon was rewritten in place, not renamed over');
    assert.ok(loads(addon), 'the new addon does not load');
    assert.deepEqual(failures, [], 'build/Release/moonbridge.node was missing at times during the build');
    assert.ok((seen.get(oldSum) ?? 0) > 10, `the poller hardly ran: ${JSON.stringify([...seen])}`);
    assert.deepEqual([...seen.keys()].filter((s) => s !== oldSum && s !== newSum), [],
      'build/Release/moonbridge.node was seen neither the old nor the new file (incomplete)');
    const newStamp = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { sources: string; binary: string };
    assert.notEqual(newStamp.sources, oldStamp.sources);
    assert.equal(newStamp.binary, newSum);
    assert.deepEqual(staging(), []);
    assert.equal((await check(dir))[0], 0);
  });
});
