// The request bodies of the form-POST scenarios (bench/form.ts), built once
// and sent unchanged to both servers, so that both parse exactly the same bytes.

import { createHash } from 'crypto';

export interface FormRequest {
  name: string;
  path: string;
  contentType: string;
  body: Buffer;
}

/** ~1 KB urlencoded form of 10 fields; values use %XX escapes and "+" so that
 *  decoding is part of the work (and of the digest: decoded lengths). */
export function urlencodedRequest(): FormRequest {
  const fields: string[] = [];
  for (let i = 0; i < 10; i++) {
    // 90 characters of value, some escaped: "+" is a space, %C3%A4 is "ä" (2 bytes).
    const value = `value+${i}+%C3%A4%26%3D` + 'abcdefghij'.repeat(8) + `+end${i}`;
    fields.push(`field${i}=${value}`);
  }
  const body = Buffer.from(fields.join('&'), 'latin1');
  return { name: 'urlencoded', path: '/urlencoded', contentType: 'application/x-www-form-urlencoded', body };
}

export const UPLOAD_FILE_SIZE = 1024 * 1024;
export const UPLOAD_FILE_NAME = 'data.bin';

/** multipart/form-data: two small text fields and one 1 MiB file field.
 *  The file bytes are a deterministic pseudo-random stream (SHA-256 chain),
 *  checked not to contain the boundary. */
export function uploadRequest(): FormRequest {
  const boundary = '----moonbridgeBenchBoundary7f3a9c21e4';
  const blocks: Buffer[] = [];
  let seed = Buffer.from('moonbridge-lua bench');
  let size = 0;
  while (size < UPLOAD_FILE_SIZE) {
    seed = createHash('sha256').update(seed).digest();
    blocks.push(seed);
    size += seed.length;
  }
  const file = Buffer.concat(blocks).subarray(0, UPLOAD_FILE_SIZE);
  if (file.includes(boundary)) throw new Error('upload body contains the boundary');
  const crlf = '\r\n';
  const head = (disposition: string, type?: string): string =>
    `--${boundary}${crlf}Content-Disposition: form-data; ${disposition}${crlf}` +
    (type !== undefined ? `Content-Type: ${type}${crlf}` : '') +
    crlf;
  const body = Buffer.concat([
    Buffer.from(head('name="title"') + 'Quarterly report' + crlf, 'latin1'),
    Buffer.from(head('name="note"') + 'uploaded by the benchmark' + crlf, 'latin1'),
    Buffer.from(head(`name="file"; filename="${UPLOAD_FILE_NAME}"`, 'application/octet-stream'), 'latin1'),
    file,
    Buffer.from(`${crlf}--${boundary}--${crlf}`, 'latin1'),
  ]);
  return { name: 'upload', path: '/upload', contentType: `multipart/form-data; boundary=${boundary}`, body };
}
