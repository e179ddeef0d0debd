/**
 * Fengari deviations the host fixes, seen from a Lua script.
 */
import { strict as assert } from 'assert';
import * as path from 'path';
import { APPS, ROOT, app, killAll, startServer, within } from './helpers/server';

describe('Lua compatibility', function () {
  afterEach(killAll);

  it('keeps strings that differ only in leading hex zeros apart as table keys (patched Fengari hash)', async function () {
    const s = startServer([app('string-keys.lua')]);
    assert.equal(await within(s.exited, 10000, 'exit'), 3); // no listener
    assert.equal(s.stdout(), 'false\tnil\ta\t2\t2\ncollisions\t0\n');
  });

  it("searches the app's directory and the lua/ folder after PUC's path, and explains C modules", async function () {
    const env = { ...process.env };
    for (const v of ['LUA_PATH', 'LUA_PATH_5_3', 'LUA_CPATH', 'LUA_CPATH_5_3']) delete env[v];
    const s = startServer([app('package-paths.lua')], { env });
    assert.equal(await within(s.exited, 10000, 'exit'), 3); // no listener
    const puc = '/usr/local/share/lua/5.3/?.lua;/usr/local/share/lua/5.3/?/init.lua;' +
      '/usr/local/lib/lua/5.3/?.lua;/usr/local/lib/lua/5.3/?/init.lua;./?.lua;./?/init.lua';
    const lua = path.join(ROOT, 'lua');
    const help = 'C modules cannot be loaded in moonbridge-lua: replace it with a JavaScript ' +
  'or TypeScript module made with defineLuaModule, as a .js file of the same name (see README "Replacing C modules")';
    assert.equal(s.stdout(), [
      `${puc};${APPS}/?.lua;${APPS}/?/init.lua;${lua}/?.lua;${lua}/?/init.lua`,
      '/usr/local/lib/lua/5.3/?.so;/usr/local/lib/lua/5.3/loadall.so;./?.so',
      'module from the app directory',
      `error loading module 'fake_cmodule' from file '${APPS}/fake_cmodule.so':\n\t${help}`,
      `error loading module 'fake_cmodule.sub' from file '${APPS}/fake_cmodule.so':\n\t${help}`,
      '',
    ].join('\n'));
  });
});
