/**
 * A synchronous PostgreSQL client on the wire protocol, without libpq, for
 * the TypeScript mondelefant_native: everything blocks on the native poll(2)
 * (the caller is a Lua VM in a forked worker that must not yield to the Node
 * event loop). Simple Query protocol only, text results as raw bytes. The
 * error texts follow PostgreSQL 15's libpq, since mondelefant passes them on.
 */
import { native } from '../../native/binding';
import { closeQuietly } from '../../io/child';
import { ConninfoError, resolveConninfo, type ConnSettings } from './conninfo';
import { escapeBytea as escapeByteaBytes, escapeString as escapeStringBytes, type EscapeStatus } from './escape';
import {
  copyFailMessage, decodeText, formatErrorFields, parseErrorFields, parseNotification, parseParameterStatus, ProtocolError,
  queryMessage, terminateMessage,
} from './messages';
import { ResultCollector, type PgNotification, type PgResult } from './results';
import { numericAddress, openTcp, openUnix, resolveHost, SocketError } from './socket';
import { printNotice, runStartup, StartupError, type SessionState } from './startup';
import { Wire, WireError } from './wire';

export { unescapeBytea } from './escape';

export type { PgField, PgNotification, PgResult } from './results';
export { commandOid, commandTuples } from './results';

/** A failed PgConnection.connect: message is the first line of libpq's text, fullMessage all of it. */
export class PgConnectError extends Error {
  constructor(readonly fullMessage: string) {
    super(fullMessage.split('\n')[0]);
    this.name = 'PgConnectError';
  }
}

const NO_CONNECTION = 'no connection to the server\n';

interface Target {
  /** libpq's "connection to server ... failed: " prefix for this address. */
  prefix: string;
  /** The hint libpq adds after a refused connect. */
  hint: string;
  open: (deadline: number | null) => number;
}

function targets(s: ConnSettings): Target[] {
  if (s.socketPath !== undefined) {
    const path = s.socketPath;
    return [{
      prefix: `connection to server on socket "${path}" failed: `,
      hint: '\tIs the server running locally and accepting connections on that socket?\n',
      open: () => openUnix(path),
    }];
  }
  const addresses = s.hostaddr !== undefined ? [numericAddress(s.hostaddr)] : resolveHost(s.host, s.port);
  // as libpq: a hostaddr is shown alone; a host name with the address it resolved to
  return addresses.map((a) => ({
    prefix: s.hostaddr !== undefined
      ? `connection to server at "${s.hostaddr}", port ${s.port} failed: `
      : `connection to server at "${s.host}"${a.address !== s.host ? ` (${a.address})` : ''}, port ${s.port} failed: `,
    hint: '\tIs the server running on that host and accepting TCP/IP connections?\n',
    open: (deadline: number | null) => openTcp(a.family, a.address, s.port, deadline),
  }));
}

function failureText(err: unknown): string {
  if (err instanceof StartupError || err instanceof WireError) return err.message;
  if (err instanceof ProtocolError) return `protocol error: ${err.message}\n`;
  throw err;
}

export class PgConnection {
  private wire: Wire | null;
  private ok = false;
  private inQuery = false;
  private lastError = '';
  private readonly notifications: PgNotification[] = [];
  private readonly state: SessionState = { parameters: new Map(), backendPid: 0, secretKey: 0, readyStatus: 'I' };
  /**
   * When query() returned null: the results complete before the connection
   * failed, among them the FATAL error the server sent before closing (what
   * libpq's PQgetResult would still have returned). Empty otherwise.
   */
  partialResults: PgResult[] = [];
  /** Called for each NoticeResponse; the default prints it to stderr like libpq's default notice processor. */
  noticeHandler: (fields: Map<string, Uint8Array>, body: Uint8Array) => void = (_fields, body) => printNotice(body);

  private constructor(fd: number) {
    this.wire = new Wire(fd);
  }

  /**
   * Connects (blocking) as libpq's PQconnectdb does; throws PgConnectError.
   * Bytes (a Lua string) are read as UTF-8. A NUL ends the string, as it
   * ends libpq's C string.
   */
  static connect(conninfo: string | Uint8Array): PgConnection {
    let s: ConnSettings;
    let list: Target[];
    const text = typeof conninfo === 'string' ? conninfo : decodeText(conninfo);
    try {
      s = resolveConninfo(text.split('\0')[0]);
      list = targets(s);
    } catch (err) {
      if (err instanceof ConninfoError || err instanceof SocketError) throw new PgConnectError(`${err.message}\n`);
      throw err;
    }
    // connect_timeout bounds each address's attempt, as in libpq
    let full = '';
    for (const t of list) {
      const deadline = s.connectTimeout > 0 ? native().monotonic() + s.connectTimeout : null;
      let fd: number;
      try {
        fd = t.open(deadline);
      } catch (err) {
        if (!(err instanceof SocketError)) throw err;
        full += `${t.prefix}${err.message}\n${err.refused ? t.hint : ''}`;
        continue;
      }
      const conn = new PgConnection(fd);
      try {
        runStartup(conn.wire as Wire, s, conn.state, deadline);
        conn.ok = true;
        return conn;
      } catch (err) {
        full += t.prefix + failureText(err);
        conn.drop();
      }
    }
    throw new PgConnectError(full);
  }

  /** The socket descriptor; -1 once the connection is closed or lost (like PQsocket). */
  get fd(): number {
    return this.wire === null ? -1 : this.wire.fd;
  }

  /** The backend's process id (BackendKeyData). */
  get backendPid(): number {
    return this.state.backendPid;
  }

  parameterStatus(name: string): string | undefined {
    return this.state.parameters.get(name);
  }

  /** PQserverVersion: 150018 for "15.18", 90624 for "9.6.24"; 0 when unknown. */
  serverVersion(): number {
    const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(this.state.parameters.get('server_version') ?? '');
    if (m === null) return 0;
    const [major, minor, patch] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
    return major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100 + patch;
  }

  isOk(): boolean {
    return this.ok;
  }

  transactionStatus(): 'idle' | 'active' | 'intrans' | 'inerror' | 'unknown' {
    if (!this.ok) return 'unknown';
    if (this.inQuery) return 'active';
    switch (this.state.readyStatus) {
      case 'I': return 'idle';
      case 'T': return 'intrans';
      case 'E': return 'inerror';
      default: return 'unknown';
    }
  }

  errorMessage(): string {
    return this.lastError;
  }

  /** The connection is lost: close the socket (fd becomes -1), as libpq drops it. */
  private fail(message: string): void {
    this.lastError = message;
    this.ok = false;
    this.drop();
  }

  private drop(): void {
    if (this.wire === null) return;
    closeQuietly([this.wire.fd]);
    this.wire = null;
  }

  /** Handles a message that may come at any time; false if it is not one of those. */
  private asyncMessage(type: string, body: Uint8Array): boolean {
    switch (type) {
      case 'A': {
        const n = parseNotification(body);
        this.notifications.push({ channel: n.channel, payload: n.payload, pid: n.pid });
        return true;
      }
      case 'N':
        this.noticeHandler(parseErrorFields(body), body);
        return true;
      case 'S': {
        const [name, value] = parseParameterStatus(body);
        this.state.parameters.set(name, value);
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Simple Query: sends sql and collects every result until ReadyForQuery.
   * null when the connection failed (errorMessage() says why, isOk() is false).
   */
  query(sql: Uint8Array): PgResult[] | null {
    const wire = this.wire;
    if (!this.ok || wire === null) {
      this.lastError = NO_CONNECTION;
      this.partialResults = []; // nothing was sent: no results of an earlier query count
      return null;
    }
    // as libpq from version 14 on, each query starts with a clean error message
    this.lastError = '';
    const collector = new ResultCollector();
    this.partialResults = [];
    this.inQuery = true;
    try {
      try {
        wire.write(queryMessage(sql), null);
      } catch (err) {
        // the server may have said why before it went away (libpq reads on, too)
        if (!(err instanceof WireError)) throw err;
        this.fail(this.pendingErrors(wire) + err.message);
        return null;
      }
      for (;;) {
        const m = wire.read(null);
        if (this.asyncMessage(m.type, m.body) || collector.take(m.type, m.body)) continue;
        switch (m.type) {
          case 'G':
            // COPY FROM STDIN: not supported by this client; refusing it makes the server end with an error
            wire.write(copyFailMessage('COPY FROM STDIN is not supported by this client'), null);
            break;
          case 'H': case 'd': case 'c':
            break; // COPY TO STDOUT: the data is skipped; CommandComplete follows
          case 'Z':
            this.state.readyStatus = m.body.length > 0 ? String.fromCharCode(m.body[0]) : 'I';
            return collector.results;
          default:
            throw new ProtocolError(`unexpected response from server; first received character was "${m.type}"`);
        }
      }
    } catch (err) {
      this.fail(collector.fatal + failureText(err));
      this.partialResults = collector.results;
      return null;
    } finally {
      this.inQuery = false;
    }
  }

  /** After a failed write: the error texts of any ErrorResponses the server sent before closing. */
  private pendingErrors(wire: Wire): string {
    try {
      wire.readAvailable();
    } catch {
      // EOF or reset: what was read before is still parsed
    }
    return this.parseIdle(wire).errors; // a garbled tail is ignored: the connection is gone anyway
  }

  /**
   * Parses the complete messages already read while no query runs:
   * notifications, notices, parameter changes, and an ErrorResponse (a FATAL
   * one before the server closes), whose text becomes errorMessage(). Returns
   * that error text, or a protocol failure's as { failure }.
   */
  private parseIdle(wire: Wire): { errors: string; failure: string | null } {
    let errors = '';
    try {
      for (let m = wire.next(); m !== undefined; m = wire.next()) {
        if (this.asyncMessage(m.type, m.body)) continue;
        if (m.type === 'E') errors += formatErrorFields(parseErrorFields(m.body), true);
        // anything else has no meaning outside a query and is dropped
      }
    } catch (err) {
      return { errors, failure: failureText(err) };
    }
    if (errors !== '') this.lastError = errors;
    return { errors, failure: null };
  }

  /**
   * Like PQconsumeInput: reads what the socket holds without waiting, queues
   * notifications. false on EOF or error (the connection is then lost).
   */
  consumeInput(): boolean {
    const wire = this.wire;
    if (!this.ok || wire === null) {
      // appended, as libpq does here: the first line still says why the connection went
      this.lastError += 'connection not open\n';
      return false;
    }
    let failure: string | null = null;
    try {
      wire.readAvailable();
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      failure = err.message;
    }
    // what was read before an EOF still counts (the FATAL message says why)
    const idle = this.parseIdle(wire);
    failure ??= idle.failure;
    if (failure !== null) {
      this.fail(idle.errors + failure);
      return false;
    }
    return true;
  }

  /**
   * The next queued notification, or undefined. Like PQnotifies, it first
   * parses messages already read (never reading the socket): a notification
   * read together with the end of a query is there without polling fd.
   */
  takeNotification(): PgNotification | undefined {
    if (this.notifications.length === 0 && this.ok && this.wire !== null) {
      const idle = this.parseIdle(this.wire);
      if (idle.failure !== null) this.fail(idle.errors + idle.failure);
    }
    return this.notifications.shift();
  }

  /** The client encoding's name as the server reports it. */
  private clientEncoding(): string {
    return this.state.parameters.get('client_encoding') ?? 'SQL_ASCII';
  }

  private standardStrings(): boolean {
    return this.state.parameters.get('standard_conforming_strings') === 'on';
  }

  /**
   * PQescapeStringConn, without surrounding quotes. An incomplete multibyte
   * character at the end stops the output there, sets status.error when a
   * status is given, and sets errorMessage() as libpq does.
   */
  escapeString(bytes: Uint8Array, status?: EscapeStatus): Uint8Array {
    const st: EscapeStatus = status ?? { error: false, message: '' };
    const out = escapeStringBytes(bytes, this.clientEncoding(), this.standardStrings(), st);
    if (st.error) this.lastError = st.message;
    return out;
  }

  /** PQescapeByteaConn, without surrounding quotes. */
  escapeBytea(bytes: Uint8Array): Uint8Array {
    return escapeByteaBytes(bytes, this.standardStrings(), this.serverVersion() >= 90000);
  }

  /** Sends Terminate (best effort, never waiting) and closes the socket. Idempotent. */
  close(): void {
    const wire = this.wire;
    if (wire !== null && this.ok) {
      try {
        const bye = terminateMessage();
        native().write(wire.fd, bye, 0, bye.length);
      } catch {
        // the server is gone already
      }
    }
    this.ok = false;
    this.drop();
  }
}
