/**
 * The command line as a user meets it: exit codes, start-up error messages,
 * arguments reaching the script, and the refusal to fork without the
 * fork-safety flags.
 */
import { strict as assert } from 'assert';
import * as path from 'path';
import { ROOT, app, killAll, startServer, within } from './helpers/server';

const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

describe('command line', function () {
  afterEach(killAll);

  it('reports a Lua syntax error with file and line and exits 3', async function () {
    const s = startServer([app('syntax-error.lua')]);
    assert.equal(await within(s.exited, 10000, 'exit'), 3);
    assert.match(s.stderr(), /Error while loading ".*syntax-error\.lua": .*syntax-error\.lua:3: unexpected symbol near '='/);
  });

  it('reports a runtime error in the main chunk with a traceback and exits 3', async function () {
    const s = startServer([app('runtime-error.lua')]);
    assert.equal(await within(s.exited, 10000, 'exit'), 3);
    assert.match(s.stderr(), /Error while executing ".*runtime-error\.lua": .*runtime-error\.lua:2: main chunk failed/);
    assert.match(s.stderr(), /stack traceback:/);
  });

  it('exits 3 with "No listener initialized." and passes arguments to the main chunk', async function () {
    const s = startServer([app('no-listener.lua'), 'a', 'b c', '']);
    assert.equal(await within(s.exited, 10000, 'exit'), 3);
    assert.match(s.stderr(), /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+: No listener initialized\.\n/);
    assert.equal(s.stdout(), 'args\t3\ta\tb c\t\n');
  });

  it('takes options after the script name unless "--" comes first (getopt permutation)', async function () {
    const permuted = startServer([app('no-listener.lua'), 'a', '-s', 'b']);
    assert.equal(await within(permuted.exited, 10000, 'exit'), 3);
    assert.equal(permuted.stdout(), 'args\t2\ta\tb\n');
    const literal = startServer(['--', app('no-listener.lua'), 'a', '-s', 'b']);
    assert.equal(await within(literal.exited, 10000, 'exit'), 3);
    assert.equal(literal.stdout(), 'args\t3\ta\t-s\tb\n');
  });

  it('prints the usage and exits 1 on an unknown option or a missing script; 0 for -h', async function () {
    const bad = startServer(['--frobnicate', app('no-listener.lua')]);
    assert.equal(await within(bad.exited, 10000, 'exit'), 1);
    assert.match(bad.stderr(), /Unknown option --frobnicate\nUsage: moonbridge-lua/);
    const none = startServer([]);
    assert.equal(await within(none.exited, 10000, 'exit'), 1);
    assert.match(none.stderr(), /No Lua script given/);
    const help = startServer(['-h']);
    assert.equal(await within(help.exited, 10000, 'exit'), 0);
    assert.match(help.stdout(), /^Usage: moonbridge-lua/);
  });

  it('refuses to fork when node runs without --single-threaded --v8-pool-size=1', async function () {
    const s = startServer([app('http.lua'), '1'], { node: [MAIN] });
    assert.equal(await within(s.exited, 10000, 'exit'), 3);
    assert.match(s.stderr(), /fork\(\) refused: node is running without --single-threaded --v8-pool-size=1/);
  });

  it('runs the launcher with the fork-safety flags in the same process (execv keeps the pid)', async function () {
    const s = startServer([app('print-pid.lua')]);
    assert.equal(await within(s.exited, 10000, 'exit'), 3);
    assert.equal(s.stdout(), `${s.pid}\n`);
  });
});
