/**
 * Reading for Lua's io library, as liolib.c's g_read: the formats "n"
 * (a numeral, read with the same look-ahead rules as read_number), "l" and
 * "L" (lines without / with the newline), "a" (the rest), a byte count
 * (0 tests for end of file), each with or without the old leading "*", any
 * number at once; the first failure ends the list with nil, a stream error
 * gives (nil, message, errno).
 */
import { lua, lauxlib, type LuaState } from 'fengari';
import { pushOwnedBytes } from '../../strings';
import { pushFileError } from '../results';
import type { CFile } from './c-file';

/** L_MAXLENNUM: the longest numeral read_number accepts. */
const MAX_NUMERAL = 200;

const EMPTY = new Uint8Array(0);

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** read_number's state: the numeral so far and one byte of look-ahead. */
class Numeral {
  readonly buff = new Uint8Array(MAX_NUMERAL);
  n = 0;
  c: number;
  overflow = false;

  constructor(private readonly f: CFile) {
    do { this.c = f.getc(); } while (isSpace(this.c));
  }

  /** Saves the current byte and reads the next one; false when the numeral is too long. */
  next(): boolean {
    if (this.n >= MAX_NUMERAL) {
      this.overflow = true;
      return false;
    }
    this.buff[this.n++] = this.c;
    this.c = this.f.getc();
    return true;
  }

  /** Accepts the current byte when it is one of a or b. */
  test2(a: string, b: string): boolean {
    return (this.c === a.charCodeAt(0) || this.c === b.charCodeAt(0)) && this.next();
  }

  digits(hex: boolean): number {
    let count = 0;
    while ((hex ? isHexDigit(this.c) : isDigit(this.c)) && this.next()) count++;
    return count;
  }
}

/** read_number: pushes the number, or nil (and returns false) when the bytes are no numeral. */
function readNumber(L: LuaState, f: CFile): boolean {
  const rn = new Numeral(f);
  let count = 0;
  let hex = false;
  rn.test2('-', '+');
  if (rn.test2('0', '0')) {
    if (rn.test2('x', 'X')) hex = true;
    else count = 1;
  }
  count += rn.digits(hex);
  if (rn.test2('.', '.')) count += rn.digits(hex);
  if (count > 0 && (hex ? rn.test2('p', 'P') : rn.test2('e', 'E'))) {
    rn.test2('-', '+');
    rn.digits(false);
  }
  f.ungetc(rn.c);
  if (!rn.overflow && lua.lua_stringtonumber(L, rn.buff.subarray(0, rn.n)) !== 0) return true;
  lua.lua_pushnil(L);
  return false;
}

/** test_eof: pushes "" and tells whether anything is left to read. */
function testEof(L: LuaState, f: CFile): boolean {
  const c = f.getc();
  f.ungetc(c);
  lua.lua_pushstring(L, EMPTY);
  return c >= 0;
}

function readLine(L: LuaState, f: CFile, chop: boolean): boolean {
  const line = f.readLine(chop);
  pushOwnedBytes(L, line ?? EMPTY);
  return line !== null;
}

function readChars(L: LuaState, f: CFile, n: number): boolean {
  const bytes = f.read(n);
  pushOwnedBytes(L, bytes);
  return bytes.length > 0;
}

/**
 * g_read: reads with the formats at stack positions first.. (none = one
 * line) and returns the number of results pushed.
 */
export function readFormats(L: LuaState, f: CFile, first: number): number {
  let nargs = lua.lua_gettop(L) - 1;
  let success: boolean;
  let n: number;
  f.clearerr();
  if (nargs === 0) {
    success = readLine(L, f, true);
    n = first + 1;
  } else {
    lauxlib.luaL_checkstack(L, nargs + lua.LUA_MINSTACK, 'too many arguments');
    success = true;
    for (n = first; nargs-- > 0 && success; n++) {
      if (lua.lua_type(L, n) === lua.LUA_TNUMBER) {
        const l = lauxlib.luaL_checkinteger(L, n) as number;
        // a negative count is a huge size_t in C, whose buffer cannot be allocated
        if (l < 0) lauxlib.luaL_error(L, 'not enough memory for buffer allocation');
        success = l === 0 ? testEof(L, f) : readChars(L, f, l);
      } else {
        const p = lauxlib.luaL_checkstring(L, n) as Uint8Array;
        const c = p[0] === 42 /* '*' */ ? p[1] : p[0];
        switch (c) {
          case 110: /* 'n' */ success = readNumber(L, f); break;
          case 108: /* 'l' */ success = readLine(L, f, true); break;
          case 76: /* 'L' */ success = readLine(L, f, false); break;
          case 97: /* 'a' */ pushOwnedBytes(L, f.readAll()); success = true; break;
          default: return lauxlib.luaL_argerror(L, n, 'invalid format') as number;
        }
      }
    }
  }
  if (f.error !== 0) return pushFileError(L, f.error, null);
  if (!success) {
    lua.lua_pop(L, 1);
    lua.lua_pushnil(L);
  }
  return n - first;
}
