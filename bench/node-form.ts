// The Node http side of the form-POST scenarios: bench/apps/form.lua written
// with Node's own `http` module, in one process.
//
//   node dist/bench/node-form.js <port>
//
// urlencoded bodies are parsed with URLSearchParams, multipart bodies with a
// straightforward Buffer.indexOf split on the boundary. The answers are the
// same digest lines as form.lua's, with Content-Length.

import * as http from 'http';

function answer(res: http.ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text, 'latin1');
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}

function urlencodedDigest(body: Buffer): string {
  // Moonbridge's post_params keeps the first value of a repeated name; the
  // benchmark form has distinct names, so a Map of first values matches it.
  const first = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body.toString('latin1'))) {
    if (!first.has(name)) first.set(name, value);
  }
  let bytes = 0;
  // URLSearchParams decodes %XX as UTF-8 into a JS string; Lua counts bytes.
  for (const value of first.values()) bytes += Buffer.byteLength(value, 'utf8');
  return `fields=${first.size} value_bytes=${bytes}\n`;
}

interface Part {
  name: string;
  fileName: string | null;
  contentType: string | null;
  data: Buffer;
}

function multipartParts(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const afterDelimiter = pos + delimiter.length;
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) break; // "--": close delimiter
    const headStart = afterDelimiter + 2; // CRLF after the delimiter
    const headEnd = body.indexOf('\r\n\r\n', headStart, 'latin1');
    if (headEnd < 0) break;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`, 'latin1'), headEnd + 4);
    if (next < 0) break;
    const head = body.toString('latin1', headStart, headEnd);
    const disposition = /^content-disposition:(.*)$/im.exec(head)?.[1] ?? '';
    const type = /^content-type:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? null;
    parts.push({
      name: /\bname="([^"]*)"/.exec(disposition)?.[1] ?? '',
      fileName: /\bfilename="([^"]*)"/.exec(disposition)?.[1] ?? null,
      contentType: type,
      data: body.subarray(headEnd + 4, next),
    });
    pos = next + 2;
  }
  return parts;
}

function uploadDigest(body: Buffer, contentType: string): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const parts = boundary === null ? [] : multipartParts(body, boundary[1] ?? boundary[2]);
  const names = new Set(parts.map((p) => p.name));
  const file = parts.find((p) => p.name === 'file');
  return (
    `fields=${names.size} file_size=${file !== undefined ? file.data.length : -1} ` +
    `file_name=${file?.fileName ?? '-'} content_type=${file?.contentType ?? '-'}\n`
  );
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST') answer(res, 405, 'POST only\n');
    else if (path === '/urlencoded') answer(res, 200, urlencodedDigest(body));
    else if (path === '/upload') answer(res, 200, uploadDigest(body, req.headers['content-type'] ?? ''));
    else answer(res, 404, 'not found\n');
  });
}

function main(): void {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    process.stderr.write('usage: node node-form.js <port>\n');
    process.exit(1);
  }
  const server = http.createServer(handle);
  server.on('error', (err) => {
    process.stderr.write(`node-form: 127.0.0.1:${port}: ${err.message}\n`);
    process.exit(3);
  });
  server.listen(port, '127.0.0.1');
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
