/**
 * crypt(3) as glibc's libcrypt (up to 2.37) computes it, for the salts
 * WebMCP apps use: "$1$" MD5-crypt (Poul-Henning Kamp's algorithm), "$5$"
 * SHA-256-crypt and "$6$" SHA-512-crypt (Ulrich Drepper's "Unix crypt using
 * SHA-256 and SHA-512", with "rounds=N$": N parsed as strtoul does, clamped
 * to 1000..999999999). Any other salt gives null (glibc's traditional DES
 * crypt is not implemented; glibc returns NULL for invalid DES salts).
 *
 * Keys and salts are byte strings; like C, both end at the first NUL.
 * Written from the published algorithm descriptions.
 */
import { createHash } from 'crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999999999;

/** The bytes before the first NUL, as C sees a string. */
function cString(b: Uint8Array): Buffer {
  const nul = b.indexOf(0);
  return Buffer.from(nul < 0 ? b : b.subarray(0, nul));
}

/** The crypt base-64 encoding of 24 bits (b2 high), n characters, low bits first. */
function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

function digest(algorithm: string, parts: Uint8Array[]): Buffer {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** "$1$" MD5-crypt: salt up to 8 bytes, ending at "$". */
export function md5Crypt(key: Buffer, setting: Buffer): Buffer {
  const magic = Buffer.from('$1$');
  let rest = setting.subarray(3);
  const dollar = rest.indexOf(0x24);
  rest = rest.subarray(0, Math.min(dollar < 0 ? rest.length : dollar, 8));
  const salt = rest;
  const alt = digest('md5', [key, salt, key]);
  const ctx = createHash('md5');
  ctx.update(key);
  ctx.update(magic);
  ctx.update(salt);
  let cnt: number;
  for (cnt = key.length; cnt > 16; cnt -= 16) ctx.update(alt);
  ctx.update(alt.subarray(0, cnt));
  const nul = Buffer.from([0]);
  for (cnt = key.length; cnt > 0; cnt >>= 1) ctx.update((cnt & 1) !== 0 ? nul : key.subarray(0, 1));
  let result = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = createHash('md5');
    c.update((i & 1) !== 0 ? key : result);
    if (i % 3 !== 0) c.update(salt);
    if (i % 7 !== 0) c.update(key);
    c.update((i & 1) !== 0 ? result : key);
    result = c.digest();
  }
  const r = result;
  const enc =
    b64From24(r[0], r[6], r[12], 4) + b64From24(r[1], r[7], r[13], 4) + b64From24(r[2], r[8], r[14], 4) +
    b64From24(r[3], r[9], r[15], 4) + b64From24(r[4], r[10], r[5], 4) + b64From24(0, 0, r[11], 2);
  return Buffer.concat([magic, salt, Buffer.from('$' + enc, 'latin1')]);
}

/** strtoul(s, &end, 10) on bytes: the value (saturated) and the index where parsing stopped. */
function strtoul(s: Buffer, from: number): { value: number; end: number } {
  let i = from;
  while (i < s.length && (s[i] === 0x20 || (s[i] >= 0x09 && s[i] <= 0x0d))) i++;
  let negative = false;
  if (i < s.length && (s[i] === 0x2b || s[i] === 0x2d)) {
    negative = s[i] === 0x2d;
    i++;
  }
  const digitsFrom = i;
  let value = 0;
  while (i < s.length && s[i] >= 0x30 && s[i] <= 0x39) {
    value = Math.min(value * 10 + (s[i] - 0x30), Number.MAX_SAFE_INTEGER);
    i++;
  }
  if (i === digitsFrom) return { value: 0, end: from };
  // A negated nonzero value is huge as an unsigned long: clamped to the maximum below.
  if (negative && value !== 0) value = Number.MAX_SAFE_INTEGER;
  return { value, end: i };
}

interface ShaVariant {
  prefix: string;
  algorithm: 'sha256' | 'sha512';
  size: number;
  encode: (r: Buffer) => string;
}

function encodeSha512(r: Buffer): string {
  let out = '';
  for (let k = 0; k < 21; k++) {
    const a = r[k], b = r[k + 21], c = r[k + 42];
    out += k % 3 === 0 ? b64From24(a, b, c, 4) : k % 3 === 1 ? b64From24(b, c, a, 4) : b64From24(c, a, b, 4);
  }
  return out + b64From24(0, 0, r[63], 2);
}

function encodeSha256(r: Buffer): string {
  let out = '';
  for (let k = 0; k < 10; k++) {
    const a = r[k], b = r[k + 10], c = r[k + 20];
    out += k % 3 === 0 ? b64From24(a, b, c, 4) : k % 3 === 1 ? b64From24(c, a, b, 4) : b64From24(b, c, a, 4);
  }
  return out + b64From24(0, r[31], r[30], 3);
}

const SHA512: ShaVariant = { prefix: '$6$', algorithm: 'sha512', size: 64, encode: encodeSha512 };
const SHA256: ShaVariant = { prefix: '$5$', algorithm: 'sha256', size: 32, encode: encodeSha256 };

/** The byte string of `source` (a digest) repeated to length n. */
function repeatTo(source: Buffer, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += source.length) source.copy(out, i, 0, Math.min(source.length, n - i));
  return out;
}

/** "$5$" / "$6$" SHA-crypt. */
function shaCrypt(v: ShaVariant, key: Buffer, setting: Buffer): Buffer {
  let pos = 3;
  let rounds = ROUNDS_DEFAULT;
  let roundsCustom = false;
  const roundsPrefix = Buffer.from('rounds=');
  if (setting.subarray(pos, pos + roundsPrefix.length).equals(roundsPrefix)) {
    const { value, end } = strtoul(setting, pos + roundsPrefix.length);
    if (setting[end] === 0x24) {
      pos = end + 1;
      rounds = Math.max(ROUNDS_MIN, Math.min(value, ROUNDS_MAX));
      roundsCustom = true;
    }
  }
  let salt = setting.subarray(pos);
  const dollar = salt.indexOf(0x24);
  salt = salt.subarray(0, Math.min(dollar < 0 ? salt.length : dollar, 16));

  const alt0 = digest(v.algorithm, [key, salt, key]);
  const a = createHash(v.algorithm);
  a.update(key);
  a.update(salt);
  let cnt: number;
  for (cnt = key.length; cnt > v.size; cnt -= v.size) a.update(alt0);
  a.update(alt0.subarray(0, cnt));
  for (cnt = key.length; cnt > 0; cnt >>= 1) a.update((cnt & 1) !== 0 ? alt0 : key);
  let alt = a.digest();

  const dp = createHash(v.algorithm);
  for (cnt = 0; cnt < key.length; cnt++) dp.update(key);
  const p = repeatTo(dp.digest(), key.length);
  const ds = createHash(v.algorithm);
  for (cnt = 0; cnt < 16 + alt[0]; cnt++) ds.update(salt);
  const s = repeatTo(ds.digest(), salt.length);

  for (cnt = 0; cnt < rounds; cnt++) {
    const c = createHash(v.algorithm);
    c.update((cnt & 1) !== 0 ? p : alt);
    if (cnt % 3 !== 0) c.update(s);
    if (cnt % 7 !== 0) c.update(p);
    c.update((cnt & 1) !== 0 ? alt : p);
    alt = c.digest();
  }
  const head = v.prefix + (roundsCustom ? `rounds=${rounds}$` : '');
  return Buffer.concat([Buffer.from(head, 'latin1'), salt, Buffer.from('$' + v.encode(alt), 'latin1')]);
}

/** crypt(key, salt): the hash as bytes, or null where glibc's crypt returns NULL (or uses an algorithm not implemented here). */
export function crypt(keyBytes: Uint8Array, saltBytes: Uint8Array): Buffer | null {
  const key = cString(keyBytes);
  const setting = cString(saltBytes);
  const prefix = setting.subarray(0, 3).toString('latin1');
  if (prefix === '$1$') return md5Crypt(key, setting);
  if (prefix === '$5$') return shaCrypt(SHA256, key, setting);
  if (prefix === '$6$') return shaCrypt(SHA512, key, setting);
  return null;
}
