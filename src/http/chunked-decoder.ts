/**
 * Incremental decoder of chunked request bodies (RFC 9112, 7.1). Chunk
 * extensions are ignored but count toward the size limit, trailer fields are
 * read and discarded within the remaining limit.
 */
import { HttpError } from './errors';

const MAX_HEX_DIGITS = 13;
const CHUNK_ERROR = 'Encoding error while reading chunk of request body';

type Phase = 'size' | 'ext' | 'sizeLF' | 'data' | 'dataCR' | 'dataLF' | 'trailer' | 'done';

export interface DecodeResult {
  /** Bytes of the input consumed. */
  consumed: number;
  /** Body data found (views into the input). */
  data: Uint8Array[];
  /** The final chunk and the trailer section have been read. */
  done: boolean;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

export class ChunkedDecoder {
  private phase: Phase = 'size';
  private size = 0;
  private digits = 0;
  private left = 0;
  /** Bytes counted against the limit: data plus extensions. */
  private used = 0;
  private trailerLine = 0;
  private trailerBytes = 0;

  constructor(private readonly limit: number) {}

  get done(): boolean {
    return this.phase === 'done';
  }

  private count(n: number): void {
    this.used += n;
    if (this.used > this.limit) throw new HttpError('413 Request Entity Too Large', 'Request body size limit exceeded');
  }

  decode(buf: Uint8Array, start: number, end: number): DecodeResult {
    const data: Uint8Array[] = [];
    let i = start;
    while (i < end && this.phase !== 'done') {
      const c = buf[i];
      switch (this.phase) {
        case 'size': {
          const v = hexValue(c);
          if (v >= 0) {
            if (++this.digits > MAX_HEX_DIGITS) throw new HttpError('400 Bad Request', CHUNK_ERROR);
            this.size = this.size * 16 + v;
            i++;
          } else if (this.digits > 0 && (c === 0x3b || c === 0x20 || c === 0x09)) {
            this.phase = 'ext';
            this.count(1);
            i++;
          } else if (this.digits > 0 && c === 0x0d) {
            this.phase = 'sizeLF';
            i++;
          } else if (this.digits > 0 && c === 0x0a) {
            this.endSizeLine();
            i++;
          } else {
            throw new HttpError('400 Bad Request', CHUNK_ERROR);
          }
          break;
        }
        case 'ext':
          if (c === 0x0a) this.endSizeLine();
          else if (c === 0x0d) this.phase = 'sizeLF';
          else this.count(1);
          i++;
          break;
        case 'sizeLF':
          if (c !== 0x0a) throw new HttpError('400 Bad Request', CHUNK_ERROR);
          this.endSizeLine();
          i++;
          break;
        case 'data': {
          const take = Math.min(this.left, end - i);
          data.push(buf.subarray(i, i + take));
          this.left -= take;
          i += take;
          if (this.left === 0) this.phase = 'dataCR';
          break;
        }
        case 'dataCR':
          if (c === 0x0d) { this.phase = 'dataLF'; i++; }
          else if (c === 0x0a) { this.resetSize(); i++; }
          else throw new HttpError('400 Bad Request', CHUNK_ERROR);
          break;
        case 'dataLF':
          if (c !== 0x0a) throw new HttpError('400 Bad Request', CHUNK_ERROR);
          this.resetSize();
          i++;
          break;
        case 'trailer':
          if (c === 0x0a) {
            if (this.trailerLine === 0) this.phase = 'done';
            this.trailerLine = 0;
          } else if (c !== 0x0d || this.trailerLine > 0) {
            this.trailerLine++;
            this.trailerBytes++;
            if (this.used + this.trailerBytes > this.limit) {
              throw new HttpError('413 Request Entity Too Large',
                'Request body size limit exceeded while reading trailer section of chunked request body');
            }
          }
          i++;
          break;
      }
    }
    return { consumed: i - start, data, done: this.phase === 'done' };
  }

  private endSizeLine(): void {
    if (this.size === 0) {
      this.phase = 'trailer';
      this.trailerLine = 0;
      return;
    }
    this.count(this.size);
    this.left = this.size;
    this.phase = 'data';
  }

  private resetSize(): void {
    this.phase = 'size';
    this.size = 0;
    this.digits = 0;
  }
}
