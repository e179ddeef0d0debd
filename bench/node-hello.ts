// The reference server of the benchmark: examples/helloworld.lua written with
// Node's own `http` module, in one process.
//
//   node dist/bench/node-hello.js <port>
//
// Like the Lua app it listens on 127.0.0.1 and ::1 and answers "/" with the
// hello page (GET and HEAD), any other path with 404 and any other method with
// 405 (Allow: GET, HEAD). The body goes out chunked (res.write + res.end, no
// Content-Length), as moonbridge_http sends it.

import * as http from 'http';
import { CONTENT_TYPE, HELLO_PAGE_BYTES, errorPage } from './pages';

function sendError(res: http.ServerResponse, status: number, text: string, allow?: string): void {
  res.statusCode = status;
  res.statusMessage = text;
  if (allow !== undefined) res.setHeader('Allow', allow);
  res.setHeader('Content-Type', CONTENT_TYPE);
  res.write(errorPage(status + ' ' + text));
  res.end();
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'Method not allowed', 'GET, HEAD');
  } else if (path === '/') {
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPE);
    res.write(HELLO_PAGE_BYTES);
    res.end();
  } else {
    sendError(res, 404, 'Not Found');
  }
}

function main(): void {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    process.stderr.write('usage: node node-hello.js <port>\n');
    process.exit(1);
  }
  const server = http.createServer(handle);
  server.listen(port, '127.0.0.1');
  server.on('error', (err) => {
    process.stderr.write(`node-hello: 127.0.0.1:${port}: ${err.message}\n`);
    process.exit(3);
  });
  // IPv6 is optional: a host without ::1 still serves the benchmark on IPv4.
  const server6 = http.createServer(handle);
  server6.on('error', (err) => {
    process.stderr.write(`node-hello: [::1]:${port}: ${err.message} (IPv6 listener skipped)\n`);
  });
  server6.listen(port, '::1');
  const stop = (): void => {
    server.close();
    server6.close();
    server.closeAllConnections();
    server6.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
