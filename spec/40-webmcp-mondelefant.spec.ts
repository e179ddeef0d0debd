/**
 * WebMCP's mondelefant_native (src/webmcp/mondelefant*, over the wire
 * protocol client in src/webmcp/postgres) against a private PostgreSQL
 * cluster: spec/webmcp-diff/mondelefant.lua prints what every function
 * returns, and its output must equal what WebMCP's compiled C module (over
 * libpq) printed under lua5.3 against PostgreSQL 15, recorded in
 * mondelefant.expected (and run live where LF_SRC has the .so). Then what
 * the script cannot show: the connection's fd in moonbridge_io.poll,
 * queries in forked workers, SCRAM and md5 logins through connect{...},
 * and no yield inside a coroutine.
 */
import { strict as assert } from 'assert';
import * as net from 'net';
import * as path from 'path';
import { PG_MISSING, SUPERUSER, findPgBin, startCluster, type PgCluster } from './helpers/pg-cluster';
import { WEBMCP_DIFF, expected, firstDifference, oracleDir, runOracle, runOurs } from './helpers/webmcp-diff';
import { runLua } from './helpers/run-lua';
import { freePort, killAll, startServer, waitFor } from './helpers/server';
import * as fs from 'fs';
import * as os from 'os';

const SCRIPT = path.join(WEBMCP_DIFF, 'mondelefant.lua');

describe('WebMCP mondelefant_native (TypeScript, PostgreSQL without libpq)', function () {
  this.timeout(120000);
  let cluster: PgCluster | null = null;
  let conninfo = '';

  before(async function () {
    if (findPgBin() === null) {
      console.log(`      (skipped: ${PG_MISSING})`);
      this.skip();
    }
    cluster = await startCluster({
      hba: [
        'host all scram_user 127.0.0.1/32 scram-sha-256',
        'host all md5_user 127.0.0.1/32 md5',
        'local all all trust',
        'host all all 127.0.0.1/32 trust',
      ],
    });
    cluster.psql('CREATE DATABASE mbtest');
    cluster.psql("SET password_encryption = 'scram-sha-256'; CREATE ROLE scram_user LOGIN PASSWORD 'scr''am pw'");
    cluster.psql("SET password_encryption = 'md5'; CREATE ROLE md5_user LOGIN PASSWORD 'md5pw'");
    conninfo = `host=127.0.0.1 port=${cluster.port} user=${SUPERUSER} dbname=mbtest`;
  });

  after(function () {
    killAll();
    cluster?.stop();
  });

  it('prints exactly what the C module printed (recorded oracle output)', function () {
    const ours = runOurs(SCRIPT, { MONDELEFANT_CONNINFO: conninfo });
    const want = expected(SCRIPT);
    assert.equal(ours.stdout, want, `${firstDifference(want, ours.stdout)}\nstderr:\n${ours.stderr}`);
  });

  it('matches the compiled C module run live under lua5.3 (LF_SRC)', function () {
    const dir = oracleDir('mondelefant_native');
    if (dir === null) this.skip(); // needs LF_SRC with a compiled libraries/mondelefant/mondelefant_native.so and lua5.3
    const oracle = runOracle(SCRIPT, dir as string, { MONDELEFANT_CONNINFO: conninfo });
    assert.equal(oracle.code, 0, oracle.stderr);
    const ours = runOurs(SCRIPT, { MONDELEFANT_CONNINFO: conninfo });
    assert.equal(ours.stdout, oracle.stdout, firstDifference(oracle.stdout, ours.stdout));
  });

  it('logs in with SCRAM-SHA-256 and md5 passwords given in connect{...}, and refuses a wrong one', function () {
    const port = (cluster as PgCluster).port;
    const r = runLua(`
      local m = require "mondelefant_native"
      local function try(args)
        local db, msg, err = m.connect(args)
        if db then
          local row = db:query("SELECT current_user AS u, 6 * 7 AS n", "object")
          print("ok", row.u, row.n)
          db:close()
        else
          print("failed", err.code, msg)
        end
      end
      try{ host = "127.0.0.1", port = ${port}, dbname = "mbtest", user = "scram_user", password = "scr'am pw" }
      try{ host = "127.0.0.1", port = ${port}, dbname = "mbtest", user = "md5_user", password = "md5pw" }
      try{ conninfo = "host=127.0.0.1 port=${port} dbname=mbtest user=scram_user password=wrong" }
      try{ host = "127.0.0.1", port = ${port}, dbname = "mbtest", user = "md5_user" }
    `);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'ok\tscram_user\t42',
      'ok\tmd5_user\t42',
      'failed\tConnectionException\tconnection to server at "127.0.0.1", port ' + port + ' failed: FATAL:  password authentication failed for user "scram_user"',
      'failed\tConnectionException\tconnection to server at "127.0.0.1", port ' + port + ' failed: fe_sendauth: no password supplied',
    ], r.stderr);
  });

  it("wakes moonbridge_io.poll on the connection's fd when a notification arrives, and never yields", function () {
    const r = runLua(`
      local m = require "mondelefant_native"
      local io = require "moonbridge_io"
      local db = assert(m.connect(${JSON.stringify(conninfo)}))
      local other = assert(m.connect(${JSON.stringify(conninfo)}))
      db:query("LISTEN wake_up")
      print("idle poll", io.poll({ [db.fd] = true }, nil, 0.05))
      other:query("NOTIFY wake_up, 'now'")
      print("poll", io.poll({ [db.fd] = true }, nil, 5))
      print("try_wait", db:try_wait(0))
      local co = coroutine.create(function() return db:query("SELECT 'in coroutine' AS x", "object").x end)
      print(coroutine.resume(co))
      print(coroutine.status(co))
    `);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.replace(/\t\d+$/, '\tPID')), [
      'idle poll\tfalse\tTimeout',
      'poll\ttrue',
      'try_wait\tnil\twake_up\tnow\tPID',
      'true\tin coroutine',
      'dead',
    ], r.stderr);
  });

  it('serves queries from forked workers, each with its own connection', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-mondelefant-'));
    const app = path.join(dir, 'app.lua');
    const port = await freePort();
    fs.writeFileSync(app, `
      local m = require "mondelefant_native"
      local db
      listen{
        { proto = "tcp", host = "127.0.0.1", port = ${port} },
        min_fork = 2, max_fork = 4,
        prepare = function() db = assert(m.connect(${JSON.stringify(conninfo)})) end,
        connect = function(socket)
          local line = socket:read(nil, "\\n")
          local n = line and tonumber((line:gsub("\\n$", "")))
          if not n then return true end -- the readiness probe connects and closes
          local row = db:query({ "SELECT ?::int * 2 AS doubled, pg_backend_pid() AS pid, pg_sleep(0.1)", n }, "object")
          socket:write(row.doubled .. " " .. row.pid .. "\\n")
          return true
        end,
      }
    `);
    try {
      const server = startServer([app]);
      const accepting = (): Promise<boolean> => new Promise((resolve) => {
        const probe = net.connect(port, '127.0.0.1', () => { probe.destroy(); resolve(true); });
        probe.on('error', () => resolve(false));
      });
      await waitFor(accepting, 10000, 'the TCP listener').catch((err: Error) => { throw new Error(`${err.message}\n${server.stderr()}`); });
      const ask = (n: number): Promise<string> => new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1');
        let got = '';
        sock.on('data', (b) => { got += b.toString(); });
        sock.on('end', () => resolve(got.trim()));
        sock.on('error', reject);
        sock.write(`${n}\n`);
      });
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(i)));
      const pids = new Set<string>();
      answers.forEach((a, i) => {
        const [doubled, pid] = a.split(' ');
        assert.equal(doubled, String(2 * i), `answer ${i}: ${a}`);
        pids.add(pid);
      });
      assert.ok(pids.size >= 2, `one backend per worker: ${[...pids].join(', ')}`);
    } finally {
      killAll();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
