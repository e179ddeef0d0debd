/**
 * A private PostgreSQL cluster for specs: initdb into a fresh temporary
 * folder, a postmaster on 127.0.0.1 (a free port) and on a Unix socket in
 * that folder, pg_hba.conf lines given by the spec. The server refuses to run
 * as root, so under root initdb and pg_ctl run as the "postgres" OS user
 * (runuser), the folder chowned to it. Every wait is bounded; stop() (and,
 * as a last resort, process exit) kills the postmaster by its pid.
 */
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './server';

export const PG_MISSING =
  'PostgreSQL 15 not found: install postgresql-15 (Debian: apt-get install postgresql-15) ' +
  'or put the directory with initdb, pg_ctl and postgres on PATH';

/** The superuser initdb creates (trusted on the socket and on 127.0.0.1). */
export const SUPERUSER = 'postgres';

/** The directory holding initdb, pg_ctl, postgres and psql, or null. PATH first, then /usr/lib/postgresql/<newest>/bin. */
export function findPgBin(): string | null {
  const complete = (dir: string): boolean => ['initdb', 'pg_ctl', 'postgres', 'psql'].every((b) => fs.existsSync(path.join(dir, b)));
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    const initdb = path.join(dir, 'initdb');
    if (!fs.existsSync(initdb)) continue;
    const real = path.dirname(fs.realpathSync(initdb)); // Debian links /usr/bin tools to the versioned directory
    if (complete(real)) return real;
    if (complete(dir)) return dir;
  }
  let versions: string[] = [];
  try {
    versions = fs.readdirSync('/usr/lib/postgresql');
  } catch {
    return null;
  }
  versions.sort((a, b) => (a === '15' ? -1 : b === '15' ? 1 : Number(b) - Number(a)));
  for (const v of versions) {
    const dir = path.join('/usr/lib/postgresql', v, 'bin');
    if (complete(dir)) return dir;
  }
  return null;
}

export interface ClusterOptions {
  /** pg_hba.conf lines after the superuser's trust lines (first match wins). */
  hba?: string[];
  /** Extra postgresql.conf settings. */
  settings?: Record<string, string>;
}

export interface PgCluster {
  dir: string;
  /** The Unix socket directory (also dir). */
  socketDir: string;
  port: number;
  pid: number;
  /** Runs SQL through psql as the superuser over the socket; stdout (unaligned, tuples only). Throws with psql's stderr. */
  psql(sql: string, dbname?: string): string;
  /** Rewrites the pg_hba.conf lines and reloads. */
  setHba(lines: string[]): void;
  stop(): void;
}

const running = new Set<PgCluster>();
process.on('exit', () => {
  for (const c of running) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function check(r: SpawnSyncReturns<string>, what: string): string {
  if (r.error !== undefined) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (status ${r.status}, signal ${r.signal}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Environment without PG* variables, so the tools see only their arguments. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  return env;
}

export async function startCluster(options: ClusterOptions = {}): Promise<PgCluster> {
  const bin = findPgBin();
  if (bin === null) throw new Error(PG_MISSING);
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0 || gid.status !== 0) throw new Error('running as root and there is no "postgres" OS user to run the server as');
    owner = { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  /** Runs a server program, as postgres when we are root. */
  const run = (program: string, args: string[], timeoutMs: number): SpawnSyncReturns<string> => {
    const file = path.join(bin, program);
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    return spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs, env: cleanEnv(), cwd: '/' });
  };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgspec-'));
  if (owner !== undefined) fs.chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const port = await freePort('127.0.0.1');
  let pid = 0;
  const stop = (): void => {
    running.delete(cluster);
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop'], 15000);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // stopped already
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const writeHba = (lines: string[]): void => {
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), [
      `local all ${SUPERUSER} trust`,
      `host all ${SUPERUSER} 127.0.0.1/32 trust`,
      ...lines,
      '',
    ].join('\n'));
  };
  const psql = (sql: string, dbname = 'postgres'): string => check(spawnSync(path.join(bin, 'psql'), [
    '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', SUPERUSER, '-d', dbname, '-c', sql,
  ], { encoding: 'utf8', timeout: 30000, env: cleanEnv() }), `psql ${JSON.stringify(sql.slice(0, 80))}`);
  const cluster: PgCluster = {
    dir, socketDir: dir, port, pid: 0, psql, stop,
    setHba(lines) {
      writeHba(lines);
      psql('SELECT pg_reload_conf()');
      // the postmaster rereads pg_hba.conf on SIGHUP asynchronously; give it a moment
      spawnSync('sleep', ['0.3']);
    },
  };
  try {
    check(run('initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '-N'], 120000), 'initdb');
    const settings: Record<string, string> = {
      listen_addresses: "'127.0.0.1'",
      port: String(port),
      unix_socket_directories: `'${dir}'`,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '30',
      shared_buffers: "'16MB'",
      ...options.settings,
    };
    fs.appendFileSync(path.join(data, 'postgresql.conf'),
      '\n' + Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
    writeHba(options.hba ?? [`local all all trust`, `host all all 127.0.0.1/32 trust`]);
    check(run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'], 90000), 'pg_ctl start');
    pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    cluster.pid = pid;
    running.add(cluster);
  } catch (err) {
    let log = '';
    try {
      log = fs.readFileSync(path.join(dir, 'server.log'), 'utf8');
    } catch {
      // no log yet
    }
    stop();
    throw new Error(`${(err as Error).message}${log === '' ? '' : `\nserver.log:\n${log}`}`);
  }
  return cluster;
}
