/**
 * The differential corpus (spec/lua-diff/*.lua): every script's stdout under
 * moonbridge-lua equals its stdout under PUC Lua 5.3 (`lua5.3`, installed by
 * .ci/run), byte for byte, and the exit codes correspond.
 */
import { strict as assert } from 'assert';
import * as path from 'path';
import { corpus, describeDifference, expectedCode, lua53Available, runOurs, runPuc } from './helpers/lua-diff';

describe('Lua 5.3 standard library, differential against lua5.3', function () {
  this.timeout(120000);

  before(function () {
    assert.ok(lua53Available(), 'lua5.3 is not installed: the differential corpus needs it (apt-get install lua5.3; .ci/run does this)');
  });

  for (const script of corpus()) {
    it(path.basename(script, '.lua'), async function () {
      const [puc, ours] = await Promise.all([runPuc(script), runOurs(script)]);
      assert.ok(puc.stdout.length > 0, `${path.basename(script)} prints nothing under lua5.3: a corpus script must show its results`);
      assert.ok(puc.stdout.equals(ours.stdout),
        `stdout differs from lua5.3\n${describeDifference(puc.stdout, ours.stdout)}\nmoonbridge-lua stderr:\n${ours.stderr}`);
      assert.equal(ours.code, expectedCode(puc.code, script), `exit code (lua5.3 gave ${puc.code}); stderr:\n${ours.stderr}`);
    });
  }
});
