// Plays Slack's side for the ack benchmark, in its own process so neither the apps nor the load generator pay
// for it: response_url targets (`POST /response/<id>`, counted) and a Web API that answers `{ok:true}`.
// `GET /stats` returns the counts. Usage: node --import tsx bench/servers/sink.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exitWithParent, ready } from '../lib/child.js';

let responses = 0;
let apiCalls = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ responses, apiCalls }));
    return;
  }
  req.resume();
  req.on('end', () => {
    if (req.url?.startsWith('/response/')) responses++;
    else apiCalls++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  ready({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
exitWithParent(() => new Promise<void>((resolve) => server.close(() => resolve())));
