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

/*
 * Byte classes for validating protocol elements with one table lookup per
 * byte (no regexes on the hot path).
 */

/** tchar (RFC 9110, 5.6.2): the bytes of a token (method, field name, chunk-ext-name). */
export const C_TOKEN = 1;
/** field-vchar / SP / HTAB (RFC 9110, 5.5): VCHAR, obs-text 0x80-0xff, SP and HTAB; no other CTL, no DEL. */
export const C_VALUE = 2;
/** A byte of a request-target as Moonbridge splits it: no CTL, no DEL, no SP (obs-text is let through). */
export const C_TARGET = 4;
/** qdtext (RFC 9110, 5.6.4): HTAB, SP, "!", "#"-"[", "]"-"~", obs-text. */
export const C_QDTEXT = 8;

/** The class bits of every byte value. */
export const CHAR_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x21; c <= 0xff; c++) {
    if (c === 0x7f) continue;
    t[c] |= C_VALUE | C_TARGET;
    if (c !== 0x22 && c !== 0x5c) t[c] |= C_QDTEXT;
  }
  t[0x20] |= C_VALUE | C_QDTEXT;
  t[0x09] |= C_VALUE | C_QDTEXT;
  const tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (let i = 0; i < tchar.length; i++) t[tchar.charCodeAt(i)] |= C_TOKEN;
  return t;
})();

/** Whether s is a token (1*tchar, RFC 9110, 5.6.2). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || (CHAR_CLASS[c] & C_TOKEN) === 0) return false;
  }
  return true;
}

/**
 * Whether s contains CR, LF or NUL: the bytes that would end (or, for NUL,
 * truncate in many peers) a header line of a response (response splitting,
 * RFC 9110, 5.5: a sender MUST NOT generate them in a field value).
 */
export function hasLineBreakOrNul(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0x00) return true;
  }
  return false;
}
