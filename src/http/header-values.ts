/**
 * Small scanners for header field values, shared by the request checks and
 * the response writer: optional whitespace, digit strings and
 * comma-separated lists (RFC 9110, 5.6.1).
 */

/** SP or HTAB (OWS). */
function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Non-empty and only ASCII digits. */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** s[a, b) without leading and trailing SP/HTAB. */
export function trimOws(s: string, a = 0, b = s.length): string {
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.substring(a, b);
}

/** The non-empty comma-separated items of a header value, trimmed of SP/HTAB. */
export function listItems(value: string): string[] {
  const out: string[] = [];
  const n = value.length;
  let i = 0;
  while (i <= n) {
    let e = value.indexOf(',', i);
    if (e < 0) e = n;
    const item = trimOws(value, i, e);
    if (item.length > 0) out.push(item);
    i = e + 1;
  }
  return out;
}

/** Whether a comma-separated header value has the item `token` (given in lower case), case-insensitively. */
export function hasListItem(value: string, token: string): boolean {
  for (const item of listItems(value)) {
    if (item.length === token.length && item.toLowerCase() === token) return true;
  }
  return false;
}
