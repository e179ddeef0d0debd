/**
 * Text helpers of moonbridge_http: HTML and URI encoding, query and cookie
 * parsing. All strings are latin1 (one char per byte), like Lua strings.
 */

/** encode_html(): escapes < > & " as &lt; &gt; &amp; &quot;. */
export function encodeHtml(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    let rep: string;
    switch (s.charCodeAt(i)) {
      case 0x3c: rep = '&lt;'; break;
      case 0x3e: rep = '&gt;'; break;
      case 0x26: rep = '&amp;'; break;
      case 0x22: rep = '&quot;'; break;
      default: continue;
    }
    out += s.substring(last, i) + rep;
    last = i + 1;
  }
  return last === 0 ? s : out + s.substring(last);
}

/** For each byte: itself if unreserved ([A-Za-z0-9_.~-]), else "%xx" (lower-case hex). */
const URI_ENCODED: string[] = [];
for (let c = 0; c < 256; c++) {
  const unreserved = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f || c === 0x2e || c === 0x7e || c === 0x2d;
  URI_ENCODED.push(unreserved ? String.fromCharCode(c) : '%' + c.toString(16).padStart(2, '0'));
}

/** encode_uri(): percent-encodes every byte except alphanumerics and _ . ~ - (lower-case hex). */
export function encodeUri(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += URI_ENCODED[s.charCodeAt(i) & 0xff];
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Scratch space of decodeUri (grown as needed). */
let scratch: Buffer = Buffer.allocUnsafe(1024);

type Latin1Slice = (this: Uint8Array, from: number, to: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: Latin1Slice }).latin1Slice;

/**
 * decode_uri(): "+" becomes a space, valid %XX escapes are decoded, invalid
 * ones stay as they are. Decodes into a byte buffer (one pass, no string
 * concatenation per escape).
 */
export function decodeUri(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 0x25 || c === 0x2b) break;
    i++;
  }
  if (i === n) return s;
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  const out = scratch;
  let o = out.write(s.substring(0, i), 0, 'latin1');
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      out[o++] = 0x20;
    } else if (c === 0x25 && i + 2 < n) {
      const h = hexValue(s.charCodeAt(i + 1));
      const l = hexValue(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        out[o++] = h * 16 + l;
        i += 2;
      } else {
        out[o++] = c;
      }
    } else {
      out[o++] = c;
    }
  }
  return latin1Slice.call(out, 0, o);
}

/**
 * Appends to out the matches of the Lua pattern "([^S]*)=([^S]*)" in s, as
 * string.gmatch finds them, where S is the set of stop characters ("=" is
 * always one): a match starts where a run of non-stop characters is
 * followed by "=", and the value runs to the next stop character. Names and
 * values are decoded with decodeUri.
 */
function matchPairs(s: string, stop: (c: number) => boolean, out: Array<[string, string]>): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    let e = i;
    while (e < n && !stop(s.charCodeAt(e))) e++;
    if (e < n && s.charCodeAt(e) === 0x3d) {
      let v = e + 1;
      while (v < n && !stop(s.charCodeAt(v))) v++;
      out.push([decodeUri(s.substring(i, e)), decodeUri(s.substring(e + 1, v))]);
      i = v;
    } else {
      // No match at i, nor anywhere inside the run (no "=" follows): go on after it.
      i = e === i ? i + 1 : e;
    }
  }
}

function querySeparator(c: number): boolean {
  return c === 0x3f || c === 0x3d || c === 0x26;
}

function cookieStop(c: number): boolean {
  return c === 0x3d || c === 0x3b || c === 0x20;
}

/**
 * A query string (or urlencoded body) as key/value pairs in order, exactly as
 * Moonbridge's string.gmatch(data, "([^?=&]*)=([^?=&]*)") finds them: a name
 * without "=" is dropped, and a value stops at the next "?", "=" or "&"
 * ("a=b=c" gives a="b" and ""="c").
 */
export function parseQuery(query: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  matchPairs(query, querySeparator, out);
  return out;
}

/**
 * Cookies from every Cookie header value, Moonbridge's way: each match of
 * the Lua pattern "([^=; ]*)=([^=; ]*)", so parts stop at "=", ";" or space
 * ('u=x=y' gives u="x" and ""="y").
 */
export function parseCookies(headerValues: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const value of headerValues) matchPairs(value, cookieStop, out);
  return out;
}
