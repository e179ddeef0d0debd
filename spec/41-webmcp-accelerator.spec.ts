/**
 * WebMCP's webmcp_accelerator (src/webmcp/accelerator.ts): encode.html,
 * slot.put_into, slot.put and ui.tag give, fragment for fragment, what the
 * compiled C module gives under lua5.3 (recorded in
 * spec/webmcp-diff/accelerator.expected, and run live where LF_SRC has the
 * .so), and `require "webmcp_accelerator"` never loads a .so of that name.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WEBMCP_DIFF, expected, firstDifference, oracleDir, runOracle, runOurs } from './helpers/webmcp-diff';
import { runLua } from './helpers/run-lua';

const SCRIPT = path.join(WEBMCP_DIFF, 'accelerator.lua');

describe('WebMCP webmcp_accelerator (TypeScript replacement of the C accelerator)', function () {
  this.timeout(60000);

  it('prints exactly what the C module printed (recorded oracle output)', function () {
    const ours = runOurs(SCRIPT);
    const want = expected(SCRIPT);
    assert.equal(ours.stdout, want, `${firstDifference(want, ours.stdout)}\nstderr:\n${ours.stderr}`);
  });

  it('matches the compiled C module run live under lua5.3 (LF_SRC)', function () {
    const dir = oracleDir('webmcp_accelerator');
    if (dir === null) this.skip(); // needs LF_SRC with a compiled framework/accelerator/webmcp_accelerator.so and lua5.3
    const oracle = runOracle(SCRIPT, dir as string);
    assert.equal(oracle.code, 0, oracle.stderr);
    const ours = runOurs(SCRIPT);
    assert.equal(ours.stdout, oracle.stdout, firstDifference(oracle.stdout, ours.stdout));
  });

  it('is found by require before a webmcp_accelerator.so on package.cpath, which is never opened', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-acc-'));
    try {
      // not a shared object at all: loading it would fail loudly
      fs.writeFileSync(path.join(dir, 'webmcp_accelerator.so'), 'not an ELF file');
      const r = runLua(`
        package.cpath = ${JSON.stringify(dir)} .. "/?.so;" .. package.cpath
        encode, slot, ui = {}, { _data = {} }, {}
        print(require "webmcp_accelerator", encode.html("<&>"))
      `);
      assert.equal(r.stdout.trim(), 'true\t&lt;&amp;&gt;', r.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
