/**
 * The LuaLS annotation files in lua/meta/ (moonbridge.lua, moonbridge_io.lua,
 * moonbridge_http.lua) against the running server and the reference:
 * everything the modules expose at run time is annotated (and annotated
 * where it belongs), what the annotations declare is there at run time
 * (except the reference's functions not implemented yet, PENDING), every
 * function, option, field and signature of the reference is annotated with
 * its return convention, and the files are valid Lua 5.3.
 *
 * lua/ is on the server's package.path (for lua/warmup.lua and the like), so
 * the meta files live in lua/meta/: require "moonbridge_io" and
 * require "moonbridge_http" still give the real modules, and
 * require "moonbridge" fails with "module 'moonbridge' not found", as in
 * Moonbridge, which has no such module.
 *
 * The reference is read from ../shared/spec/reference-2018.txt beside the
 * repository, or from $MOONBRIDGE_REFERENCE; without it that test is skipped.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { lauxlib, to_luastring, to_jsstring, lua } from 'fengari';
import {
  ROOT, app, completeResponses, exchange, freePort, killAll, startServer, waitFor, waitUntilServing,
  type RunningServer,
} from './helpers/server';

const LUA_DIR = path.join(ROOT, 'lua');
const META_DIR = path.join(LUA_DIR, 'meta');
const FILES = ['moonbridge.lua', 'moonbridge_http.lua', 'moonbridge_io.lua'];
/** Module names of Moonbridge's API: none may be a file on package.path. */
const MODULE_NAMES = ['moonbridge', 'moonbridge_io', 'moonbridge_http'];
const REFERENCE = process.env.MOONBRIDGE_REFERENCE ?? path.join(ROOT, '..', 'shared', 'spec', 'reference-2018.txt');

/** Globals of a plain Lua 5.3 state (the standalone interpreter's arg, and bit32 of LUA_COMPAT_5_2, included). */
const LUA53_GLOBALS = new Set([
  '_G', '_VERSION', 'arg', 'assert', 'bit32', 'collectgarbage', 'coroutine', 'debug', 'dofile', 'error',
  'getmetatable', 'io', 'ipairs', 'load', 'loadfile', 'math', 'next', 'os', 'package', 'pairs', 'pcall',
  'print', 'rawequal', 'rawget', 'rawlen', 'rawset', 'require', 'select', 'setmetatable', 'string', 'table',
  'tonumber', 'tostring', 'type', 'utf8', 'xpcall',
]);

/**
 * Annotated members that may be missing at run time: the reference's
 * functions still being implemented (in their own issues), and the method
 * and metatables of listeners and children that come with them.
 */
const PENDING: Record<string, Set<string>> = {
  moonbridge_io: new Set([]),
  'moonbridge_http.request': new Set(['stream_post_param', 'stream_post_params']),
};

type Kind = 'field' | 'method';

/** What the annotations say about one function: its parameters (from the definition) and ---@return / ---@overload lines. */
interface Signature {
  params: string[];
  /** The type of each ---@return, in order. */
  returns: string[];
  /** The text after each ---@overload. */
  overloads: string[];
  where: string;
}

interface Annotations {
  /** Class name to its members (---@field, function v:name / v.name, v.name = ...). */
  classes: Map<string, Map<string, Kind>>;
  /** "class.member" (or "_G.name" for globals) to its signature. */
  functions: Map<string, Signature>;
  /** Globals assigned or defined at the top level. */
  globals: Set<string>;
  /** Every word of the files: the candidate names probed at run time. */
  words: Set<string>;
}

/**
 * Reads LuaLS meta files with a few regexes: a `---@class` block collects
 * `---@field`s and is bound to the table on the next code line
 * (`local v = {}` or the global `v = {}`); `function v:m(`, `function v.m(`
 * and `v.m = ` then add to that class.
 */
function parseAnnotations(files: string[]): Annotations {
  const classes = new Map<string, Map<string, Kind>>();
  const functions = new Map<string, Signature>();
  const globals = new Set<string>();
  const words = new Set<string>();
  for (const file of files) {
    const vars = new Map<string, string>();
    let current: string | null = null;
    let returns: string[] = [];
    let overloads: string[] = [];
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const where = `${path.basename(file)}:${i + 1}`;
      for (const w of line.match(/[A-Za-z_]\w*/g) ?? []) words.add(w);
      let m: RegExpExecArray | null;
      const fn = /^function ([\w.:]+)\(([^)]*)\)/.exec(line);
      if (fn !== null) {
        const parts = fn[1].split(/[.:]/);
        const owner = parts.length === 1 ? '_G' : vars.get(parts[0]) ?? parts[0];
        const params = fn[2].split(',').map((p) => p.trim()).filter((p) => p !== '');
        functions.set(`${owner}.${parts[parts.length - 1]}`, { params, returns, overloads, where });
      }
      if (!line.startsWith('---')) {
        returns = [];
        overloads = [];
      } else if ((m = /^---@return (\S+)/.exec(line)) !== null) {
        returns.push(m[1]);
      } else if ((m = /^---@overload (.*)$/.exec(line)) !== null) {
        overloads.push(m[1]);
      }
      if ((m = /^---@class ([\w.]+)/.exec(line)) !== null) {
        current = m[1];
        if (!classes.has(current)) classes.set(current, new Map());
      } else if ((m = /^---@field (\w+)/.exec(line)) !== null) {
        assert.ok(current !== null, `${where}: ---@field outside a ---@class block`);
        classes.get(current)!.set(m[1], 'field');
      } else if (line.startsWith('--') || line.trim() === '') {
        // other annotations and comments
      } else if ((m = /^(local )?(\w+) = /.exec(line)) !== null) {
        if (current !== null) vars.set(m[2], current);
        if (m[1] === undefined) globals.add(m[2]);
        current = null;
      } else if ((m = /^function (\w+)([.:])(\w+)\(/.exec(line)) !== null || (m = /^(\w+)(\.)(\w+) = /.exec(line)) !== null) {
        const cls = vars.get(m[1]);
        assert.ok(cls !== undefined, `${where}: ${m[1]} is not bound to a ---@class`);
        classes.get(cls)!.set(m[3], line.startsWith('function') ? 'method' : 'field');
        current = null;
      } else if ((m = /^function (\w+)\(/.exec(line)) !== null) {
        globals.add(m[1]);
        current = null;
      } else {
        current = null;
      }
    });
  }
  return { classes, functions, globals, words };
}

/** Members of an annotated class (it must exist). */
function members(a: Annotations, cls: string): Map<string, Kind> {
  const m = a.classes.get(cls);
  assert.ok(m !== undefined, `no ---@class ${cls} in the annotation files`);
  return m;
}

function sorted(s: Iterable<string>): string[] {
  return [...s].sort();
}

/** Report lines "section name type", grouped: section -> name -> type. */
type Report = Map<string, Map<string, string>>;

function parseReport(body: string): Report {
  const r: Report = new Map();
  for (const line of body.split('\n')) {
    const [section, name, type] = line.split(' ');
    if (name === undefined) continue;
    if (!r.has(section)) r.set(section, new Map());
    r.get(section)!.set(name, type ?? '');
  }
  return r;
}

function section(r: Report, name: string): Map<string, string> {
  return r.get(name) ?? new Map();
}

/** Names of a probed section whose value is not nil (and did not raise). */
function answered(r: Report, name: string): Map<string, string> {
  return new Map([...section(r, name)].filter(([, t]) => t !== 'nil' && t !== 'error'));
}

/** Asserts every name is annotated in cls. */
function assertAnnotated(names: Iterable<string>, a: Annotations, cls: string, what: string): void {
  const m = members(a, cls);
  const missing = sorted([...names].filter((n) => !m.has(n)));
  assert.deepEqual(missing, [], `${what} not annotated in ---@class ${cls}: ${missing.join(', ')}`);
}

/** Asserts every member of cls (but the pending ones) is among names. */
function assertImplemented(names: Set<string>, a: Annotations, cls: string, what: string, except: Set<string> = new Set()): void {
  const absent = sorted([...members(a, cls).keys()].filter((n) => !names.has(n) && !except.has(n) && !(PENDING[cls]?.has(n) ?? false)));
  assert.deepEqual(absent, [], `annotated in ---@class ${cls} but ${what}: ${absent.join(', ')}`);
}

async function get(port: number, target: string, host = '127.0.0.1'): Promise<string> {
  const r = await exchange(port, `GET ${target} HTTP/1.1\r\nHost: test\r\n\r\n`, {
    host, timeout: 10000, done: (d) => completeResponses(d) === 1,
  });
  assert.match(r.data, /^HTTP\/1\.1 200 OK\r\n/, `GET ${target}: ${r.data.slice(0, 300)}`);
  return r.data.slice(r.data.indexOf('\r\n\r\n') + 4);
}

/** Percent-decodes a report value (introspect.lua's encode). */
function decoded(r: Report, sectionName: string, name: string): string {
  const v = section(r, sectionName).get(name);
  assert.ok(v !== undefined, `report has ${sectionName} ${name}`);
  return decodeURIComponent(v);
}

describe('LuaLS annotations (lua/meta/*.lua)', function () {
  const files = FILES.map((f) => path.join(META_DIR, f));
  let a: Annotations;
  let server: RunningServer;
  let port: number;
  let report: Report;
  let report6: Report;
  let names: string;

  before(async function () {
    a = parseAnnotations(files);
    names = sorted(a.words).join(',');
    port = await freePort();
    server = startServer([app('introspect.lua'), String(port)]);
    try {
      await waitUntilServing(port);
    } catch (err) {
      // e.g. "No listener initialized." if require "moonbridge" ran an annotation file (its listen does nothing)
      throw new Error(`introspect.lua did not start: ${(err as Error).message}\n${server.stderr()}`);
    }
    report = parseReport(await get(port, `/report?names=${names}`));
    report6 = parseReport(await get(port, `/report?names=${names}`, '::1'));
  });
  after(killAll);

  it('live in lua/meta/, and no file in lua/ is named like a Moonbridge module', function () {
    assert.deepEqual(fs.readdirSync(META_DIR).sort(), FILES, 'lua/meta/ holds the annotation files (and only those)');
    for (const name of MODULE_NAMES) {
      for (const candidate of [`${name}.lua`, path.join(name, 'init.lua')]) {
        assert.ok(!fs.existsSync(path.join(LUA_DIR, candidate)), `lua/${candidate} would be found by require "${name}"`);
      }
    }
  });

  for (const where of ['main', 'worker']) {
    it(`leave require of the real modules alone and require "moonbridge" not found (${where === 'main' ? 'main chunk' : 'handler'})`, function () {
      const sec = `require-${where}`;
      const r = section(report, sec);
      const want: Record<string, string> = {
        'moonbridge_io.ok': 'true', 'moonbridge_io.is_global': 'true', 'moonbridge_io.poll_is_C': 'true',
        'moonbridge_http.ok': 'true', 'moonbridge_http.generate_handler_is_C': 'true',
        'moonbridge.ok': 'false', 'moonbridge.loaded': 'false', globals_kept: 'true',
      };
      for (const [k, v] of Object.entries(want)) assert.equal(r.get(k), v, `${sec} ${k}`);
      const luaDir = fs.realpathSync(LUA_DIR);
      assert.ok(decoded(report, sec, 'package.path').split(';').includes(`${luaDir}/?.lua`), `${luaDir}/?.lua is on package.path`);
      for (const name of MODULE_NAMES) assert.equal(decoded(report, sec, `${name}.searchpath`), 'none', `no file for "${name}" on package.path`);
      // Moonbridge's message: PUC's require, with every searcher's line
      const message = decoded(report, sec, 'moonbridge.message');
      assert.match(message, /^module 'moonbridge' not found:\n\tno field package\.preload\['moonbridge'\]\n/, message);
      assert.ok(message.includes(`\n\tno file '${luaDir}/moonbridge.lua'`), `searched lua/: ${message}`);
    });
  }

  it('are Lua 5.3 chunks lua5.3 can load (syntax only)', function () {
    if (spawnSync('lua5.3', ['-v'], { stdio: 'ignore' }).status !== 0) this.skip();
    for (const file of files) {
      const r = spawnSync('lua5.3', ['-', file], { input: 'assert(loadfile(arg[1]))', encoding: 'utf8', timeout: 10000 });
      assert.equal(r.status, 0, `lua5.3 cannot load ${file}: ${r.stderr}`);
    }
  });

  it('are chunks Fengari (the server\'s VM) can load, meta files returning their module', function () {
    const L = lauxlib.luaL_newstate();
    try {
      for (const file of files) {
        const text = fs.readFileSync(file);
        const status = lauxlib.luaL_loadbuffer(L, text, text.length, to_luastring(`@${file}`)) as number;
        assert.equal(status, lua.LUA_OK, `fengari cannot load ${file}: ${status === lua.LUA_OK ? '' : to_jsstring(lua.lua_tostring(L, -1))}`);
        lua.lua_pop(L, 1);
        const src = text.toString('utf8');
        assert.match(src, /^---@meta\b/, `${file} starts with ---@meta`);
        const module = path.basename(file, '.lua');
        if (module === 'moonbridge') {
          // globals only: "---@meta _" makes LuaLS refuse require "moonbridge", as the server does
          assert.match(src, /^---@meta _\n/, `${file} starts with ---@meta _`);
          assert.doesNotMatch(src, /\nreturn\b/, `${file} returns nothing`);
        } else {
          assert.match(src, new RegExp(`^---@meta ${module}\\n`), `${file} starts with ---@meta ${module}`);
          assert.match(src, new RegExp(`\\nreturn ${module}\\n$`), `${file} ends with return ${module}`);
        }
      }
    } finally {
      lua.lua_close(L);
    }
  });

  it('declare every global the server adds to Lua 5.3\'s, and only those', function () {
    const runtime = new Set([...section(report, 'global').keys()].filter((g) => !LUA53_GLOBALS.has(g)));
    for (const g of ['listen', 'timeout', '_MOONBRIDGE_VERSION', 'moonbridge_io']) assert.ok(runtime.has(g), `global ${g} at run time`);
    const undeclared = sorted([...runtime].filter((g) => !a.globals.has(g)));
    assert.deepEqual(undeclared, [], `globals not annotated: ${undeclared.join(', ')}`);
    const absent = sorted([...a.globals].filter((g) => !runtime.has(g)));
    assert.deepEqual(absent, [], `annotated globals missing at run time: ${absent.join(', ')}`);
    assert.equal(section(report, 'global').get('listen'), 'function');
    assert.equal(section(report, 'global').get('timeout'), 'function');
  });

  it('declare every function and field of moonbridge_io', function () {
    const io = section(report, 'io');
    for (const n of ['poll', 'getpid', 'timeref', 'catch_sigterm', 'stdin', 'stdout', 'stderr', 'handle_pt', 'handle_mt']) {
      assert.ok(io.has(n), `moonbridge_io.${n} at run time`);
    }
    assertAnnotated(io.keys(), a, 'moonbridge_io', 'moonbridge_io members');
    assertImplemented(new Set(io.keys()), a, 'moonbridge_io', 'missing at run time');
    const m = members(a, 'moonbridge_io');
    for (const [n, t] of io) {
      assert.equal(m.get(n), t === 'function' ? 'method' : 'field', `moonbridge_io.${n} (a ${t}) annotated as ${m.get(n)}`);
    }
  });

  it('declare every handle method (handle_pt) as a method of moonbridge_io.handle', function () {
    const pt = section(report, 'handle_pt');
    assert.ok(pt.size >= 19, `handle_pt has the handle methods (${pt.size})`);
    assertAnnotated(pt.keys(), a, 'moonbridge_io.handle', 'handle_pt methods');
    const methods = new Set([...members(a, 'moonbridge_io.handle')].filter(([, k]) => k === 'method').map(([n]) => n));
    const absent = sorted([...methods].filter((n) => !pt.has(n)));
    assert.deepEqual(absent, [], `annotated handle methods missing in handle_pt: ${absent.join(', ')}`);
  });

  it('declare every name a socket answers (over IPv4 and IPv6), the address fields included', function () {
    const v4 = answered(report, 'socket');
    const v6 = answered(report6, 'socket');
    for (const n of ['local_ip4', 'remote_ip4', 'local_tcpport', 'remote_tcpport']) assert.ok(v4.has(n), `socket.${n} over IPv4`);
    for (const n of ['local_ip6', 'remote_ip6', 'local_tcpport', 'remote_tcpport']) assert.ok(v6.has(n), `socket.${n} over IPv6`);
    assertAnnotated([...v4.keys(), ...v6.keys()], a, 'moonbridge_io.handle', 'socket members');
    // interval is set on the argument of interval handlers, which is not a socket (see below)
    assertImplemented(new Set([...v4.keys(), ...v6.keys()]), a, 'moonbridge_io.handle', 'not answered by a socket', new Set(['interval']));
  });

  it('declare every function of moonbridge_http', function () {
    const mod = section(report, 'http');
    assert.ok(mod.has('generate_handler'), 'generate_handler at run time');
    assertAnnotated(mod.keys(), a, 'moonbridge_http', 'moonbridge_http functions');
    assertImplemented(new Set(mod.keys()), a, 'moonbridge_http', 'missing at run time');
  });

  it('declare every field and method a request answers, as field or method', function () {
    const raw = section(report, 'request-raw');
    const probed = answered(report, 'request');
    assert.ok(raw.has('method') && raw.has('socket'), 'request table has method and socket');
    assert.ok(probed.has('send_status') && probed.has('headers'), 'request answers send_status and headers');
    assertAnnotated([...raw.keys(), ...probed.keys()], a, 'moonbridge_http.request', 'request members');
    assertImplemented(new Set([...raw.keys(), ...probed.keys()]), a, 'moonbridge_http.request', 'not answered by a request');
    const m = members(a, 'moonbridge_http.request');
    for (const [n, t] of [...raw, ...probed]) {
      assert.equal(m.get(n), t === 'function' ? 'method' : 'field', `request.${n} (a ${t}) annotated as ${m.get(n)}`);
    }
    const errors = sorted([...section(report, 'request')].filter(([, t]) => t === 'error').map(([n]) => n));
    assert.deepEqual(errors, [], `probing request fields raised: ${errors.join(', ')}`);
  });

  it('declare the fields of the argument of interval and main handlers', async function () {
    const keys = (): string[] => [...server.stderr().matchAll(/introspect scheduled (\w+) \w+/g)].map((m) => m[1]);
    await waitFor(() => keys().length > 0, 10000, 'an interval run');
    await waitFor(() => keys().includes('main'), 10000, 'the main run');
    const seen = new Set(keys());
    assert.ok(seen.has('interval'));
    assertAnnotated(seen, a, 'moonbridge.scheduled', 'fields of the interval and main handler argument');
    assertImplemented(seen, a, 'moonbridge.scheduled', 'not set for interval or main handlers');
  });

  it('declare the members of listener and child objects (where tcplisten and exec exist)', async function () {
    const io = section(report, 'io');
    if (!io.has('tcplisten') && !io.has('exec')) this.skip();
    const outPort = await freePort();
    const out = parseReport(await get(port, `/outward?names=${names}&port=${outPort}`));
    for (const [fn, cls, obj] of [['tcplisten', 'moonbridge_io.listener', 'listener'], ['exec', 'moonbridge_io.child', 'child']]) {
      if (!io.has(fn)) continue;
      assert.ok(!out.has(`${obj}-error`), `${fn}(...) failed: ${[...section(out, `${obj}-error`).keys()].join(' ')}`);
      const seen = new Set([...section(out, `${obj}-raw`).keys(), ...section(out, `${obj}-index`).keys(), ...answered(out, obj).keys()]);
      assertAnnotated(seen, a, cls, `${obj} members`);
      assertImplemented(seen, a, cls, `not answered by a ${obj}`);
    }
  });

  it('declare every function, method, field and option of the reference', function () {
    if (!fs.existsSync(REFERENCE)) this.skip();
    const ref = fs.readFileSync(REFERENCE, 'utf8');
    const want: Array<[string, string]> = [];
    for (const m of ref.matchAll(/^### (moonbridge_io|socket|request)[.:](\w+)/gm)) {
      const cls = { moonbridge_io: 'moonbridge_io', socket: 'moonbridge_io.handle', request: 'moonbridge_http.request' }[m[1]]!;
      want.push([cls, m[2]]);
    }
    const exec = /### moonbridge_io\.exec[\s\S]*?\n### /.exec(ref)![0];
    for (const m of exec.matchAll(/^- :(\w+)\(/gm)) want.push(['moonbridge_io.child', m[1]]);
    for (const m of exec.matchAll(/"(stdin|stdout|stderr)"/g)) want.push(['moonbridge_io.child', m[1]]);
    for (const m of ref.matchAll(/methods :(\w+)\(\), :(\w+)\(\), and :(\w+)\(\)/g)) {
      for (const n of m.slice(1)) want.push(['moonbridge_io.listener', n]);
    }
    const http = /HTTP module\n-+\n[\s\S]*?\n### /.exec(ref)![0];
    for (const m of http.matchAll(/^- (\w+):/gm)) want.push(['moonbridge_http.options', m[1]]);
    want.push(['moonbridge_http', 'generate_handler'], ['_G', 'listen'], ['_G', 'timeout']);
    assert.ok(want.length > 60, `read ${want.length} names from the reference`);
    const missing = want.filter(([cls, n]) => (cls === '_G' ? !a.globals.has(n) : !members(a, cls).has(n))).map(([c, n]) => `${c}.${n}`);
    assert.deepEqual(missing, [], `reference items not annotated: ${missing.join(', ')}`);
  });

  it('give the reference\'s functions its parameters and return conventions', function () {
    if (!fs.existsSync(REFERENCE)) this.skip();
    const ref = fs.readFileSync(REFERENCE, 'utf8');
    const cls: Record<string, string> = { moonbridge_io: 'moonbridge_io', socket: 'moonbridge_io.handle', request: 'moonbridge_http.request' };
    const sig = (name: string): Signature => {
      const s = a.functions.get(name);
      assert.ok(s !== undefined, `no function definition for ${name}`);
      return s;
    };
    const types = (t: string | undefined): string[] => (t ?? '').replace(/\?$/, '|nil').split('|');
    const problems: string[] = [];
    let checked = 0;
    // sections end at the next heading or at a chapter break (two blank lines)
    for (const text of ref.split(/^(?=### )/m).map((t) => t.split('\n\n\n')[0])) {
      const m = /^### (moonbridge_io|socket|request)[.:](\w+)\(([^)]*)\)/.exec(text);
      if (m === null) continue;
      const name = `${cls[m[1]]}.${m[2]}`;
      const s = sig(name);
      const body = text.replace(/\s+/g, ' ');
      checked++;
      // "exec(command, arg1, arg2, ...)" is exec(command, ...)
      const params = m[3].split(',').map((p) => p.trim()).filter((p) => p !== '' && !/^arg\d+$/.test(p));
      if (s.params.join(', ') !== params.join(', ')) problems.push(`${name}(${s.params.join(', ')}): the reference has (${params.join(', ')})`);
      const first = types(s.returns[0]);
      const expect = (what: string, ok: boolean): void => {
        if (!ok) problems.push(`${name} (${s.where}): ${what}, annotated ---@return ${s.returns.join(', ')}`);
      };
      if (/nil (\(as first return value\) )?plus (an )?error message/.test(body)) {
        expect('returns nil plus an error message', first.includes('nil') && types(s.returns[1]).includes('string'));
      }
      if (/On success, the socket userdata object is returned|Returns a socket object/.test(body)) expect('returns a handle', first.includes('moonbridge_io.handle'));
      if (/Returns true on success/.test(body)) expect('returns true', first.includes('true'));
      if (/a listener object is returned/.test(body)) expect('returns a listener', first.includes('moonbridge_io.listener'));
      if (/returns a child handle/.test(body)) expect('returns a child handle', first.includes('moonbridge_io.child'));
      if (/an integer is returned|total number of bytes/.test(body)) expect('returns an integer', first.includes('integer'));
      if (/number of discarded bytes/.test(body)) expect('returns a count', first.includes('integer'));
      if (/false as first return value/.test(body)) {
        expect('returns false, a message and a boolean', first.includes('boolean') && types(s.returns[1]).includes('string') && types(s.returns[2]).includes('boolean'));
      }
      if (/"block"/.test(body)) expect('has the status "block"', types(s.returns[1]).includes('moonbridge_io.read_nb_status'));
      else if (/"term"|Same as socket:(read|drain)/.test(body)) expect('has the read status', types(s.returns[1]).includes('moonbridge_io.read_status'));
    }
    assert.ok(checked >= 43, `read ${checked} functions from the reference`);
    // the _call forms return what the blocking form returns, and _yield what _call returns
    for (const [c, methods] of [['moonbridge_io.handle', ['read', 'drain', 'write', 'flush']], ['moonbridge_io.child', ['wait']]] as const) {
      for (const m of methods) {
        const base = sig(`${c}.${m}`);
        for (const form of ['_call', '_yield']) {
          const s = sig(`${c}.${m}${form}`);
          if (s.returns.join(', ') !== base.returns.join(', ')) problems.push(`${c}.${m}${form} returns ${s.returns.join(', ')}, ${m} ${base.returns.join(', ')}`);
          const params = form === '_call' ? ['waitfunc', ...base.params] : base.params;
          if (s.params.join(', ') !== params.join(', ')) problems.push(`${c}.${m}${form}(${s.params.join(', ')}): expected (${params.join(', ')})`);
        }
      }
    }
    // the _nb forms of listeners and children: false plus a notice
    for (const name of ['moonbridge_io.listener.accept_nb', 'moonbridge_io.child.wait_nb']) {
      const s = sig(name);
      if (!types(s.returns[0]).includes('false') || !types(s.returns[1]).includes('string')) problems.push(`${name} returns ${s.returns.join(', ')}: false plus a notice expected`);
    }
    // timeout(), timeout(seconds), timeout(seconds, func, ...)
    const t = sig('_G.timeout');
    assert.deepEqual(t.params, ['seconds', 'func', '...'], 'timeout(seconds, func, ...)');
    assert.ok(t.overloads.some((o) => /^fun\(\): number$/.test(o)), `timeout() returns the remaining time: ${t.overloads.join(' / ')}`);
    assert.ok(t.overloads.some((o) => /^fun\(seconds: number\|false\): number$/.test(o)), `timeout(seconds) returns the time left before: ${t.overloads.join(' / ')}`);
    assert.deepEqual(t.returns, ['any'], 'timeout(seconds, func, ...) returns what func returns');
    assert.deepEqual(sig('_G.listen').params, ['options'], 'listen{...}');
    // generate_handler(callback, options) or generate_handler(options, callback)
    const g = sig('moonbridge_http.generate_handler');
    assert.deepEqual(g.params, ['callback', 'options']);
    assert.ok(g.overloads.some((o) => /^fun\(options: moonbridge_http\.options, callback: fun\(request: moonbridge_http\.request\)/.test(o)), 'options may come first');
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('declare every option listen{} and generate_handler read (from the source: options cannot be enumerated at run time)', function () {
    const listen = fs.readFileSync(path.join(ROOT, 'src', 'server', 'listen.ts'), 'utf8');
    const pool = new Set([...listen.matchAll(/(?:countOption|secondsOption|handlerOption|fieldType)\(L, 1, '(\w+)'/g)].map((m) => m[1]));
    const perListener = new Set([...listen.matchAll(/fieldType\(L, entry, '(\w+)'/g)].map((m) => m[1]));
    assert.ok(pool.has('max_fork') && perListener.has('proto'), 'read the options from listen.ts');
    assertAnnotated(pool, a, 'moonbridge.listen_options', 'listen{} options');
    const listenerFields = new Set(['tcp', 'local', 'interval', 'main'].flatMap((p) => [...members(a, `moonbridge.listener.${p}`).keys()]));
    const missingListener = sorted([...perListener].filter((n) => !listenerFields.has(n)));
    assert.deepEqual(missingListener, [], `listener fields not annotated: ${missingListener.join(', ')}`);
    for (const p of ['tcp', 'local', 'interval', 'main']) assert.match(listen, new RegExp(`case '${p}'`), `listen.ts knows proto ${p}`);
    const options = fs.readFileSync(path.join(ROOT, 'src', 'http', 'options.ts'), 'utf8');
    const http = new Set([...options.matchAll(/(?:optNumber|optTimeout)\(L, idx, '(\w+)'|key\('(\w+)'\)/g)].map((m) => m[1] ?? m[2]));
    assert.ok(http.has('static_headers') && http.has('chunk_size'), 'read the options from options.ts');
    assertAnnotated(http, a, 'moonbridge_http.options', 'generate_handler options');
  });
});
