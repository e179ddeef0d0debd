/**
 * PostgreSQL frontend/backend protocol 3.0 framing: building the few frontend
 * messages this client sends and decoding the backend messages it reads.
 *
 * Written here rather than taken from the npm package pg-protocol because
 * that package works in JavaScript strings: its serializer UTF-8-encodes the
 * query text and its parser decodes field names, values and error texts to
 * strings. Lua strings are bytes (a query or a value need not be valid
 * UTF-8), and the framing itself is small: a type byte, a 4-byte big-endian
 * length that counts itself, then the body.
 */

/** Protocol version 3.0 as sent in the StartupMessage. */
export const PROTOCOL_3_0 = 3 << 16;

const encoder = new TextEncoder();

/** Bytes of a JavaScript string (UTF-8), as a C string of it would hold. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Collects a message body, then frames it. */
export class MessageWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value | 0, 0);
    return this.bytes(b);
  }

  /** Bytes followed by a NUL terminator (a protocol "String"). */
  cstring(value: string | Uint8Array): this {
    const bytes = typeof value === 'string' ? utf8(value) : value;
    if (bytes.includes(0)) throw new Error('a NUL byte cannot be sent inside a protocol string');
    this.bytes(bytes);
    return this.bytes(new Uint8Array(1));
  }

  bytes(value: Uint8Array): this {
    this.parts.push(value);
    this.size += value.length;
    return this;
  }

  /** The framed message; type null for the StartupMessage, which has no type byte. */
  finish(type: string | null): Buffer {
    const head = type === null ? 4 : 5;
    const out = Buffer.alloc(head + this.size);
    if (type !== null) out[0] = type.charCodeAt(0);
    out.writeInt32BE(this.size + 4, head - 4);
    let off = head;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

/** StartupMessage with the given parameters (user, database, options, ...). */
export function startupMessage(params: Array<[string, string]>): Buffer {
  const w = new MessageWriter().int32(PROTOCOL_3_0);
  for (const [k, v] of params) w.cstring(k).cstring(v);
  return w.cstring('').finish(null);
}

/**
 * Query (simple query protocol): the SQL text's bytes as they are, up to a
 * NUL byte if there is one: libpq takes the query as a C string, so that is
 * where the query ends for it too.
 */
export function queryMessage(sql: Uint8Array): Buffer {
  const nul = sql.indexOf(0);
  return new MessageWriter().cstring(nul < 0 ? sql : sql.subarray(0, nul)).finish('Q');
}

/** PasswordMessage: a cleartext or md5 password, NUL-terminated. */
export function passwordMessage(password: Uint8Array): Buffer {
  return new MessageWriter().cstring(password).finish('p');
}

/** SASLInitialResponse: mechanism name, then the client-first message with its length. */
export function saslInitialResponse(mechanism: string, data: Uint8Array): Buffer {
  return new MessageWriter().cstring(mechanism).int32(data.length).bytes(data).finish('p');
}

/** SASLResponse: the bare SASL data. */
export function saslResponse(data: Uint8Array): Buffer {
  return new MessageWriter().bytes(data).finish('p');
}

/** CopyFail: this client does not implement COPY FROM STDIN, so it refuses it. */
export function copyFailMessage(reason: string): Buffer {
  return new MessageWriter().cstring(reason).finish('f');
}

/** Terminate. */
export function terminateMessage(): Buffer {
  return new MessageWriter().finish('X');
}

/** One backend message: its type letter and body (a view into the read buffer: copy what is kept). */
export interface BackendMessage {
  type: string;
  body: Uint8Array;
}

/** Thrown for a message that does not parse; the connection is then unusable. */
export class ProtocolError extends Error {}

/**
 * A copy of body[start, end) as a plain Uint8Array. Not body.slice(): the body
 * is a view into the read buffer, which is reused, and Buffer's slice is
 * itself only a view.
 */
function copy(body: Uint8Array, start: number, end: number): Uint8Array {
  const v = new Uint8Array(end - start);
  v.set(body.subarray(start, end));
  return v;
}

/** Sequential reader of a message body. */
export class BodyReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly body: Uint8Array, private readonly what: string) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  get remaining(): number {
    return this.body.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.body.length) throw new ProtocolError(`${this.what} message is too short`);
  }

  int32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  int16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  byte(): number {
    this.need(1);
    return this.body[this.pos++];
  }

  /** A copy of the next n bytes. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = copy(this.body, this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A copy of the NUL-terminated string's bytes (without the NUL). */
  cstring(): Uint8Array {
    const end = this.body.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolError(`${this.what} message has an unterminated string`);
    const v = copy(this.body, this.pos, end);
    this.pos = end + 1;
    return v;
  }

  /** The rest of the body (copied). */
  rest(): Uint8Array {
    const v = copy(this.body, this.pos, this.body.length);
    this.pos = this.body.length;
    return v;
  }
}

const decoder = new TextDecoder('utf-8');

/** Text of protocol bytes for messages and tags (invalid UTF-8 becomes U+FFFD). */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export interface FieldDescription {
  name: Uint8Array;
  tableOid: number;
  tableColumn: number;
  typeOid: number;
  typeModifier: number;
  /** 0 text, 1 binary (the simple query protocol always sends text). */
  format: number;
}

/** RowDescription ('T'). */
export function parseRowDescription(body: Uint8Array): FieldDescription[] {
  const r = new BodyReader(body, 'RowDescription');
  const count = r.int16();
  const fields: FieldDescription[] = [];
  for (let i = 0; i < count; i++) {
    const name = r.cstring();
    const tableOid = r.uint32();
    const tableColumn = r.int16();
    const typeOid = r.uint32();
    r.int16(); // type length: not part of the interface
    const typeModifier = r.int32();
    const format = r.int16();
    fields.push({ name, tableOid, tableColumn, typeOid, typeModifier, format });
  }
  return fields;
}

/** DataRow ('D'): each column's bytes, null for SQL NULL (length -1). */
export function parseDataRow(body: Uint8Array): Array<Uint8Array | null> {
  const r = new BodyReader(body, 'DataRow');
  const count = r.int16();
  const row: Array<Uint8Array | null> = new Array(count);
  for (let i = 0; i < count; i++) {
    const len = r.int32();
    row[i] = len < 0 ? null : r.bytes(len);
  }
  return row;
}

/** ErrorResponse ('E') and NoticeResponse ('N'): fields by their code letter. */
export function parseErrorFields(body: Uint8Array): Map<string, Uint8Array> {
  const r = new BodyReader(body, 'ErrorResponse');
  const fields = new Map<string, Uint8Array>();
  for (;;) {
    const code = r.byte();
    if (code === 0) break;
    fields.set(String.fromCharCode(code), r.cstring());
  }
  return fields;
}

/** NotificationResponse ('A'). */
export function parseNotification(body: Uint8Array): { pid: number; channel: Uint8Array; payload: Uint8Array } {
  const r = new BodyReader(body, 'NotificationResponse');
  const pid = r.int32();
  const channel = r.cstring();
  const payload = r.cstring();
  return { pid, channel, payload };
}

/** ParameterStatus ('S'): name and value. */
export function parseParameterStatus(body: Uint8Array): [string, string] {
  const r = new BodyReader(body, 'ParameterStatus');
  const name = decodeText(r.cstring());
  return [name, decodeText(r.cstring())];
}

/** BackendKeyData ('K'). */
export function parseBackendKeyData(body: Uint8Array): { pid: number; secret: number } {
  const r = new BodyReader(body, 'BackendKeyData');
  const pid = r.int32();
  return { pid, secret: r.int32() };
}

/**
 * An ErrorResponse or NoticeResponse as libpq's default verbosity shows it:
 * "SEVERITY:  message\n", then DETAIL, HINT and QUERY lines, and CONTEXT for
 * errors (libpq shows context for errors only by default). The error-cursor
 * "LINE n:" display needs the query text and is left out.
 */
export function formatErrorFields(fields: Map<string, Uint8Array>, isError: boolean): string {
  const get = (code: string): string | undefined => {
    const v = fields.get(code);
    return v === undefined ? undefined : decodeText(v);
  };
  let out = `${get('S') ?? get('V') ?? (isError ? 'ERROR' : 'NOTICE')}:  ${get('M') ?? '(missing error text)'}\n`;
  const detail = get('D');
  if (detail !== undefined) out += `DETAIL:  ${detail}\n`;
  const hint = get('H');
  if (hint !== undefined) out += `HINT:  ${hint}\n`;
  const internalQuery = get('q');
  if (internalQuery !== undefined) out += `QUERY:  ${internalQuery}\n`;
  const context = get('W');
  if (isError && context !== undefined) out += `CONTEXT:  ${context}\n`;
  return out;
}
