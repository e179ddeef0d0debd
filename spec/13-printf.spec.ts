/**
 * The printf engine (src/lua/stdlib/printf.ts) and the float-to-text
 * conversions (src/lua/stdlib/number-text.ts) on their own: many random
 * doubles against lua5.3's string.format (glibc's printf), the fast paths
 * against the exact BigInt reference, and the engine's API.
 */
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lua53Available, LUA53 } from './helpers/lua-diff';
import {
  exactFixed, exactSignificant, fixedDigits, formatG14, luaNumberText, significantDigits,
} from '../src/lua/stdlib/number-text';
import { formatFloat, formatInteger, formatSpec, parseSpec } from '../src/lua/stdlib/printf';

/** xorshift32: reproducible random 32-bit values. */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

/**
 * Random doubles as bit patterns: a quarter subnormal (exponent field 0),
 * the rest with any exponent; some short binary fractions (which tie at
 * many precisions); infinities and NaNs of both signs.
 */
function randomDoubles(n: number, seed: number): Float64Array {
  const next = generator(seed);
  const view = new DataView(new ArrayBuffer(8));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const kind = next() % 8;
    if (kind === 0) {
      view.setUint32(0, (next() & 0x800fffff) >>> 0); // subnormal (or zero)
      view.setUint32(4, next());
      values[i] = view.getFloat64(0);
    } else if (kind === 1) {
      values[i] = (next() % 4000000 - 2000000) / 2 ** (next() % 24);
    } else {
      view.setUint32(0, next());
      view.setUint32(4, next());
      values[i] = view.getFloat64(0);
    }
  }
  values.set([Infinity, -Infinity, NaN, -NaN, 0, -0, 5e-324, 1.7976931348623157e308], 0);
  return values;
}

const FORMATS = ['%.14g', '%.17g', '%.3e', '%a', '%.0f', '%#.5g'];

describe('printf engine and number text, against lua5.3', function () {
  this.timeout(30000);
  const values = randomDoubles(20000, 20240611);
  let expected: string[] = [];

  before(function () {
    assert.ok(lua53Available(), 'lua5.3 is not installed: this spec needs it as the oracle (apt-get install lua5.3)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'printf-spec-'));
    try {
      const file = path.join(dir, 'values.bin');
      // Raw bytes of the Float64Array: NaN payloads and signs go as they are.
      fs.writeFileSync(file, new Uint8Array(values.buffer));
      const script = `
        local data = assert(io.open(${JSON.stringify(file)}, 'rb')):read('a')
        local formats = {${FORMATS.map((f) => JSON.stringify(f)).join(', ')}}
        local out = {}
        for i = 1, #data, 8 do
          local x = string.unpack('<d', data, i)
          out[#out + 1] = tostring(x)
          for _, f in ipairs(formats) do out[#out + 1] = string.format(f, x) end
        end
        io.write(table.concat(out, '\\n'), '\\n')`;
      expected = execFileSync(LUA53, ['-e', script], { maxBuffer: 256 << 20 }).toString('latin1').split('\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is little-endian here, as the values file assumes', function () {
    assert.equal(new Uint8Array(new Float64Array([1]).buffer)[7], 0x3f);
  });

  it('tostring (luaNumberText), %.14g, %.17g, %.3e, %a, %.0f and %#.5g of 20,000 random doubles', function () {
    const mismatches: string[] = [];
    let k = 0;
    const check = (what: string, x: number, got: string): void => {
      if (got !== expected[k] && mismatches.length < 10) {
        mismatches.push(`${what} of ${x} (bits ${bits(x)}): got ${JSON.stringify(got)}, lua5.3 ${JSON.stringify(expected[k])}`);
      }
      k++;
    };
    for (const x of values) {
      check('tostring', x, luaNumberText(x));
      for (const f of FORMATS) check(f, x, f === '%.14g' ? formatG14(x) : formatSpec(f, x));
    }
    assert.equal(k, values.length * (FORMATS.length + 1));
    assert.deepEqual(mismatches, []);
  });
});

function bits(x: number): string {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0).toString(16).padStart(16, '0');
}

describe('number text: fast paths against the exact BigInt expansion', function () {
  this.timeout(30000);

  it('significant digits and fixed digits agree for random values, precisions and ties', function () {
    const values = Array.from(randomDoubles(3000, 7)).filter((x) => Number.isFinite(x) && x !== 0).map(Math.abs);
    // exact ties at 14 and 15 significant digits, and halves
    values.push(100000000000005, 1234567890123.25, 12345678901234.5, 0.5, 2.5, 1e21, 2 ** 70, 2 ** 53 + 2);
    for (const x of values) {
      for (const sig of [1, 2, 6, 14, 15, 16, 17, 30, 100, 101, 120]) {
        assert.deepEqual(significantDigits(x, sig), exactSignificant(x, sig), `${x} with ${sig} significant digits`);
      }
      for (const frac of [0, 1, 2, 3, 6, 10, 20, 40, 99, 100, 130]) {
        assert.equal(fixedDigits(x, frac), exactFixed(x, frac), `${x} with ${frac} fraction digits`);
      }
    }
  });

  it('rounds exact ties half to even where JS rounds them away from zero', function () {
    assert.equal((2.5).toFixed(0), '3');
    assert.equal(formatSpec('%.0f', 2.5), '2');
    assert.equal(formatSpec('%.0f', 0.5), '0');
    assert.equal(formatSpec('%.0f', 1.5), '2');
    assert.equal(formatSpec('%.2f', 0.125), '0.12');
    assert.equal(formatSpec('%.0e', 2.5), '2e+00');
    assert.equal(formatG14(100000000000005), '1e+14');
    assert.equal(formatG14(100000000000015), '1.0000000000002e+14');
    assert.equal(formatG14(1234567890123.25), '1234567890123.2');
    assert.equal(formatG14(1234567890123.75), '1234567890123.8');
  });
});

describe('number text: %.14g and Lua float text', function () {
  it('writes C text for the special values', function () {
    assert.equal(formatG14(1e15), '1e+15');
    assert.equal(formatG14(2 ** 53), '9.007199254741e+15');
    assert.equal(formatG14(-0), '-0');
    assert.equal(formatG14(Infinity), 'inf');
    assert.equal(formatG14(-Infinity), '-inf');
    assert.equal(formatG14(1e-7), '1e-07');
    assert.equal(formatG14(0.1), '0.1');
    assert.equal(formatG14(100), '100');
    assert.equal(formatG14(123456789012345), '1.2345678901234e+14');
    assert.equal(formatG14(1e-4), '0.0001');
    assert.equal(formatG14(1e-5), '1e-05');
  });

  it('shows the sign bit of a NaN as glibc does', function () {
    const nan = new Float64Array(1);
    const hi = new Uint32Array(nan.buffer);
    hi[1] = 0xfff80000; // x86's default NaN, as 0/0 gives it
    assert.equal(formatG14(nan[0]), '-nan');
    hi[1] = 0x7ff80000;
    assert.equal(formatG14(nan[0]), 'nan');
    assert.equal(formatSpec('%+f', nan[0]), '+nan');
    assert.equal(formatSpec('%5G', nan[0]), '  NAN');
  });

  it('adds ".0" only when the text looks like an integer', function () {
    assert.equal(luaNumberText(1), '1.0');
    assert.equal(luaNumberText(-0), '-0.0');
    assert.equal(luaNumberText(1e15), '1e+15');
    assert.equal(luaNumberText(Infinity), 'inf');
    assert.equal(luaNumberText(2 ** 31), '2147483648.0');
    assert.equal(luaNumberText(99999999999999), '99999999999999.0');
    assert.equal(luaNumberText(0.5), '0.5');
  });
});

describe('printf engine', function () {
  it('parses specifications and rejects what is not one', function () {
    assert.deepEqual(parseSpec('%-+ #012.5e'), {
      left: true, plus: true, space: true, alt: true, zero: true, width: 12, precision: 5, conversion: 'e',
    });
    assert.equal(parseSpec('%.f').precision, 0);
    assert.equal(parseSpec('%f').precision, -1);
    assert.throws(() => parseSpec('%y'), RangeError);
    assert.throws(() => parseSpec('%ld'), RangeError);
    assert.throws(() => parseSpec('d'), RangeError);
  });

  it('formats integers of any size exactly, negative ones as 64-bit two\'s complement in unsigned conversions', function () {
    assert.equal(formatSpec('%x', -1), 'ffffffffffffffff');
    assert.equal(formatSpec('%X', -255), 'FFFFFFFFFFFFFF01');
    assert.equal(formatSpec('%o', -1), '1777777777777777777777');
    assert.equal(formatSpec('%u', -1), '18446744073709551615');
    assert.equal(formatSpec('%d', 2 ** 53), '9007199254740992');
    assert.equal(formatSpec('%d', -(2 ** 53)), '-9007199254740992');
    assert.equal(formatSpec('%x', 2 ** 53 - 1), '1fffffffffffff');
    assert.equal(formatSpec('%#x', 0), '0');
    assert.equal(formatSpec('%#o', 8), '010');
    assert.equal(formatSpec('%#.0o', 0), '0');
    assert.equal(formatSpec('%.0d', 0), '');
    assert.equal(formatSpec('% d', 5), ' 5');
    assert.equal(formatSpec('%+.3d', 7), '+007');
    assert.equal(formatSpec('%08.3d', 5), '     005');
    assert.equal(formatSpec('%#08x', 10), '0x00000a');
    assert.throws(() => formatInteger(parseSpec('%d'), 1.5), RangeError);
  });

  it('formats characters and strings', function () {
    assert.equal(formatSpec('%c', 0), '\0');
    assert.equal(formatSpec('%3c', 65), '  A');
    assert.equal(formatSpec('%-3c', 66), 'B  ');
    assert.equal(formatSpec('%c', 256 + 67), 'C');
    assert.equal(formatSpec('%5.2s', 'abc'), '   ab');
    assert.equal(formatSpec('%-5s', 'ab'), 'ab   ');
    assert.equal(formatSpec('%05s', 'ab'), '   ab');
  });

  it('formats floats with glibc\'s layout', function () {
    assert.equal(formatSpec('%.99f', 1e308).length, 309 + 1 + 99);
    assert.ok(formatSpec('%.99f', 1e308).startsWith('100000000000000001097906362944045541740492309677311846336810682903157585404911491537163328978494688899061249669721172515611590283743140088328307009198146046031271664502933027185697489699588559043338384466165001178426897626212945177628091195786707458122783970171784415105291802893207873272974885715430223118336.000'));
    assert.equal(formatSpec('%+.3e', 12345.678), '+1.235e+04');
    assert.equal(formatSpec('%-10g', 0.5), '0.5       ');
    assert.equal(formatSpec('%#g', 1), '1.00000');
    assert.equal(formatSpec('%#g', 999999.5), '1.e+06'); // glibc's style choice before rounding
    assert.equal(formatSpec('%g', 1e-5), '1e-05');
    assert.equal(formatSpec('%g', 1e-4), '0.0001');
    assert.equal(formatSpec('%010f', -Infinity), '      -inf');
    assert.equal(formatSpec('%a', 1), '0x1p+0');
    assert.equal(formatSpec('%A', 0.5), '0X1P-1');
    assert.equal(formatSpec('%.3a', 1), '0x1.000p+0');
    assert.equal(formatSpec('%.0a', 1.5), '0x2p+0');
    assert.equal(formatSpec('%.1a', 1.96875), '0x2.0p+0');
    assert.equal(formatSpec('%a', 5e-324), '0x0.0000000000001p-1022');
    assert.equal(formatSpec('%010a', -1.5), '-0x01.8p+0');
    assert.equal(formatFloat(parseSpec('%.150e'), 1 / 3).length, 1 + 1 + 150 + 4);
  });
});
