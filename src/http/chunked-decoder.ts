/**
 * Incremental decoder of chunked request bodies (RFC 9112, 7.1). Chunk
 * extensions (after ";", SP or HTAB) are ignored but count toward the size
 * limit; chunk sizes have at most 13 hex digits; trailer fields are read and
 * discarded within the remaining limit. The last chunk may be "0", "00"...
 * Lines end in LF with an optional CR.
 */
import { HttpError } from './errors';

const MAX_HEX_DIGITS = 13;
const CHUNK_ERROR = 'Encoding error while reading chunk of request body';
const LIMIT_ERROR = 'Request body size limit exceeded';
const TRAILER_LIMIT_ERROR = 'Request body size limit exceeded while reading trailer section of chunked request body';

const LF = 0x0a;
const CR = 0x0d;

/** Phases. */
const SIZE = 0;      // hex digits of the chunk size
const EXT = 1;       // chunk extensions, up to the end of the line
const SIZE_LF = 2;   // LF after the CR of the size line
const DATA = 3;      // chunk data
const DATA_CR = 4;   // CR (or LF) after the chunk data
const DATA_LF = 5;   // LF after that CR
const TRAILER = 6;   // trailer section, up to an empty line
const DONE = 7;

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

export class ChunkedDecoder {
  private phase = SIZE;
  private size = 0;
  private digits = 0;
  /** Data bytes left in the current chunk. */
  private left = 0;
  /** Bytes counted against the limit: data plus extensions (plus trailer bytes, in the trailer section). */
  private used = 0;
  /** Bytes of the current trailer line (excluding a leading CR). */
  private trailerLine = 0;

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
      const c = buf[i];
      switch (phase) {
        case SIZE: {
          const v = hexValue(c);
          if (v >= 0) {
            if (++this.digits > MAX_HEX_DIGITS) throw encodingError();
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) {
            throw encodingError();
          } else if (c === 0x3b || c === 0x20 || c === 0x09) {
            phase = EXT;
            this.count(1);
          } else if (c === CR) {
            phase = SIZE_LF;
          } else if (c === LF) {
            phase = this.endSizeLine();
          } else {
            throw encodingError();
          }
          i++;
          break;
        }
        case EXT:
          if (c === LF) phase = this.endSizeLine();
          else if (c === CR) phase = SIZE_LF;
          else this.count(1);
          i++;
          break;
        case SIZE_LF:
          if (c !== LF) throw encodingError();
          phase = this.endSizeLine();
          i++;
          break;
        case DATA: {
          const avail = end - i;
          const take = this.left < avail ? this.left : avail;
          data.push(buf.subarray(i, i + take));
          this.left -= take;
          i += take;
          if (this.left === 0) phase = DATA_CR;
          break;
        }
        case DATA_CR:
          if (c === CR) phase = DATA_LF;
          else if (c === LF) phase = this.nextChunk();
          else throw encodingError();
          i++;
          break;
        case DATA_LF:
          if (c !== LF) throw encodingError();
          phase = this.nextChunk();
          i++;
          break;
        case TRAILER:
          if (c === LF) {
            if (this.trailerLine === 0) phase = DONE;
            this.trailerLine = 0;
          } else if (c !== CR || this.trailerLine > 0) {
            this.trailerLine++;
            if (++this.used > this.limit) throw new HttpError('413 Request Entity Too Large', TRAILER_LIMIT_ERROR);
          }
          i++;
          break;
      }
    }
    this.phase = phase;
    return { consumed: i - start, data, done: phase === DONE };
  }

  private count(n: number): void {
    this.used += n;
    if (this.used > this.limit) throw new HttpError('413 Request Entity Too Large', LIMIT_ERROR);
  }

  /** After a size line: the chunk's data, or the trailer section after the last chunk. */
  private endSizeLine(): number {
    if (this.size === 0) {
      this.trailerLine = 0;
      return TRAILER;
    }
    this.count(this.size);
    this.left = this.size;
    return DATA;
  }

  private nextChunk(): number {
    this.size = 0;
    this.digits = 0;
    return SIZE;
  }
}
