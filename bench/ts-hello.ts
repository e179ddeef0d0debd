// examples/helloworld.lua written against the TypeScript API, for the
// benchmark: the same page, headers and errors, with the handler in
// TypeScript. Run: npx moonbridge-lua dist/bench/ts-hello.js [port]
// (BENCH_MB_CMD="node bin/moonbridge-lua dist/bench/ts-hello.js" npm run bench).
import { http, listen, type Request } from '../src/api/index';

const port = Number(process.argv[2] ?? 8080);

const HELLO_PAGE = `<!DOCTYPE html>
<html>
<head><title>Hello World Application</title></head>
<body><h1>Hello World!</h1></body>
</html>
`;

function errorPage(req: Request, status: string, allow?: string): void {
  req.sendStatus(status);
  if (allow !== undefined) req.sendHeader('Allow', allow);
  req.sendHeader('Content-Type', 'text/html; charset=UTF-8');
  req.sendData(`<!DOCTYPE html>\n<html>\n<head><title>${status}</title></head>\n<body><h1>${http.encodeHtml(status)}</h1></body>\n</html>\n`);
}

listen({
  listeners: [{ proto: 'tcp', host: '127.0.0.1', port }, { proto: 'tcp', host: '::1', port }],
  connect: http.generateHandler((req) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') {
      errorPage(req, '405 Method not allowed', 'GET, HEAD');
    } else if (req.path === '') {
      req.sendStatus('200 OK');
      req.sendHeader('Content-Type', 'text/html; charset=UTF-8');
      req.sendData(HELLO_PAGE);
    } else {
      errorPage(req, '404 Not Found');
    }
    return true;
  }),
});
