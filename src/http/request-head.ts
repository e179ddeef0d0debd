/**
 * Parsing an HTTP/1.x request head (request line and header fields) in place
 * from the connection's read buffer. Lines end in LF with an optional CR.
 */
import { HttpError } from './errors';

export interface RequestHead {
  /** Method, case preserved. */
  method: string;
  /** The raw request-target. */
  target: string;
  version: '1.0' | '1.1';
  /** Header fields in order: name as sent, value trimmed of SP/HTAB. */
  headers: Array<[name: string, value: string]>;
}

export type HeadResult =
  | { kind: 'incomplete' }
  | { kind: 'complete'; head: RequestHead; consumed: number };

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

const INCOMPLETE: HeadResult = { kind: 'incomplete' };

function str(buf: Uint8Array, from: number, to: number): string {
  // Buffer.prototype.latin1Slice decodes in place, without a Buffer view per field.
  return latin1Slice.call(buf, from, to);
}
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, from: number, to: number) => string }).latin1Slice;

/** End of the line starting at pos, without its CR (or -1 if no LF yet); sets `next` past the LF. */
let next = 0;
function lineEnd(buf: Uint8Array, pos: number, end: number): number {
  const lf = buf.indexOf(LF, pos);
  if (lf < 0 || lf >= end) return -1;
  next = lf + 1;
  return lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
}

/**
 * Parses the head in buf[start, end). Returns incomplete when the blank line
 * ending the head has not arrived; throws HttpError for malformed heads and
 * when sizeLimit bytes pass without a complete head (414 if even the request
 * line is incomplete, else 431).
 */
export function parseRequestHead(buf: Uint8Array, start: number, end: number, sizeLimit: number): HeadResult {
  const limitEnd = Math.min(end, start + sizeLimit);
  let pos = start;
  // Robustness (RFC 9112, 2.2): ignore empty lines before the request line.
  for (;;) {
    if (pos < limitEnd && buf[pos] === LF) { pos++; continue; }
    if (pos + 1 < limitEnd && buf[pos] === CR && buf[pos + 1] === LF) { pos += 2; continue; }
    break;
  }
  const rlEnd = lineEnd(buf, pos, limitEnd);
  if (rlEnd < 0) {
    if (end - start >= sizeLimit) throw new HttpError('414 Request-URI Too Long');
    return INCOMPLETE;
  }
  const rlNext = next;
  // Find the blank line before parsing the rest, so incomplete heads cost one scan.
  let p = rlNext;
  const lines: Array<[number, number]> = [];
  for (;;) {
    const e = lineEnd(buf, p, limitEnd);
    if (e < 0) {
      if (end - start >= sizeLimit) throw new HttpError('431 Request Header Fields Too Large');
      return INCOMPLETE;
    }
    if (e === p) { p = next; break; }
    lines.push([p, e]);
    p = next;
  }
  const consumed = p - start;

  // Request line: method SP target SP version (SP/HTAB runs allowed).
  const fields: string[] = [];
  let i = pos;
  while (i < rlEnd) {
    while (i < rlEnd && (buf[i] === SP || buf[i] === HT)) i++;
    if (i >= rlEnd) break;
    const from = i;
    while (i < rlEnd && buf[i] !== SP && buf[i] !== HT) i++;
    fields.push(str(buf, from, i));
  }
  if (fields.length < 3 || fields.length > 3) {
    if (fields.length === 2 || (fields.length > 3 && !/^HTTP\/1\.[01]$/.test(fields[fields.length - 1]))) {
      throw new HttpError('505 HTTP Version Not Supported');
    }
    throw new HttpError('400 Bad Request', 'Invalid request line');
  }
  const [method, target, versionText] = fields;
  let version: '1.0' | '1.1';
  if (versionText === 'HTTP/1.1') version = '1.1';
  else if (versionText === 'HTTP/1.0') version = '1.0';
  else throw new HttpError('505 HTTP Version Not Supported');

  const headers: Array<[string, string]> = [];
  for (const [from, to] of lines) {
    const first = buf[from];
    if (first === SP || first === HT) throw new HttpError('400 Bad Request'); // obs-fold
    let colon = -1;
    for (let k = from; k < to; k++) {
      const c = buf[k];
      if (c === COLON) { colon = k; break; }
      if (c === SP || c === HT || c === CR) break;
    }
    if (colon <= from) throw new HttpError('400 Bad Request');
    let vs = colon + 1;
    let ve = to;
    while (vs < ve && (buf[vs] === SP || buf[vs] === HT)) vs++;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
    headers.push([str(buf, from, colon), str(buf, vs, ve)]);
  }
  return { kind: 'complete', head: { method, target, version, headers }, consumed };
}
