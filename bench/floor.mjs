// The transport floor of `npm run bench`: a bare node:http server on loopback that reads each
// request's body and answers, per X-Amz-Target, the fixed bytes byok-kms answered to that request
// (passed as JSON on stdin: { "<target>": "<body>" }), with the same protocol headers. Nothing is
// parsed or computed: what is left is what node:http itself costs. Prints its endpoint when ready.
import { createServer } from 'node:http';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const bodies = new Map(Object.entries(JSON.parse(Buffer.concat(chunks).toString('utf8'))).map(([target, body]) => [target, Buffer.from(body)]));
const fallback = Buffer.from('{}');

const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    const body = bodies.get(req.headers['x-amz-target']) ?? fallback;
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-RequestId': '5b0f9a4e-0000-4000-8000-000000000000',
      'content-length': String(body.length),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`floor listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
