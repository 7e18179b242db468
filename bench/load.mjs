// The load generator of `npm run bench` (D93): `connections` raw TCP connections to one loopback
// endpoint, each sending the same HTTP/1.1 request again as soon as the previous answer is complete,
// for `seconds`. It reads answers by Content-Length, and opens a new connection when the server
// closes one (moto's Werkzeug answers `Connection: close` to every request; autocannon never reads
// those answers, so it cannot measure moto). Runs in a process of its own and prints one JSON line:
//   { "ok": <2xx answers>, "failed": <other answers and broken connections>, "seconds": <elapsed>,
//     "p50": <ms>, "p99": <ms> }   (latencies of the 2xx answers, from request sent to answer complete)
//
//   node bench/load.mjs '{"url":"http://127.0.0.1:4599","headers":{...},"body":"...","connections":16,"seconds":5}'
import { connect } from 'node:net';

const { url, headers, body, connections, seconds } = JSON.parse(process.argv[2]);
const { hostname, port } = new URL(url);
const payload = Buffer.from(body);
const request = Buffer.concat([
  Buffer.from(
    `POST / HTTP/1.1\r\nhost: ${hostname}:${port}\r\n` +
      Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
      `content-length: ${payload.length}\r\nconnection: keep-alive\r\n\r\n`,
  ),
  payload,
]);

const HEADER_END = Buffer.from('\r\n\r\n');
const latencies = [];
let ok = 0;
let failed = 0;
const started = process.hrtime.bigint();
const deadline = started + BigInt(Math.round(seconds * 1e9));

/**
 * One connection's loop; resolves when the time is up. A connection the server closed is replaced;
 * each socket's events touch only its own state, so a late 'close' of a replaced socket is ignored.
 */
function run() {
  return new Promise((finish) => {
    let done = false;
    const stop = () => {
      if (!done) {
        done = true;
        finish();
      }
    };

    const open = () => {
      let buffered = Buffer.alloc(0);
      let sentAt = 0n;
      let expected = -1; // total bytes of the current answer, once its header is read
      let status = 0;
      let closeAfter = false; // the current answer said Connection: close
      let waiting = false; // a request is out and its answer not complete
      let replaced = false; // this socket is finished with: its 'close' means nothing
      const socket = connect({ host: hostname, port: Number(port), noDelay: true }, () => send());

      const retire = () => {
        replaced = true;
        socket.destroy();
      };
      const send = () => {
        if (process.hrtime.bigint() >= deadline) {
          retire();
          stop();
          return;
        }
        sentAt = process.hrtime.bigint();
        waiting = true;
        socket.write(request);
      };

      socket.on('data', (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        if (expected < 0) {
          const end = buffered.indexOf(HEADER_END);
          if (end < 0) return;
          const head = buffered.subarray(0, end).toString('latin1');
          status = Number(head.slice(9, 12));
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          if (!length) throw new Error(`${url} answered without Content-Length: ${head.split('\r\n')[0]}`);
          expected = end + HEADER_END.length + Number(length[1]);
          closeAfter = /\r\nconnection:\s*close/i.test(head);
        }
        if (buffered.length < expected) return;
        const elapsed = Number(process.hrtime.bigint() - sentAt) / 1e6;
        waiting = false;
        if (status >= 200 && status < 300) {
          ok++;
          latencies.push(elapsed);
        } else {
          failed++;
        }
        if (closeAfter) {
          retire();
          if (process.hrtime.bigint() >= deadline) stop();
          else open();
          return;
        }
        buffered = buffered.subarray(expected);
        expected = -1;
        send();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (replaced) return;
        if (waiting) failed++; // the connection broke before its answer was complete
        if (process.hrtime.bigint() < deadline) open();
        else stop();
      });
    };
    open();
  });
}

await Promise.all(Array.from({ length: connections }, run));
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? null;
process.stdout.write(`${JSON.stringify({ ok, failed, seconds: elapsed, p50: at(0.5), p99: at(0.99) })}\n`);
