/**
 * Connection strings as libpq reads them: "key=value" pairs separated by
 * whitespace (values optionally in single quotes, where \' and \\ escape),
 * or postgresql:// (postgres://) URIs; then the PG* environment variables
 * and the built-in defaults for whatever is still unset.
 */
import * as fs from 'fs';
import * as os from 'os';

/** A conninfo that libpq would refuse; the message is libpq's. */
export class ConninfoError extends Error {}

/** Every keyword this client knows. The ssl* file options are accepted and unused (there is no SSL). */
const KEYWORDS = new Set([
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'connect_timeout', 'options', 'application_name',
  'fallback_application_name', 'client_encoding', 'sslmode', 'passfile', 'target_session_attrs',
  'sslcert', 'sslkey', 'sslrootcert', 'sslcrl', 'sslcrldir', 'sslpassword', 'sslcompression', 'sslsni',
  'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count', 'tcp_user_timeout',
]);

/** Keyword -> environment variable consulted when the keyword is not given (libpq's list, as far as it applies). */
const ENVIRONMENT: Record<string, string> = {
  host: 'PGHOST',
  hostaddr: 'PGHOSTADDR',
  port: 'PGPORT',
  dbname: 'PGDATABASE',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  passfile: 'PGPASSFILE',
  options: 'PGOPTIONS',
  application_name: 'PGAPPNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  client_encoding: 'PGCLIENTENCODING',
  sslmode: 'PGSSLMODE',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
};

/** Debian's libpq looks for the server's socket here; elsewhere the compiled-in default is /tmp. */
export const DEBIAN_SOCKET_DIR = '/var/run/postgresql';
export const DEFAULT_PORT = 5432;

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Parses "key=value key2='quoted \' value'" (libpq's conninfo_parse). */
export function parseKeywordValue(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    let key = '';
    while (i < n && text[i] !== '=' && !isSpace(text[i])) key += text[i++];
    while (i < n && isSpace(text[i])) i++;
    if (text[i] !== '=') throw new ConninfoError(`missing "=" after "${key}" in connection info string`);
    i++;
    while (i < n && isSpace(text[i])) i++;
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) throw new ConninfoError('unterminated quoted string in connection info string');
        const c = text[i++];
        if (c === '\\' && i < n) value += text[i++];
        else if (c === "'") break;
        else value += c;
      }
    } else {
      while (i < n && !isSpace(text[i])) {
        const c = text[i++];
        if (c === '\\' && i < n) value += text[i++];
        else value += c;
      }
    }
    if (!KEYWORDS.has(key)) throw new ConninfoError(`invalid connection option "${key}"`);
    out.set(key, value);
  }
  return out;
}

function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new ConninfoError(`invalid percent-encoded token: "${text}"`);
      if (hex === '00') throw new ConninfoError(`forbidden value %00 in percent-encoded value: "${text}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Parses postgresql://[user[:password]@][host][:port][/dbname][?key=value&...].
 * A host list (commas) is refused: this client tries one server. A host of
 * "%2Fdir" (or a host= query parameter starting with /) is a socket directory.
 */
export function parseUri(uri: string): Map<string, string> {
  const out = new Map<string, string>();
  const prefix = /^postgres(?:ql)?:\/\//.exec(uri);
  if (prefix === null) throw new ConninfoError(`invalid URI: "${uri}"`);
  let rest = uri.slice(prefix[0].length);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let path: string | undefined;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    path = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    if (user !== '') out.set('user', percentDecode(user));
    if (colon >= 0) out.set('password', percentDecode(userinfo.slice(colon + 1)));
  }
  if (rest.includes(',')) throw new ConninfoError(`multiple hosts are not supported by this client: "${uri}"`);
  let host: string;
  let port = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new ConninfoError(`end of string reached when looking for matching "]" in IPv6 host address in URI: "${uri}"`);
    host = rest.slice(1, close);
    if (host === '') throw new ConninfoError(`IPv6 host address may not be empty in URI: "${uri}"`);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      throw new ConninfoError(`unexpected character "${after[0]}" at position ${prefix[0].length + close + 2} in URI (expected ":" or "/"): "${uri}"`);
    }
    port = after.slice(1);
  } else {
    const colon = rest.indexOf(':');
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    port = colon >= 0 ? rest.slice(colon + 1) : '';
  }
  if (host !== '') out.set('host', percentDecode(host));
  if (port !== '') out.set('port', percentDecode(port));
  if (path !== undefined && path !== '') out.set('dbname', percentDecode(path));
  if (query !== '') {
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq < 0) throw new ConninfoError(`missing key/value separator "=" in URI query parameter: "${pair}"`);
      let key = percentDecode(pair.slice(0, eq));
      const value = percentDecode(pair.slice(eq + 1));
      if (key === 'ssl' && value === 'true') {
        key = 'sslmode'; // libpq's JDBC-compatible alias
        out.set(key, 'require');
        continue;
      }
      if (!KEYWORDS.has(key)) throw new ConninfoError(`invalid URI query parameter: "${key}"`);
      out.set(key, value);
    }
  }
  return out;
}

/** The settings one connection attempt uses, defaults applied. */
export interface ConnSettings {
  /** Host name or address for messages and the password file; a socket directory when `unix`. */
  host: string;
  /** hostaddr, when given: the numeric address to connect to. */
  hostaddr: string | undefined;
  port: number;
  /** The Unix socket path when connecting locally. */
  socketPath: string | undefined;
  user: string;
  dbname: string;
  password: string | undefined;
  passfile: string | undefined;
  /** Seconds for the whole connection attempt; 0 waits forever. */
  connectTimeout: number;
  options: string | undefined;
  applicationName: string | undefined;
  clientEncoding: string | undefined;
}

/** The OS user's name, libpq's default user. */
function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    throw new ConninfoError('could not look up local user name');
  }
}

/** The default socket directory: Debian's /var/run/postgresql when it exists, else /tmp. */
export function defaultSocketDir(): string {
  try {
    if (fs.statSync(DEBIAN_SOCKET_DIR).isDirectory()) return DEBIAN_SOCKET_DIR;
  } catch {
    // not there: the upstream default
  }
  return '/tmp';
}

function parseIntParam(value: string, keyword: string): number {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new ConninfoError(`invalid integer value "${value}" for connection option "${keyword}"`);
  }
  return Number(trimmed);
}

/** Options with a value after the conninfo, then the environment (an empty conninfo value counts as given, as in libpq). */
function withEnvironment(given: Map<string, string>, env: NodeJS.ProcessEnv): Map<string, string> {
  const all = new Map(given);
  for (const [keyword, variable] of Object.entries(ENVIRONMENT)) {
    const v = env[variable];
    if (!all.has(keyword) && v !== undefined) all.set(keyword, v);
  }
  return all;
}

/** client_encoding "auto" means the locale's character set, as libpq takes it from nl_langinfo(CODESET). */
function clientEncoding(value: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (value === undefined || value.toLowerCase() !== 'auto') return value;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale) ? 'UTF8' : 'SQL_ASCII';
}

/** Parses a conninfo string or URI and fills in environment and built-in defaults. Throws ConninfoError. */
export function resolveConninfo(conninfo: string, env: NodeJS.ProcessEnv = process.env): ConnSettings {
  const trimmed = conninfo.replace(/^\s+/, '');
  const given = /^postgres(?:ql)?:\/\//.test(trimmed) ? parseUri(trimmed) : parseKeywordValue(conninfo);
  const all = withEnvironment(given, env);
  const nonEmpty = (key: string): string | undefined => {
    const v = all.get(key);
    return v === undefined || v === '' ? undefined : v;
  };

  const sslmode = nonEmpty('sslmode') ?? 'prefer';
  if (!['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].includes(sslmode)) {
    throw new ConninfoError(`invalid sslmode value: "${sslmode}"`);
  }
  if (sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full') {
    throw new ConninfoError(`SSL is not supported by this client (sslmode "${sslmode}"); use sslmode disable, allow or prefer`);
  }
  const tsa = nonEmpty('target_session_attrs') ?? 'any';
  if (tsa !== 'any') {
    if (['read-write', 'read-only', 'primary', 'standby', 'prefer-standby'].includes(tsa)) {
      throw new ConninfoError(`target_session_attrs "${tsa}" is not supported by this client (only "any")`);
    }
    throw new ConninfoError(`invalid target_session_attrs value: "${tsa}"`);
  }

  const hostaddr = nonEmpty('hostaddr');
  let host = nonEmpty('host');
  for (const [keyword, value] of [['host', host], ['hostaddr', hostaddr], ['port', nonEmpty('port')]] as const) {
    if (value !== undefined && value.includes(',')) {
      throw new ConninfoError(`multiple ${keyword} values are not supported by this client: "${value}"`);
    }
  }
  const portText = nonEmpty('port');
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    port = parseIntParam(portText, 'port');
    if (port < 1 || port > 65535) throw new ConninfoError(`invalid port number: "${portText}"`);
  }
  let socketPath: string | undefined;
  if (hostaddr === undefined && (host === undefined || host.startsWith('/'))) {
    host ??= defaultSocketDir();
    socketPath = `${host}/.s.PGSQL.${port}`; // libpq's "%s/.s.PGSQL.%d", in its messages too
  }
  let connectTimeout = 0;
  const timeoutText = nonEmpty('connect_timeout');
  if (timeoutText !== undefined) {
    connectTimeout = parseIntParam(timeoutText, 'connect_timeout');
    // libpq: non-positive means forever, and at least 2 seconds otherwise
    if (connectTimeout <= 0) connectTimeout = 0;
    else if (connectTimeout < 2) connectTimeout = 2;
  }
  const user = nonEmpty('user') ?? osUser();
  return {
    host: host ?? (hostaddr as string),
    hostaddr,
    port,
    socketPath,
    user,
    dbname: nonEmpty('dbname') ?? user,
    password: nonEmpty('password'), // libpq treats an empty password as none
    passfile: nonEmpty('passfile'),
    connectTimeout,
    options: nonEmpty('options'),
    applicationName: nonEmpty('application_name') ?? nonEmpty('fallback_application_name'),
    clientEncoding: clientEncoding(nonEmpty('client_encoding'), env),
  };
}
