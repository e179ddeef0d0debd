/**
 * WebMCP 2.1.0's `multirand` C module (libraries/multirand/multirand.c) in
 * TypeScript: multirand.integer, fraction and string, from the kernel's
 * random source (crypto.randomFillSync: getrandom(2)), unbiased by rejection
 * sampling exactly as the C code does it (read ceil(bits/8) bytes big-endian,
 * mask to the bit length of the range, retry while above the range).
 */
import { randomFillSync } from 'crypto';
import { lua, lauxlib, to_luastring, type LuaState } from 'fengari';
import { pushOwnedBytes } from '../lua/strings';

const s = (text: string): Uint8Array => to_luastring(text);

/** Buffered random bytes, as the C module reads /dev/urandom through stdio. */
const pool = Buffer.alloc(4096);
let poolPos = pool.length;

function randomByte(): number {
  if (poolPos === pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  return pool[poolPos++];
}

/** A uniformly random integer in [from, to] (multirand_range). */
export function randomRange(from: number, to: number): number {
  const range = BigInt(to) - BigInt(from);
  let bits = 0;
  for (let tmp = range; tmp > 0n; tmp >>= 1n) bits++;
  const mask = (1n << BigInt(bits)) - 1n;
  const bytes = Math.ceil(bits / 8);
  for (;;) {
    let rnd = 0n;
    for (let i = 0; i < bytes; i++) rnd = (rnd << 8n) | BigInt(randomByte());
    rnd &= mask;
    if (rnd <= range) return Number(BigInt(from) + rnd);
  }
}

function range(L: LuaState, from: number, to: number): number {
  if (to < from) {
    lauxlib.luaL_error(L, s('Assertion failed in C.'));
  }
  return randomRange(from, to);
}

// multirand.integer(n): 1..n; multirand.integer(low, high): low..high
function integer(L: LuaState): number {
  lua.lua_settop(L, 2);
  const a = lauxlib.luaL_checkinteger(L, 1) as number;
  if (lua.lua_toboolean(L, 2)) {
    const b = lauxlib.luaL_checkinteger(L, 2) as number;
    if (a > b) lauxlib.luaL_error(L, s('Upper boundary is smaller than lower boundary.'));
    lua.lua_pushinteger(L, a === b ? a : range(L, a, b));
  } else {
    lauxlib.luaL_argcheck(L, a >= 1, 1, s('smaller than 1'));
    lua.lua_pushinteger(L, range(L, 1, a));
  }
  return 1;
}

/** A float in [0, 1] from 64 random bits, computed as multirand.c computes it. */
export function randomFraction(): number {
  let rnd = 0.0;
  for (let i = 0; i < 8; i++) {
    let c = randomByte();
    for (let j = 0; j < 8; j++) {
      rnd /= 2.0;
      if (c & 1) rnd += 0.5;
      c >>= 1;
    }
  }
  return rnd;
}

function fraction(L: LuaState): number {
  lua.lua_settop(L, 0);
  lua.lua_pushnumber(L, randomFraction());
  return 1;
}

const LOWERCASE = s('abcdefghijklmnopqrstuvwxyz');

// multirand.string(length[, charset])
function string(L: LuaState): number {
  lua.lua_settop(L, 2);
  let length = lauxlib.luaL_checkinteger(L, 1) as number;
  const charset = lauxlib.luaL_optlstring(L, 2, LOWERCASE) as Uint8Array;
  if (charset.length > 32767) lauxlib.luaL_error(L, s('Set of chars is too big.'));
  const out: number[] = [];
  for (; length > 0; length--) out.push(charset[range(L, 0, charset.length - 1)]);
  pushOwnedBytes(L, Uint8Array.from(out));
  return 1;
}

/** luaopen_multirand: the module table. */
export function openMultirand(L: LuaState): number {
  lua.lua_newtable(L);
  for (const [name, f] of [['integer', integer], ['fraction', fraction], ['string', string]] as const) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, s(name));
  }
  return 1;
}
