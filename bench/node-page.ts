// The page of bench/apps/page.lua rendered by Node's own http module in
// JavaScript (template literals, a regex replace for escaping, toFixed):
// the same bytes for the same request.
//
//   node dist/bench/node-page.js <port>

import * as http from 'http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: node-page.js <port>');

const rows = Array.from({ length: 60 }, (_, k) => {
  const i = k + 1;
  return { id: i, name: `Item <${i}> & "co"`, price: i * 1.25, qty: i % 7 };
});

const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' };
const escape = (s: string): string => s.replace(/[<>&"]/g, (c) => ESCAPES[c]);

function render(title: string): string {
  let out = `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1>\n<table>\n`;
  rows.forEach((r, k) => {
    const i = k + 1;
    out += `<tr class="${i % 2 === 0 ? 'even' : 'odd'}"><td>${r.id}</td><td>${escape(r.name)}</td><td>${r.price.toFixed(2)}</td><td>${r.qty}</td></tr>\n`;
  });
  return out + '</table></body></html>\n';
}

http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/page') {
    res.writeHead(404, { 'Content-Length': 10 });
    res.end('not found\n');
    return;
  }
  const body = Buffer.from(render(escape(url.searchParams.get('title') ?? 'Items')), 'latin1');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': body.length });
  res.end(body);
}).listen(port, '127.0.0.1');
