/**
 * The checks Moonbridge makes after reading a request head, in its order:
 * Content-Length, Transfer-Encoding, Expect, Host, request-target. One pass
 * over the header fields collects the ones that matter. The head parser has
 * already made sure that names are tokens and values have no control bytes.
 */
import { HttpError } from './errors';
import type { RequestHead } from './request-head';
import { isDigits, listItems as items } from './header-values';

export interface RequestInfo {
  /** Path without the leading slash, not percent-decoded; null for "OPTIONS *". */
  path: string | null;
  /** Query with its leading "?", "" when absent; null for "OPTIONS *". */
  query: string | null;
  /** The Host header ("" for HTTP/1.0 without one), or the absolute-form target's authority. */
  host: string;
  /** Content-Length, or 0 (also 0 when chunked). */
  bodyLength: number;
  chunked: boolean;
  /** Expect: 100-continue (always false for HTTP/1.0, which gets no 1xx responses). */
  expectContinue: boolean;
  /** The client's Connection header has the token "close". */
  closeRequested: boolean;
  /** The client's Connection header has the token "keep-alive". */
  keepAliveRequested: boolean;
}

const CL_INVALID = 'Content-Length header(s) invalid';
const NO_HOST = 'No valid host header';
const BAD_TARGET = 'Invalid request target';

/** Case-insensitive name match; `canonical` is the usual spelling, tried first. */
function is(name: string, canonical: string, lower: string): boolean {
  return name === canonical || name === lower || name.toLowerCase() === lower;
}

function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 0x30) i++;
  return i === 0 ? s : s.slice(i);
}

/** Content-Length from all its header lines. */
function contentLength(lines: string[], bodySizeLimit: number): number {
  let first: string | null = null;
  for (const line of lines) {
    for (const item of items(line)) {
      if (!isDigits(item)) throw new HttpError('400 Bad Request', CL_INVALID);
      const digits = stripZeros(item);
      if (first === null) first = digits;
      else if (digits !== first) throw new HttpError('400 Bad Request', CL_INVALID);
    }
  }
  if (first === null) throw new HttpError('400 Bad Request', CL_INVALID);
  const n = first.length > 16 ? Infinity : Number(first);
  if (n > bodySizeLimit || !Number.isSafeInteger(n)) {
    throw new HttpError('413 Request Entity Too Large', 'Announced request body size is too big');
  }
  return n;
}

/** Length of a leading "http://" or "https://" (any case), or 0. */
function schemeLength(t: string): number {
  if (t.length < 7) return 0;
  const h = t.charCodeAt(0) | 0x20, t1 = t.charCodeAt(1) | 0x20, t2 = t.charCodeAt(2) | 0x20, p = t.charCodeAt(3) | 0x20;
  if (h !== 0x68 || t1 !== 0x74 || t2 !== 0x74 || p !== 0x70) return 0;
  let i = 4;
  if ((t.charCodeAt(i) | 0x20) === 0x73) i++;
  return t.startsWith('://', i) ? i + 3 : 0;
}

export function checkRequest(head: RequestHead, bodySizeLimit: number): RequestInfo {
  let clLines: string[] | null = null;
  let teLines: string[] | null = null;
  let expectLines: string[] | null = null;
  let hostCount = 0;
  let host = '';
  let closeRequested = false;
  let keepAliveRequested = false;
  const headers = head.headers;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i];
    switch (name.length) {
      case 4:
        if (is(name, 'Host', 'host')) {
          hostCount++;
          host = value;
        }
        break;
      case 6:
        if (is(name, 'Expect', 'expect')) (expectLines ??= []).push(value);
        break;
      case 10:
        if (is(name, 'Connection', 'connection')) {
          if (value === 'keep-alive') keepAliveRequested = true;
          else if (value === 'close') closeRequested = true;
          else {
            for (const item of items(value)) {
              const l = item.toLowerCase();
              if (l === 'close') closeRequested = true;
              else if (l === 'keep-alive') keepAliveRequested = true;
            }
          }
        }
        break;
      case 14:
        if (is(name, 'Content-Length', 'content-length')) (clLines ??= []).push(value);
        break;
      case 17:
        if (is(name, 'Transfer-Encoding', 'transfer-encoding')) (teLines ??= []).push(value);
        break;
    }
  }

  // 1. Content-Length: plain digits, all equal, within the limit.
  let bodyLength = clLines === null ? 0 : contentLength(clLines, bodySizeLimit);
  // 2. Transfer-Encoding: absent, or exactly one item "chunked" over all its
  // lines (the only coding the server decodes; RFC 9112, 6.1 requires
  // chunked to be the last coding, and anything else would leave the framing
  // to guesswork). Refused with it (deviations from Moonbridge, which let
  // chunked win over Content-Length, see COMPATIBILITY.md):
  // - Content-Length as well: RFC 9112, 6.3 (3) allows rejecting it, and a
  //   front end that honours the Content-Length would see a different
  //   request boundary (the classic CL.TE / TE.CL smuggling, RFC 9112, 11.2);
  // - an HTTP/1.0 request: RFC 9112, 6.1 says to treat its framing as faulty.
  let chunked = false;
  if (teLines !== null) {
    let item: string | null = null;
    let count = 0;
    for (const line of teLines) {
      for (const it of items(line)) {
        item = it;
        count++;
      }
    }
    if (count !== 1 || item!.toLowerCase() !== 'chunked' || clLines !== null || head.version === '1.0') {
      throw new HttpError('400 Bad Request', 'Unexpected Transfer-Encoding');
    }
    chunked = true;
    bodyLength = 0;
  }
  // 3. Expect: only 100-continue.
  let expectContinue = false;
  if (expectLines !== null) {
    for (const line of expectLines) {
      for (const item of items(line)) {
        if (item.toLowerCase() !== '100-continue') throw new HttpError('417 Expectation Failed', 'Unexpected Expect header');
        expectContinue = true;
      }
    }
    // RFC 9110, 10.1.1: ignored in HTTP/1.0 requests (no 1xx responses for them).
    if (head.version === '1.0') expectContinue = false;
  }
  // 4. Host: one non-empty value without commas; mandatory in HTTP/1.1.
  if (hostCount > 1 || (hostCount === 1 && (host === '' || host.includes(',')))) {
    throw new HttpError('400 Bad Request', NO_HOST);
  }
  if (hostCount === 0 && head.version === '1.1') throw new HttpError('400 Bad Request', NO_HOST);
  // 5. Request target: origin form, absolute form, or "*" for OPTIONS.
  const target = head.target;
  let path: string | null = null;
  let query: string | null = null;
  if (target.charCodeAt(0) === 0x2f) {
    const q = target.indexOf('?');
    if (q < 0) {
      path = target.slice(1);
      query = '';
    } else {
      path = target.slice(1, q);
      query = target.slice(q);
    }
  } else if (target === '*' && head.method === 'OPTIONS') {
    // asterisk-form: no path, no query
  } else {
    const s = schemeLength(target);
    if (s === 0) throw new HttpError('400 Bad Request', BAD_TARGET);
    let a = s;
    while (a < target.length) {
      const c = target.charCodeAt(a);
      if (c === 0x2f || c === 0x3f) break;
      a++;
    }
    const authority = target.slice(s, a);
    if (hostCount === 0) host = authority;
    else if (authority !== host) throw new HttpError('400 Bad Request', NO_HOST);
    // An empty path is "/" (RFC 9112, 3.2.2).
    const q = target.indexOf('?', a);
    if (q < 0) {
      path = target.slice(a + 1);
      query = '';
    } else {
      path = q > a ? target.slice(a + 1, q) : '';
      query = target.slice(q);
    }
  }
  return { path, query, host, bodyLength, chunked, expectContinue, closeRequested, keepAliveRequested };
}
