'use strict';
// An app written only against the TypeScript API (this is its compiled
// form): HTTP on one port, a line protocol on another, both served by forked
// workers. Arguments: http-port tcp-port.
const { listen, http, io, lua, timeout, Socket, Listener } = require('moonbridge-lua');

const [httpPort, tcpPort] = process.argv.slice(2).map(Number);

// Lua code the TS handlers call: a Lua function defined by the entry file.
lua.run(`function shout(s, n) return string.rep(string.upper(s), n, "-") end`);

function json(req, status, value) {
  req.sendStatus(status);
  req.sendHeader('Content-Type', 'application/json');
  req.sendData(JSON.stringify(value));
}

const routes = {
  echo(req) {
    json(req, '200 OK', {
      method: req.method, path: req.path, query: req.query, get: req.getParams, getList: req.getParamsList,
      agent: req.headers['USER-AGENT'], accept: req.headersValue.accept, flags: req.headersFlags.connection.close,
      cookies: req.cookies, host: req.host, pid: io.getpid(),
      absent: {
        headers: req.headers['x-none'], flag: req.headersFlags.connection.nothing,
        flagOfAbsent: req.headersFlags['x-none'].x, value: req.headersValue['x-none'] ?? null,
      },
    });
  },
  post(req) {
    json(req, '200 OK', { params: req.postParams, list: req.postParamsList });
  },
  body(req) {
    const body = req.body;
    json(req, '200 OK', { length: body.length, hex: body.subarray(0, 8).toString('hex') });
  },
  socket(req) {
    const s = req.socket;
    json(req, '200 OK', { remote: s.remoteIp4 ?? s.remoteIp6, local: s.localIp4 ?? s.localIp6, port: s.localTcpport, remotePort: s.remoteTcpport });
  },
  lua(req) {
    req.sendStatus('200 OK');
    req.sendData(lua.call('shout', req.getParams.word ?? 'moon', 3));
  },
  binary(req) {
    req.sendStatus('200 OK');
    req.sendHeader('Content-Type', 'application/octet-stream');
    req.sendData(Buffer.from([0, 255, 10, 13, 128]));
  },
  stream(req) {
    const chunks = [];
    req.streamRequestBodyNow((chunk) => { chunks.push(chunk === undefined ? 'END' : chunk.length); });
    json(req, '200 OK', chunks);
  },
  exec(req) {
    const child = io.exec('sh', '-c', 'read x; echo "out $x"; echo err >&2; exit 3');
    child.stdin.write('from-ts\n').finish();
    const out = child.stdout.read().data.toString();
    const err = child.stderr.read().data.toString();
    const status = child.wait();
    let missing = null;
    try { io.exec('no-such-command-moonbridge'); } catch (e) { missing = `${e.name}: ${e.message}`; }
    json(req, '200 OK', { out, err, status, missing, running: io.exec('sleep', '5').waitNb() });
  },
  outward(req) {
    // a listener and a connection to it, both from TS, in one handler
    const listener = io.tcplisten('127.0.0.1', 0);
    const none = listener.acceptNb();
    let refused = null;
    try { io.tcpconnect('127.0.0.1', 1); } catch (e) { refused = `${e.name}: ${e.message}`; }
    const port = Number(req.getParams.port);
    const out = io.tcpconnect('127.0.0.1', port);
    out.write('ping\n').flush();
    const answer = out.read(100, '\n').data.toString();
    out.close();
    json(req, '200 OK', { none, refused, answer, isListener: listener instanceof Listener });
  },
  registry(req) {
    // entries in the Lua registry: references the API made and did not release would pile up here
    const n = lua.run('local n = 0 for _ in pairs(debug.getregistry()) do n = n + 1 end return n');
    req.sendStatus('200 OK');
    req.sendData(String(n));
  },
  async promise() {
    return true;
  },
  throw() {
    throw new Error('handler failed on purpose');
  },
  timeout(req) {
    timeout(0.3);
    for (;;) io.poll([], [], 1);
  },
  // reports the waits that went through the pollFunction below
  polls(req) {
    const body = req.body;
    json(req, '200 OK', { body: body.length, count: polls.count, membersOk: polls.membersOk, timeouts: polls.timeouts });
  },
};

// Every wait of the HTTP layer goes through this TS poll function.
const polls = { count: 0, membersOk: true, timeouts: [] };
function pollFunction(inputs, outputs, timeout, wakeup) {
  polls.count++;
  if (![...inputs, ...outputs].every((s) => s instanceof Socket) || inputs.length + outputs.length !== 1) polls.membersOk = false;
  polls.timeouts.push(timeout === undefined ? null : Math.round(timeout));
  return io.poll(inputs, outputs, timeout, wakeup);
}

listen({
  listeners: [{ proto: 'tcp', host: '127.0.0.1', port: httpPort }],
  maxFork: 4,
  connect: http.generateHandler((req) => {
    const route = routes[req.path];
    if (route === undefined) {
      req.sendStatus('404 Not Found');
      req.sendData('no route ', req.path);
      return true;
    }
    const r = route(req);
    return r === undefined ? true : r;
  }, { staticHeaders: ['X-App: api-app'], pollFunction }),
});

listen({
  listeners: [{ proto: 'tcp', host: '127.0.0.1', port: tcpPort }],
  prepare() { io.stderr.write(`api-app worker ${io.getpid()} prepared\n`).flush(); },
  connect(socket) {
    if (!(socket instanceof Socket)) return true;
    socket.write('hello ', socket.remoteIp4, '\n').flush();
    for (;;) {
      const { data, status } = socket.read(1024, '\n');
      if (status === 'eof' && data.length === 0) break;
      const line = data.toString('utf8').trim();
      if (line === 'quit') { socket.write('bye\n'); break; }
      if (line === 'nb') {
        const r = socket.readNb();
        socket.write(`nb ${r.status} ${r.data.length}\n`).flush();
        continue;
      }
      socket.write(line.toUpperCase(), '\n').flush();
    }
    socket.close();
    return true;
  },
});
