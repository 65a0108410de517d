/**
 * An evenly paced open-loop load generator, for "p99 at half the max rate". autocannon's `overallRate`
 * gives each connection a per-second quota that it spends back to back and then idles until the next
 * second, so its latencies at "half rate" are those of half-second bursts at full speed. Here requests
 * leave on a 1 ms timer at a steady rate over raw keep-alive sockets (prebuilt request bytes, a minimal
 * response parser: the server always sends Content-Length); a latency runs from the send, or from the
 * moment the request was due when it had to wait for a free socket.
 */
import { connect, type Socket } from 'node:net';
import { LatencyRecorder, type CaseResult } from './measure.ts';

export interface PacedCase {
  readonly name: string;
  readonly url: string;
  readonly apiKey: string;
  readonly bodies: readonly string[];
  readonly rate: number;
  readonly durationSec: number;
  /** Sockets to spread requests over; a request waits for a free one (counted in its latency). */
  readonly sockets?: number;
}

interface Conn {
  readonly socket: Socket;
  buffer: Buffer;
  sentAt: number;
  busy: boolean;
  closed: boolean;
}

export async function runPaced(c: PacedCase): Promise<CaseResult> {
  const url = new URL(c.url);
  const requests = c.bodies.map((body) =>
    Buffer.from(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${c.apiKey}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ),
  );
  const recorder = new LatencyRecorder();
  let errors = 0;
  let issued = 0;
  const queue: number[] = []; // enqueue times of requests waiting for a socket
  const idle: Conn[] = [];
  const conns: Conn[] = [];

  const send = (conn: Conn, since = performance.now()) => {
    conn.busy = true;
    conn.sentAt = since;
    conn.socket.write(requests[issued++ % requests.length]!);
  };
  const onDone = (conn: Conn, ok: boolean) => {
    const now = performance.now();
    if (ok) recorder.record(now - conn.sentAt);
    else errors++;
    conn.busy = false;
    if (conn.closed) return;
    const waiting = queue.shift();
    if (waiting !== undefined) send(conn, waiting);
    else idle.push(conn);
  };

  for (let i = 0; i < (c.sockets ?? 64); i++) {
    const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const conn: Conn = { socket, buffer: Buffer.alloc(0), sentAt: 0, busy: false, closed: false };
    socket.on('data', (chunk: Buffer) => {
      conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
      const end = conn.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = conn.buffer.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(length)) {
        socket.destroy(new Error('paced load: a response without Content-Length'));
        return;
      }
      if (conn.buffer.length < end + 4 + length) return;
      conn.buffer = conn.buffer.subarray(end + 4 + length);
      onDone(conn, head.startsWith('HTTP/1.1 200'));
    });
    socket.on('error', () => errors++);
    // A server may close a keep-alive socket (idle timeout): its request, if any, failed; it is not reused.
    socket.on('close', () => {
      conn.closed = true;
      if (conn.busy) onDone(conn, false);
      const at = idle.indexOf(conn);
      if (at >= 0) idle.splice(at, 1);
    });
    conns.push(conn);
    idle.push(conn);
  }

  const start = performance.now();
  const stopAt = start + c.durationSec * 1000;
  let due = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const target = Math.floor(((Math.min(now, stopAt) - start) * c.rate) / 1000);
      for (; due < target; due++) {
        // Oldest idle first: every socket stays in use, so none sits idle into a keep-alive timeout.
        const conn = idle.shift();
        if (conn) send(conn);
        else queue.push(now);
      }
      if (now < stopAt) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // Let the last requests finish (bounded), then close.
  const drainUntil = performance.now() + 5000;
  while ((queue.length > 0 || conns.some((k) => k.busy)) && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 5));
  for (const conn of conns) conn.socket.destroy();
  const seconds = (performance.now() - start) / 1000;
  return { name: c.name, rate: recorder.count / seconds, p50: recorder.percentile(50), p99: recorder.percentile(99), count: recorder.count, errors: errors + queue.length };
}
