/**
 * The synchronous PostgreSQL client (src/webmcp/postgres) against a private
 * PostgreSQL cluster (spec/helpers/pg-cluster.ts): TCP and Unix sockets,
 * trust / cleartext / md5 / SCRAM-SHA-256 logins with libpq's (psql's) error
 * texts, conninfo parsing, simple-query results, transaction status, string
 * and bytea escaping, large queries, LISTEN/NOTIFY via the native poll, and
 * a backend terminated under the connection.
 */
import { strict as assert } from 'assert';
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { native } from '../src/native/binding';
import { ConninfoError, parseKeywordValue, parseUri, resolveConninfo } from '../src/webmcp/postgres/conninfo';
import { AuthError, ScramClient } from '../src/webmcp/postgres/auth';
import { commandOid, commandTuples, PgConnectError, PgConnection, unescapeBytea, type PgResult } from '../src/webmcp/postgres/connection';
import { findPgBin, PG_MISSING, startCluster, SUPERUSER, type PgCluster } from './helpers/pg-cluster';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const str = (b: Uint8Array | null | undefined): string | null | undefined => (b == null ? b : Buffer.from(b).toString('utf8'));

/** Everything written to stderr while fn runs (and nothing reaches the real stderr). */
function captureStderr<T>(fn: () => T): { value: T; stderr: string } {
  const original = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: fn(), stderr };
  } finally {
    process.stderr.write = original;
  }
}

function connectError(conninfo: string): PgConnectError {
  try {
    PgConnection.connect(conninfo).close();
  } catch (err) {
    assert.ok(err instanceof PgConnectError, String(err));
    return err;
  }
  assert.fail(`connect(${JSON.stringify(conninfo)}) succeeded`);
}

/** Waits (natively, bounded) until fd is readable. */
function pollReadable(fd: number, ms: number): boolean {
  const n = native();
  const r = n.poll(Int32Array.of(fd), Int16Array.of(n.constants.POLLIN), new Int16Array(1), 1, ms);
  return r > 0;
}

describe('PostgreSQL client (src/webmcp/postgres)', function () {
  this.timeout(60000);
  let cluster: PgCluster | undefined;
  const open: PgConnection[] = [];
  let bin: string | null = null;

  const tcp = (extra = ''): string => `host=127.0.0.1 port=${(cluster as PgCluster).port} dbname=postgres ${extra}`;
  const unix = (extra = ''): string => `host='${(cluster as PgCluster).socketDir}' port=${(cluster as PgCluster).port} dbname=postgres ${extra}`;
  const connect = (conninfo: string): PgConnection => {
    const c = PgConnection.connect(conninfo);
    open.push(c);
    return c;
  };
  const q = (c: PgConnection, sql: string): PgResult[] => {
    const r = c.query(bytes(sql));
    assert.ok(r !== null, `query failed: ${c.errorMessage()}`);
    return r;
  };
  const value = (c: PgConnection, sql: string): string | null | undefined => {
    const r = q(c, sql);
    assert.equal(r.length, 1);
    assert.equal(r[0].status, 'tuples', r[0].errorMessage);
    return str(r[0].rows[0][0]);
  };

  before(async function () {
    bin = findPgBin();
    if (bin === null) {
      // eslint-disable-next-line no-console
      console.log(`      ${PG_MISSING}`);
      this.skip();
    }
    cluster = await startCluster({
      hba: [
        'local all u_md5 md5', 'host all u_md5 127.0.0.1/32 md5',
        'local all u_scram scram-sha-256', 'host all u_scram 127.0.0.1/32 scram-sha-256',
        'local all u_clear password', 'host all u_clear 127.0.0.1/32 password',
        'local all all trust', 'host all all 127.0.0.1/32 trust',
      ],
    });
    cluster.psql("SET password_encryption = 'md5'; CREATE ROLE u_md5 LOGIN PASSWORD 'md5 pw';" +
      "SET password_encryption = 'scram-sha-256'; CREATE ROLE u_scram LOGIN PASSWORD 'scr''am'; CREATE ROLE u_clear LOGIN PASSWORD 'clear';" +
      'CREATE ROLE u_trust LOGIN; CREATE TABLE bytes (id int PRIMARY KEY, b bytea); GRANT ALL ON bytes TO PUBLIC');
  });

  after(() => {
    for (const c of open) c.close();
    cluster?.stop();
  });

  describe('connecting', () => {
    it('connects over TCP and over the Unix socket, recording ParameterStatus and BackendKeyData', () => {
      const t = connect(tcp(`user=${SUPERUSER}`));
      const u = connect(unix(`user=${SUPERUSER} application_name='spec 39'`));
      for (const c of [t, u]) {
        assert.ok(c.isOk());
        assert.ok(c.fd >= 3);
        assert.equal(c.transactionStatus(), 'idle');
        assert.equal(c.parameterStatus('server_encoding'), 'UTF8');
        assert.equal(c.parameterStatus('standard_conforming_strings'), 'on');
        assert.match(c.parameterStatus('server_version') ?? '', /^\d+\.\d+/);
        assert.ok(c.serverVersion() >= 90000);
        assert.ok(c.backendPid > 0);
        assert.equal(value(c, 'SELECT pg_backend_pid()'), String(c.backendPid));
      }
      assert.equal(value(t, 'SELECT inet_client_addr()'), '127.0.0.1');
      assert.equal(value(u, 'SELECT inet_client_addr()'), null);
      assert.equal(value(u, 'SHOW application_name'), 'spec 39');
      // the descriptor is close-on-exec (socket(2) with SOCK_CLOEXEC)
      for (const c of [t, u]) {
        const flags = /flags:\s+([0-7]+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${c.fd}`, 'utf8'));
        assert.ok(flags !== null && (parseInt(flags[1], 8) & 0o2000000) !== 0, `fd ${c.fd} without O_CLOEXEC: ${flags?.[1]}`);
      }
    });

    it('sends client_encoding only when asked to', () => {
      const plain = connect(unix(`user=${SUPERUSER}`));
      assert.equal(plain.parameterStatus('client_encoding'), 'UTF8'); // the server's default
      const latin = connect(unix(`user=${SUPERUSER} client_encoding=LATIN1`));
      assert.equal(latin.parameterStatus('client_encoding'), 'LATIN1');
    });

    it('reports a refused TCP connection and a missing socket as libpq does', () => {
      const n = native();
      const probe = n.socket(n.constants.AF_INET, n.constants.SOCK_STREAM, false);
      n.bindInet(probe, n.constants.AF_INET, '127.0.0.1', 0);
      const port = n.getsockname(probe).port;
      n.close(probe); // bound, never listened: nothing answers on it now
      const refused = connectError(`host=127.0.0.1 port=${port}`);
      assert.equal(refused.message, `connection to server at "127.0.0.1", port ${port} failed: Connection refused`);
      assert.match(refused.fullMessage, /\n\tIs the server running on that host and accepting TCP\/IP connections\?\n$/);
      const missing = connectError('host=/nonexistent/dir port=5999');
      assert.equal(missing.message, 'connection to server on socket "/nonexistent/dir/.s.PGSQL.5999" failed: No such file or directory');
      assert.ok(bin !== null);
      const psql = spawnSync(path.join(bin, 'psql'), ['-X', '-w', `host=127.0.0.1 port=${port}`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.equal(psql.stderr.split('\n')[0], `psql: error: ${refused.message}`);
      // with hostaddr, libpq names only the address
      const named = connectError(`host=db.example hostaddr=127.0.0.1 port=${port}`);
      assert.equal(named.message, `connection to server at "127.0.0.1", port ${port} failed: Connection refused`);
      const psql2 = spawnSync(path.join(bin, 'psql'), ['-X', '-w', `host=db.example hostaddr=127.0.0.1 port=${port}`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.equal(psql2.stderr.split('\n')[0], `psql: error: ${named.message}`);
    });

    it('connects with a postgresql:// URI and with hostaddr', () => {
      const port = (cluster as PgCluster).port;
      const c = connect(`postgresql://u_md5:md5%20pw@127.0.0.1:${port}/postgres?application_name=uri`);
      // (application_name would not do: the server turns non-ASCII characters there into '?')
      const fromBytes = PgConnection.connect(bytes(`host=127.0.0.1 port=${port} user=u_trust dbname=postgres options='-c spec.var=bytes-ü'`));
      open.push(fromBytes);
      assert.equal(value(fromBytes, 'SHOW spec.var'), 'bytes-ü');
      assert.equal(value(c, "SELECT current_user || ' ' || current_setting('application_name')"), 'u_md5 uri');
      const sock = connect(`postgresql://u_trust@%2F${(cluster as PgCluster).socketDir.slice(1).replace(/\//g, '%2F')}:${port}/postgres`);
      assert.equal(value(sock, 'SELECT inet_client_addr() IS NULL'), 't');
      const h = connect(`host=name.invalid hostaddr=127.0.0.1 port=${port} user=u_trust dbname=postgres`);
      assert.equal(value(h, 'SELECT current_user'), 'u_trust');
    });

    it('gives up after connect_timeout on a server that never answers', () => {
      const n = native();
      const listener = n.socket(n.constants.AF_INET, n.constants.SOCK_STREAM, false);
      try {
        n.bindInet(listener, n.constants.AF_INET, '127.0.0.1', 0);
        n.listen(listener, 4);
        const port = n.getsockname(listener).port;
        const t0 = Date.now();
        const err = connectError(`host=127.0.0.1 port=${port} connect_timeout=1`); // libpq rounds 1 up to 2 seconds
        const took = Date.now() - t0;
        assert.equal(err.message, `connection to server at "127.0.0.1", port ${port} failed: timeout expired`);
        assert.ok(took >= 1900 && took < 6000, `took ${took} ms`);
      } finally {
        n.close(listener);
      }
    });

    it('logs in with trust, cleartext, md5 and SCRAM-SHA-256 over both sockets', () => {
      for (const where of [tcp, unix]) {
        for (const [user, password] of [['u_trust', ''], ['u_clear', 'clear'], ['u_md5', 'md5 pw'], ['u_scram', "scr'am"]]) {
          const c = connect(where(`user=${user} password='${password.replace(/'/g, "\\'")}'`));
          assert.equal(value(c, 'SELECT current_user'), user);
        }
      }
    });

    it('rejects a wrong or missing password with libpq\'s (psql\'s) text', () => {
      assert.ok(bin !== null);
      const port = (cluster as PgCluster).port;
      for (const [user, password] of [['u_scram', 'wrong'], ['u_md5', 'wrong'], ['u_clear', 'wrong'], ['u_scram', ''], ['u_md5', '']]) {
        const conninfo = `host=127.0.0.1 port=${port} dbname=postgres user=${user}` + (password === '' ? '' : ` password=${password}`);
        const err = connectError(conninfo);
        const expected = password === ''
          ? `connection to server at "127.0.0.1", port ${port} failed: fe_sendauth: no password supplied`
          : `connection to server at "127.0.0.1", port ${port} failed: FATAL:  password authentication failed for user "${user}"`;
        assert.equal(err.message, expected);
        const psql: SpawnSyncReturns<string> = spawnSync(path.join(bin, 'psql'), ['-X', '-w', conninfo], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
        assert.equal(psql.stderr.split('\n')[0], `psql: error: ${expected}`);
      }
    });

    it('refuses unknown options, SSL and host lists with clear messages', () => {
      assert.equal(connectError('host=/tmp foo=bar').message, 'invalid connection option "foo"');
      assert.equal(connectError('postgresql:///db?foo=bar').message, 'invalid URI query parameter: "foo"');
      assert.match(connectError('host=127.0.0.1 sslmode=require').message, /SSL is not supported by this client/);
      assert.equal(connectError('sslmode=bogus').message, 'invalid sslmode value: "bogus"');
      assert.match(connectError('host=a,b').message, /multiple host values are not supported/);
      assert.equal(connectError('port=x').message, 'invalid integer value "x" for connection option "port"');
      assert.match(connectError('host=nonexistent.invalid').message, /^could not translate host name "nonexistent.invalid" to address: /);
    });

    it('takes a password from the password file, unless others can read it', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgpass-'));
      try {
        const file = path.join(dir, 'pgpass');
        fs.writeFileSync(file, `# comment\n127.0.0.1:${(cluster as PgCluster).port}:*:u_scram:scr'am\n*:*:*:u_md5:md5 pw\n`, { mode: 0o600 });
        const c = connect(tcp(`user=u_scram passfile='${file}'`));
        assert.equal(value(c, 'SELECT current_user'), 'u_scram');
        const m = connect(unix(`user=u_md5 passfile='${file}'`));
        assert.equal(value(m, 'SELECT current_user'), 'u_md5');
        fs.chmodSync(file, 0o644);
        const { value: err, stderr } = captureStderr(() => connectError(tcp(`user=u_scram passfile='${file}'`)));
        assert.match(err.message, /fe_sendauth: no password supplied$/);
        assert.equal(stderr, `WARNING: password file "${file}" has group or world access; permissions should be u=rw (0600) or less\n`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('uses the PG* environment variables as defaults', () => {
      const saved = { ...process.env };
      try {
        process.env.PGHOST = (cluster as PgCluster).socketDir;
        process.env.PGPORT = String((cluster as PgCluster).port);
        process.env.PGUSER = 'u_scram';
        process.env.PGPASSWORD = "scr'am";
        process.env.PGDATABASE = 'postgres';
        process.env.PGAPPNAME = 'from env';
        process.env.PGOPTIONS = '-c search_path=from_env';
        const c = connect('');
        assert.equal(value(c, 'SELECT current_user'), 'u_scram');
        assert.equal(value(c, 'SHOW application_name'), 'from env');
        assert.equal(value(c, 'SHOW search_path'), 'from_env');
        const over = connect(`user=u_md5 password='md5 pw' application_name=given`);
        assert.equal(value(over, 'SELECT current_user || current_setting(\'application_name\')'), 'u_md5given');
      } finally {
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
      }
    });
  });

  describe('SCRAM-SHA-256', () => {
    // RFC 7677, section 3: user "user", password "pencil"
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';

    it('computes the RFC 7677 example exchange and checks the server signature', () => {
      const scram = new ScramClient(bytes('pencil'), 'rOprNGfwEbeRWgbNEkqO', 'user');
      assert.equal(str(scram.clientFirst()), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
      assert.equal(str(scram.clientFinal(bytes(serverFirst))), clientFinal);
      scram.verifyServerFinal(bytes('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
    });

    it('refuses a wrong server signature, a foreign nonce and a server error', () => {
      const scram = new ScramClient(bytes('pencil'), 'rOprNGfwEbeRWgbNEkqO', 'user');
      scram.clientFinal(bytes(serverFirst));
      assert.throws(() => scram.verifyServerFinal(bytes('v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), new AuthError('incorrect server signature'));
      assert.throws(() => scram.verifyServerFinal(bytes('e=invalid-proof')), /invalid-proof/);
      const other = new ScramClient(bytes('pencil'), 'abc', 'user');
      assert.throws(() => other.clientFinal(bytes(serverFirst)), new AuthError('invalid SCRAM response (nonce mismatch)'));
    });
  });

  describe('conninfo parsing', () => {
    it('reads key=value pairs with quoted values and escapes', () => {
      const m = parseKeywordValue(" dbname = 'my db'  user='o\\'brien' password=a\\\\b\\ c options='-c x=1' host=/tmp ");
      assert.deepEqual([...m], [['dbname', 'my db'], ['user', "o'brien"], ['password', 'a\\b c'], ['options', '-c x=1'], ['host', '/tmp']]);
      assert.deepEqual([...parseKeywordValue("password=''")], [['password', '']]);
      assert.throws(() => parseKeywordValue('dbname'), new ConninfoError('missing "=" after "dbname" in connection info string'));
      assert.throws(() => parseKeywordValue("dbname='x"), new ConninfoError('unterminated quoted string in connection info string'));
      assert.throws(() => parseKeywordValue('bogus=1'), new ConninfoError('invalid connection option "bogus"'));
    });

    it('reads postgresql:// URIs', () => {
      assert.deepEqual([...parseUri('postgresql://us%40er:p%3Aw@db.example:6543/my%20db?application_name=app&connect_timeout=5')], [
        ['user', 'us@er'], ['password', 'p:w'], ['host', 'db.example'], ['port', '6543'], ['dbname', 'my db'],
        ['application_name', 'app'], ['connect_timeout', '5'],
      ]);
      assert.deepEqual([...parseUri('postgres://[::1]:5433/x')], [['host', '::1'], ['port', '5433'], ['dbname', 'x']]);
      assert.deepEqual([...parseUri('postgresql://%2Fvar%2Frun%2Fpostgresql/db')], [['host', '/var/run/postgresql'], ['dbname', 'db']]);
      assert.deepEqual([...parseUri('postgresql:///db?host=/tmp&port=5999')], [['dbname', 'db'], ['host', '/tmp'], ['port', '5999']]);
      assert.deepEqual([...parseUri('postgresql://')], []);
    });

    it('fills in defaults like libpq: socket directory, port, OS user, dbname = user', () => {
      const d = resolveConninfo('', {});
      const socketDir = fs.existsSync('/var/run/postgresql') ? '/var/run/postgresql' : '/tmp';
      assert.equal(d.host, socketDir);
      assert.equal(d.socketPath, `${socketDir}/.s.PGSQL.5432`);
      assert.equal(d.port, 5432);
      assert.equal(d.user, os.userInfo().username);
      assert.equal(d.dbname, os.userInfo().username);
      assert.equal(d.connectTimeout, 0);
      assert.equal(d.clientEncoding, undefined);
      const e = resolveConninfo('port=7000', { PGHOST: 'db.example', PGPORT: '6000', PGUSER: 'envuser', PGCONNECT_TIMEOUT: '1', PGCLIENTENCODING: 'LATIN1', PGPASSWORD: 'pw' });
      assert.deepEqual([e.host, e.socketPath, e.port, e.user, e.dbname, e.connectTimeout, e.clientEncoding, e.password],
        ['db.example', undefined, 7000, 'envuser', 'envuser', 2, 'LATIN1', 'pw']);
      const a = resolveConninfo('hostaddr=127.0.0.1 host=name.example', {});
      assert.deepEqual([a.host, a.hostaddr, a.socketPath], ['name.example', '127.0.0.1', undefined]);
      assert.equal(resolveConninfo('target_session_attrs=any', {}).port, 5432);
      assert.throws(() => resolveConninfo('target_session_attrs=read-write', {}), /not supported by this client/);
      assert.throws(() => resolveConninfo('port=70000', {}), new ConninfoError('invalid port number: "70000"'));
    });
  });

  describe('queries', () => {
    let c: PgConnection;
    before(() => {
      c = connect(unix(`user=${SUPERUSER}`));
    });

    it('returns every result of a multi-statement query', () => {
      const r = q(c, 'CREATE TEMP TABLE m (a int, t text); INSERT INTO m VALUES (1, NULL), (2, \'zwei\'); ' +
        'SELECT a, t, NULL::int AS n FROM m ORDER BY a; UPDATE m SET a = a WHERE false; SELECT nosuchcolumn FROM m; SELECT 1');
      assert.deepEqual(r.map((x) => [x.status, x.commandTag]),
        [['command', 'CREATE TABLE'], ['command', 'INSERT 0 2'], ['tuples', 'SELECT 2'], ['command', 'UPDATE 0'], ['error', '']]);
      const rows = r[2];
      assert.deepEqual(rows.fields.map((f) => [str(f.name), f.typeOid, f.tableColumn, f.typeModifier]),
        [['a', 23, 1, -1], ['t', 25, 2, -1], ['n', 23, 0, -1]]);
      assert.ok(rows.fields[0].tableOid > 0);
      assert.equal(rows.fields[2].tableOid, 0);
      assert.deepEqual(rows.rows.map((row) => row.map(str)), [['1', null, null], ['2', 'zwei', null]]);
      const err = r[4].error as Map<string, Uint8Array>;
      assert.equal(str(err.get('C')), '42703');
      assert.equal(str(err.get('S')), 'ERROR');
      assert.equal(str(err.get('M')), 'column "nosuchcolumn" does not exist');
      const sql = 'SELECT nosuchcolumn FROM m';
      assert.equal(str(err.get('P')), String(r.length && 'CREATE TEMP TABLE m (a int, t text); INSERT INTO m VALUES (1, NULL), (2, \'zwei\'); SELECT a, t, NULL::int AS n FROM m ORDER BY a; UPDATE m SET a = a WHERE false; '.length + sql.indexOf('nosuchcolumn') + 1));
      assert.equal(r[4].errorMessage, 'ERROR:  column "nosuchcolumn" does not exist\n');
      assert.equal(c.transactionStatus(), 'idle');
    });

    it('gives the row count of command tags like PQcmdTuples', () => {
      assert.deepEqual(['INSERT 0 5', 'UPDATE 3', 'DELETE 0', 'SELECT 12', 'CREATE TABLE', 'BEGIN', ''].map(commandTuples),
        ['5', '3', '0', '12', '', '', '']);
      assert.deepEqual(['INSERT 0 5', 'INSERT 16384 1', 'UPDATE 3'].map(commandOid), [0, 16384, 0]);
    });

    it('ends the query at a NUL byte, as libpq\'s C string does', () => {
      const r = c.query(Buffer.concat([bytes('SELECT 1'), Uint8Array.of(0), bytes('garbage')]));
      assert.equal(str(r?.[0].rows[0][0]), '1');
    });

    it('returns an empty result for an empty query', () => {
      for (const sql of ['', '  ', ';']) assert.deepEqual(q(c, sql).map((x) => x.status), ['empty']);
    });

    it('follows the transaction status through idle, intrans and inerror', () => {
      assert.equal(c.transactionStatus(), 'idle');
      q(c, 'BEGIN');
      assert.equal(c.transactionStatus(), 'intrans');
      assert.equal(q(c, 'SELECT 1/0')[0].status, 'error');
      assert.equal(c.transactionStatus(), 'inerror');
      const r = q(c, 'SELECT 1');
      assert.equal(str(r[0].error?.get('C')), '25P02');
      q(c, 'ROLLBACK');
      assert.equal(c.transactionStatus(), 'idle');
    });

    it('prints notices to stderr like libpq and keeps going', () => {
      const { value: r, stderr } = captureStderr(() => q(c, "DO $$ BEGIN RAISE NOTICE 'hello %', 42 USING HINT = 'a hint'; END $$; SELECT 7"));
      assert.equal(stderr, 'NOTICE:  hello 42\nHINT:  a hint\n');
      assert.deepEqual(r.map((x) => x.status), ['command', 'tuples']);
    });

    it('escapes strings with standard_conforming_strings on and off', () => {
      const input = bytes("it's a \\ test, ü'\\");
      assert.equal(str(c.escapeString(input)), "it''s a \\ test, ü''\\");
      assert.equal(value(c, `SELECT '${str(c.escapeString(input))}'`), str(input));
      q(c, 'SET standard_conforming_strings = off');
      try {
        assert.equal(c.parameterStatus('standard_conforming_strings'), 'off');
        assert.equal(str(c.escapeString(input)), "it''s a \\\\ test, ü''\\\\");
        const { value: v } = captureStderr(() => value(c, `SELECT '${str(c.escapeString(input))}'`)); // the server warns about backslashes
        assert.equal(v, str(input));
      } finally {
        q(c, 'SET standard_conforming_strings = on');
      }
      // in a single-byte encoding every byte stands alone; in UTF-8 a lead byte takes its continuation along
      const latin = connect(unix(`user=${SUPERUSER} client_encoding=LATIN1`));
      assert.deepEqual([...latin.escapeString(Uint8Array.of(0xe4, 0x27))], [0xe4, 0x27, 0x27]);
      const lr = latin.query(Buffer.concat([bytes("SELECT length('"), latin.escapeString(Uint8Array.of(0xe4, 0x27)), bytes("')")]));
      assert.equal(str(lr?.[0].rows[0][0]), '2');
      assert.deepEqual([...c.escapeString(Uint8Array.of(0xc3, 0xa4, 0x27))], [0xc3, 0xa4, 0x27, 0x27]);
      // an incomplete UTF-8 sequence at the end stops the output, as in libpq
      const status = { error: false, message: '' };
      assert.deepEqual([...c.escapeString(Uint8Array.of(0x41, 0x27, 0xc3), status)], [0x41, 0x27, 0x27]);
      assert.ok(status.error);
      assert.equal(c.errorMessage(), 'incomplete multibyte character\n');
    });

    it('round-trips all 256 byte values through a bytea column (escapeBytea, unescapeBytea)', () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      assert.equal(str(c.escapeBytea(Uint8Array.of(0, 0xab, 0x5c))), '\\x00ab5c');
      q(c, 'DELETE FROM bytes');
      q(c, `INSERT INTO bytes VALUES (1, '${str(c.escapeBytea(all))}')`);
      q(c, 'SET standard_conforming_strings = off');
      try {
        assert.equal(str(c.escapeBytea(Uint8Array.of(0xff))), '\\\\xff');
        captureStderr(() => q(c, `INSERT INTO bytes VALUES (2, '${str(c.escapeBytea(all))}')`));
      } finally {
        q(c, 'SET standard_conforming_strings = on');
      }
      const r = q(c, 'SELECT b, length(b), md5(b) FROM bytes ORDER BY id')[0];
      assert.equal(r.rows.length, 2);
      for (const row of r.rows) {
        assert.deepEqual([...unescapeBytea(row[0] as Uint8Array)], [...all]);
        assert.equal(str(row[1]), '256');
      }
      q(c, "SET bytea_output = 'escape'");
      try {
        const old = q(c, 'SELECT b FROM bytes WHERE id = 1')[0].rows[0][0] as Uint8Array;
        assert.ok(!str(old)?.startsWith('\\x'));
        assert.deepEqual([...unescapeBytea(old)], [...all]);
      } finally {
        q(c, "SET bytea_output = 'hex'");
      }
      assert.deepEqual([...unescapeBytea(bytes('a\\\\b\\101\\q'))], [...bytes('a\\bAq')]);
      assert.deepEqual([...unescapeBytea(bytes('\\x41 42\\n4'))], [0x41, 0x42]);
    });

    it('sends and receives values of several megabytes', () => {
      const big = 'x'.repeat(3 << 20) + 'ü'.repeat(1 << 20);
      const r = q(c, `SELECT length('${big}'), '${big}' || 'end', repeat('ab', 3000000)`);
      assert.equal(str(r[0].rows[0][0]), String(big.length));
      assert.equal(str(r[0].rows[0][1]), big + 'end');
      assert.equal(r[0].rows[0][2]?.length, 6000000);
    });
  });

  describe('LISTEN/NOTIFY', () => {
    it('sees a notification from another session after polling fd', () => {
      const a = connect(unix(`user=${SUPERUSER}`));
      const b = connect(tcp(`user=u_trust`));
      q(a, 'LISTEN spec_channel');
      assert.ok(a.consumeInput());
      assert.equal(a.takeNotification(), undefined);
      assert.equal(pollReadable(a.fd, 0), false);
      q(b, "NOTIFY spec_channel, 'payload ü'");
      assert.ok(pollReadable(a.fd, 5000), 'no notification within 5 s');
      assert.ok(a.consumeInput());
      const n = a.takeNotification();
      assert.ok(n !== undefined);
      assert.equal(str(n.channel), 'spec_channel');
      assert.equal(str(n.payload), 'payload ü');
      assert.equal(n.pid, b.backendPid);
      assert.equal(a.takeNotification(), undefined);
      // one arriving during a query is queued too
      q(b, "SELECT pg_notify('spec_channel', 'second')");
      spawnSync('sleep', ['0.2']);
      q(a, 'SELECT 1');
      assert.equal(str(a.takeNotification()?.payload), 'second');
      // a session's own notification comes with its query's results
      q(a, "NOTIFY spec_channel, 'self'");
      const self = a.takeNotification();
      assert.deepEqual([str(self?.payload), self?.pid], ['self', a.backendPid]);
      assert.equal(a.takeNotification(), undefined);
      q(a, 'UNLISTEN *');
    });
  });

  describe('connection loss and close', () => {
    it('gives null from query() once the backend is terminated', () => {
      const victim = connect(tcp(`user=u_trust`));
      const admin = connect(unix(`user=${SUPERUSER}`));
      assert.equal(value(admin, `SELECT pg_terminate_backend(${victim.backendPid})`), 't');
      spawnSync('sleep', ['0.2']);
      assert.equal(victim.query(bytes('SELECT 1')), null);
      assert.equal(victim.isOk(), false);
      assert.equal(victim.transactionStatus(), 'unknown');
      assert.equal(victim.fd, -1);
      assert.match(victim.errorMessage(), /terminating connection due to administrator command|server closed the connection unexpectedly|could not (send|receive) data/);
      // the FATAL error read before the end, as PQgetResult would have returned it
      for (const r of victim.partialResults) assert.equal(str(r.error?.get('C')), '57P01');
      assert.equal(victim.query(bytes('SELECT 1')), null);
      assert.equal(victim.errorMessage(), 'no connection to the server\n');
      assert.equal(victim.consumeInput(), false);
      assert.equal(victim.errorMessage(), 'no connection to the server\nconnection not open\n');
    });

    it('consumeInput() reports a connection lost while idle', () => {
      const victim = connect(unix(`user=u_trust`));
      const admin = connect(unix(`user=${SUPERUSER}`));
      q(admin, `SELECT pg_terminate_backend(${victim.backendPid})`);
      assert.ok(pollReadable(victim.fd, 5000));
      spawnSync('sleep', ['0.1']);
      assert.equal(victim.consumeInput(), false);
      assert.match(victim.errorMessage(), /^FATAL:  terminating connection due to administrator command\nserver closed the connection unexpectedly\n/);
      assert.equal(victim.isOk(), false);
      assert.equal(victim.consumeInput(), false);
      assert.match(victim.errorMessage(), /^FATAL:  terminating connection due to administrator command\n(.|\n)*connection not open\n$/);
    });

    it('close() sends Terminate and is idempotent', () => {
      const c = connect(unix(`user=u_trust application_name=closing`));
      const admin = connect(unix(`user=${SUPERUSER}`));
      c.close();
      c.close();
      assert.equal(c.isOk(), false);
      assert.equal(c.fd, -1);
      assert.equal(c.query(bytes('SELECT 1')), null);
      let left = '1';
      for (let i = 0; i < 50 && left !== '0'; i++) {
        left = value(admin, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'closing'") ?? '';
        if (left !== '0') spawnSync('sleep', ['0.1']);
      }
      assert.equal(left, '0');
    });
  });
});
