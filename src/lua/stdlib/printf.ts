/**
 * A C printf engine for one conversion specification ("%-08.3f"), with
 * glibc's exact output: flags "-+ #0", width, precision, and the
 * conversions d i u c x X o e E f F g G a A s. Results are latin1 strings
 * (one char per byte): %c can produce any byte, including NUL.
 *
 * Integers are JS integer numbers of any size; %u %x %X %o of a negative
 * one print its two's complement as a 64-bit lua_Integer does in PUC Lua.
 */
import { exponentText, fixedDigits, formatGeneral, signBit, significantDigits } from './number-text';

/** A parsed conversion specification. */
export interface PrintfSpec {
  /** '-': left-justify. */
  left: boolean;
  /** '+': always a sign. */
  plus: boolean;
  /** ' ': a space where the sign of a positive number goes. */
  space: boolean;
  /** '#': alternative form. */
  alt: boolean;
  /** '0': pad with zeros. */
  zero: boolean;
  /** Minimum field width (0: none). */
  width: number;
  /** Precision (-1: none; "%.f" means 0). */
  precision: number;
  /** The conversion letter. */
  conversion: string;
}

const SPEC_SYNTAX = /^%([-+ #0]*)(\d*)(?:\.(\d*))?([diucxXoeEfFgGaAs])$/;

/** Parses a whole conversion specification such as "%-08.3f" (no length modifiers). */
export function parseSpec(text: string): PrintfSpec {
  const m = SPEC_SYNTAX.exec(text);
  if (m === null) throw new RangeError(`invalid printf conversion specification: ${JSON.stringify(text)}`);
  const flags = m[1];
  return {
    left: flags.includes('-'),
    plus: flags.includes('+'),
    space: flags.includes(' '),
    alt: flags.includes('#'),
    zero: flags.includes('0'),
    width: m[2] === '' ? 0 : Number(m[2]),
    precision: m[3] === undefined ? -1 : m[3] === '' ? 0 : Number(m[3]),
    conversion: m[4],
  };
}

/** Formats one value with a specification (parsed, or text such as "%5.2f"). */
export function formatSpec(spec: PrintfSpec | string, value: number | string): string {
  const s = typeof spec === 'string' ? parseSpec(spec) : spec;
  switch (s.conversion) {
    case 's':
      if (typeof value !== 'string') throw new TypeError(`printf %s: string expected, got ${typeof value}`);
      return formatString(s, value);
    case 'c':
      return formatChar(s, requireNumber(value));
    case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
      return formatInteger(s, requireNumber(value));
    default:
      return formatFloat(s, requireNumber(value));
  }
}

function requireNumber(value: number | string): number {
  if (typeof value !== 'number') throw new TypeError(`printf: number expected, got ${typeof value}`);
  return value;
}

/** The field: prefix (sign, "0x") and body, padded to the width with spaces, or zeros after the prefix. */
function field(spec: PrintfSpec, prefix: string, body: string, zeroPad: boolean): string {
  const fill = spec.width - prefix.length - body.length;
  if (fill <= 0) return prefix + body;
  if (spec.left) return prefix + body + ' '.repeat(fill);
  if (zeroPad) return prefix + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + prefix + body;
}

const TWO64 = 18446744073709551616;

/** Digits of a non-negative integer in a radix, exactly. */
function unsignedDigits(n: number, radix: number): string {
  return n <= Number.MAX_SAFE_INTEGER ? n.toString(radix) : BigInt(n).toString(radix);
}

/** %d %i %u %o %x %X of an integer. */
export function formatInteger(spec: PrintfSpec, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`printf %${spec.conversion}: integer expected, got ${n}`);
  const conv = spec.conversion;
  let prefix = '';
  let digits: string;
  if (conv === 'd' || conv === 'i') {
    digits = unsignedDigits(n < 0 ? -n : n, 10);
    prefix = n < 0 ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  } else {
    const radix = conv === 'u' ? 10 : conv === 'o' ? 8 : 16;
    if (n >= 0 && n < TWO64) {
      digits = unsignedDigits(n, radix);
    } else {
      digits = BigInt.asUintN(64, BigInt(n)).toString(radix);
    }
    if (conv === 'X') digits = digits.toUpperCase();
  }
  if (spec.precision >= 0) {
    if (spec.precision === 0 && n === 0) digits = '';
    else if (digits.length < spec.precision) digits = '0'.repeat(spec.precision - digits.length) + digits;
  }
  if (spec.alt) {
    if (conv === 'o') {
      if (digits.charCodeAt(0) !== 48) digits = '0' + digits;
    } else if ((conv === 'x' || conv === 'X') && n !== 0) {
      prefix = conv === 'x' ? '0x' : '0X';
    }
  }
  return field(spec, prefix, digits, spec.zero && spec.precision < 0);
}

/** %c: the low byte of the integer (C converts it to unsigned char). */
export function formatChar(spec: PrintfSpec, code: number): string {
  return field(spec, '', String.fromCharCode(code & 255), false);
}

/** %s of a latin1 string: at most `precision` bytes, padded with spaces. */
export function formatString(spec: PrintfSpec, s: string): string {
  const body = spec.precision >= 0 && s.length > spec.precision ? s.slice(0, spec.precision) : s;
  return field(spec, '', body, false);
}

/** %e %E %f %F %g %G %a %A of a double. */
export function formatFloat(spec: PrintfSpec, x: number): string {
  const conv = spec.conversion;
  const lower = conv.toLowerCase();
  const upper = conv !== lower;
  const sign = signBit(x) ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  // glibc pads inf and nan with spaces even with the '0' flag.
  if (x !== x) return field(spec, sign, upper ? 'NAN' : 'nan', false);
  if (x === Infinity || x === -Infinity) return field(spec, sign, upper ? 'INF' : 'inf', false);
  const ax = x < 0 ? -x : x;
  const zeroPad = spec.zero;
  switch (lower) {
    case 'f': {
      const prec = spec.precision < 0 ? 6 : spec.precision;
      const body = fixedDigits(ax, prec);
      return field(spec, sign, spec.alt && prec === 0 ? body + '.' : body, zeroPad);
    }
    case 'e':
      return field(spec, sign, formatExponential(ax, spec.precision < 0 ? 6 : spec.precision, spec.alt, upper), zeroPad);
    case 'g':
      return field(spec, sign, formatGeneral(ax, spec.precision < 0 ? 6 : spec.precision, spec.alt, upper), zeroPad);
    case 'a':
      return field(spec, sign + (upper ? '0X' : '0x'), hexBody(ax, spec.precision, spec.alt, upper), zeroPad);
    default:
      throw new RangeError(`printf: invalid floating-point conversion %${conv}`);
  }
}

/** "%.<precision>e" of |x| (finite) without sign. */
export function formatExponential(ax: number, precision: number, alt: boolean, upper: boolean): string {
  let digits: string;
  let exponent: number;
  if (ax === 0) {
    digits = '0'.repeat(precision + 1);
    exponent = 0;
  } else {
    const r = significantDigits(ax, precision + 1);
    digits = r.digits;
    exponent = r.exponent;
  }
  const mant = precision > 0 || alt ? digits[0] + '.' + digits.slice(1) : digits;
  return mant + exponentText(exponent, upper);
}

// The IEEE-754 fields of a double, for %a.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const TWO32 = 4294967296;
const FRACTION_DIGITS = 13; // 52 bits of fraction

/**
 * "%a" of |x| (finite) after the "0x": glibc's layout. The leading digit is
 * 1 for normal numbers and 0 for zero and subnormals (whose exponent is
 * then -1022); without a precision, trailing zero digits are dropped; with
 * one, the value is rounded half to even, and a carry makes the leading
 * digit 2 (glibc does not renormalize).
 */
function hexBody(ax: number, precision: number, alt: boolean, upper: boolean): string {
  f64[0] = ax;
  const hi = u32[HI];
  const bexp = (hi >>> 20) & 0x7ff;
  const frac = (hi & 0xfffff) * TWO32 + u32[1 - HI];
  let lead = bexp === 0 ? 0 : 1;
  const exponent = ax === 0 ? 0 : bexp === 0 ? -1022 : bexp - 1023;
  let digits: string;
  if (precision < 0) {
    digits = frac === 0 ? '' : frac.toString(16).padStart(FRACTION_DIGITS, '0').replace(/0+$/, '');
  } else if (precision < FRACTION_DIGITS) {
    const unit = 2 ** (4 * (FRACTION_DIGITS - precision));
    const v = lead * 2 ** 52 + frac;
    let q = Math.floor(v / unit);
    const r = v - q * unit;
    const half = unit / 2;
    if (r > half || (r === half && q % 2 === 1)) q++;
    const scale = 2 ** (4 * precision);
    lead = Math.floor(q / scale);
    digits = precision === 0 ? '' : (q - lead * scale).toString(16).padStart(precision, '0');
  } else {
    digits = frac.toString(16).padStart(FRACTION_DIGITS, '0') + '0'.repeat(precision - FRACTION_DIGITS);
  }
  let body = String(lead) + (digits.length > 0 || alt ? '.' + digits : '') +
    (exponent < 0 ? 'p-' + -exponent : 'p+' + exponent);
  if (upper) body = body.toUpperCase();
  return body;
}
