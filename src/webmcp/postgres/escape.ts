/**
 * String and bytea escaping with libpq's semantics (PQescapeStringConn,
 * PQescapeByteaConn, PQunescapeBytea), on bytes: the caller's values are Lua
 * strings, so nothing here assumes UTF-8 except where the client encoding
 * says so.
 */

/** Set when escapeString met a multibyte character cut off by the end of the input. */
export interface EscapeStatus {
  error: boolean;
  message: string;
}

/**
 * The length of the character starting with lead byte b in the given client
 * encoding (PostgreSQL's name: "UTF8", "EUC_JP", ...), and the next byte when
 * the encoding needs it (GB18030's 4-byte forms). Single-byte encodings and
 * unknown names give 1, so every byte is looked at on its own.
 */
export function charLength(encoding: string, b: number, next: number | undefined): number {
  if (b < 0x80) return 1;
  switch (encoding) {
    case 'UTF8':
      if ((b & 0xe0) === 0xc0) return 2;
      if ((b & 0xf0) === 0xe0) return 3;
      if ((b & 0xf8) === 0xf0) return 4;
      return 1;
    case 'EUC_JP':
    case 'EUC_JIS_2004':
      return b === 0x8f ? 3 : 2;
    case 'EUC_TW':
      return b === 0x8e ? 4 : b === 0x8f ? 3 : 2;
    case 'EUC_CN':
    case 'EUC_KR':
    case 'BIG5':
    case 'GBK':
    case 'UHC':
    case 'JOHAB':
      return 2;
    case 'SJIS':
    case 'SHIFT_JIS_2004':
      return b >= 0xa1 && b <= 0xdf ? 1 : 2; // half-width katakana are single bytes
    case 'GB18030':
      return next !== undefined && next >= 0x30 && next <= 0x39 ? 4 : 2;
    default:
      return 1;
  }
}

/**
 * PQescapeStringConn: doubles every ' (and \ when standard_conforming_strings
 * is off), copies multibyte characters of the client encoding whole (so a
 * trailing byte that looks like a quote is not doubled). A multibyte
 * character cut off by the end of the input (or containing a NUL) ends the
 * output there and sets status.error, as libpq does.
 */
export function escapeString(input: Uint8Array, encoding: string, standardStrings: boolean, status?: EscapeStatus): Uint8Array {
  const out = Buffer.alloc(input.length * 2);
  let o = 0;
  let i = 0;
  if (status !== undefined) {
    status.error = false;
    status.message = '';
  }
  while (i < input.length) {
    const b = input[i];
    if (b === 0) break; // libpq stops at a NUL, the end of a C string
    if (b < 0x80) {
      if (b === 0x27 || (b === 0x5c && !standardStrings)) out[o++] = b;
      out[o++] = b;
      i++;
      continue;
    }
    const len = charLength(encoding, b, input[i + 1]);
    let whole = i + len <= input.length;
    for (let k = 1; whole && k < len; k++) if (input[i + k] === 0) whole = false;
    if (!whole) {
      if (status !== undefined) {
        status.error = true;
        status.message = 'incomplete multibyte character\n';
      }
      break;
    }
    for (let k = 0; k < len; k++) out[o++] = input[i + k];
    i += len;
  }
  return out.subarray(0, o);
}

const HEX = '0123456789abcdef';

/**
 * PQescapeByteaConn: the hex format "\x0a1b..." for servers from 9.0 on,
 * else the old escape format (\ooo octal for non-printable bytes, '' and
 * doubled backslashes). Without standard_conforming_strings every backslash
 * is doubled once more, for a '...' literal. No surrounding quotes.
 */
export function escapeBytea(input: Uint8Array, standardStrings: boolean, useHex: boolean): Uint8Array {
  const bs = standardStrings ? '\\' : '\\\\';
  if (useHex) {
    const out = Buffer.alloc(bs.length + 1 + input.length * 2);
    let o = out.write(bs + 'x', 0, 'latin1');
    for (const b of input) {
      out[o++] = HEX.charCodeAt(b >> 4);
      out[o++] = HEX.charCodeAt(b & 15);
    }
    return out;
  }
  let text = '';
  for (const b of input) {
    if (b < 0x20 || b > 0x7e) text += bs + b.toString(8).padStart(3, '0');
    else if (b === 0x27) text += "''";
    else if (b === 0x5c) text += bs + bs;
    else text += String.fromCharCode(b);
  }
  return Buffer.from(text, 'latin1');
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;

/**
 * PQunescapeBytea: a bytea column's text form back to bytes. "\x" starts the
 * hex format, where characters that are not hex digits (spaces) are skipped
 * and a trailing odd digit is dropped. Otherwise the escape format: "\\" is
 * a backslash, "\ooo" (first digit 0-3) an octal byte, and a backslash
 * followed by anything else is dropped (the character after it is kept).
 */
export function unescapeBytea(text: Uint8Array): Uint8Array {
  if (text.length >= 2 && text[0] === 0x5c && text[1] === 0x78) {
    const out = Buffer.alloc((text.length - 2) >> 1);
    let o = 0;
    let i = 2;
    while (i < text.length) {
      const hi = hexValue(text[i++]);
      if (hi < 0 || i >= text.length) continue;
      const lo = hexValue(text[i++]);
      if (lo >= 0) out[o++] = (hi << 4) | lo;
    }
    return out.subarray(0, o);
  }
  const out = Buffer.alloc(text.length);
  let o = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== 0x5c) {
      out[o++] = c;
      i++;
      continue;
    }
    i++;
    if (text[i] === 0x5c) {
      out[o++] = 0x5c;
      i++;
    } else if (text[i] !== undefined && text[i] >= 0x30 && text[i] <= 0x33 && isOctal(text[i + 1]) && isOctal(text[i + 2])) {
      out[o++] = ((text[i] - 0x30) << 6) | ((text[i + 1] - 0x30) << 3) | (text[i + 2] - 0x30);
      i += 3;
    }
  }
  return out.subarray(0, o);
}
