/**
 * The checks Moonbridge makes after reading a request head, in its order:
 * Content-Length, Transfer-Encoding, Expect, Host, request-target.
 */
import { HttpError } from './errors';
import type { RequestHead } from './request-head';

export interface RequestInfo {
  /** Path without the leading slash, not percent-decoded; null for "OPTIONS *". */
  path: string | null;
  /** Query with its leading "?", "" when absent; null for "OPTIONS *". */
  query: string | null;
  host: string;
  /** Content-Length, or 0. */
  bodyLength: number;
  chunked: boolean;
  expectContinue: boolean;
  /** The client's Connection header has "close". */
  closeRequested: boolean;
  /** The client's Connection header has "keep-alive". */
  keepAliveRequested: boolean;
}

function values(head: RequestHead, lowerName: string): string[] {
  const out: string[] = [];
  for (const [name, value] of head.headers) if (name.length === lowerName.length && name.toLowerCase() === lowerName) out.push(value);
  return out;
}

function items(vals: string[]): string[] {
  const out: string[] = [];
  for (const v of vals) for (const item of v.split(',')) {
    const t = item.trim();
    if (t !== '') out.push(t);
  }
  return out;
}

const DIGITS = /^[0-9]+$/;
const ABSOLUTE = /^https?:\/\/([^/?#]*)([^#]*)$/i;

function splitTarget(target: string): { path: string; query: string } | null {
  if (target[0] !== '/') return null;
  const q = target.indexOf('?');
  return q < 0 ? { path: target.slice(1), query: '' } : { path: target.slice(1, q), query: target.slice(q) };
}

export function checkRequest(head: RequestHead, bodySizeLimit: number): RequestInfo {
  // Content-Length: every value must be plain digits and all must agree.
  let bodyLength = 0;
  const lengths = items(values(head, 'content-length'));
  const clLines = values(head, 'content-length');
  if (clLines.length > 0) {
    if (lengths.length === 0 || !lengths.every((v) => DIGITS.test(v))) {
      throw new HttpError('400 Bad Request', 'Content-Length header(s) invalid');
    }
    const n = Number(lengths[0].replace(/^0+(?=\d)/, ''));
    if (!lengths.every((v) => Number(v) === n) || !Number.isSafeInteger(n)) {
      throw new HttpError('400 Bad Request', 'Content-Length header(s) invalid');
    }
    if (n > bodySizeLimit) throw new HttpError('413 Request Entity Too Large', 'Announced request body size is too big');
    bodyLength = n;
  }
  // Transfer-Encoding: absent, or exactly "chunked".
  let chunked = false;
  const te = values(head, 'transfer-encoding');
  if (te.length > 0) {
    const teItems = items(te);
    if (teItems.length !== 1 || teItems[0].toLowerCase() !== 'chunked') {
      throw new HttpError('400 Bad Request', 'Unexpected Transfer-Encoding');
    }
    chunked = true;
    bodyLength = 0;
  }
  // Expect: only 100-continue.
  const expect = items(values(head, 'expect'));
  for (const e of expect) {
    if (e.toLowerCase() !== '100-continue') throw new HttpError('417 Expectation Failed', 'Unexpected Expect header');
  }
  const expectContinue = expect.length > 0;
  // Host: one non-empty value without commas (mandatory in HTTP/1.1).
  const hosts = values(head, 'host');
  let host = '';
  if (hosts.length > 1 || (hosts.length === 1 && (hosts[0] === '' || hosts[0].includes(',')))) {
    throw new HttpError('400 Bad Request', 'No valid host header');
  }
  if (hosts.length === 1) host = hosts[0];
  else if (head.version === '1.1') throw new HttpError('400 Bad Request', 'No valid host header');
  // Request target.
  let path: string | null = null;
  let query: string | null = null;
  const target = head.target;
  if (target === '*' && head.method === 'OPTIONS') {
    // asterisk-form: no path, no query
  } else if (target[0] === '/') {
    ({ path, query } = splitTarget(target) as { path: string; query: string });
  } else {
    const m = ABSOLUTE.exec(target);
    if (m === null) throw new HttpError('400 Bad Request', 'Invalid request target');
    if (hosts.length === 0) host = m[1];
    else if (m[1] !== host) throw new HttpError('400 Bad Request', 'No valid host header');
    const parts = splitTarget(m[2] === '' ? '/' : m[2]);
    if (parts === null) throw new HttpError('400 Bad Request', 'Invalid request target');
    ({ path, query } = parts);
  }
  const connection = items(values(head, 'connection')).map((c) => c.toLowerCase());
  return {
    path, query, host, bodyLength, chunked, expectContinue,
    closeRequested: connection.includes('close'),
    keepAliveRequested: connection.includes('keep-alive'),
  };
}
