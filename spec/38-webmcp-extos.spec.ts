/**
 * extos, WebMCP 2.1.0's C module in TypeScript (src/webmcp/extos.ts): every
 * function through real Lua scripts run by bin/moonbridge-lua, with a dummy
 * extos.so first in package.cpath (never loaded: the built-in wins).
 * crypt against Ulrich Drepper's SHA-crypt test vectors (glibc's own tests); the $5$saltstring value checked against python3's crypt and `openssl passwd -5`,
 * hard-coded MD5-crypt vectors and, where python3's crypt module exists, the
 * system's crypt(3) on random keys and salts.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAUNCHER, ROOT, exchange, freePort, killAll, startServer, waitUntilListening } from './helpers/server';

let dir: string;

/** Runs Lua code (after require "extos" with a dummy extos.so on cpath); its stdout. */
function runLua(code: string): string {
  const script = path.join(dir, `script-${crypto.randomBytes(4).toString('hex')}.lua`);
  fs.writeFileSync(script, `package.cpath = ${JSON.stringify(path.join(dir, 'cdir', '?.so'))} .. ";" .. package.cpath\n` +
    `local extos = require "extos"\n${code}\n`);
  const r = spawnSync(process.execPath, [LAUNCHER, script], { cwd: ROOT, encoding: 'latin1', timeout: 60000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 3, `${r.stdout}\n${r.stderr}`); // 3: the script ran, then "No listener initialized."
  return r.stdout.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+: .*\n/gm, '');
}

const lit = (s: string): string => JSON.stringify(s);

/** Drepper's "Unix crypt using SHA-256 and SHA-512" test vectors (also glibc's crypt/sha512c-test.c, sha256c-test.c). */
const SHA_VECTORS: Array<[string, string, string]> = [
  ['$6$saltstring', 'Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  ['$6$rounds=10000$saltstringsaltstring', 'Hello world!', '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.'],
  ['$6$rounds=5000$toolongsaltstring', 'This is just a test', '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0'],
  ['$6$rounds=1400$anotherlongsaltstring', 'a very much longer text to encrypt.  This one even stretches over morethan one line.', '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1'],
  ['$6$rounds=77777$short', 'we have a short salt string but not a short password', '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0'],
  ['$6$rounds=123456$asaltof16chars..', 'a short string', '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1'],
  ['$6$rounds=10$roundstoolow', 'the minimum number is still observed', '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.'],
  ['$5$saltstring', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
  ['$5$rounds=10000$saltstringsaltstring', 'Hello world!', '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
  ['$5$rounds=10$roundstoolow', 'the minimum number is still observed', '$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC'],
];

/** MD5-crypt: values of the system's crypt(3) (libxcrypt) and `openssl passwd -1`. */
const MD5_VECTORS: Array<[string, string, string]> = [
  ['$1$abcdefghijkl$', 'pw', '$1$abcdefgh$IQtUouv7y7Q9dRWkQEPCc.'],
  ['$1$', 'pw', '$1$$F0Fc2lbYpzr3KKdKkM0Wj.'],
];

/** crypt("login", "$1$abc") of the system crypt(3). */
const MD5_LOGIN = '$1$abc$DXDXgFNuFJKJ5ys/EpOMl.';

function pythonCrypt(): ((pairs: Array<[string, string]>) => string[]) | null {
  const probe = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  return (pairs) => {
    const r = spawnSync('python3', ['-W', 'ignore', '-c',
      'import crypt, json, sys\nfor k, s in json.load(sys.stdin): print(crypt.crypt(k, s))'], { input: JSON.stringify(pairs), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split('\n');
  };
}

describe('38 WebMCP extos in TypeScript', function () {
  this.timeout(120000);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extos-spec-'));
    fs.mkdirSync(path.join(dir, 'cdir'));
    fs.writeFileSync(path.join(dir, 'cdir', 'extos.so'), 'not an ELF file: must never be loaded');
    fs.writeFileSync(path.join(dir, 'file.txt'), 'hello extos\n');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync('file.txt', path.join(dir, 'link'));
    fs.symlinkSync('missing-target', path.join(dir, 'dangling'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('require "extos" gives the built-in module although an extos.so is on package.cpath', () => {
    const out = runLua(`local names = {} for k, v in pairs(extos) do names[#names + 1] = k .. ":" .. type(v) end
      table.sort(names) print(table.concat(names, " ")) print(package.loaded.extos == extos, rawget(_G, "extos"))`);
    assert.equal(out, 'crypt:function fstat:function hires_time:function listdir:function lstat:function ' +
      'monotonic_hires_time:function pfilter:function stat:function\ntrue\tnil\n');
  });

  it('crypt: SHA-crypt test vectors ($5$, $6$, rounds= clamped to 1000) and MD5-crypt vectors', () => {
    const all = [...SHA_VECTORS, ...MD5_VECTORS];
    const out = runLua(all.map(([salt, key]) => `print(extos.crypt(${lit(key)}, ${lit(salt)}))`).join('\n'));
    assert.deepEqual(out.trimEnd().split('\n'), all.map((v) => v[2]));
  });

  it('crypt: glibc\'s rounds parsing (strtoul, clamped), salt limits, NUL ends the key, other salts nil', () => {
    const out = runLua(`
      print(extos.crypt("pw", "$6$rounds= +1500$x"):match("^%$6%$rounds=1500%$x%$"), extos.crypt("pw", "$6$rounds= +1500$x") == extos.crypt("pw", "$6$rounds=1500$x"))
      print(extos.crypt("pw", "$6$rounds=abc$x"):match("^%$6%$rounds=abc%$"))
      print(extos.crypt("pw", "$6$rounds=$x"):match("^%$6%$rounds=1000%$x%$"))
      print(extos.crypt("pw\\0ignored", "$1$salt") == extos.crypt("pw", "$1$salt"))
      print(extos.crypt("pw", "$1$salt$rest") == extos.crypt("pw", "$1$salt"))
      print(extos.crypt("pw", "$2b$10$abcdefghijklmnopqrstuu"), extos.crypt("pw", ""), extos.crypt("pw", "*0"))
      print(pcall(extos.crypt, "pw"))`);
    assert.equal(out, '$6$rounds=1500$x$\ttrue\n$6$rounds=abc$\n$6$rounds=1000$x$\ntrue\ntrue\nnil\tnil\tnil\n' +
      "false\tbad argument #2 to 'extos.crypt' (string expected, got no value)\n");
  });

  it('crypt agrees with the system crypt(3) on random keys and salts (python3 crypt module)', function () {
    const oracle = pythonCrypt();
    if (oracle === null) this.skip();
    const alphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const pick = (n: number): string => Array.from(crypto.randomBytes(n), (x) => alphabet[x & 63]).join('');
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < 40; i++) {
      const key = crypto.randomBytes(crypto.randomInt(0, 150)).toString('base64').slice(0, crypto.randomInt(0, 140));
      const kind = i % 4;
      const salt = kind === 0 ? `$1$${pick(crypto.randomInt(0, 9))}`
        : kind === 1 ? `$6$${pick(crypto.randomInt(0, 17))}`
        : kind === 2 ? `$6$rounds=${crypto.randomInt(1000, 3000)}$${pick(crypto.randomInt(1, 17))}`
        : `$5$rounds=${crypto.randomInt(1000, 3000)}$${pick(crypto.randomInt(1, 17))}`;
      pairs.push([key, salt]);
    }
    const out = runLua(pairs.map(([key, salt]) => `print(extos.crypt(${lit(key)}, ${lit(salt)}))`).join('\n'));
    assert.deepEqual(out.trimEnd().split('\n'), oracle(pairs));
  });

  it('stat, lstat: the full field table of extos.c, against fs.statSync / lstatSync', () => {
    const names = ['file.txt', 'sub', 'link', '.'];
    const fields = ['dev', 'ino', 'nlink', 'atime', 'mtime', 'ctime', 'size', 'blksize', 'blocks', 'uid', 'gid', 'mode',
      'isblk', 'ischr', 'isdir', 'isfifo', 'islnk', 'isreg', 'issock'];
    const code = names.flatMap((n) => ['stat', 'lstat'].map((f) => `do local t = extos.${f}(${lit(path.join(dir, n))})
      local keys = 0 for _ in pairs(t) do keys = keys + 1 end
      local out = {} for _, k in ipairs(${JSON.stringify(fields).replace('[', '{').replace(/]$/, '}')}) do
        out[#out + 1] = tostring(t[k]) .. (math.type(t[k]) == "float" and "F" or "") end
      print(keys, table.concat(out, " ")) end`)).join('\n');
    const lines = runLua(code).trimEnd().split('\n');
    let i = 0;
    for (const n of names) {
      for (const follow of [true, false]) {
        const st = follow ? fs.statSync(path.join(dir, n), { bigint: true }) : fs.lstatSync(path.join(dir, n), { bigint: true });
        const fmt = Number(st.mode) & 0o170000;
        const expected = [st.dev, st.ino, st.nlink, st.atimeNs / 10n ** 9n, st.mtimeNs / 10n ** 9n, st.ctimeNs / 10n ** 9n,
          st.size, st.blksize, st.blocks, st.uid, st.gid, st.mode].map(String)
          .concat([0o060000, 0o020000, 0o040000, 0o010000, 0o120000, 0o100000, 0o140000].map((k) => String(fmt === k)));
        assert.equal(lines[i++], `19\t${expected.join(' ')}`, `${follow ? 'stat' : 'lstat'} ${n}`);
      }
    }
  });

  it('stat: false and a message for a missing file (also through a dangling link), nil and a message otherwise', () => {
    const out = runLua(`print(extos.stat(${lit(path.join(dir, 'nope'))}))
      print(extos.stat(${lit(path.join(dir, 'dangling'))}))
      print(extos.lstat(${lit(path.join(dir, 'dangling'))}).islnk)
      print(extos.stat(${lit(path.join(dir, 'file.txt', 'x'))}))
      print(pcall(extos.stat))`);
    assert.equal(out, `false\tCould not get file stats for "${path.join(dir, 'nope')}": No such file or directory\n` +
      `false\tCould not get file stats for "${path.join(dir, 'dangling')}": No such file or directory\ntrue\n` +
      `nil\tCould not get file stats for "${path.join(dir, 'file.txt', 'x')}": Not a directory\n` +
      "false\tbad argument #1 to 'extos.stat' (string expected, got no value)\n");
  });

  it('fstat takes a Lua file handle (io.open, io.stdout); a closed one raises', () => {
    const file = path.join(dir, 'file.txt');
    const st = fs.statSync(file);
    const out = runLua(`local f = assert(io.open(${lit(file)}))
      local t = extos.fstat(f) print(t.size, t.ino, t.isreg) f:close()
      print(pcall(extos.fstat, f))
      print(pcall(extos.fstat, "not a file"))
      print(type(extos.fstat(io.stdout).mode))`);
    assert.equal(out, `${st.size}\t${st.ino}\ttrue\nfalse\tattempt to use a closed file\n` +
      "false\tbad argument #1 to 'extos.fstat' (FILE* expected, got string)\nnumber\n");
  });

  it('listdir: every entry including "." and "..", nil and a message for a missing directory', () => {
    const out = runLua(`local t = extos.listdir(${lit(dir)}) print(#t, t[1], t[2]) table.sort(t) print(table.concat(t, " "))
      print(extos.listdir(${lit(path.join(dir, 'nope'))}))
      print(extos.listdir(${lit(path.join(dir, 'file.txt'))}))`);
    const entries = ['.', '..', ...fs.readdirSync(dir)].sort();
    assert.equal(out, `${entries.length}\t.\t..\n${entries.join(' ')}\nnil\tCould not list directory.\nnil\tCould not list directory.\n`);
  });

  it('hires_time is the wall clock in fractional seconds; monotonic_hires_time counts from loading, never backwards', () => {
    const before = Date.now() / 1000;
    const out = runLua(`local t0 = extos.monotonic_hires_time() local prev = t0 local ok = true
      for i = 1, 10000 do local t = extos.monotonic_hires_time() if t < prev then ok = false end prev = t end
      print(string.format("%.6f %.6f %s %s %s", extos.hires_time(), t0, ok, math.type(t0), prev > t0))`).trim().split(' ');
    const after = Date.now() / 1000;
    assert.ok(Number(out[0]) >= before - 0.01 && Number(out[0]) <= after + 0.01, out[0]);
    assert.ok(Number(out[1]) >= 0 && Number(out[1]) < 5, out[1]);
    assert.deepEqual(out.slice(2), ['true', 'float', 'true']);
  });

  it('pfilter: 2 MB through stdin, 3 MB of output, stderr, exit status, signals, missing program', () => {
    const out = runLua(`
      local input = string.rep("0123456789abcdef", 131072)
      local o, e, s = extos.pfilter(input, "sh", "-c", "cat; head -c 3000000 /dev/zero | tr '\\\\0' x; echo to-stderr >&2; exit 7")
      print(#o, o:sub(1, #input) == input, o:sub(#input + 1) == string.rep("x", 3000000), e, s)
      local o2, e2, s2 = extos.pfilter(nil, "sh", "-c", "head -c 1500000 /dev/zero >&2; echo out")
      print(o2, #e2, s2)
      print(extos.pfilter("ignored", "true"))
      print(extos.pfilter(input, "sh", "-c", "head -c 10 >/dev/null; exit 0"))
      print(select("#", extos.pfilter("", "sh", "-c", "kill -9 $$")), select(3, extos.pfilter("", "sh", "-c", "kill -9 $$")))
      print(extos.pfilter("abc", "tr", "a-z", "A-Z"))
      print(extos.pfilter(nil, "no-such-program-extos"))
      print(extos.pfilter(nil, "/nonexistent/prog"))
      local args = {} for i = 1, 65 do args[i] = "x" end
      print(pcall(extos.pfilter, nil, "echo", table.unpack(args)))
      print((extos.pfilter(nil, "echo", table.unpack(args, 1, 64))) == string.rep("x ", 63) .. "x\\n")`);
    assert.equal(out, '5097152\ttrue\ttrue\tto-stderr\n\t7\n' +
      'out\n\t1500000\t0\n\t\t0\n\t\t0\n3\t-9\nABC\t\t0\n' +
      'nil\tCould not execute "no-such-program-extos": No such file or directory\n' +
      'nil\tCould not execute "/nonexistent/prog": No such file or directory\n' +
      'false\tToo many arguments for pfilter call.\ntrue\n');
  });

  it('works in a worker: a connect handler pfilters 1 MB through cat and crypts', async () => {
    const port = await freePort();
    const appFile = path.join(dir, 'worker-app.lua');
    fs.writeFileSync(appFile, `package.cpath = ${lit(path.join(dir, 'cdir', '?.so'))} .. ";" .. package.cpath
      listen{ { proto = "tcp", host = "127.0.0.1", port = ${port} }, min_fork = 1, max_fork = 2,
        connect = function(socket)
          local extos = require "extos"
          local input = string.rep("y", 1048576)
          local o, e, s = extos.pfilter(input, "cat")
          socket:write(#o, " ", tostring(o == input), " ", e, s, " ", extos.crypt("login", "$1$abc"), "\\n")
          return true
        end }`);
    startServer([appFile]);
    try {
      await waitUntilListening(port);
      const r = await exchange(port, '', { timeout: 10000, done: (d) => d.endsWith('\n') });
      assert.equal(r.data, `1048576 true 0 ${MD5_LOGIN}\n`);
    } finally {
      killAll();
    }
  });
});
