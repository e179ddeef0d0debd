/**
 * HTTP/1.1 conformance of a real forked server, table-driven: each row is
 * raw request bytes sent on a fresh connection, the exact bytes the server
 * must answer, and whether it must close the connection afterwards.
 *
 * Besides the valid forms (RFC 9112) and every built-in error response
 * with its exact text, the table holds the request-smuggling vectors of
 * RFC 9112, 11.2 and of "HTTP Desync Attacks" (James Kettle, 2019):
 * ambiguous framing (Content-Length with Transfer-Encoding), obfuscated
 * Transfer-Encoding and Content-Length headers, lenient chunk framing, bare
 * CR/LF and control bytes. Such requests must be answered with 400 and the
 * connection closed, and the request hidden behind them ("GET /SMUG") must
 * never be processed: the app answers /SMUG with "SMUGGLED", which no row
 * but the sanity check may receive.
 *
 * The app is spec/apps/conformance.lua (a digest of what the handler saw,
 * header_size_limit 1024, body_size_limit 10000, idle and header timeouts
 * 3 s, stall_timeout 2 s).
 */
import { strict as assert } from 'assert';
import * as net from 'net';
import { app, freePort, killAll, startServer, waitUntilServing, type RunningServer } from './helpers/server';

// ------------------------------------------------------------ expectations

/** Moonbridge's built-in error response, written out independently of the implementation. */
function err(status: string, text?: string): string {
  const body = `${status}\n` + (text === undefined ? '' : `\n${text}\n`);
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
    `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}

/** What the handler saw; defaults: GET /, host h, only the Host header, empty body. */
interface Seen {
  method?: string;
  path?: string;
  query?: string;
  host?: string;
  /** [lower-case name, value] in the order sent. */
  headers?: Array<[string, string]>;
  body?: string;
}

const HOST: Array<[string, string]> = [['host', 'h']];

/** The digest conformance.lua answers with (see there). */
function digest(s: Seen): string {
  const lines = [`method=${s.method ?? 'GET'}`, `path=${s.path ?? ''}`, `query=${s.query ?? ''}`, `host=${s.host ?? 'h'}`];
  const byName = new Map<string, string[]>();
  for (const [name, value] of s.headers ?? HOST) {
    const list = byName.get(name);
    if (list === undefined) byName.set(name, [value]);
    else list.push(value);
  }
  for (const name of [...byName.keys()].sort()) lines.push(`${name}: ${byName.get(name)!.join('|')}`);
  lines.push(`body=${s.body ?? ''}`);
  return lines.join('\n') + '\n';
}

/** The 200 response to a valid request; `connection` is the automatic Connection header, if any. */
function ok(s: Seen = {}, connection?: 'close' | 'keep-alive'): string {
  const d = digest(s);
  const conn = connection === undefined ? '' : `Connection: ${connection}\r\n`;
  return `HTTP/1.1 200 OK\r\nContent-Length: ${d.length}\r\n${conn}\r\n${s.method === 'HEAD' ? '' : d}`;
}

function answer(text: string): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${text.length}\r\n\r\n${text}`;
}

const BAD = '400 Bad Request';
const CHUNK = 'Encoding error while reading chunk of request body';
const CL_INVALID = 'Content-Length header(s) invalid';
const TE_BAD = 'Unexpected Transfer-Encoding';
const NO_HOST = 'No valid host header';
const LIMIT = 'Request body size limit exceeded';

// ------------------------------------------------------------ requests

/** The request a smuggling vector hides behind the first one. */
const SMUG = 'GET /SMUG HTTP/1.1\r\nHost: h\r\n\r\n';
const TE = 'Transfer-Encoding: chunked\r\n';

const get = (extra = '', target = '/'): string => `GET ${target} HTTP/1.1\r\nHost: h\r\n${extra}\r\n`;
const post = (extra: string, body: string, target = '/'): string => `POST ${target} HTTP/1.1\r\nHost: h\r\n${extra}\r\n${body}`;
/** A POST with a chunked body (the given framing bytes), followed by the hidden request. */
const chunked = (framing: string, extra = ''): string => post(TE + extra, framing) + SMUG;
/** A POST with the given header lines and a chunked "0" body that also hides a request. */
const smuggle = (lines: string, method = 'POST'): string =>
  `${method} / HTTP/1.1\r\nHost: h\r\n${lines}\r\n0\r\n\r\n${SMUG}`;

interface Case {
  name: string;
  /** Bytes to send (latin1); several pieces are written `gap` ms apart. */
  send: string | string[];
  gap?: number;
  /** Half-close the connection after sending. */
  end?: boolean;
  /** The exact bytes of the answer. */
  expect: string;
  /** The server must close the connection (EOF within 2 s of the answer), else keep it open. */
  close: boolean;
  /** Bounds (ms, from the first write) for when the connection must end. */
  within?: [number, number];
}

const good = (name: string, send: string, expect: string, more: Partial<Case> = {}): Case => ({ name, send, expect, close: false, ...more });
const bad = (name: string, send: string | string[], status: string, text?: string, more: Partial<Case> = {}): Case =>
  ({ name, send, expect: err(status, text), close: true, ...more });

// ------------------------------------------------------------ the table

const helloChunked: Seen = { method: 'POST', headers: [['host', 'h'], ['transfer-encoding', 'chunked']], body: 'hello' };
const post5: Seen = { method: 'POST', headers: [['host', 'h'], ['content-length', '5']], body: 'hello' };

const VALID: Case[] = [
  good('GET /', get(), ok()),
  good('path and query, not decoded', get('', '/a%20b/c?x=1&y=%41'), ok({ path: 'a%20b/c', query: '?x=1&y=%41' })),
  good('query "?" alone', get('', '/p?'), ok({ path: 'p', query: '?' })),
  good('HEAD: the GET headers without body', 'HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n', ok({ method: 'HEAD', path: 'x' })),
  good('POST with Content-Length', post('Content-Length: 5\r\n', 'hello'), ok(post5)),
  good('POST with Content-Length: 0', post('Content-Length: 0\r\n', ''),
    ok({ method: 'POST', headers: [['host', 'h'], ['content-length', '0']] })),
  good('Content-Length with leading zeros', post('Content-Length: 005\r\n', 'hello'),
    ok({ ...post5, headers: [['host', 'h'], ['content-length', '005']] })),
  good('Content-Length list of equal values', post('Content-Length: 5, 5\r\n', 'hello'),
    ok({ ...post5, headers: [['host', 'h'], ['content-length', '5, 5']] })),
  good('repeated equal Content-Length lines', post('Content-Length: 5\r\nContent-Length: 05\r\n', 'hello'),
    ok({ ...post5, headers: [['host', 'h'], ['content-length', '5'], ['content-length', '05']] })),
  good('Content-Length at body_size_limit', post('Content-Length: 10000\r\n', 'x'.repeat(10000)),
    ok({ method: 'POST', headers: [['host', 'h'], ['content-length', '10000']], body: 'x'.repeat(10000) })),
  good('GET with a body', get('Content-Length: 3\r\n') + 'abc',
    ok({ headers: [['host', 'h'], ['content-length', '3']], body: 'abc' })),
  good('binary body bytes', post('Content-Length: 4\r\n', '\x00\r\n\xff'),
    ok({ method: 'POST', headers: [['host', 'h'], ['content-length', '4']], body: '\x00\r\n\xff' })),
  good('chunked', post(TE, '5\r\nhello\r\n0\r\n\r\n'), ok(helloChunked)),
  good('chunked in several chunks, upper-case hex', post(TE, '2\r\nhe\r\n3\r\nllo\r\nA\r\n0123456789\r\n0\r\n\r\n'),
    ok({ ...helloChunked, body: 'hello0123456789' })),
  good('chunked with leading zeros and a "000" last chunk', post(TE, '0005\r\nhello\r\n000\r\n\r\n'), ok(helloChunked)),
  good('chunk extensions (RFC 9112, 7.1.1)', post(TE, '2;a\r\nhe\r\n1;a=b;c\r\nl\r\n1 ;a=b\r\nl\r\n1\t; x = "q d" ; y\r\no\r\n0;z=1\r\n\r\n'),
    ok(helloChunked)),
  good('chunk extension with a quoted-pair and obs-text', post(TE, '5;a="x\\"\xe9y"\r\nhello\r\n0\r\n\r\n'), ok(helloChunked)),
  good('trailer fields, read and discarded', post(TE, '5\r\nhello\r\n0\r\nX-T: 1\r\nEmpty:\r\nX-U: a\tb\r\n\r\n'), ok(helloChunked)),
  good('Transfer-Encoding in any case', post('Transfer-Encoding: Chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'),
    ok({ ...helloChunked, headers: [['host', 'h'], ['transfer-encoding', 'Chunked']] })),
  good('Transfer-Encoding:<HTAB>chunked (OWS)', post('Transfer-Encoding:\tchunked\t\r\n', '5\r\nhello\r\n0\r\n\r\n'), ok(helloChunked)),
  good('Transfer-Encoding "chunked," (an empty list item)', post('Transfer-Encoding: chunked,\r\n', '5\r\nhello\r\n0\r\n\r\n'),
    ok({ ...helloChunked, headers: [['host', 'h'], ['transfer-encoding', 'chunked,']] })),
  good('two pipelined GETs in one write', get('', '/1') + get('', '/2'), ok({ path: '1' }) + ok({ path: '2' })),
  good('three pipelined requests: GET, POST, chunked POST', get('', '/1') + post('Content-Length: 5\r\n', 'hello') +
    post(TE, '5\r\nhello\r\n0\r\n\r\n', '/3'), ok({ path: '1' }) + ok(post5) + ok({ ...helloChunked, path: '3' })),
  good('a request right after a chunked body with trailers', post(TE, '5\r\nhello\r\n0\r\nT: x\r\n\r\n') + get('', '/next'),
    ok(helloChunked) + ok({ path: 'next' })),
  good('/SMUG itself (sanity: the route answers)', SMUG, answer('SMUGGLED\n')),
  good('HTTP/1.0 with keep-alive and a known length', 'GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    ok({ path: 'k', host: '', headers: [['connection', 'keep-alive']] }, 'keep-alive')),
  good('absolute-form target', 'GET http://h/p/q?x=1 HTTP/1.1\r\nHost: h\r\n\r\n', ok({ path: 'p/q', query: '?x=1' })),
  good('absolute-form target, https, no path', 'GET HTTPS://h:8 HTTP/1.1\r\nHost: h:8\r\n\r\n',
    ok({ host: 'h:8', headers: [['host', 'h:8']] })),
  good('OPTIONS * (path and query nil)', 'OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n', ok({ method: 'OPTIONS', path: 'nil', query: 'nil' })),
  good('Expect: 100-continue gets "100 Continue" when the body is read',
    post('Expect: 100-continue\r\nContent-Length: 5\r\n', 'hello'),
    'HTTP/1.1 100 Continue\r\n\r\n' + ok({ ...post5, headers: [['host', 'h'], ['expect', '100-continue'], ['content-length', '5']] })),
  good('Expect: 100-Continue with a chunked body', post('Expect: 100-Continue\r\n' + TE, '5\r\nhello\r\n0\r\n\r\n'),
    'HTTP/1.1 100 Continue\r\n\r\n' + ok({ ...helloChunked, headers: [['host', 'h'], ['expect', '100-Continue'], ['transfer-encoding', 'chunked']] })),
  good('leading empty lines are skipped (RFC 9112, 2.2)', '\r\n\n\r\n' + get(), ok()),
  good('bare LF line ends in the head (RFC 9112, 2.2)', 'GET /lf HTTP/1.1\nHost: h\nX-A: 1\n\n',
    ok({ path: 'lf', headers: [['host', 'h'], ['x-a', '1']] })),
  good('runs of SP/HTAB in the request line, trailing blanks', 'GET \t /x \t HTTP/1.1 \t\r\nHost: h\r\n\r\n', ok({ path: 'x' })),
  good('method case is preserved', 'get / HTTP/1.1\r\nHost: h\r\n\r\n', ok({ method: 'get' })),
  good('any token is a method', "M-SEARCH!#$%&'*+.^_`|~ / HTTP/1.1\r\nHost: h\r\n\r\n", ok({ method: "M-SEARCH!#$%&'*+.^_`|~" })),
  good('obs-text in the target', get('', '/\xe9?\xff'), ok({ path: '\xe9', query: '?\xff' })),
  good('values trimmed of SP/HTAB, inner HTAB and obs-text kept', get('X-V: \t a\tb \xe9\xff \t\r\n'),
    ok({ headers: [['host', 'h'], ['x-v', 'a\tb \xe9\xff']] })),
  good('empty header value', get('X-E:\r\n'), ok({ headers: [['host', 'h'], ['x-e', '']] })),
  good('repeated header lines', get('X-R: 1\r\nx-r: 2\r\nX-R: 3\r\n'), ok({ headers: [['host', 'h'], ['x-r', '1'], ['x-r', '2'], ['x-r', '3']] })),
  good('token punctuation in a header name', get("X!#$%&'*+-.^_`|~1: v\r\n"), ok({ headers: [['host', 'h'], ["x!#$%&'*+-.^_`|~1", 'v']] })),
  good('Transfer_Encoding is just another header: Content-Length frames the body',
    post('Content-Length: 5\r\nTransfer_Encoding: chunked\r\n', '0\r\n\r\n'),
    ok({ method: 'POST', headers: [['host', 'h'], ['content-length', '5'], ['transfer_encoding', 'chunked']], body: '0\r\n\r\n' })),
  good('a Host with a port', 'GET / HTTP/1.1\r\nHost: example.org:8080\r\n\r\n',
    ok({ host: 'example.org:8080', headers: [['host', 'example.org:8080']] })),
  good('send_header refuses CR LF in a value', get('', '/split-header'),
    answer('refused=true\nInvalid character (CR, LF or NUL) in value of HTTP header "X-A"\n')),
  good('send_header refuses CR LF in a name', get('', '/split-name'), answer('refused=true\nInvalid HTTP header name "X\\r\\nX-Injected"\n')),
  good('send_status refuses CR LF in the text', get('', '/split-status'),
    answer('refused=true\nInvalid character (CR, LF or NUL) in HTTP status "200 OK\\r\\nX-Injected: 1"\n')),
  // Closing ones.
  { name: 'HTTP/1.0: served, then closed', send: 'GET /old HTTP/1.0\r\n\r\n', expect: ok({ path: 'old', host: '', headers: [] }, 'close'), close: true },
  { name: 'HTTP/1.0 absolute-form without Host', send: 'GET http://a.b/x HTTP/1.0\r\n\r\n', expect: ok({ path: 'x', host: 'a.b', headers: [] }, 'close'), close: true },
  { name: 'client "Connection: close" is honoured', send: get('Connection: close\r\n') + get('', '/never'),
    expect: ok({ headers: [['host', 'h'], ['connection', 'close']] }, 'close'), close: true },
  { name: 'EOF before any byte ends the connection quietly', send: '', end: true, expect: '', close: true },
];

const REQUEST_LINE: Case[] = [
  bad('request line with one field', 'GET\r\nHost: h\r\n\r\n', BAD),
  bad('request line of blanks only', ' \t \r\nHost: h\r\n\r\n', BAD),
  bad('four fields', 'GET / x HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('five fields, answered before the head is complete', 'GET / HTTP/1.1 x y\r\n', BAD),
  bad('no version, answered before the head is complete', 'GET /\r\n', '505 HTTP Version Not Supported'),
  bad('no version', 'GET /\r\nHost: h\r\n\r\n', '505 HTTP Version Not Supported'),
  bad('HTTP/2.0', 'GET / HTTP/2.0\r\nHost: h\r\n\r\n', '505 HTTP Version Not Supported'),
  bad('HTTP/1.2', 'GET / HTTP/1.2\r\nHost: h\r\n\r\n', '505 HTTP Version Not Supported'),
  bad('lower-case version', 'GET / http/1.1\r\nHost: h\r\n\r\n', '505 HTTP Version Not Supported'),
  bad('HTTP/2 connection preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', '505 HTTP Version Not Supported'),
  bad('method not a token', 'G(E)T / HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('NUL in the method', 'GE\x00T / HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('obs-text in the method', 'G\xc9T / HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('NUL in the target', 'GET /a\x00b HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('DEL in the target', 'GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('ESC in the target', 'GET /\x1b[0m HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('vertical tab as separator', 'GET\x0b/ HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('NUL in the version', 'GET / HTTP/1.1\x00\r\nHost: h\r\n\r\n', BAD),
  bad('bare CR in the request line', 'GET /\rX HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('bare CR ending the request line', 'GET / HTTP/1.1\rHost: h\r\n\r\n', BAD),
  bad('bare CR before the request line', '\rGET / HTTP/1.1\r\nHost: h\r\n\r\n', BAD),
  bad('a TLS ClientHello, answered at once', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', BAD),
  bad('random binary, answered at once', '\x00\x9f\x13\x37', BAD),
  bad('garbage trickled in: answered at its first invalid byte', ['GE', 'T /', '\x01'], BAD, undefined, { gap: 300, within: [500, 1500] }),
  bad('request line using up header_size_limit', 'GET /' + 'a'.repeat(1100), '414 Request-URI Too Long'),
  bad('leading empty lines count toward the limit', '\r\n'.repeat(600), '414 Request-URI Too Long'),
  bad('header section using up header_size_limit', get('X-Long: ' + 'b'.repeat(1100)), '431 Request Header Fields Too Large'),
  bad('origin form required', get('', 'x'), BAD, 'Invalid request target'),
  bad('"*" only for OPTIONS', get('', '*'), BAD, 'Invalid request target'),
  bad('unknown scheme', get('', 'ftp://h/'), BAD, 'Invalid request target'),
  bad('malformed absolute form', get('', 'http:/h/x'), BAD, 'Invalid request target'),
  bad('absolute-form host differs from Host', get('', 'http://other/'), BAD, NO_HOST),
];

const HEAD: Case[] = [
  bad('Host missing', 'GET / HTTP/1.1\r\n\r\n', BAD, NO_HOST),
  bad('Host empty', 'GET / HTTP/1.1\r\nHost:\r\n\r\n', BAD, NO_HOST),
  bad('Host repeated', get('Host: h\r\n'), BAD, NO_HOST),
  bad('Host with a comma', 'GET / HTTP/1.1\r\nHost: a, b\r\n\r\n', BAD, NO_HOST),
  bad('absolute form without Host in HTTP/1.1', 'GET http://h/ HTTP/1.1\r\n\r\n', BAD, NO_HOST),
  bad('unknown expectation', get('Expect: x\r\n'), '417 Expectation Failed', 'Unexpected Expect header'),
  bad('100-continue plus another expectation', get('Expect: 100-continue, foo\r\n'), '417 Expectation Failed', 'Unexpected Expect header'),
  bad('bare CR splitting a header line', post('X-A: a\rContent-Length: 5\r\n', 'hello') + SMUG, BAD),
  bad('bare CR at the end of a value', get('X-A: a\r\r\n'), BAD),
  bad('obs-fold', get('X-A: a\r\n b\r\n'), BAD),
  bad('obs-fold with HTAB', get('X-A: a\r\n\tb\r\n'), BAD),
  bad('whitespace before the first header line', 'GET / HTTP/1.1\r\n Host: h\r\n\r\n', BAD),
  bad('space before the colon', get('X-A : a\r\n'), BAD),
  bad('line without a colon', get('X-A\r\n'), BAD),
  bad('empty header name', get(': a\r\n'), BAD),
  bad('separator in a header name', get('X(A): a\r\n'), BAD),
  bad('"@" in a header name', get('X@A: a\r\n'), BAD),
  bad('NUL in a header name', get('X-\x00A: a\r\n'), BAD),
  bad('DEL in a header name', get('X-A\x7f: a\r\n'), BAD),
  bad('obs-text in a header name', get('X-\xe9: a\r\n'), BAD),
  bad('NUL in a header value', get('X-A: a\x00b\r\n'), BAD),
  bad('DEL in a header value', get('X-A: a\x7f\r\n'), BAD),
  bad('SOH in a header value', get('X-A: \x01\r\n'), BAD),
  bad('vertical tab in a header value', get('X-A: a\x0bb\r\n'), BAD),
  bad('form feed in a header value', get('X-A: \x0ca\r\n'), BAD),
  bad('ESC in a header value', get('X-A: \x1b[1m\r\n'), BAD),
  bad('EOF in the middle of the head', get('').slice(0, -2), BAD, 'Unexpected EOF', { end: true }),
];

const CONTENT_LENGTH: Case[] = [
  ...['+5', '-5', '0x5', '5 5', '5;', '', '1,2', '5, 6', '5.0', '1e1', 'five', '\t', '5\t5', '0x', '\xb5'].map((v) =>
    bad(`Content-Length: ${JSON.stringify(v)}`, post(`Content-Length: ${v}\r\n`, 'hello') + SMUG, BAD, CL_INVALID)),
  bad('differing Content-Length lines', post('Content-Length: 5\r\nContent-Length: 6\r\n', 'hello!') + SMUG, BAD, CL_INVALID),
  bad('Content-Length:5 NUL', post('Content-Length:5\x00\r\n', 'hello') + SMUG, BAD),
  bad('Content-Length with a space before the colon', post('Content-Length : 5\r\n', 'hello') + SMUG, BAD),
  bad('Content-Length above body_size_limit', post('Content-Length: 10001\r\n', ''), '413 Request Entity Too Large',
    'Announced request body size is too big'),
  bad('absurd Content-Length', post('Content-Length: 99999999999999999999999\r\n', ''), '413 Request Entity Too Large',
    'Announced request body size is too big'),
  bad('invalid Content-Length is reported before Transfer-Encoding', post('Content-Length: x\r\n' + TE, ''), BAD, CL_INVALID),
  bad('truncated Content-Length body', post('Content-Length: 10\r\n', 'abc'), BAD, 'Unexpected EOF', { end: true }),
];

/** Classic CL.TE / TE.CL ambiguity and Transfer-Encoding obfuscations (Kettle 2019; RFC 9112, 6.3 and 11.2). */
const SMUGGLING: Case[] = [
  bad('CL.TE: Content-Length then Transfer-Encoding', smuggle('Content-Length: 36\r\n' + TE), BAD, TE_BAD),
  bad('TE.CL: Transfer-Encoding then Content-Length', smuggle(TE + 'Content-Length: 36\r\n'), BAD, TE_BAD),
  bad('CL.TE with GET', smuggle('Content-Length: 36\r\n' + TE, 'GET'), BAD, TE_BAD),
  bad('Content-Length smaller than the chunked body', smuggle('Content-Length: 3\r\n' + TE), BAD, TE_BAD),
  bad('Content-Length with Transfer-Encoding:<HTAB>chunked', smuggle('Content-Length: 36\r\nTransfer-Encoding:\tchunked\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding in HTTP/1.0', 'POST / HTTP/1.0\r\n' + TE + '\r\n0\r\n\r\n' + SMUG, BAD, TE_BAD),
  bad('Transfer-Encoding : chunked', smuggle('Transfer-Encoding : chunked\r\nContent-Length: 36\r\n'), BAD),
  bad('Transfer-Encoding: xchunked', smuggle('Transfer-Encoding: xchunked\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding: chunked-false', smuggle('Transfer-Encoding: chunked-false\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding: "chunked"', smuggle('Transfer-Encoding: "chunked"\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding: chunked, identity', smuggle('Transfer-Encoding: chunked, identity\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding: identity', smuggle('Transfer-Encoding: identity\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding: gzip, chunked', smuggle('Transfer-Encoding: gzip, chunked\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding: chunked, chunked', smuggle('Transfer-Encoding: chunked, chunked\r\n'), BAD, TE_BAD),
  bad('two Transfer-Encoding: chunked lines', smuggle(TE + TE), BAD, TE_BAD),
  bad('Transfer-Encoding: chunked plus Transfer-Encoding: x', smuggle(TE + 'Transfer-Encoding: x\r\n'), BAD, TE_BAD),
  bad('empty Transfer-Encoding', smuggle('Transfer-Encoding:\r\n'), BAD, TE_BAD),
  bad('Transfer-Encoding: chunked;q=1', smuggle('Transfer-Encoding: chunked;q=1\r\n'), BAD, TE_BAD),
  bad('obs-folded Transfer-Encoding', smuggle('X-A: a\r\n Transfer-Encoding: chunked\r\n'), BAD),
  bad('Transfer-Encoding value on a folded line', smuggle('Transfer-Encoding:\r\n chunked\r\n'), BAD),
  bad('Transfer-Encoding<LF>: chunked', smuggle('Transfer-Encoding\n: chunked\r\n'), BAD),
  bad('Transfer-Encoding NUL: chunked', smuggle('Transfer-Encoding\x00: chunked\r\n'), BAD),
  bad('Transfer-Encoding CR: chunked', smuggle('Transfer-Encoding\r: chunked\r\n'), BAD),
  bad('Transfer-Encoding: chunked<VT>', smuggle('Transfer-Encoding: chunked\x0b\r\n'), BAD),
  bad('Transfer-Encoding: <FF>chunked', smuggle('Transfer-Encoding: \x0cchunked\r\n'), BAD),
  bad('Transfer-Encoding: chunked hidden behind a bare CR', smuggle('X-A: a\rTransfer-Encoding: chunked\r\n'), BAD),
  bad('a valid request, then an invalid one hiding another', get('', '/1') + 'GET / HTTP/1.1 x\r\nHost: h\r\n\r\n' + SMUG, BAD,
    undefined, { expect: ok({ path: '1' }) + err(BAD) }),
];

/** Chunked framing: CRLF everywhere, sizes, extensions and trailers (RFC 9112, 7.1). */
const CHUNKED: Case[] = [
  bad('size line ended by a bare LF', chunked('5\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('extension ended by a bare LF', chunked('5;a\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('data followed by a bare LF', chunked('5\r\nhello\n0\r\n\r\n'), BAD, CHUNK),
  bad('last chunk ended by a bare LF', chunked('5\r\nhello\r\n0\n\r\n'), BAD, CHUNK),
  bad('final empty line a bare LF', chunked('5\r\nhello\r\n0\r\n\n'), BAD, CHUNK),
  bad('trailer line ended by a bare LF', chunked('0\r\nT: x\n\r\n'), BAD, CHUNK),
  bad('all framing with bare LFs', chunked('5\nhello\n0\n\n'), BAD, CHUNK),
  bad('bare CR after the size', chunked('5\rhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('data longer than the size', chunked('5\r\nhelloo\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('"5 xyz"', chunked('5 xyz\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('blank after the size without ";"', chunked('5 \r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('extension without a name', chunked('5;\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('extension value missing', chunked('5;a=\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('unterminated quoted extension value', chunked('5;a="b\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('NUL in an extension', chunked('5;a\x00\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('SOH in an extension', chunked('5;\x01\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('DEL in an extension value', chunked('5;a=\x7f\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('NUL in a quoted extension value', chunked('5;a="\x00"\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('size line longer than 4096 bytes', chunked('5;a=' + 'b'.repeat(4100) + '\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('no size', chunked('\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('negative size', chunked('-5\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('"0x5" size', chunked('0x5\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('"+5" size', chunked('+5\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('blank before the size', chunked(' 5\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('size with 17 hex digits (64-bit overflow)', chunked('fffffffffffffffff\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('size with 14 significant hex digits', chunked('10000000000005\r\nhello\r\n0\r\n\r\n'), BAD, CHUNK),
  bad('size of 13 hex digits, above the limit', chunked('fffffffffffff\r\nhello\r\n0\r\n\r\n'), '413 Request Entity Too Large', LIMIT),
  bad('chunk above body_size_limit', chunked('2711\r\n'), '413 Request Entity Too Large', LIMIT),
  bad('extensions count toward body_size_limit',
    chunked(`1;a=${'b'.repeat(4000)}\r\nx\r\n1;a=${'b'.repeat(4000)}\r\nx\r\n1;a=${'b'.repeat(4000)}\r\nx\r\n0\r\n\r\n`),
    '413 Request Entity Too Large', LIMIT),
  bad('trailer section above body_size_limit', chunked(`${(9990).toString(16)}\r\n${'x'.repeat(9990)}\r\n0\r\nX-Trailer: 0123456789\r\n\r\n`),
    '413 Request Entity Too Large', 'Request body size limit exceeded while reading trailer section of chunked request body'),
  bad('trailer line without a colon', chunked('0\r\nBad Trailer\r\n\r\n'), BAD, CHUNK),
  bad('obs-folded trailer', chunked('0\r\nT: a\r\n b\r\n\r\n'), BAD, CHUNK),
  bad('NUL in a trailer value', chunked('0\r\nT: a\x00\r\n\r\n'), BAD, CHUNK),
  bad('truncated chunked body', post(TE, '5\r\nhel'), BAD, 'Unexpected EOF', { end: true }),
];

/** Slow and silent clients: the timeouts of conformance.lua (3 s idle and header, 2 s stall). */
const SLOW: Case[] = [
  bad('silent connection', [], '408 Request Timeout', 'Idle connection timed out', { within: [2700, 4500] }),
  bad('slow-loris head, cut at request_header_timeout', ['GET / HTTP/1.1\r\n', 'Host: h\r\n', ...Array(10).fill('X: y\r\n')],
    '408 Request Timeout', 'Timeout while receiving headers', { gap: 500, within: [2700, 4500] }),
  bad('slow-loris request line', 'GET /slow-request-line HTTP/1.1'.split(''), '408 Request Timeout', 'Timeout while receiving headers',
    { gap: 150, within: [2700, 4500] }),
  bad('stalled body, cut at stall_timeout', post('Content-Length: 10\r\n', 'abc'), '408 Request Timeout',
    'Timeout while waiting for request body', { within: [1700, 3500] }),
];

const TABLE: Case[] = [...VALID, ...REQUEST_LINE, ...HEAD, ...CONTENT_LENGTH, ...SMUGGLING, ...CHUNKED, ...SLOW];

// ------------------------------------------------------------ the runner

interface Outcome { data: string; closed: boolean; ms: number }

/**
 * Sends a case on a fresh connection. Resolves when the server closes (EOF
 * or reset), or, when the case expects the connection to stay open, once
 * the expected number of bytes has arrived and nothing more came for
 * QUIET ms; at the latest WAIT ms after the last write (plus the case's
 * upper time bound).
 */
const QUIET = 150;
const WAIT = 2000;

function run(port: number, c: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const pieces = typeof c.send === 'string' ? [c.send] : c.send;
    const sock = net.connect({ port, host: '127.0.0.1' });
    const t0 = Date.now();
    let data = '';
    let finished = false;
    let quiet: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (closed: boolean): void => {
      if (finished) return;
      finished = true;
      for (const t of [quiet, deadline, ...timers]) clearTimeout(t);
      sock.destroy();
      resolve({ data, closed, ms: Date.now() - t0 });
    };
    sock.on('connect', () => {
      const gap = c.gap ?? 0;
      pieces.forEach((piece, i) => {
        timers.push(setTimeout(() => {
          if (finished || sock.destroyed) return;
          sock.write(Buffer.from(piece, 'latin1'));
          if (i === pieces.length - 1 && c.end) sock.end();
        }, i * gap));
      });
      if (pieces.length === 0 && c.end) sock.end();
      deadline = setTimeout(() => finish(false), Math.max(0, pieces.length - 1) * gap + (c.within?.[1] ?? 0) + WAIT);
    });
    sock.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (!c.close && data.length >= c.expect.length) {
        clearTimeout(quiet);
        quiet = setTimeout(() => finish(false), QUIET);
      }
    });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true)); // ECONNRESET, or EPIPE on a write after the server closed
  });
}

/** Printable bytes for assertion messages. */
const show = (s: string): string => JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');

describe('HTTP/1.1 conformance and request smuggling (table-driven, one forked server)', function () {
  let server: RunningServer;
  let port: number;

  before(async function () {
    port = await freePort();
    server = startServer([app('conformance.lua'), String(port)]);
    await waitUntilServing(port);
  });
  after(killAll);

  it('has the intended coverage', function () {
    assert.ok(TABLE.length >= 120, `${TABLE.length} rows`);
    assert.equal(new Set(TABLE.map((c) => c.name)).size, TABLE.length, 'row names are unique');
    // Every smuggling row hides the same request, and every error body uses the built-in format.
    for (const c of SMUGGLING) assert.ok((typeof c.send === 'string' ? c.send : '').includes(SMUG), c.name);
  });

  for (const c of TABLE) {
    it(`${c.close ? 'closes' : 'keeps'}: ${c.name}`, async function () {
      const slow = c.within !== undefined ? c.within[1] : 0;
      this.timeout(slow + 10000);
      const r = await run(port, c);
      assert.equal(show(r.data), show(c.expect), 'response bytes');
      assert.equal(r.closed, c.close, c.close ? 'connection closed after the answer' : 'connection kept open');
      if (c.within !== undefined) {
        assert.ok(r.ms >= c.within[0] && r.ms <= c.within[1], `ended after ${r.ms} ms, expected ${c.within[0]}-${c.within[1]} ms`);
      }
      if (c.send !== SMUG) assert.ok(!r.data.includes('SMUGGLED'), 'the hidden request was processed');
    });
  }

  it('still serves requests afterwards (workers that ended on body errors were replaced)', async function () {
    const r = await run(port, good('after', get(), ok()));
    assert.equal(show(r.data), show(ok()));
    assert.equal(server.proc.exitCode, null, 'the master is still running');
  });
});
