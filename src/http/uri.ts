/**
 * Text helpers of moonbridge_http: HTML and URI encoding, query and cookie
 * parsing. All strings are latin1 (one char per byte), like Lua strings.
 */

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' };

export function encodeHtml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => HTML[c]);
}

const UNRESERVED = /[A-Za-z0-9_.~-]/;

export function encodeUri(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (UNRESERVED.test(ch)) out += ch;
    else out += '%' + s.charCodeAt(i).toString(16).padStart(2, '0');
  }
  return out;
}

/** "+" becomes a space, valid %XX escapes are decoded, invalid ones stay. */
export function decodeUri(s: string): string {
  return s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** key=value pairs separated by "&" or "?"; keys without "=" are dropped. */
export function parseQuery(query: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of query.split(/[&?]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out.push([decodeUri(part.slice(0, eq)), decodeUri(part.slice(eq + 1))]);
  }
  return out;
}

/**
 * Cookies from every Cookie header: name=value items, each part stopping at
 * "=", ";" or space (Moonbridge's pattern), URL-decoded.
 */
export function parseCookies(headerValues: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const item = /([^=; ]*)=([^=; ]*)/g;
  for (const value of headerValues) {
    for (const m of value.matchAll(item)) out.push([decodeUri(m[1]), decodeUri(m[2])]);
  }
  return out;
}
