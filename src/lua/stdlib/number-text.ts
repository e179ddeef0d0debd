/**
 * Decimal text of doubles exactly as glibc's printf writes it, and the text
 * Lua gives a float (tostring, `..`, print: LUAI_NUMFFORMAT "%.14g" plus ".0"
 * when the result looks like an integer, as lobject.c's tostringbuff).
 *
 * glibc rounds the EXACT binary value of a double to the requested number of
 * digits, ties to even. JS's toFixed/toExponential are correctly rounded
 * too, except that exact ties go away from zero; a tie is cheap to detect
 * (x = m·2^-k with m odd has exactly k decimal fraction digits, the last
 * being 5), and only then are digits fixed up. A BigInt expansion of the
 * exact value covers what the JS functions cannot (precision over 100,
 * values from 1e21 on for fixed notation) and serves as the reference.
 */

// The IEEE-754 bits of a double, through a shared buffer.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;
const TWO32 = 4294967296;

/** Whether the sign bit of x is set: -0, negative numbers, and NaNs with the sign bit (x86's default NaN). */
export function signBit(x: number): boolean {
  f64[0] = x;
  return u32[HI] >>> 31 === 1;
}

/** Text of a NaN as glibc prints it: "-nan" when its sign bit is set. */
export function nanText(x: number, upper: boolean): string {
  const neg = signBit(x);
  return upper ? (neg ? '-NAN' : 'NAN') : (neg ? '-nan' : 'nan');
}

/** Trailing zero bits of a nonzero 32-bit value. */
function ctz32(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/**
 * |x| (finite, nonzero) as m·2^e with m an odd integer (m < 2^53): the
 * mantissa goes to `mantissa`, the exponent is returned.
 */
let mantissa = 0;
function decompose(x: number): number {
  f64[0] = x;
  const hi = u32[HI];
  const lo = u32[LO];
  const bexp = (hi >>> 20) & 0x7ff;
  let high = hi & 0xfffff;
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    high += 0x100000;
    e = bexp - 1075;
  }
  const tz = lo !== 0 ? ctz32(lo) : 32 + ctz32(high);
  mantissa = (high * TWO32 + lo) / 2 ** tz;
  return e + tz;
}

/** Number of binary fraction digits of |x| (0 for integers): x·2^k is an odd integer. */
export function fractionBits(ax: number): number {
  if (ax >= 4503599627370496 || Number.isInteger(ax)) return 0;
  f64[0] = ax;
  const hi = u32[HI];
  const lo = u32[LO];
  const bexp = (hi >>> 20) & 0x7ff;
  const tz = lo !== 0 ? ctz32(lo) : 32 + ctz32((hi & 0xfffff) | (bexp === 0 ? 0 : 0x100000));
  return (bexp === 0 ? 1074 : 1075 - bexp) - tz;
}

/** The exact decimal expansion of |x| (finite, nonzero): |x| = digits · 10^exp10. */
export function exactDecimal(x: number): { digits: string; exp10: number } {
  const e = decompose(x);
  const m = BigInt(mantissa);
  if (e >= 0) return { digits: (m << BigInt(e)).toString(), exp10: 0 };
  return { digits: (m * 5n ** BigInt(-e)).toString(), exp10: e };
}

/** Adds one unit in the last digit of a string of decimal digits (a '.' is skipped); may grow by one digit. */
export function incrementDigits(s: string): string {
  let i = s.length - 1;
  while (i >= 0) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) { i--; continue; }
    if (c !== 57 /* 9 */) return s.slice(0, i) + String.fromCharCode(c + 1) + s.slice(i + 1).replace(/9/g, '0');
    i--;
  }
  return '1' + s.replace(/9/g, '0');
}

/**
 * Keeps the first `keep` digits of an exact digit string, rounding half to
 * even on the rest. keep may be 0 or negative (everything is dropped: the
 * result is "" or, when rounding up, "1"). The result has `keep` digits, or
 * keep + 1 when rounding carried into a new leading digit.
 */
function roundDigitString(digits: string, keep: number): string {
  if (keep >= digits.length) return digits + '0'.repeat(keep - digits.length);
  if (keep < 0) return '';
  const first = digits.charCodeAt(keep);
  let up: boolean;
  if (first !== 53 /* 5 */) {
    up = first > 53;
  } else {
    let rest = false;
    for (let i = keep + 1; i < digits.length; i++) {
      if (digits.charCodeAt(i) !== 48) { rest = true; break; }
    }
    up = rest || (keep > 0 && (digits.charCodeAt(keep - 1) & 1) === 1);
  }
  const kept = digits.slice(0, keep);
  return up ? incrementDigits(kept) : kept;
}

/** Result of significantDigits: the digits and the decimal exponent of the first one. */
export interface Significant {
  digits: string;
  exponent: number;
}

/** |x| (finite, nonzero) rounded to `sig` significant digits from its exact expansion (the reference). */
export function exactSignificant(ax: number, sig: number): Significant {
  const { digits, exp10 } = exactDecimal(ax);
  let exponent = digits.length - 1 + exp10;
  let d = roundDigitString(digits, sig);
  if (d.length > sig) { d = d.slice(0, sig); exponent++; }
  return { digits: d, exponent };
}

/** The digits and exponent of a string from toExponential. */
function splitExponential(s: string, out: Significant): void {
  const e = s.indexOf('e');
  out.digits = e === 1 ? s[0] : s[0] + s.slice(2, e);
  out.exponent = +s.slice(e + 1);
}

/**
 * 2^K for the largest K that a tie at `sig` significant digits can need in
 * fraction bits: a tie is m·2^-k (m odd) whose exact expansion m·5^k has
 * sig + 1 digits, so 5^k < 10^(sig+1). When |x|·2^K is not an integer, x
 * has more fraction bits and is no tie.
 */
const TIE_SCALE: number[] = [];
for (let sig = 0; sig <= 100; sig++) TIE_SCALE.push(2 ** Math.floor((sig + 1) * Math.log(10) / Math.log(5)));
/** 10^n (approximately: mayTie allows for slack) for the n that mayTie can need: sig - k with 1 <= k < 1.44·(sig + 1). */
const POW10_MIN = -50;
const POW10: number[] = [];
for (let n = POW10_MIN; n <= 100; n++) POW10.push(Number('1e' + n));

/**
 * Whether |x| (finite, not an integer) may be an exact tie at `sig`
 * significant digits (a cheap filter; significantDigits confirms). A tie
 * has its last digit, a 5, at 10^-k (k fraction bits) and so its first at
 * 10^(sig-k).
 */
function mayTie(ax: number, sig: number): boolean {
  if (!Number.isInteger(ax * TIE_SCALE[sig])) return false;
  const first = POW10[sig - fractionBits(ax) - POW10_MIN];
  return ax >= first * 0.5 && ax < first * 20;
}

/**
 * |x| (finite, nonzero) rounded to `sig` significant digits (1 <= sig),
 * as glibc rounds: the digit string (exactly sig digits) and the decimal
 * exponent of its first digit.
 */
export function significantDigits(ax: number, sig: number): Significant {
  if (sig > 100) return exactSignificant(ax, sig);
  const out: Significant = { digits: '', exponent: 0 };
  splitExponential(ax.toExponential(sig - 1), out);
  if (ax < 4503599627370496 && !Number.isInteger(ax)) {
    if (mayTie(ax, sig)) {
      // Exact iff it has sig + 1 digits ending at 10^-k: then it is a tie.
      const t = ax.toExponential(sig);
      const e = t.indexOf('e');
      if (t.charCodeAt(e - 1) === 53 /* 5 */ && +t.slice(e + 1) === sig - fractionBits(ax)) {
        const exact: Significant = { digits: '', exponent: 0 };
        splitExponential(t, exact);
        tieToEven(exact, sig, out);
      }
    }
  } else if (sig <= 15 && ax < 1e23 && out.exponent >= sig && ax % 5 === 0) {
    // An integer tie is "<sig digits>5000...", and m·2^j = D·10^j (D odd
    // with sig + 1 digits) needs m >= 10^sig: none for sig > 15 (m < 2^53),
    // nor from 2^53·2^22 on.
    const s = ax <= Number.MAX_SAFE_INTEGER ? String(ax) : BigInt(ax).toString();
    if (s.charCodeAt(sig) === 53 && /^0*$/.test(s.slice(sig + 1))) {
      tieToEven({ digits: s.slice(0, sig + 1), exponent: s.length - 1 }, sig, out);
    }
  }
  return out;
}

/** Rounds an exact tie (sig + 1 digits, the last a 5) to even into `out`. */
function tieToEven(exact: Significant, sig: number, out: Significant): void {
  const kept = exact.digits.slice(0, sig);
  if ((kept.charCodeAt(sig - 1) & 1) === 0) {
    out.digits = kept;
    out.exponent = exact.exponent;
  } else {
    const up = incrementDigits(kept);
    out.digits = up.length > sig ? up.slice(0, sig) : up;
    out.exponent = exact.exponent + (up.length > sig ? 1 : 0);
  }
}

/** |x| (finite) with `frac` fraction digits from its exact expansion (the reference): "123.456" / "0". */
export function exactFixed(ax: number, frac: number): string {
  let n: string;
  if (ax === 0) {
    n = '0'.repeat(frac + 1);
  } else {
    const { digits, exp10 } = exactDecimal(ax);
    // digits·10^exp10 as an integer count of 10^-frac units.
    const shift = exp10 + frac;
    n = shift >= 0 ? digits + '0'.repeat(shift) : roundDigitString(digits, digits.length + shift);
    if (n.length < frac + 1) n = '0'.repeat(frac + 1 - n.length) + n;
  }
  return frac === 0 ? n : n.slice(0, n.length - frac) + '.' + n.slice(n.length - frac);
}

/**
 * |x| (finite) written with `frac` digits after the point (none and no
 * point for 0), rounded as glibc rounds: "%.<frac>f" without sign.
 */
export function fixedDigits(ax: number, frac: number): string {
  if (frac > 99) return exactFixed(ax, frac);
  if (ax >= 1e21) {
    // An integer: JS would switch to exponential notation.
    const int = BigInt(ax).toString();
    return frac === 0 ? int : int + '.' + '0'.repeat(frac);
  }
  const s = ax.toFixed(frac);
  // A tie has exactly frac + 1 fraction digits, the last a 5.
  if (fractionBits(ax) !== frac + 1) return s;
  const exact = ax.toFixed(frac + 1);
  let kept = exact.slice(0, -1);
  if (frac === 0) kept = kept.slice(0, -1);
  return (kept.charCodeAt(kept.length - 1) & 1) === 0 ? kept : incrementDigits(kept);
}

/** The exponent part of %e: "e+05", "e-123". */
export function exponentText(exponent: number, upper: boolean): string {
  const mark = upper ? 'E' : 'e';
  if (exponent < 0) return (exponent > -10 ? mark + '-0' : mark + '-') + -exponent;
  return (exponent < 10 ? mark + '+0' : mark + '+') + exponent;
}

/**
 * "%.<precision>g" of |x| (finite; no sign): P significant digits, fixed
 * notation when -4 <= exponent < P, trailing zeros removed unless `alt`
 * ('#' flag), exponent letter upper case when `upper`.
 */
export function formatGeneral(ax: number, precision: number, alt: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  let digits: string;
  let x: number;
  if (ax === 0) {
    digits = '0'.repeat(p);
    x = 0;
  } else {
    const r = significantDigits(ax, p);
    digits = r.digits;
    x = r.exponent;
  }
  if (x < p && x >= -4) {
    let int: string;
    let frac: string;
    if (x >= 0) {
      int = digits.slice(0, x + 1);
      frac = digits.slice(x + 1);
    } else {
      int = '0';
      frac = '0'.repeat(-x - 1) + digits;
    }
    if (!alt) {
      frac = stripZeros(frac);
      return frac.length === 0 ? int : int + '.' + frac;
    }
    return int + '.' + frac;
  }
  let frac = digits.slice(1);
  if (!alt) frac = stripZeros(frac);
  else if (x === p && carried(ax, x)) frac = '';
  const mant = frac.length > 0 || alt ? digits[0] + '.' + frac : digits[0];
  return mant + exponentText(x, upper);
}

/**
 * Whether rounding |x| carried into a new leading digit, raising the
 * exponent to `rounded`. glibc chooses %g's style before rounding: when
 * the carry takes a value written in fixed notation with no fraction
 * digits (exponent P - 1) to exponent P, it switches to exponential
 * notation but keeps zero fraction digits, so "%#g" of 999999.5 is
 * "1.e+06" (not "1.00000e+06"). Only the '#' form shows it.
 */
function carried(ax: number, rounded: number): boolean {
  const { digits, exp10 } = exactDecimal(ax);
  return digits.length - 1 + exp10 < rounded;
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** printf("%.14g", x) as glibc prints it. */
export function formatG14(x: number): string {
  if (Number.isInteger(x)) {
    if (x < 1e14 && x > -1e14) return x === 0 && 1 / x < 0 ? '-0' : String(x);
  } else if (x !== x) {
    return nanText(x, false);
  } else if (x === Infinity) {
    return 'inf';
  } else if (x === -Infinity) {
    return '-inf';
  } else {
    // Fast path: toPrecision(14) is right but for exact ties, and its fixed
    // notation (exponent -6 to 13) is C's from exponent -4 on, trailing
    // zeros aside.
    const ax = x < 0 ? -x : x;
    let s = ax.toPrecision(14);
    if (s.indexOf('e') < 0 && !s.startsWith('0.0000') && !mayTie(ax, 14)) {
      if (s.indexOf('.') >= 0) {
        let end = s.length;
        while (s.charCodeAt(end - 1) === 48) end--;
        if (s.charCodeAt(end - 1) === 46) end--;
        s = s.slice(0, end);
      }
      return x < 0 ? '-' + s : s;
    }
  }
  const text = formatGeneral(x < 0 ? -x : x, 14, false, false);
  return x < 0 ? '-' + text : text;
}

/**
 * The text of a float as Lua 5.3 gives it (tostring, concatenation, print):
 * "%.14g", plus ".0" when that looks like an integer.
 */
export function luaNumberText(x: number): string {
  if (Number.isInteger(x) && x < 1e14 && x > -1e14) {
    return x === 0 && 1 / x < 0 ? '-0.0' : String(x) + '.0';
  }
  const s = formatG14(x);
  // lobject.c: buff[strspn(buff, "-0123456789")] == '\0'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 45 && (c < 48 || c > 57)) return s;
  }
  return s + '.0';
}
