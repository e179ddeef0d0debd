/**
 * Differential runs: a Lua script's stdout under moonbridge-lua must equal
 * its stdout under PUC Lua 5.3 (the Debian `lua5.3` binary is the oracle).
 *
 * Each run gets a fresh temporary working directory (scripts may create
 * files) and the corpus's fixtures directory as its first argument (`...`).
 * Directives in the script's leading comment lines:
 *   -- diff-env: NAME=value NAME2=value   extra environment variables
 *   -- diff-stdin: file                   stdin from fixtures/file (else /dev/null)
 *   -- diff-stdin-pipe: file              the same bytes, through a pipe
 *   -- diff-exit: os.exit                 the script ends with os.exit: the exit
 *                                         code is compared as lua5.3 gives it
 *
 * Run as a program for a quick look at differences:
 *   node dist/spec/helpers/lua-diff.js spec/lua-diff/some.lua ...
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAUNCHER, ROOT } from './server';

export const CORPUS = path.join(ROOT, 'spec', 'lua-diff');
export const FIXTURES = path.join(CORPUS, 'fixtures');
export const LUA53 = 'lua5.3';

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  /** Exit code, or the signal name. */
  code: number | string;
}

interface Directives {
  env: Record<string, string>;
  stdin: { file: string; pipe: boolean } | null;
  /** The script ends with os.exit (its code is the process's in both interpreters). */
  osExit: boolean;
}

export function directives(script: string): Directives {
  const result: Directives = { env: {}, stdin: null, osExit: false };
  for (const line of fs.readFileSync(script, 'latin1').split('\n')) {
    if (!line.startsWith('--')) break;
    const m = /^-- diff-(env|stdin|stdin-pipe|exit):\s*(.*?)\s*$/.exec(line);
    if (m === null) continue;
    if (m[1] === 'exit') {
      if (m[2] !== 'os.exit') throw new Error(`${script}: unknown diff-exit value "${m[2]}" (only os.exit)`);
      result.osExit = true;
    } else if (m[1] === 'env') {
      for (const pair of m[2].split(/\s+/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) result.env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    } else {
      result.stdin = { file: path.join(FIXTURES, m[2]), pipe: m[1] === 'stdin-pipe' };
    }
  }
  return result;
}

/** Runs argv (interpreter + script) in a fresh directory with the script's directives; at most timeoutMs. */
export function runScript(argv: string[], script: string, timeoutMs = 60000): Promise<RunResult> {
  const d = directives(script);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'lua-diff-'));
  const stdinFd = d.stdin !== null && !d.stdin.pipe ? fs.openSync(d.stdin.file, 'r') : 'ignore';
  const stdin = d.stdin !== null && d.stdin.pipe ? 'pipe' : stdinFd;
  return new Promise((resolve, reject) => {
    const proc = spawn(argv[0], [...argv.slice(1), script, FIXTURES], {
      cwd, stdio: [stdin, 'pipe', 'pipe'], env: { ...process.env, ...d.env }, detached: true,
    });
    if (typeof stdinFd === 'number') fs.closeSync(stdinFd);
    if (d.stdin !== null && d.stdin.pipe) {
      proc.stdin!.on('error', () => { /* the script may not read it all */ });
      proc.stdin!.end(fs.readFileSync(d.stdin.file));
    }
    const out: Buffer[] = [];
    let err = '';
    proc.stdout!.on('data', (b: Buffer) => out.push(b));
    proc.stderr!.on('data', (b: Buffer) => { err += b.toString('utf8'); });
    const timer = setTimeout(() => {
      try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone: every child ended */ }
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ stdout: Buffer.concat(out), stderr: err, code: code ?? signal ?? -1 });
    });
  });
}

export function lua53Available(): boolean {
  return spawnSync(LUA53, ['-v'], { stdio: 'ignore' }).status === 0;
}

export const runPuc = (script: string): Promise<RunResult> => runScript([LUA53], script);
export const runOurs = (script: string): Promise<RunResult> => runScript([process.execPath, LAUNCHER], script);

/**
 * The exit code moonbridge-lua must give where lua5.3 gave `code`: a script
 * that ends normally has declared no listener, which is Moonbridge's exit 3;
 * one that ends with os.exit (directive `-- diff-exit: os.exit`) exits with
 * os.exit's code under both.
 */
export function expectedCode(code: number | string, script?: string): number | string {
  if (script !== undefined && directives(script).osExit) return code;
  return code === 0 ? 3 : code;
}

/** The corpus scripts, sorted. */
export function corpus(): string[] {
  return fs.readdirSync(CORPUS).filter((f) => f.endsWith('.lua')).sort().map((f) => path.join(CORPUS, f));
}

/** A short line-based diff of two outputs, for failure messages. */
export function describeDifference(expected: Buffer, actual: Buffer): string {
  const e = expected.toString('latin1').split('\n');
  const a = actual.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const from = Math.max(0, i - 2);
      const show = (lines: string[]): string => lines.slice(from, i + 3).map((l) => `    ${JSON.stringify(l)}`).join('\n');
      return `first difference at line ${i + 1}\n  lua5.3:\n${show(e)}\n  moonbridge-lua:\n${show(a)}`;
    }
  }
  return 'outputs are equal';
}

async function main(files: string[]): Promise<void> {
  let failed = 0;
  for (const file of files.length > 0 ? files : corpus()) {
    const script = path.resolve(file);
    const [puc, ours] = await Promise.all([runPuc(script), runOurs(script)]);
    const sameOut = puc.stdout.equals(ours.stdout);
    const sameCode = ours.code === expectedCode(puc.code, script);
    if (sameOut && sameCode) {
      console.log(`PASS ${path.basename(script)}`);
    } else {
      failed++;
      console.log(`FAIL ${path.basename(script)} (exit ${puc.code} -> expected ${expectedCode(puc.code, script)}, got ${ours.code})`);
      if (!sameOut) console.log(describeDifference(puc.stdout, ours.stdout));
      if (!sameCode || !sameOut) console.log(`  moonbridge-lua stderr:\n${ours.stderr.split('\n').slice(-8).join('\n')}`);
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

if (require.main === module) void main(process.argv.slice(2));
