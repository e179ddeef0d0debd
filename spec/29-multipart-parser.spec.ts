/**
 * The streaming multipart/form-data parser (src/http/multipart.ts) on plain
 * Buffers: boundary extraction, bodies as browsers send them, every error
 * with its Moonbridge text, property-based split invariance, and bounded
 * memory at speed on a large part.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { HttpError } from '../src/http/errors';
import { MultipartParser, multipartBoundary, type MultipartHandler, type PartInfo } from '../src/http/multipart';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const BAD = '400 Bad Request';
const PREMATURE = 'Premature end of multipart/form-data request body';
const DELIMITER_ERROR = 'Error while parsing multipart body (expected CRLF or double minus)';
const HEADER_ERROR = 'Invalid header in multipart/form-data part';
const CTE_ERROR = 'Content-transfer-encoding not supported by multipart/form-data parser';
const ERROR_TEXTS = new Set([PREMATURE, DELIMITER_ERROR, HEADER_ERROR, CTE_ERROR]);

interface Part {
  info: PartInfo;
  content: Buffer;
}

/** Collects the parts and checks the event grammar: (partBegin partData* partEnd)*, data non-empty. */
class Recorder implements MultipartHandler {
  readonly parts: Part[] = [];
  private current: { info: PartInfo; pieces: Buffer[] } | null = null;

  partBegin(info: PartInfo): void {
    assert.equal(this.current, null, 'partBegin inside a part');
    this.current = { info: { ...info }, pieces: [] };
  }

  partData(data: Uint8Array): void {
    assert.ok(this.current, 'partData outside a part');
    assert.ok(data.length > 0, 'empty partData');
    // A copy: the view is only valid during the call.
    this.current.pieces.push(Buffer.from(data));
  }

  partEnd(): void {
    assert.ok(this.current, 'partEnd outside a part');
    this.parts.push({ info: this.current.info, content: Buffer.concat(this.current.pieces) });
    this.current = null;
  }

  get open(): boolean {
    return this.current !== null;
  }
}

/** Parses body fed in the pieces cut at `cuts` (or 1 byte at a time), then ends it. */
function parse(body: Buffer, boundary: string, cuts: number[] | 'bytes' = [], options?: { maxPartHeaderSize?: number }): Part[] {
  const rec = new Recorder();
  const p = new MultipartParser(boundary, rec, options);
  for (const piece of pieces(body, cuts)) p.feed(piece);
  p.end();
  assert.ok(p.done);
  assert.ok(!rec.open);
  return rec.parts;
}

function pieces(body: Buffer, cuts: number[] | 'bytes'): Buffer[] {
  if (cuts === 'bytes') return Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
  const at = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, body.length]) {
    // Copies, so that a parser keeping a view past the call would be caught by the next piece's reuse.
    out.push(Buffer.from(body.subarray(prev, c)));
    prev = c;
  }
  return out;
}

function httpError(fn: () => unknown, text: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HttpError, `expected HttpError, got ${String(err)}`);
    assert.equal(err.status, BAD);
    assert.equal(err.text, text);
    return true;
  });
}

const info = (fieldName: string | null, fileName: string | null = null, contentType: string | null = null): PartInfo => ({ fieldName, fileName, contentType });
const part = (i: PartInfo, content: string | Buffer): Part => ({ info: i, content: typeof content === 'string' ? bytes(content) : content });

describe('multipart/form-data parser', () => {
  describe('multipartBoundary', () => {
    const table: [string, string | null][] = [
      ['multipart/form-data; boundary=abc', 'abc'],
      ['multipart/form-data;boundary=abc', 'abc'],
      ['multipart/form-data; boundary="abc"', 'abc'],
      ['multipart/form-data; boundary="a b;c,d"', 'a b;c,d'],
      ['multipart/form-data; boundary="a\\"b\\\\c"', 'a"b\\c'],
      ['multipart/form-data; charset=utf-8; boundary=xyz', 'xyz'],
      ['multipart/form-data; boundary=xyz; charset=utf-8', 'xyz'],
      ['multipart/form-data; charset="a;boundary=no"; boundary=yes', 'yes'],
      ['Multipart/Form-Data; BOUNDARY=AbC', 'AbC'],
      ['  multipart/form-data \t;\t boundary=abc  ', 'abc'],
      ['multipart/form-data;; boundary=abc;', 'abc'],
      ['multipart/form-data, boundary=abc', 'abc'],
      ['multipart/form-data,boundary="abc"', 'abc'],
      ['multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW', '----WebKitFormBoundary7MA4YWxkTrZu0gW'],
      ['multipart/form-data; boundary=a/b=c?:()', 'a/b=c?:()'],
      ['multipart/form-data; boundary=' + 'x'.repeat(70), 'x'.repeat(70)],
      ['multipart/form-data; boundary=' + 'x'.repeat(71), null],
      ['multipart/form-data; boundary="' + 'x'.repeat(71) + '"', null],
      ['multipart/form-data;boundary=', null],
      ['multipart/form-data; boundary=""', null],
      ['multipart/form-data', null],
      ['multipart/form-data; charset=utf-8', null],
      ['multipart/form-data; charset=utf-8, boundary=abc', null],
      ['multipart/form-data; boundary=abc; boundary=abc', null],
      ['multipart/form-data; boundary="abc', null],
      ['multipart/form-data; boundary="abc"x', null],
      ['multipart/form-data; boundary=a b', null],
      ['multipart/form-data; bound ary=abc', null],
      ['multipart/form-data; boundary', null],
      ['multipart/form-datax; boundary=abc', null],
      ['multipart/mixed; boundary=abc', null],
      ['application/x-www-form-urlencoded', null],
      ['text/plain; boundary=abc', null],
      ['', null],
    ];
    for (const [value, expected] of table) {
      it(`${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)} → ${JSON.stringify(expected)}`, () => {
        assert.equal(multipartBoundary(value), expected);
      });
    }
  });

  describe('bodies', () => {
    const B = '----WebKitFormBoundaryePkpFF7tjBAqx29L';

    it('parses a typical browser body: fields and two files in one field', () => {
      const body = bytes(
        `--${B}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHello, world\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="comment"\r\n\r\nline 1\r\nline 2\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nAAA\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="files"; filename="b.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n` +
        `--${B}--\r\n`,
      );
      const expected = [
        part(info('title'), 'Hello, world'),
        part(info('comment'), 'line 1\r\nline 2'),
        part(info('files', 'a.txt', 'text/plain'), 'AAA'),
        part(info('files', 'b.png', 'image/png'), '\x89PNG\r\n\x1a\n'),
      ];
      assert.deepEqual(parse(body, B), expected);
      assert.deepEqual(parse(body, B, 'bytes'), expected);
    });

    it('keeps binary content with all 256 byte values and embedded CRLFs intact', () => {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const content = Buffer.concat([all, bytes('\r\n\r\n'), all, bytes('\r\n')]);
      const body = Buffer.concat([bytes(`--${B}\r\nContent-Disposition: form-data; name="bin"; filename="x.bin"\r\n\r\n`), content, bytes(`\r\n--${B}--`)]);
      assert.deepEqual(parse(body, B), [part(info('bin', 'x.bin'), content)]);
      assert.deepEqual(parse(body, B, 'bytes'), [part(info('bin', 'x.bin'), content)]);
    });

    it('keeps partial delimiters and the bare boundary text inside content', () => {
      const content = `a\r\n--${B.slice(0, -1)}X\r\n-${B}\r\n--${B.slice(0, 5)}\r\r\n--\n--${B}--${B}\r`;
      const body = bytes(`--${B}\r\nContent-Disposition: form-data; name="t"\r\n\r\n${content}\r\n--${B}--`);
      assert.deepEqual(parse(body, B), [part(info('t'), content)]);
      assert.deepEqual(parse(body, B, 'bytes'), [part(info('t'), content)]);
    });

    it('gives empty parts and empty files partBegin and partEnd without partData', () => {
      const body = bytes(
        `--${B}\r\nContent-Disposition: form-data; name="empty"\r\n\r\n\r\n` +
        `--${B}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n` +
        `--${B}\r\n\r\n\r\n` +
        `--${B}--`,
      );
      assert.deepEqual(parse(body, B), [part(info('empty'), ''), part(info('file', '', 'application/octet-stream'), ''), part(info(null), '')]);
    });

    it('accepts a body with only the final delimiter', () => {
      assert.deepEqual(parse(bytes(`--${B}--`), B), []);
    });

    it('ignores preamble (even mid-line, as Moonbridge) and epilogue, and data fed after the end', () => {
      const body = bytes(`This is a preamble.\r\nstill -- preamble --${B.slice(0, 3)}x ${`--${B}`}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${B}--\r\nepilogue \r\n--${B}\r\ngarbage`);
      const rec = new Recorder();
      const p = new MultipartParser(B, rec);
      p.feed(body);
      assert.ok(p.done);
      p.feed(bytes('more garbage that must be ignored'));
      p.end();
      assert.deepEqual(rec.parts, [part(info('a'), '1')]);
    });

    it('accepts transport padding between a delimiter and its CRLF', () => {
      const body = bytes(`--${B} \t \r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${B}\t\r\nContent-Disposition: form-data; name="b"\r\n\r\n2\r\n--${B}--  \r\n`);
      assert.deepEqual(parse(body, B), [part(info('a'), '1'), part(info('b'), '2')]);
      assert.deepEqual(parse(body, B, 'bytes'), [part(info('a'), '1'), part(info('b'), '2')]);
    });

    it('reads Content-Disposition parameters as Moonbridge does, without matching inside quoted values', () => {
      const cases: [string, PartInfo][] = [
        ['form-data', info(null)],
        ['form-data; filename="f.txt"', info(null, 'f.txt')],
        ['form-data; filename="a; name=x"; name="real"', info('real', 'a; name=x')],
        ['form-data; name="a;b name=c"', info('a;b name=c')],
        ['form-data; x=y"; name=z"; name="real"', info('real')],
        ['form-data "; name=z"; name="real"', info('real')],
        ['form-data; x"; name=z"; name="real"', info('real')],
        ['form-data; NAME="up"; FileName="F"', info('up', 'F')],
        ['form-data; name=plain; filename=file.txt', info('plain', 'file.txt')],
        ['form-data;name=x;filename=y z', info('x', 'y')],
        ['form-data; name="back\\slash"; filename="c:\\dir\\f"', info('back\\slash', 'c:\\dir\\f')],
        ['form-data; name="first"; name="second"', info('first')],
        ['form-data; xname="no"; filenames="no"', info(null)],
        ['form-data; name="unterminated', info(null)],
        ['form-data; name=; filename=""', info(null, '')],
        ['form-data; name="\xe4\xf6\xfc"', info('\xe4\xf6\xfc')],
      ];
      for (const [value, expected] of cases) {
        const body = bytes(`--${B}\r\nContent-Disposition: ${value}\r\n\r\nv\r\n--${B}--`);
        assert.deepEqual(parse(body, B), [part(expected, 'v')], value);
      }
    });

    it('reads header names case-insensitively, trims values, ignores other headers, lets the last one win', () => {
      const body = bytes(
        `--${B}\r\ncontent-disposition:form-data; name="a"\r\nX-Other: whatever\r\n: empty name is a valid line\r\n` +
        `CONTENT-TYPE: \t text/plain; charset=utf-8 \t\r\nContent-Type: text/html\r\n\r\nv\r\n--${B}--`,
      );
      assert.deepEqual(parse(body, B), [part(info('a', null, 'text/html'), 'v')]);
    });

    it('accepts part header lines ending in a bare LF', () => {
      const body = bytes(`--${B}\r\nContent-Disposition: form-data; name="a"\nContent-Type: text/plain\n\nv\r\n--${B}--`);
      assert.deepEqual(parse(body, B), [part(info('a', null, 'text/plain'), 'v')]);
      assert.deepEqual(parse(body, B, 'bytes'), [part(info('a', null, 'text/plain'), 'v')]);
    });

    it('hands out views into the fed buffer, not copies', () => {
      const content = Buffer.alloc(100000, 0x61);
      const body = Buffer.concat([bytes(`--${B}\r\n\r\n`), content, bytes(`\r\n--${B}--`)]);
      let aliased = 0;
      const p = new MultipartParser(B, {
        partBegin() {},
        partData(d) {
          if (d.buffer === body.buffer) aliased += d.length;
        },
        partEnd() {},
      });
      p.feed(body);
      assert.equal(aliased, content.length);
    });

    it('accepts any Uint8Array, not only Buffers', () => {
      const body = new Uint8Array(bytes(`--${B}\r\n\r\nxyz\r\n--${B}--`));
      const rec = new Recorder();
      const p = new MultipartParser(B, rec);
      p.feed(body.subarray(0, 10));
      p.feed(body.subarray(10));
      p.end();
      assert.deepEqual(rec.parts, [part(info(null), 'xyz')]);
    });

    it('rejects boundaries that are empty or not latin1', () => {
      assert.throws(() => new MultipartParser('', new Recorder()), RangeError);
      assert.throws(() => new MultipartParser('b\u0100', new Recorder()), RangeError);
    });
  });

  describe('errors', () => {
    const B = 'XyZ';
    const head = `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`;

    it('premature end: no final delimiter, truncated in headers or content, no delimiter at all', () => {
      for (const body of [
        `${head}value\r\n--${B}\r\n`,
        `${head}value\r\n--${B}`,
        `${head}value\r\n--${B}-`,
        `${head}value\r\n--${B} \t`,
        `${head}value\r\n--${B}\r`,
        `--${B}\r\nContent-Disposition: form-da`,
        `--${B}\r\nContent-Disposition: form-data\r\n`,
        `${head}val`,
        `${head}value\r\n--${B.slice(0, 2)}`,
        `${head}`,
        `no delimiter here at all`,
        `-${B}--`,
        ``,
      ]) {
        httpError(() => parse(bytes(body), B), PREMATURE);
      }
    });

    it('garbage after a delimiter', () => {
      for (const tail of ['x', '-x', ' x', '\t-', '\n', '\rx', ' --', '\r\r\n']) {
        httpError(() => parse(bytes(`--${B}${tail}`), B), DELIMITER_ERROR);
        httpError(() => parse(bytes(`${head}v\r\n--${B}${tail}\r\n\r\n\r\n--${B}--`), B, 'bytes'), DELIMITER_ERROR);
      }
    });

    it('invalid part header line', () => {
      for (const line of ['no colon', 'Content-Disposition form-data', '\r', ' ']) {
        httpError(() => parse(bytes(`--${B}\r\n${line}\r\n\r\nv\r\n--${B}--`), B), HEADER_ERROR);
      }
    });

    it('Content-Transfer-Encoding of any value', () => {
      for (const value of ['binary', '8bit', 'base64', '']) {
        httpError(() => parse(bytes(`--${B}\r\nContent-Disposition: form-data; name="a"\r\ncontent-transfer-encoding: ${value}\r\n\r\nv\r\n--${B}--`), B), CTE_ERROR);
      }
    });

    it('oversized part header section (line ends counted), also as an endless line', () => {
      const section = 'Content-Disposition: form-data; name="a"\r\n\r\n';
      const body = bytes(`--${B}\r\n${section}v\r\n--${B}--`);
      assert.deepEqual(parse(body, B, [], { maxPartHeaderSize: section.length }), [part(info('a'), 'v')]);
      assert.deepEqual(parse(body, B, 'bytes', { maxPartHeaderSize: section.length }), [part(info('a'), 'v')]);
      httpError(() => parse(body, B, [], { maxPartHeaderSize: section.length - 1 }), HEADER_ERROR);
      httpError(() => parse(body, B, 'bytes', { maxPartHeaderSize: section.length - 1 }), HEADER_ERROR);
      // The default limit is 64 KiB; an endless header line fails before the body ends.
      const p = new MultipartParser(B, new Recorder());
      p.feed(bytes(`--${B}\r\nX: `));
      const chunk = Buffer.alloc(4096, 0x61);
      for (let i = 0; i < 15; i++) p.feed(chunk);
      assert.ok(p.carried > 60000);
      httpError(() => p.feed(chunk), HEADER_ERROR);
    });

    it('keeps failing after an error', () => {
      const p = new MultipartParser(B, new Recorder());
      httpError(() => p.feed(bytes(`--${B}x`)), DELIMITER_ERROR);
      httpError(() => p.feed(bytes(`\r\n\r\n\r\n--${B}--`)), DELIMITER_ERROR);
      httpError(() => p.end(), PREMATURE);
    });
  });

  describe('properties', () => {
    const BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,./:=? ";
    const boundaryArb = fc.string({ unit: fc.oneof(fc.constant('-'), fc.constantFrom(...BCHARS)), minLength: 1, maxLength: 70 });
    const latin1Char = (exclude: string): fc.Arbitrary<string> =>
      fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)).filter((c) => !exclude.includes(c));
    // Names heavy in the characters that could confuse the Content-Disposition scan.
    const nameArb = fc.string({ unit: fc.oneof(fc.constantFrom(';', '=', ' ', '\t', '\\', 'name=', 'filename=', "'"), latin1Char('"\r\n')), maxLength: 12 });
    const contentTypeArb = fc.string({ unit: latin1Char('\r\n'), maxLength: 20 });

    const contentArb = (b: string): fc.Arbitrary<Buffer> =>
      fc
        .array(
          fc.oneof(
            fc.constantFrom('\r', '\n', '-', '\r\n', '--', '\r\n-', '\r\n--', '\r\n\r\n').map(bytes),
            fc.integer({ min: 0, max: b.length - 1 }).map((k) => bytes('\r\n--' + b.slice(0, k))),
            fc.integer({ min: 0, max: b.length }).map((k) => bytes('--' + b.slice(0, k))),
            fc.constant(bytes(b)),
            fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
          ),
          { maxLength: 25 },
        )
        .map((a) => Buffer.concat(a));

    const partArb = (b: string) =>
      fc.record({
        name: fc.option(nameArb, { nil: null }),
        fileName: fc.option(nameArb, { nil: null }),
        contentType: fc.option(contentTypeArb, { nil: null }),
        content: contentArb(b),
        upper: fc.boolean(),
        eol: fc.constantFrom('\r\n', '\n'),
        padding: fc.constantFrom('', ' ', '\t \t'),
      });

    const caseArb = boundaryArb.chain((b) =>
      fc.record({
        boundary: fc.constant(b),
        parts: fc.array(partArb(b), { maxLength: 5 }),
        preamble: fc.string({ unit: latin1Char(''), maxLength: 30 }),
        epilogue: fc.uint8Array({ maxLength: 30 }),
      }),
    );
    type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

    /** The body of a case and the parts it must parse into; null when the case is unusable (the delimiter occurs in content). */
    function build(c: Case): { body: Buffer; expected: Part[] } | null {
      const delimiter = bytes('\r\n--' + c.boundary);
      const dash = '--' + c.boundary;
      if ((c.preamble + dash).indexOf(dash) !== c.preamble.length) return null;
      const chunks: Buffer[] = [bytes(c.preamble)];
      const expected: Part[] = [];
      c.parts.forEach((p, i) => {
        if (p.content.includes(delimiter)) return;
        let disposition = 'form-data';
        if (p.name !== null) disposition += `; name="${p.name}"`;
        if (p.fileName !== null) disposition += `; filename="${p.fileName}"`;
        const headers = [`${p.upper ? 'CONTENT-DISPOSITION' : 'Content-Disposition'}: ${disposition}`];
        if (p.contentType !== null) headers.push(`${p.upper ? 'content-type' : 'Content-Type'}:${p.contentType}`);
        chunks.push(bytes(`${i === 0 ? '' : '\r\n'}${dash}${p.padding}\r\n${headers.map((h) => h + p.eol).join('')}${p.eol}`), p.content);
        const ct = p.contentType === null ? null : p.contentType.replace(/^[ \t]+|[ \t]+$/g, '');
        expected.push(part(info(p.name, p.fileName, ct), p.content));
      });
      if (expected.length !== c.parts.length) return null;
      chunks.push(bytes(`${c.parts.length === 0 ? '' : '\r\n'}${dash}--`), Buffer.from(c.epilogue));
      return { body: Buffer.concat(chunks), expected };
    }

    const cutsArb = fc.oneof({ weight: 1, arbitrary: fc.constant<'bytes'>('bytes') }, { weight: 4, arbitrary: fc.array(fc.nat(), { maxLength: 30 }) });

    it('parsing whole gives the parts the body was built from', () => {
      // Guards against a degenerate generator: the cases must hold parts, content and near-delimiters.
      let parts = 0;
      let nearDelimiters = 0;
      fc.assert(
        fc.property(caseArb, (c) => {
          const built = build(c);
          fc.pre(built !== null);
          assert.deepEqual(parse(built.body, c.boundary), built.expected);
          parts += built.expected.length;
          for (const p of built.expected) if (p.content.includes(bytes('\r\n--' + c.boundary.slice(0, -1)))) nearDelimiters++;
        }),
        { numRuns: 300 },
      );
      assert.ok(parts >= 300, `only ${parts} parts`);
      assert.ok(nearDelimiters >= 30, `only ${nearDelimiters} parts with a near-delimiter`);
    });

    it('parsing split at random positions (or byte by byte) gives the same events as parsing whole', () => {
      fc.assert(
        fc.property(caseArb, cutsArb, (c, cuts) => {
          const built = build(c);
          fc.pre(built !== null);
          const whole = parse(built.body, c.boundary);
          assert.deepEqual(parse(built.body, c.boundary, cuts), whole);
          assert.deepEqual(whole, built.expected);
        }),
        { numRuns: 300 },
      );
    });

    it('random bytes after a valid prefix throw nothing but the HttpErrors of the parser', () => {
      fc.assert(
        fc.property(caseArb, fc.nat(), fc.uint8Array({ maxLength: 200 }), cutsArb, (c, cut, junk, cuts) => {
          const built = build(c);
          fc.pre(built !== null);
          const body = Buffer.concat([built.body.subarray(0, cut % (built.body.length + 1)), Buffer.from(junk)]);
          try {
            parse(body, c.boundary, cuts);
          } catch (err) {
            assert.ok(err instanceof HttpError, `not an HttpError: ${String(err)}`);
            assert.equal(err.status, BAD);
            assert.ok(ERROR_TEXTS.has(err.text ?? ''), `unexpected text ${String(err.text)}`);
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('memory and speed', () => {
    it('parses a 50 MB part in 64 KiB pieces with a bounded carry-over, fast', () => {
      const B = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
      const piece = Buffer.alloc(64 * 1024);
      let seed = 12345;
      for (let i = 0; i < piece.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        piece[i] = seed >>> 24;
      }
      // Every piece ends in the longest possible delimiter prefix, so that each feed carries the most.
      bytes(`\r\n--${B.slice(0, -1)}`).copy(piece, piece.length - B.length - 3);
      piece[0] = 0x00;
      assert.ok(!Buffer.concat([piece, piece]).includes(bytes(`\r\n--${B}`)));
      const count = Math.ceil((50 * 1000 * 1000) / piece.length);
      let received = 0;
      let aliased = 0;
      let ended = false;
      const p = new MultipartParser(B, {
        partBegin() {},
        partData(d) {
          received += d.length;
          if (d.buffer === piece.buffer) aliased += d.length;
        },
        partEnd() {
          ended = true;
        },
      });
      p.feed(bytes(`--${B}\r\nContent-Disposition: form-data; name="big"; filename="big.bin"\r\n\r\n`));
      let maxCarried = 0;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < count; i++) {
        p.feed(piece);
        if (p.carried > maxCarried) maxCarried = p.carried;
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      p.feed(bytes(`\r\n--${B}--\r\n`));
      p.end();
      const total = count * piece.length;
      assert.ok(ended);
      assert.equal(received, total);
      assert.ok(maxCarried <= B.length + 8, `carried ${maxCarried}`);
      assert.ok(maxCarried >= B.length, 'the test did not exercise the carry-over');
      assert.ok(aliased > total * 0.99, `only ${aliased} of ${total} bytes handed out as views`);
      console.log(`      multipart: ${(total / 1e6).toFixed(1)} MB in ${(seconds * 1000).toFixed(0)} ms = ${(total / 1e6 / seconds).toFixed(0)} MB/s, max carry-over ${maxCarried} bytes`);
    });
  });
});
