/**
 * Parsing an HTTP/1.x request head (request line and header fields) in place
 * from the connection's read buffer. Lines end in LF with an optional CR.
 *
 * The head is first located with a byte scan (Buffer#indexOf, i.e. memchr);
 * only a complete head is parsed. It is then decoded to one latin1 string and
 * every field is a substring of it: one native call per request instead of
 * one per field.
 */
import { HttpError } from './errors';

export interface RequestHead {
  /** Method, case preserved. */
  method: string;
  /** The raw request-target. */
  target: string;
  version: '1.0' | '1.1';
  /** Header fields in order: name as sent, value trimmed of SP/HTAB at both ends. */
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

const INCOMPLETE: HeadResult = Object.freeze({ kind: 'incomplete' as const });

type Latin1Slice = (this: Uint8Array, from: number, to: number) => string;
/** Buffer#latin1Slice works on any Uint8Array and needs no Buffer view. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: Latin1Slice }).latin1Slice;

/** Positions of the LFs of the header lines (reused between calls; grows as needed). */
let lineEnds = new Int32Array(64);

function badRequest(): HttpError {
  return new HttpError('400 Bad Request');
}

/**
 * Parses the head in buf[start, end). Returns incomplete when the blank line
 * ending the head has not arrived yet; throws HttpError for a malformed head,
 * and when sizeLimit bytes (counted from start) pass without a complete head:
 * 414 if not even the request line is complete, else 431. Empty lines before
 * the request line are skipped (RFC 9112, 2.2) and count toward the limit.
 */
export function parseRequestHead(buf: Uint8Array, start: number, end: number, sizeLimit: number): HeadResult {
  const over = end - start >= sizeLimit;
  const limit = end - start > sizeLimit ? start + sizeLimit : end;
  let pos = start;
  for (;;) {
    if (pos < limit && buf[pos] === LF) pos++;
    else if (pos + 1 < limit && buf[pos] === CR && buf[pos + 1] === LF) pos += 2;
    else break;
  }
  // The request line.
  const rlLf = buf.indexOf(LF, pos);
  if (rlLf < 0 || rlLf >= limit) {
    if (over) throw new HttpError('414 Request-URI Too Long');
    return INCOMPLETE;
  }
  // The header lines, up to the empty line.
  let lines = 0;
  let ls = rlLf + 1;
  for (;;) {
    const lf = ls < limit ? buf.indexOf(LF, ls) : -1;
    if (lf < 0 || lf >= limit) {
      if (over) throw new HttpError('431 Request Header Fields Too Large');
      return INCOMPLETE;
    }
    if (lf === ls || (lf === ls + 1 && buf[ls] === CR)) {
      ls = lf + 1;
      break;
    }
    if (lines === lineEnds.length) {
      const grown = new Int32Array(lines * 2);
      grown.set(lineEnds);
      lineEnds = grown;
    }
    lineEnds[lines++] = lf;
    ls = lf + 1;
  }
  const headEnd = ls;
  const text = latin1Slice.call(buf, pos, headEnd);

  // Request line: method, target, version separated by runs of SP/HTAB.
  let rlEnd = rlLf;
  if (rlEnd > pos && buf[rlEnd - 1] === CR) rlEnd--;
  let fields = 0;
  let m0 = 0, m1 = 0, t0 = 0, t1 = 0, v0 = 0, v1 = 0;
  let k = pos;
  for (;;) {
    while (k < rlEnd && (buf[k] === SP || buf[k] === HT)) k++;
    if (k >= rlEnd) break;
    const from = k;
    while (k < rlEnd && buf[k] !== SP && buf[k] !== HT) k++;
    fields++;
    if (fields === 1) { m0 = from; m1 = k; } else if (fields === 2) { t0 = from; t1 = k; } else if (fields === 3) { v0 = from; v1 = k; }
  }
  if (fields < 2 || fields > 3) throw badRequest();
  let version: '1.0' | '1.1';
  if (fields === 2) throw new HttpError('505 HTTP Version Not Supported');
  if (v1 - v0 === 8 && buf[v0] === 0x48 && buf[v0 + 1] === 0x54 && buf[v0 + 2] === 0x54 && buf[v0 + 3] === 0x50 &&
    buf[v0 + 4] === 0x2f && buf[v0 + 5] === 0x31 && buf[v0 + 6] === 0x2e && (buf[v0 + 7] === 0x31 || buf[v0 + 7] === 0x30)) {
    version = buf[v0 + 7] === 0x31 ? '1.1' : '1.0';
  } else {
    throw new HttpError('505 HTTP Version Not Supported');
  }

  // Header fields: name ":" value; the name has no SP, HTAB or CR.
  const headers: Array<[string, string]> = new Array(lines);
  let from = rlLf + 1;
  for (let n = 0; n < lines; n++) {
    const lf = lineEnds[n];
    let to = lf;
    if (buf[to - 1] === CR) to--;
    const first = buf[from];
    if (first === SP || first === HT) throw badRequest(); // obs-fold
    let colon = from;
    for (;;) {
      if (colon === to) throw badRequest();
      const c = buf[colon];
      if (c === COLON) break;
      if (c === SP || c === HT || c === CR) throw badRequest();
      colon++;
    }
    if (colon === from) throw badRequest();
    let vs = colon + 1;
    let ve = to;
    while (vs < ve && (buf[vs] === SP || buf[vs] === HT)) vs++;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
    headers[n] = [text.substring(from - pos, colon - pos), text.substring(vs - pos, ve - pos)];
    from = lf + 1;
  }
  return {
    kind: 'complete',
    head: { method: text.substring(m0 - pos, m1 - pos), target: text.substring(t0 - pos, t1 - pos), version, headers },
    consumed: headEnd - start,
  };
}
