/**
 * Fengari deviations the host fixes, seen from a Lua script.
 */
import { strict as assert } from 'assert';
import { app, killAll, startServer, within } from './helpers/server';

describe('Lua compatibility', function () {
  afterEach(killAll);

  it('keeps strings that differ only in leading hex zeros apart as table keys (patched Fengari hash)', async function () {
    const s = startServer([app('string-keys.lua')]);
    assert.equal(await within(s.exited, 10000, 'exit'), 3); // no listener
    assert.equal(s.stdout(), 'false\tnil\ta\t2\t2\ncollisions\t0\n');
  });
});
