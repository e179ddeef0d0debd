/**
 * The README documents the whole TypeScript API: every export of the
 * package (CommonJS and ES module entries alike, and the same ones), and
 * every public member of Socket, Request, io, lua and http as declared in
 * the published .d.ts files.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers/server';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const API = README.slice(README.indexOf('## TypeScript and JavaScript'), README.indexOf('## Performance'));
const DTS = path.join(ROOT, 'dist', 'src', 'api');

/** Public members of a class or object literal type in a .d.ts (not private/protected/@internal). */
function publicMembers(file: string, start: RegExp): string[] {
  const text = fs.readFileSync(path.join(DTS, file), 'utf8');
  const m = start.exec(text);
  assert.ok(m !== null, `${start} in ${file}`);
  const body = text.slice(m.index + m[0].length, text.indexOf('\n}', m.index));
  const names: string[] = [];
  let internal = false;
  for (const line of body.split('\n')) {
    if (/@internal/.test(line)) internal = true;
    const d = /^ {4}(?:readonly )?(?:get |set )?([A-Za-z]\w*)[(:?<]/.exec(line);
    if (d === null) continue;
    if (!internal && !/^ {4}(private|protected) /.test(line)) names.push(d[1]);
    internal = false;
  }
  return [...new Set(names)];
}

function undocumented(names: string[]): string[] {
  return names.filter((n) => !new RegExp(`\`[^\`]*\\b${n}\\b[^\`]*\``).test(API));
}

describe('README: the TypeScript API is documented', function () {
  it('names every export of the package, and CJS and ESM export the same names', async function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cjs = Object.keys(require(path.join(ROOT, 'dist', 'src', 'api', 'index.js')) as object).filter((k) => k !== '__esModule');
    const importModule = new Function('u', 'return import(u)') as (u: string) => Promise<object>;
    const esm = Object.keys(await importModule(`file://${path.join(ROOT, 'dist', 'src', 'api', 'esm.mjs')}`)).filter((k) => k !== '__esModule' && k !== 'default');
    assert.deepEqual(esm.sort(), [...cjs].sort());
    assert.deepEqual(undocumented(cjs), [], 'exports missing in the README');
  });

  it('names every public member of Socket and Request, with what they return', function () {
    const socket = publicMembers('socket.d.ts', /export declare class Socket extends LuaObject \{/);
    const request = publicMembers('request.d.ts', /export declare class Request extends LuaObject \{/);
    const object = publicMembers('lua-object.d.ts', /export declare class LuaObject \{/);
    assert.ok(socket.includes('readNb') && request.includes('sendStatus') && object.includes('get'), `${socket} ${request} ${object}`);
    assert.deepEqual(undocumented([...socket, ...request, ...object]), []);
  });

  it('names every function of io, lua and http', function () {
    const io = publicMembers('io.d.ts', /export declare const io: \{/);
    const lua = publicMembers('lua.d.ts', /export declare const lua: \{/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const http = Object.keys((require(path.join(ROOT, 'dist', 'src', 'api', 'index.js')) as { http: object }).http);
    assert.ok(io.includes('poll') && lua.includes('callMulti') && http.includes('generateHandler'), `${io} ${lua} ${http}`);
    assert.deepEqual(undocumented([...io, ...lua, ...http]), []);
  });

  it('names every listen() and generateHandler() option the API accepts', function () {
    const server = fs.readFileSync(path.join(ROOT, 'src', 'api', 'server.ts'), 'utf8');
    const pool = [...server.matchAll(/(\w+): '\w+',?/g)].map((m) => m[1]);
    const http = fs.readFileSync(path.join(ROOT, 'src', 'api', 'http.ts'), 'utf8');
    const options = [...(/const OPTION_NAMES = \[([^\]]*)\]/.exec(http)?.[1] ?? '').matchAll(/'(\w+)'/g)].map((m) => m[1]);
    assert.ok(pool.includes('maxFork') && options.includes('staticHeaders'), `${pool} ${options}`);
    assert.deepEqual(undocumented([...pool, ...options]), []);
  });

  it('has TypeScript examples that compile in strict mode against the published types', function () {
    this.timeout(90000);
    const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(blocks.length >= 6, `${blocks.length} ts blocks`);
    // inside the package, so that 'moonbridge-lua' resolves to this package (self-reference via "exports")
    const dir = path.join(ROOT, 'dist', 'readme-examples');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    blocks.forEach((code, i) => fs.writeFileSync(path.join(dir, `example${i + 1}.mts`), code));
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true,
        skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      },
      include: ['*.mts'],
    }));
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: ROOT, encoding: 'utf8', timeout: 80000 });
    assert.equal(r.status, 0, `README examples do not compile:\n${r.stdout}${r.stderr}`);
  });
});
