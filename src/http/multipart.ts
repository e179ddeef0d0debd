/**
 * A pure, streaming multipart/form-data parser (RFC 7578, RFC 2046 5.1)
 * following Moonbridge 1.0.1's Lua parser, with a few documented extensions:
 * transport padding after a delimiter, a fuller Content-Type parameter
 * syntax, and unquoted filename= values kept (the Lua server drops them by
 * accident).
 *
 * Memory stays bounded whatever the part size: part content is searched with
 * Buffer#indexOf (native memmem) and handed out as views into the fed
 * buffer; only the undecided tail (which might begin a delimiter, at most
 * delimiter length - 1 bytes) is copied into a small carry-over buffer, and a
 * part header section is bounded by maxPartHeaderSize.
 */
import { HttpError } from './errors';
import { trimOws } from './header-values';

export interface PartInfo {
  /** name= of Content-Disposition, null if absent (such a part's value is dropped by the caller). */
  fieldName: string | null;
  /** filename= (quoted or unquoted), null if absent. */
  fileName: string | null;
  /** The part's Content-Type header value (trimmed), null if absent. */
  contentType: string | null;
}

export interface MultipartHandler {
  partBegin(info: PartInfo): void;
  /** A piece of the part's content (non-empty). The view may alias the fed buffer: valid only during the call. */
  partData(data: Uint8Array): void;
  partEnd(): void;
}

export interface MultipartOptions {
  /** Maximum bytes of one part's header section, line ends included (default 65536). */
  maxPartHeaderSize?: number;
}

const BAD = '400 Bad Request';
const PREMATURE = 'Premature end of multipart/form-data request body';
const DELIMITER_ERROR = 'Error while parsing multipart body (expected CRLF or double minus)';
const HEADER_ERROR = 'Invalid header in multipart/form-data part';
const CTE_ERROR = 'Content-transfer-encoding not supported by multipart/form-data parser';

/** RFC 2046 5.1.1: a boundary has 1 to 70 characters. */
const MAX_BOUNDARY = 70;

const HT = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const DASH = 0x2d;

// ---------------------------------------------------------------------------
// Content-Type

/** RFC 9110 5.6.2 tchar. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The boundary of a multipart/form-data Content-Type value, or null when the
 * value is not multipart/form-data or has no usable boundary.
 *
 * Syntax (RFC 9110 5.6.6): type/subtype case-insensitively, then parameters
 * separated by ";" with optional whitespace (the first separator may also be
 * "," as in Moonbridge), names case-insensitive, values a quoted-string (with
 * quoted-pairs unescaped) or unquoted. An unquoted value may hold any
 * character but `"`, ";", SP and HTAB, as Moonbridge's pattern
 * `boundary=([^"; \t]+)$` accepts. Any malformed parameter, a repeated
 * boundary parameter (ambiguous), or a boundary outside 1..70 characters
 * gives null.
 */
export function multipartBoundary(contentType: string): string | null {
  const s = contentType;
  const n = s.length;
  let i = 0;
  const ows = (): void => {
    while (i < n && (s.charCodeAt(i) === SP || s.charCodeAt(i) === HT)) i++;
  };
  ows();
  const typeEnd = i + 'multipart/form-data'.length;
  if (s.slice(i, typeEnd).toLowerCase() !== 'multipart/form-data') return null;
  i = typeEnd;
  let boundary: string | null = null;
  let first = true;
  for (;;) {
    ows();
    if (i === n) break;
    const sep = s[i];
    if (sep !== ';' && !(first && sep === ',')) return null;
    first = false;
    i++;
    ows();
    if (i === n || s[i] === ';') continue; // empty parameter, allowed by the grammar
    const eq = s.indexOf('=', i);
    if (eq < 0) return null;
    const name = s.slice(i, eq);
    if (!TOKEN.test(name)) return null;
    i = eq + 1;
    let value = '';
    if (s[i] === '"') {
      // quoted-string: ends at the first unescaped DQUOTE; "\x" stands for x.
      i++;
      for (;;) {
        if (i >= n) return null;
        const c = s[i++];
        if (c === '"') break;
        if (c === '\\') {
          if (i >= n) return null;
          value += s[i++];
        } else {
          value += c;
        }
      }
    } else {
      const start = i;
      while (i < n && !'"; \t'.includes(s[i])) i++;
      value = s.slice(start, i);
      if (value.length === 0) return null;
    }
    if (name.toLowerCase() === 'boundary') {
      if (boundary !== null) return null;
      boundary = value;
    }
  }
  if (boundary === null || boundary.length === 0 || boundary.length > MAX_BOUNDARY) return null;
  return boundary;
}

// ---------------------------------------------------------------------------
// Part headers

/**
 * name= and filename= of a Content-Disposition value. Parameters are read in
 * order after the disposition type, so a "name=" inside another parameter's
 * quoted value is never taken. As in Moonbridge, a quoted value ends at the
 * next DQUOTE (a backslash is literal), an unquoted one at `"`, ";", SP or
 * HTAB; an unterminated quoted value or an empty unquoted one counts as
 * absent. The first occurrence of each parameter wins, like Lua's
 * string.match.
 */
function dispositionParams(value: string): { name: string | null; filename: string | null } {
  const n = value.length;
  let name: string | null = null;
  let filename: string | null = null;
  // Skips to the next ";" outside quotes (the rest of the type or of a parameter).
  const skip = (i: number): number => {
    while (i < n && value[i] !== ';') {
      if (value[i] === '"') {
        const close = value.indexOf('"', i + 1);
        i = close < 0 ? n : close + 1;
      } else {
        i++;
      }
    }
    return i;
  };
  let i = skip(0);
  while (i < n) {
    i++; // the ";"
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    const start = i;
    // A DQUOTE ends the name too: skip() then passes over the quoted text, wherever it stands.
    while (i < n && value[i] !== '=' && value[i] !== ';' && value[i] !== '"') i++;
    if (value[i] === '=') {
      const key = value.slice(start, i).toLowerCase();
      i++;
      let v: string | null;
      if (value[i] === '"') {
        const close = value.indexOf('"', i + 1);
        v = close < 0 ? null : value.slice(i + 1, close);
        i = close < 0 ? n : close + 1;
      } else {
        const vs = i;
        while (i < n && !'"; \t'.includes(value[i])) i++;
        v = i > vs ? value.slice(vs, i) : null;
      }
      if (key === 'name' && name === null) name = v;
      else if (key === 'filename' && filename === null) filename = v;
    }
    i = skip(i);
  }
  return { name, filename };
}

// ---------------------------------------------------------------------------
// Body

/** Phases of the body parser. */
const PREAMBLE = 0;    // before the first "--boundary"
const AFTER_DELIM = 1; // right after a delimiter: "--" (final) or padding + CRLF
const PADDING = 2;     // transport padding (SP/HTAB) before the CRLF
const DELIM_LF = 3;    // the LF of the CRLF after a delimiter
const HEADERS = 4;     // part header section, up to an empty line
const CONTENT = 5;     // part content, up to "\r\n--boundary"
const DONE = 6;        // after the final delimiter: epilogue, ignored

export class MultipartParser {
  /** "--boundary": the first delimiter may appear anywhere (Moonbridge finds its first occurrence). */
  private readonly dashBoundary: Buffer;
  /** "\r\n--boundary": every later delimiter. */
  private readonly delimiter: Buffer;
  private readonly maxHeader: number;
  /** Undecided bytes between feeds; capacity leaves room to append a piece of the next feed. */
  private readonly carry: Buffer;
  private carryLen = 0;
  private phase = PREAMBLE;
  /** The incomplete header line (latin1) and the bytes of the header section so far. */
  private line = '';
  private headerSize = 0;
  private info: PartInfo = { fieldName: null, fileName: null, contentType: null };
  /** The error that broke the parser: later calls throw it again rather than parse from a bad state. */
  private failure: unknown = undefined;

  constructor(boundary: string, private readonly handler: MultipartHandler, options: MultipartOptions = {}) {
    if (boundary.length === 0 || /[^\x00-\xff]/.test(boundary)) {
      throw new RangeError('multipart boundary must be a non-empty latin1 string');
    }
    this.dashBoundary = Buffer.from('--' + boundary, 'latin1');
    this.delimiter = Buffer.from('\r\n--' + boundary, 'latin1');
    this.maxHeader = options.maxPartHeaderSize ?? 65536;
    // Each phase holds back at most delimiter length - 1 bytes, so a carry of twice
    // the delimiter always has room to append new bytes and make progress.
    this.carry = Buffer.allocUnsafe(2 * this.delimiter.length + 16);
  }

  /** Whether the final delimiter has been seen (the rest of the body is epilogue, ignored). */
  get done(): boolean {
    return this.phase === DONE;
  }

  /** Bytes kept between feeds: the undecided tail (< delimiter length) plus an incomplete part header line. */
  get carried(): number {
    return this.carryLen + this.line.length;
  }

  /** Feeds the next body bytes (any split). Throws HttpError on malformed input. */
  feed(data: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.phase === DONE) return;
    try {
      this.feedBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } catch (err) {
      this.failure = err;
      throw err;
    }
  }

  /** The body ended. Throws HttpError('400 Bad Request', 'Premature end of multipart/form-data request body') if the final delimiter was not seen. */
  end(): void {
    if (this.phase !== DONE) throw new HttpError(BAD, PREMATURE);
  }

  private feedBuffer(data: Buffer): void {
    let pos = 0;
    // With a carry, parse it plus the head of the new data from the carry buffer
    // until every carried byte is consumed; then parse the rest in place.
    while (this.carryLen > 0 && pos < data.length) {
      const old = this.carryLen;
      const k = Math.min(data.length - pos, this.carry.length - old);
      data.copy(this.carry, old, pos, pos + k);
      pos += k;
      const total = old + k;
      const used = this.parse(this.carry.subarray(0, total), 0);
      if (used >= old) {
        // Only bytes of `data` are left undecided: give them back to `data`.
        pos -= total - used;
        this.carryLen = 0;
        break;
      }
      this.carry.copyWithin(0, used, total);
      this.carryLen = total - used;
    }
    if (this.carryLen === 0 && pos < data.length) {
      const used = this.parse(data, pos);
      data.copy(this.carry, 0, used);
      this.carryLen = data.length - used;
    }
  }

  /** Parses buf from pos; returns how far it got (the rest must be fed again with more bytes). */
  private parse(buf: Buffer, pos: number): number {
    const end = buf.length;
    for (;;) {
      switch (this.phase) {
        case PREAMBLE: {
          const db = this.dashBoundary;
          const at = buf.indexOf(db, pos);
          if (at >= 0) {
            pos = at + db.length;
            this.phase = AFTER_DELIM;
            break;
          }
          // Only a tail starting with "-" can begin "--boundary".
          const dash = buf.indexOf(DASH, Math.max(pos, end - db.length + 1));
          return dash < 0 ? end : dash;
        }
        case AFTER_DELIM:
          if (pos >= end) return pos;
          if (buf[pos] === DASH) {
            if (pos + 1 >= end) return pos;
            if (buf[pos + 1] !== DASH) throw new HttpError(BAD, DELIMITER_ERROR);
            this.phase = DONE;
            return end;
          }
          this.phase = PADDING;
          break;
        case PADDING:
          while (pos < end && (buf[pos] === SP || buf[pos] === HT)) pos++;
          if (pos >= end) return pos;
          if (buf[pos] !== CR) throw new HttpError(BAD, DELIMITER_ERROR);
          pos++;
          this.phase = DELIM_LF;
          break;
        case DELIM_LF:
          if (pos >= end) return pos;
          if (buf[pos] !== LF) throw new HttpError(BAD, DELIMITER_ERROR);
          pos++;
          this.phase = HEADERS;
          this.line = '';
          this.headerSize = 0;
          this.info = { fieldName: null, fileName: null, contentType: null };
          break;
        case HEADERS: {
          const lf = buf.indexOf(LF, pos);
          const stop = lf < 0 ? end : lf + 1;
          // Checked before buffering, so an endless header line cannot grow memory.
          this.headerSize += stop - pos;
          if (this.headerSize > this.maxHeader) throw new HttpError(BAD, HEADER_ERROR);
          if (lf < 0) {
            this.line += buf.toString('latin1', pos, end);
            return end;
          }
          let line = this.line + buf.toString('latin1', pos, lf);
          this.line = '';
          pos = stop;
          if (line.endsWith('\r')) line = line.slice(0, -1);
          if (line.length > 0) {
            this.headerLine(line);
          } else {
            this.phase = CONTENT;
            this.handler.partBegin(this.info);
          }
          break;
        }
        case CONTENT: {
          const d = this.delimiter;
          const at = buf.indexOf(d, pos);
          if (at >= 0) {
            if (at > pos) this.handler.partData(buf.subarray(pos, at));
            pos = at + d.length;
            this.phase = AFTER_DELIM;
            this.handler.partEnd();
            break;
          }
          // Only a tail starting with CR can begin "\r\n--boundary"; the rest is content.
          const cr = buf.indexOf(CR, Math.max(pos, end - d.length + 1));
          const keep = cr < 0 ? end : cr;
          if (keep > pos) this.handler.partData(buf.subarray(pos, keep));
          return keep;
        }
        default: // DONE
          return end;
      }
    }
  }

  /** One line of a part header section (without its line end), as Moonbridge's `^([^:]*):[ \t]*(.-)[ \t]*$`. */
  private headerLine(line: string): void {
    const colon = line.indexOf(':');
    if (colon < 0) throw new HttpError(BAD, HEADER_ERROR);
    const name = line.slice(0, colon).toLowerCase();
    const value = trimOws(line, colon + 1);
    if (name === 'content-disposition') {
      const p = dispositionParams(value);
      this.info.fieldName = p.name;
      this.info.fileName = p.filename;
    } else if (name === 'content-type') {
      this.info.contentType = value;
    } else if (name === 'content-transfer-encoding') {
      throw new HttpError(BAD, CTE_ERROR);
    }
  }
}
