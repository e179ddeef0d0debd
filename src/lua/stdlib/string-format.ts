/**
 * string.format as PUC Lua 5.3.6 has it (lstrlib.c's str_format, scanformat
 * and addliteral), written against Fengari's C-shaped API: the same
 * argument checks and error messages, glibc printf output for every item
 * (./printf.ts), and %q as 5.3.6 writes it. Also installs the exact
 * float-to-text conversion (./number-text.ts) behind Fengari's
 * lua_number2str, which tostring, `..`, print and table.concat use.
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { LUA_COMPAT_FLOATSTRING, LUA_MININTEGER, lua_setnumber2str } from 'fengari/src/luaconf';
import { formatG14, luaNumberText } from './number-text';
import { formatChar, formatFloat, formatInteger, formatString, type PrintfSpec } from './printf';
import { cfunction } from '../cfunction';
import { key, pushOwnedBytes } from '../strings';

const L_ESC = 37; // '%'
const FLAGS = '-+ #0';
/** sizeof(FLAGS) in lstrlib.c: the flag characters plus the terminating NUL. */
const SIZEOF_FLAGS = FLAGS.length + 1;

const MSG_NO_VALUE = key('no value');
const MSG_REPEATED_FLAGS = key('invalid format (repeated flags)');
const MSG_TOO_LONG = key('invalid format (width or precision too long)');
const MSG_INVALID_OPTION = key("invalid option '%%%c' to 'format'");
const MSG_CONTAINS_ZEROS = key('string contains zeros');
const MSG_NO_LITERAL = key('value has no literal form');

/** A growing byte buffer for the result (the luaL_Buffer of str_format). */
class ByteBuilder {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 32));
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  addByte(c: number): void {
    this.reserve(1);
    this.bytes[this.length++] = c;
  }

  addBytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  /** Adds a latin1 string (one char per byte). */
  addLatin1(s: string): void {
    this.reserve(s.length);
    const bytes = this.bytes;
    let n = this.length;
    for (let i = 0; i < s.length; i++) bytes[n++] = s.charCodeAt(i);
    this.length = n;
  }

  /** A copy of the bytes added (the builder is used again). */
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Builders up to this size are kept for the next call. */
const KEPT_BUILDER_BYTES = 64 * 1024;
/**
 * The builder string.format uses next: one is reused rather than one made
 * (and grown) per call, which was 7% of a page-rendering profile. A %s can
 * run __tostring, which may call string.format again: the inner call finds
 * none and makes its own.
 */
let spareBuilder: ByteBuilder | null = null;

/** The byte at i, or 0 past the end (C strings end with a NUL, which every check here treats as such). */
function byteAt(s: Uint8Array, i: number): number {
  return i < s.length ? s[i] : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** latin1 text of bytes. */
function latin1(b: Uint8Array): string {
  return b.length <= 4096 ? String.fromCharCode.apply(null, b as unknown as number[])
    : Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/**
 * scanformat: reads flags, width (2 digits at most) and precision (2 digits
 * at most) from strfrmt[start], filling `spec`; returns the index of the
 * conversion character.
 */
function scanFormat(L: LuaState, strfrmt: Uint8Array, start: number, spec: PrintfSpec): number {
  let p = start;
  for (;;) {
    const c = byteAt(strfrmt, p);
    if (c === 45) spec.left = true;
    else if (c === 43) spec.plus = true;
    else if (c === 32) spec.space = true;
    else if (c === 35) spec.alt = true;
    else if (c === 48) spec.zero = true;
    else break;
    p++;
  }
  if (p - start >= SIZEOF_FLAGS) lauxlib.luaL_error(L, MSG_REPEATED_FLAGS);
  let width = 0;
  if (isDigit(byteAt(strfrmt, p))) width = strfrmt[p++] - 48;
  if (isDigit(byteAt(strfrmt, p))) width = width * 10 + strfrmt[p++] - 48;
  spec.width = width;
  if (byteAt(strfrmt, p) === 46 /* . */) {
    p++;
    let precision = 0;
    if (isDigit(byteAt(strfrmt, p))) precision = strfrmt[p++] - 48;
    if (isDigit(byteAt(strfrmt, p))) precision = precision * 10 + strfrmt[p++] - 48;
    spec.precision = precision;
  }
  if (isDigit(byteAt(strfrmt, p))) lauxlib.luaL_error(L, MSG_TOO_LONG);
  return p;
}

function newSpec(): PrintfSpec {
  return { left: false, plus: false, space: false, alt: false, zero: false, width: 0, precision: -1, conversion: '' };
}

/** %q of a string (addquoted): quotes, backslash escapes, decimal escapes for control characters. */
function addQuoted(b: ByteBuilder, s: Uint8Array): void {
  b.addByte(34);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === 34 || c === 92 || c === 10) {
      b.addByte(92);
      b.addByte(c);
    } else if (c < 32 || c === 127) { // iscntrl in the C locale
      const text = String(c);
      b.addByte(92);
      b.addLatin1(isDigit(byteAt(s, i + 1)) ? '00'.slice(text.length - 1) + text : text);
    } else {
      b.addByte(c);
    }
  }
  b.addByte(34);
}

const PLAIN_D: PrintfSpec = Object.freeze({ ...newSpec(), conversion: 'd' });
const PLAIN_S: PrintfSpec = Object.freeze({ ...newSpec(), conversion: 's' });
const HEX_FLOAT: PrintfSpec = { ...newSpec(), conversion: 'a' };
const HEX_INTEGER: PrintfSpec = { ...newSpec(), conversion: 'x' };

/** %q (addliteral): a value written so that Lua reads it back. */
function addLiteral(L: LuaState, b: ByteBuilder, arg: number): void {
  switch (lua.lua_type(L, arg)) {
    case lua.LUA_TSTRING:
      addQuoted(b, lua.lua_tolstring(L, arg) as Uint8Array);
      break;
    case lua.LUA_TNUMBER:
      if (!lua.lua_isinteger(L, arg)) {
        // Floats in hexadecimal ('%a'), exact; inf and nan as C prints
        // them ("inf", "-nan"): 5.3.6 has no "1e9999" or "(0/0)" (5.4 does).
        b.addLatin1(formatFloat(HEX_FLOAT, lua.lua_tonumber(L, arg) as number));
      } else {
        const n = lua.lua_tointeger(L, arg) as number;
        // The most negative integer has no decimal literal (its negation overflows).
        b.addLatin1(n === LUA_MININTEGER ? '0x' + formatInteger(HEX_INTEGER, n) : String(n));
      }
      break;
    case lua.LUA_TNIL: case lua.LUA_TBOOLEAN:
      b.addBytes(lauxlib.luaL_tolstring(L, arg) as Uint8Array);
      lua.lua_pop(L, 1);
      break;
    default:
      lauxlib.luaL_argerror(L, arg, MSG_NO_LITERAL);
  }
}

/** %s: the value through luaL_tolstring (so __tostring and __name count). */
function addString(L: LuaState, b: ByteBuilder, arg: number, spec: PrintfSpec, modifiers: boolean): void {
  const s = lauxlib.luaL_tolstring(L, arg) as Uint8Array;
  if (modifiers) {
    lauxlib.luaL_argcheck(L, s.indexOf(0) < 0, arg, MSG_CONTAINS_ZEROS);
    // Without a precision, a string of 100 bytes or more is kept whole.
    if (spec.precision >= 0 || s.length < 100) {
      b.addLatin1(formatString(spec, latin1(spec.precision >= 0 && s.length > spec.precision
        ? s.subarray(0, spec.precision) : s)));
      lua.lua_pop(L, 1);
      return;
    }
  }
  b.addBytes(s);
  lua.lua_pop(L, 1);
}

function strFormat(L: LuaState): number {
  const b = spareBuilder ?? new ByteBuilder(256);
  spareBuilder = null;
  b.length = 0;
  try {
    return formatInto(L, b);
  } finally {
    if (b.bytes.length <= KEPT_BUILDER_BYTES) spareBuilder = b;
  }
}

/** str_format with the result built in `b`. */
function formatInto(L: LuaState, b: ByteBuilder): number {
  const top = lua.lua_gettop(L) as number;
  let arg = 1;
  const strfrmt = lauxlib.luaL_checklstring(L, arg) as Uint8Array;
  const end = strfrmt.length;
  let i = 0;
  while (i < end) {
    if (strfrmt[i] !== L_ESC) {
      let j = strfrmt.indexOf(L_ESC, i);
      if (j < 0) j = end;
      b.addBytes(strfrmt.subarray(i, j));
      i = j;
      continue;
    }
    if (byteAt(strfrmt, ++i) === L_ESC) {
      b.addByte(L_ESC); // %%
      i++;
      continue;
    }
    // format item
    if (++arg > top) lauxlib.luaL_argerror(L, arg, MSG_NO_VALUE);
    // %d and %s without flags, width or precision (most items): no spec to scan and fill
    const plain = byteAt(strfrmt, i);
    if (plain === 100) {
      b.addLatin1(formatInteger(PLAIN_D, lauxlib.luaL_checkinteger(L, arg) as number));
      i++;
      continue;
    }
    if (plain === 115) {
      addString(L, b, arg, PLAIN_S, false);
      i++;
      continue;
    }
    const spec = newSpec();
    const conv = scanFormat(L, strfrmt, i, spec);
    const modifiers = conv > i;
    const c = byteAt(strfrmt, conv);
    i = conv + 1;
    switch (c) {
      case 99: // c
        spec.conversion = 'c';
        b.addLatin1(formatChar(spec, lauxlib.luaL_checkinteger(L, arg) as number));
        break;
      case 100: case 105: case 111: case 117: case 120: case 88: // d i o u x X
        spec.conversion = String.fromCharCode(c);
        b.addLatin1(formatInteger(spec, lauxlib.luaL_checkinteger(L, arg) as number));
        break;
      case 97: case 65: case 101: case 69: case 102: case 103: case 71: // a A e E f g G
        spec.conversion = String.fromCharCode(c);
        b.addLatin1(formatFloat(spec, lauxlib.luaL_checknumber(L, arg) as number));
        break;
      case 113: // q (5.3 ignores any modifiers)
        addLiteral(L, b, arg);
        break;
      case 115: // s
        spec.conversion = 's';
        addString(L, b, arg, spec, modifiers);
        break;
      default: // also the C length modifiers 'l', 'h', 'L', 'n', 'p' ...
        return lauxlib.luaL_error(L, MSG_INVALID_OPTION, c) as number;
    }
  }
  pushOwnedBytes(L, b.result());
  return 1;
}

/** Sets string.format, and makes number-to-text conversion exact everywhere. */
export function openStringFormat(L: LuaState): void {
  lua_setnumber2str(LUA_COMPAT_FLOATSTRING ? formatG14 : luaNumberText);
  lua.lua_getglobal(L, key('string'));
  lua.lua_pushcfunction(L, cfunction(strFormat));
  lua.lua_setfield(L, -2, key('format'));
  lua.lua_pop(L, 1);
}
