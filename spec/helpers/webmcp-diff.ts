/**
 * Differential checks of the WebMCP C-module replacements: a script in
 * spec/webmcp-diff/ prints what the module's functions return. Its output
 * under moonbridge-lua must equal what lua5.3 printed with WebMCP's own
 * compiled C module, recorded in <script>.expected (made with
 * `node dist/spec/helpers/webmcp-diff.js record <script> <dir of the .so>`).
 * Where LF_SRC holds compiled modules and lua5.3 is installed, the specs
 * also run the oracle live.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAUNCHER, ROOT } from './server';

export const WEBMCP_DIFF = path.join(ROOT, 'spec', 'webmcp-diff');

export interface DiffRun { stdout: string; stderr: string; code: number | null }

function run(argv: string[], script: string, env: NodeJS.ProcessEnv): DiffRun {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'webmcp-diff-'));
  try {
    const r = spawnSync(argv[0], [...argv.slice(1), script], { cwd, env: { ...process.env, ...env }, encoding: 'latin1', timeout: 120000 });
    return { stdout: r.stdout, stderr: r.stderr, code: r.status };
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/** The script's output under moonbridge-lua. */
export function runOurs(script: string, env: NodeJS.ProcessEnv = {}): DiffRun {
  return run([process.execPath, LAUNCHER], script, env);
}

/** The script's output under lua5.3 with the compiled C modules in soDir. */
export function runOracle(script: string, soDir: string, env: NodeJS.ProcessEnv = {}): DiffRun {
  return run(['lua5.3'], script, { ...env, LUA_CPATH: `${soDir}/?.so;;` });
}

/** The recorded oracle output of a script. */
export function expected(script: string): string {
  return fs.readFileSync(script.replace(/\.lua$/, '.expected'), 'latin1');
}

/** The folder in LF_SRC holding the compiled C module `name`.so, or null (no LF_SRC, not compiled, or no lua5.3). */
export function oracleDir(name: string): string | null {
  const src = process.env.LF_SRC;
  if (src === undefined || src === '') return null;
  if (spawnSync('lua5.3', ['-v'], { stdio: 'ignore' }).status !== 0) return null;
  for (const dir of ['lfframework/framework/accelerator', 'lfframework/framework/lib', `lfframework/libraries/${name}`]) {
    if (fs.existsSync(path.join(src, dir, `${name}.so`))) return path.join(src, dir);
  }
  return null;
}

/** The first differing line of two outputs, with context, for a failure message. */
export function firstDifference(want: string, got: string): string {
  const w = want.split('\n');
  const g = got.split('\n');
  for (let i = 0; i < Math.max(w.length, g.length); i++) {
    if (w[i] !== g[i]) {
      const from = Math.max(0, i - 2);
      const show = (lines: string[]): string => lines.slice(from, i + 3).map((l) => `    ${JSON.stringify(l)}`).join('\n');
      return `first difference at line ${i + 1}\n  C module (lua5.3):\n${show(w)}\n  moonbridge-lua:\n${show(g)}`;
    }
  }
  return 'outputs are equal';
}

if (require.main === module) {
  const [verb, script, soDir] = process.argv.slice(2);
  if (verb !== 'record' || script === undefined || soDir === undefined) {
    console.error('usage: node dist/spec/helpers/webmcp-diff.js record <script.lua> <folder of the compiled .so>');
    process.exit(2);
  }
  const r = runOracle(path.resolve(script), path.resolve(soDir));
  if (r.code !== 0) {
    console.error(`lua5.3 exited with ${r.code}:\n${r.stderr}`);
    process.exit(1);
  }
  fs.writeFileSync(path.resolve(script).replace(/\.lua$/, '.expected'), r.stdout, 'latin1');
  console.log(`recorded ${r.stdout.split('\n').length - 1} lines`);
}
