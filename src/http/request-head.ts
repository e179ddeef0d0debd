/**
 * Parsing an HTTP/1.x request head (request line and header fields) in place
 * from the connection's read buffer. Lines end in LF with an optional CR
 * (RFC 9112, 2.2 allows a bare LF as line terminator; Moonbridge accepts it).
 * Everything else is strict, because every leniency in a parser behind a
 * proxy is a request-smuggling vector (RFC 9112, 11.2):
 * - a CR anywhere but right before the LF ("bare CR") is rejected (RFC 9112, 2.2);
 * - the method and field names are tokens (RFC 9110, 5.6.2, 9.1; RFC 9112, 5.1);
 * - the request-target and field values contain no control characters (other
 *   than HTAB in values) and no DEL (RFC 9110, 5.5);
 * - whitespace before the colon (RFC 9112, 5.1) and obs-fold (RFC 9112, 5.2)
 *   are rejected with 400.
 * The request line is also checked while it is still incomplete, so that a
 * client sending garbage is answered at once instead of holding the worker
 * until request_header_timeout.
 *
 * Lines are located with a byte scan (Buffer#indexOf, i.e. memchr). The
 * request line is parsed as soon as it is complete (a bad one, or a missing
 * version, is answered without waiting for the rest of the head), the header
 * fields once the whole head is there. Bytes are validated with one lookup
 * in a byte-class table each. A complete head is decoded to one latin1
 * string and every field is a substring of it: one native call per request
 * instead of one per field.
 */
import { HttpError } from './errors';
import { CHAR_CLASS, C_TARGET as TARGET_BIT, C_TOKEN as TOKEN_BIT } from './header-values';

// Module-local copies: an imported binding is a property load on every use
// in the compiled CommonJS, which the per-byte loops below cannot afford.
const CLASS: Uint8Array = CHAR_CLASS;
const C_TOKEN: number = TOKEN_BIT;
const C_TARGET: number = TARGET_BIT;

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
const DEL = 0x7f;

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
 * State of the request-line scanner (module-level: no allocation per
 * request). Fields are method, target, version; rlBounds holds their
 * [from, to) positions.
 */
let rlFields = 0;
let rlInField = false;
const rlBounds = new Int32Array(6);

/**
 * The last partial request line checked, so that a request line trickled in
 * byte by byte is not rescanned from its start on every read (quadratic in
 * its length otherwise). Keyed by buffer and start position; a stale entry
 * can only skip early rejection, never accept anything, because a complete
 * request line is always scanned in full.
 */
let partialBuf: Uint8Array | null = null;
let partialStart = -1;
let partialScanned = -1;

/**
 * Scans request-line bytes buf[from, to), continuing the scanner state.
 * Fields are separated by runs of SP/HTAB (as Moonbridge's pattern
 * "^([^ \t\r]+)[ \t]+([^ \t\r]+)[ \t]*([^ \t\r]*)[ \t]*\r?\n$" does).
 * Throws 400 on a byte that can never be valid where it is: a method byte
 * that is not a tchar, a control character or DEL in the target or version,
 * a CR (`partial`: a CR as the very last byte may still be followed by its
 * LF), or a fourth field.
 */
function scanRequestLine(buf: Uint8Array, from: number, to: number, partial: boolean): void {
  let fields = rlFields;
  let inField = rlInField;
  for (let k = from; k < to; k++) {
    const c = buf[k];
    if (c === SP || c === HT) {
      if (inField) {
        rlBounds[fields * 2 - 1] = k;
        inField = false;
      }
      continue;
    }
    if (c === CR) {
      if (partial && k === to - 1) break;
      throw badRequest();
    }
    if (!inField) {
      if (++fields > 3) throw badRequest();
      rlBounds[fields * 2 - 2] = k;
      inField = true;
    }
    if ((CLASS[c] & (fields === 1 ? C_TOKEN : C_TARGET)) === 0) throw badRequest();
  }
  if (inField && !partial) rlBounds[fields * 2 - 1] = to;
  rlFields = fields;
  rlInField = inField;
}

/** Early check of an incomplete request line buf[from, limit) (see scanRequestLine). */
function checkPartialRequestLine(buf: Uint8Array, start: number, from: number, limit: number): void {
  let k = from;
  if (buf === partialBuf && start === partialStart && partialScanned >= from && partialScanned <= limit) {
    k = partialScanned;
  } else {
    rlFields = 0;
    rlInField = false;
  }
  // A CR held back as possibly the start of CRLF is looked at again.
  if (k > from && buf[k - 1] === CR) k--;
  scanRequestLine(buf, k, limit, true);
  partialBuf = buf;
  partialStart = start;
  partialScanned = limit;
}

/**
 * Parses the head in buf[start, end). Returns incomplete when the blank line
 * ending the head has not arrived yet; throws HttpError for a malformed head
 * (400 as soon as the request line is known to be invalid, even while it is
 * incomplete), and when sizeLimit bytes (counted from start) pass without a
 * complete head: 414 if not even the request line is complete, else 431.
 * Empty lines before the request line are skipped (RFC 9112, 2.2) and count
 * toward the limit.
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
    checkPartialRequestLine(buf, start, pos, limit);
    if (over) throw new HttpError('414 Request-URI Too Long');
    return INCOMPLETE;
  }
  partialBuf = null;
  let rlEnd = rlLf;
  if (rlEnd > pos && buf[rlEnd - 1] === CR) rlEnd--;
  rlFields = 0;
  rlInField = false;
  scanRequestLine(buf, pos, rlEnd, false);
  const fields = rlFields;
  if (fields < 2) throw badRequest();
  // Moonbridge: a missing version (it matches the empty string) is not "HTTP/1.1": 505.
  if (fields === 2) throw new HttpError('505 HTTP Version Not Supported');
  const v0 = rlBounds[4];
  let version: '1.0' | '1.1';
  if (rlBounds[5] - v0 === 8 && buf[v0] === 0x48 && buf[v0 + 1] === 0x54 && buf[v0 + 2] === 0x54 && buf[v0 + 3] === 0x50 &&
    buf[v0 + 4] === 0x2f && buf[v0 + 5] === 0x31 && buf[v0 + 6] === 0x2e && (buf[v0 + 7] === 0x31 || buf[v0 + 7] === 0x30)) {
    version = buf[v0 + 7] === 0x31 ? '1.1' : '1.0';
  } else {
    throw new HttpError('505 HTTP Version Not Supported');
  }
  const m0 = rlBounds[0], m1 = rlBounds[1], t0 = rlBounds[2], t1 = rlBounds[3];

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

  // Header fields (RFC 9112, 5): field-name ":" OWS field-value OWS. The
  // name is 1*tchar with nothing between it and the colon; a line starting
  // with SP/HTAB (obs-fold, or whitespace before the first field) is
  // rejected (RFC 9112, 2.2 and 5.2); the value may hold SP, HTAB, VCHAR and
  // obs-text only, so a bare CR, NUL or DEL is a 400 (RFC 9110, 5.5).
  const headers: Array<[string, string]> = new Array(lines);
  let from = rlLf + 1;
  for (let n = 0; n < lines; n++) {
    const lf = lineEnds[n];
    let to = lf;
    if (buf[to - 1] === CR) to--;
    let colon = from;
    for (;;) {
      if (colon === to) throw badRequest();
      const c = buf[colon];
      if (c === COLON) break;
      if ((CLASS[c] & C_TOKEN) === 0) throw badRequest();
      colon++;
    }
    if (colon === from) throw badRequest();
    // (Two compares per byte are faster here than the table lookup.)
    for (let k = colon + 1; k < to; k++) {
      const c = buf[k];
      if (c < SP ? c !== HT : c === DEL) throw badRequest();
    }
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
