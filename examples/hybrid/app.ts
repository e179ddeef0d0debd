/**
 * A hybrid app: the entry file is TypeScript (compile it, then run the .js):
 *
 *   npx tsc -p examples/hybrid && npx moonbridge-lua examples/hybrid/app.js [port]
 *
 * It declares the server from TypeScript, serves /api/* in TypeScript and
 * hands every other path to pages.lua, a Lua module with the HTML views;
 * the Lua views use `require "textstats"`, a Lua module written in
 * TypeScript (textstats.ts). Workers are forked processes that serve one
 * connection at a time with blocking I/O, so handlers are synchronous.
 */
import { http, io, listen, lua, type LuaFunction, type Request } from 'moonbridge-lua';

const port = Number(process.argv[2] ?? 8080);

// The Lua side: require "pages" finds pages.lua next to this file.
const pages = lua.require('pages') as { handle: LuaFunction };

const started = io.timeref();

function api(req: Request): boolean {
  const route = req.path?.slice('api/'.length);
  if (route === 'status') {
    req.sendStatus('200 OK');
    req.sendHeader('Content-Type', 'application/json');
    req.sendData(JSON.stringify({ worker: io.getpid(), uptime: Math.round(io.timeref(started)) }));
  } else if (route === 'echo' && req.method === 'POST') {
    req.sendStatus('200 OK');
    req.sendHeader('Content-Type', 'application/json');
    req.sendData(JSON.stringify(req.postParams));
  } else if (route === 'shout') {
    // TypeScript calling a Lua function of the views module
    req.sendStatus('200 OK');
    req.sendHeader('Content-Type', 'text/plain; charset=UTF-8');
    req.sendData(lua.call('string.upper', req.getParams.text ?? '') as string);
  } else {
    req.sendStatus('404 Not Found');
    req.sendHeader('Content-Type', 'text/plain');
    req.sendData('no such API\n');
  }
  return true;
}

listen({
  listeners: [
    { proto: 'tcp', host: '127.0.0.1', port },
    { proto: 'tcp', host: '::1', port },
  ],
  connect: http.generateHandler((req) => {
    if (req.path?.startsWith('api/')) return api(req);
    return pages.handle(req) as boolean; // Lua renders the HTML pages
  }, { staticHeaders: ['Server: moonbridge-lua hybrid example'] }),
});
