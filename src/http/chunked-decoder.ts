/**
 * Incremental decoder of chunked request bodies (RFC 9112, 7.1), strict
 * about the framing, because a decoder that accepts what a proxy in front
 * of it reads differently lets a client smuggle requests (RFC 9112, 11.2):
 * - every size line, every chunk's data, every trailer line and the final
 *   empty line end in CRLF; a bare LF anywhere in the framing is an error
 *   (the head accepts a bare LF, RFC 9112, 2.2, but 7.1 has no such
 *   allowance, and a front end that does not split there would disagree);
 * - a chunk size is 1*HEXDIG with at most 13 significant digits (leading
 *   zeros are allowed);
 * - after the size only chunk extensions, exactly as in RFC 9112, 7.1.1:
 *   *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] ),
 *   so "5 xyz", "5\t\r\n" or an extension with a control byte is an error;
 *   a size line longer than MAX_SIZE_LINE bytes is an error too;
 * - trailer lines are field lines (RFC 9112, 7.1.2 and 5): a tchar name,
 *   a colon, a value without control characters but HTAB; no obs-fold.
 * Extensions are otherwise ignored but count toward body_size_limit;
 * trailer fields are read and discarded within the remaining limit. The
 * last chunk may be "0", "00"...
 */
import { HttpError } from './errors';
import { CHAR_CLASS, C_QDTEXT as QDTEXT_BIT, C_TOKEN as TOKEN_BIT, C_VALUE as VALUE_BIT } from './header-values';

// Module-local copies: an imported binding is a property load on every use
// in the compiled CommonJS.
const CLASS: Uint8Array = CHAR_CLASS;
const C_TOKEN: number = TOKEN_BIT;
const C_VALUE: number = VALUE_BIT;
const C_QDTEXT: number = QDTEXT_BIT;

/** 16^13 = 2^52: every size stays a safe integer. */
const MAX_HEX_DIGITS = 13;
/** Longest size line (size and extensions, without the CRLF) accepted. */
export const MAX_SIZE_LINE = 4096;
const CHUNK_ERROR = 'Encoding error while reading chunk of request body';
const LIMIT_ERROR = 'Request body size limit exceeded';
const TRAILER_LIMIT_ERROR = 'Request body size limit exceeded while reading trailer section of chunked request body';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const SEMI = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/* Phases. The size line: */
const SIZE = 0;          // 1*HEXDIG
const SIZE_WS = 1;       // BWS after the size: only ";" may follow
const EXT_START = 2;     // after ";": BWS, then ext-name
const EXT_NAME = 3;      // ext-name
const EXT_NAME_WS = 4;   // BWS after ext-name: "=" or ";" must follow
const EXT_VAL_START = 5; // after "=": BWS, then token or quoted-string
const EXT_TOKEN = 6;     // token value
const EXT_QUOTED = 7;    // inside a quoted-string value
const EXT_ESCAPE = 8;    // after "\" in a quoted-string
const EXT_VAL_END = 9;   // right after a value: ";", BWS or CR
const EXT_VAL_WS = 10;   // BWS after a value: only ";" may follow
const SIZE_LF = 11;      // LF after the CR of the size line
/* The data: */
const DATA = 12;
const DATA_CR = 13;      // CR after the chunk data
const DATA_LF = 14;      // LF after that CR
/* The trailer section: */
const TRAILER = 15;      // start of a trailer line, or CR of the final empty line
const TRAILER_NAME = 16;
const TRAILER_VALUE = 17;
const TRAILER_LF = 18;   // LF ending a trailer line
const FINAL_LF = 19;     // LF of the empty line ending the body
const DONE = 20;

export interface DecodeResult {
  /** Bytes of the input consumed (never more than up to the end of the body). */
  consumed: number;
  /** Body data found: views into the input, valid as long as the input bytes are. */
  data: Uint8Array[];
  /** The last chunk and the trailer section have been read. */
  done: boolean;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

function encodingError(): HttpError {
  return new HttpError('400 Bad Request', CHUNK_ERROR);
}

function isToken(c: number): boolean {
  return (CLASS[c] & C_TOKEN) !== 0;
}

export class ChunkedDecoder {
  private phase = SIZE;
  private size = 0;
  /** Hex digits of the size seen (leading zeros included: there must be one). */
  private digits = 0;
  /** Significant hex digits (from the first non-zero one). */
  private significant = 0;
  /** Bytes of the current size line so far. */
  private lineLength = 0;
  /** Data bytes left in the current chunk. */
  private left = 0;
  /** Bytes counted against the limit: data plus extensions (plus trailer bytes, in the trailer section). */
  private used = 0;

  /** limit: the body size limit (body_size_limit). */
  constructor(private readonly limit: number) {}

  /** The whole body has been decoded. */
  get done(): boolean {
    return this.phase === DONE;
  }

  /** Decodes buf[start, end); stops right after the body (the rest belongs to the next request). */
  decode(buf: Uint8Array, start: number, end: number): DecodeResult {
    const data: Uint8Array[] = [];
    let i = start;
    let phase = this.phase;
    while (i < end && phase !== DONE) {
      if (phase === DATA) {
        const avail = end - i;
        const take = this.left < avail ? this.left : avail;
        data.push(buf.subarray(i, i + take));
        this.left -= take;
        i += take;
        if (this.left === 0) phase = DATA_CR;
        continue;
      }
      const c = buf[i++];
      if (phase < SIZE_LF) {
        // A byte of the size line: bounded length; after the size, every
        // byte but the CR counts toward the limit (as extension bytes).
        if (++this.lineLength > MAX_SIZE_LINE && c !== CR) throw encodingError();
        if (phase !== SIZE && c !== CR) this.count(1);
        phase = this.sizeLine(phase, c);
        continue;
      }
      switch (phase) {
        case SIZE_LF:
          if (c !== LF) throw encodingError();
          phase = this.endSizeLine();
          break;
        case DATA_CR:
          if (c !== CR) throw encodingError();
          phase = DATA_LF;
          break;
        case DATA_LF:
          if (c !== LF) throw encodingError();
          phase = this.nextChunk();
          break;
        case TRAILER:
          if (c === CR) {
            phase = FINAL_LF;
          } else {
            if (!isToken(c)) throw encodingError();
            this.countTrailer();
            phase = TRAILER_NAME;
          }
          break;
        case TRAILER_NAME:
          this.countTrailer();
          if (c === COLON) phase = TRAILER_VALUE;
          else if (!isToken(c)) throw encodingError();
          break;
        case TRAILER_VALUE:
          this.countTrailer();
          if (c === CR) phase = TRAILER_LF;
          else if ((CLASS[c] & C_VALUE) === 0) throw encodingError();
          break;
        case TRAILER_LF:
          if (c !== LF) throw encodingError();
          phase = TRAILER;
          break;
        case FINAL_LF:
          if (c !== LF) throw encodingError();
          phase = DONE;
          break;
      }
    }
    this.phase = phase;
    return { consumed: i - start, data, done: phase === DONE };
  }

  /** One byte of the size line in the given phase: the next phase, or throws. */
  private sizeLine(phase: number, c: number): number {
    switch (phase) {
      case SIZE: {
        const v = hexValue(c);
        if (v >= 0) {
          this.digits++;
          if ((v !== 0 || this.significant > 0) && ++this.significant > MAX_HEX_DIGITS) throw encodingError();
          this.size = this.size * 16 + v;
          return SIZE;
        }
        if (this.digits === 0) throw encodingError();
        if (c === CR) return SIZE_LF;
        // The byte ending the digits is the first extension byte counted.
        if (c === SEMI) { this.count(1); return EXT_START; }
        if (c === SP || c === HT) { this.count(1); return SIZE_WS; }
        throw encodingError();
      }
      case SIZE_WS:
      case EXT_VAL_WS:
        if (c === SEMI) return EXT_START;
        if (c === SP || c === HT) return phase;
        throw encodingError();
      case EXT_START:
        if (c === SP || c === HT) return EXT_START;
        if (isToken(c)) return EXT_NAME;
        throw encodingError();
      case EXT_NAME:
        if (isToken(c)) return EXT_NAME;
        if (c === CR) return SIZE_LF;
        if (c === SEMI) return EXT_START;
        if (c === EQUALS) return EXT_VAL_START;
        if (c === SP || c === HT) return EXT_NAME_WS;
        throw encodingError();
      case EXT_NAME_WS:
        if (c === SEMI) return EXT_START;
        if (c === EQUALS) return EXT_VAL_START;
        if (c === SP || c === HT) return EXT_NAME_WS;
        throw encodingError();
      case EXT_VAL_START:
        if (c === SP || c === HT) return EXT_VAL_START;
        if (c === DQUOTE) return EXT_QUOTED;
        if (isToken(c)) return EXT_TOKEN;
        throw encodingError();
      case EXT_TOKEN:
        if (isToken(c)) return EXT_TOKEN;
        return this.afterValue(c);
      case EXT_QUOTED:
        if (c === DQUOTE) return EXT_VAL_END;
        if (c === BACKSLASH) return EXT_ESCAPE;
        if ((CLASS[c] & C_QDTEXT) !== 0) return EXT_QUOTED;
        throw encodingError();
      case EXT_ESCAPE:
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
        if ((CLASS[c] & C_VALUE) !== 0) return EXT_QUOTED;
        throw encodingError();
      default: // EXT_VAL_END
        return this.afterValue(c);
    }
  }

  /** After a complete extension value: CR, ";" or BWS (then ";"). */
  private afterValue(c: number): number {
    if (c === CR) return SIZE_LF;
    if (c === SEMI) return EXT_START;
    if (c === SP || c === HT) return EXT_VAL_WS;
    throw encodingError();
  }

  private count(n: number): void {
    this.used += n;
    if (this.used > this.limit) throw new HttpError('413 Request Entity Too Large', LIMIT_ERROR);
  }

  /** Trailer bytes (all but the LFs and the final empty line) count toward the limit. */
  private countTrailer(): void {
    if (++this.used > this.limit) throw new HttpError('413 Request Entity Too Large', TRAILER_LIMIT_ERROR);
  }

  /** After a size line: the chunk's data, or the trailer section after the last chunk. */
  private endSizeLine(): number {
    if (this.size === 0) return TRAILER;
    this.count(this.size);
    this.left = this.size;
    return DATA;
  }

  private nextChunk(): number {
    this.size = 0;
    this.digits = 0;
    this.significant = 0;
    this.lineLength = 0;
    return SIZE;
  }
}
