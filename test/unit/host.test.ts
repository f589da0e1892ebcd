// The browser host survives any request: malformed URLs, foreign Host headers, malformed HTTP,
// oversized and malformed WebSocket frames. Each case is followed by proof that it still serves.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, startHost, type Host } from '../../core/host/server.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
// In the real host an uncaught exception stops the process; here it is recorded and asserted on.
const uncaught: string[] = [];
process.on('uncaughtException', (e) => uncaught.push(e.message));
let host: Host;
before(async () => (host = await startHost({ rendererDir: 'dist/renderer' })));
after(() => host.close());

/** One raw HTTP exchange; resolves with the status line (or '' if the socket closed without one). */
function raw(request: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(host.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    s.write(request);
    setTimeout(() => s.end(), 300);
  });
}

async function stillServes(): Promise<void> {
  const page = await fetch(`http://127.0.0.1:${host.port}/`);
  assert.equal(page.status, 200);
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
  const reply = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ t: 'req', id: 7, method: 'jobs.list' })));
    ws.on('message', (d) => resolve(String(d)));
    ws.on('error', reject);
  });
  assert.equal(JSON.parse(reply).id, 7);
  ws.close();
}

test('malformed URLs and bad HTTP get an error status and the host keeps serving', async () => {
  const h = `Host: 127.0.0.1:${host.port}\r\n`;
  for (const path of ['/%', '/%c0%ae', '//[', '/%00', '/..%2f..%2fpackage.json', '/%E0%A4%A']) {
    const status = await raw(`GET ${path} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`);
    assert.match(status, /^HTTP\/1\.1 (400|403|200)/, `${path}: ${status}`);
    await stillServes();
  }
  assert.match(await raw('NONSENSE\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw(`GET / HTTP/1.1\r\n${'X-A: b\r\n'.repeat(20000)}\r\n`), /^HTTP\/1\.1 4\d\d|^$/);
  assert.match(await raw(`POST / HTTP/1.1\r\n${h}Content-Length: 0\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 405/);
  await stillServes();
});

test('only the host’s own names are answered (DNS rebinding), for pages and WebSockets', async () => {
  assert.match(await raw(`GET / HTTP/1.1\r\nHost: evil.example:${host.port}\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 421/);
  assert.match(await raw(`GET / HTTP/1.1\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 (400|421)/);
  assert.match(await raw(`GET / HTTP/1.1\r\nHost: localhost:${host.port}\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 200/);
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, {
      origin: `http://127.0.0.1:${host.port}`,
      headers: { Host: `rebind.example:${host.port}` },
    });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', () => {});
  });
  assert.equal(status, 421);
  await stillServes();
});

test('an oversized message, invalid UTF-8 and a bad opcode close that socket only', async () => {
  const open = async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
    ws.on('error', () => {});
    await new Promise((r) => ws.on('open', r));
    return ws;
  };
  const closed = (ws: WebSocket) => new Promise<number>((r) => ws.on('close', (code) => r(code)));
  let ws = await open();
  let c = closed(ws);
  ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
  assert.equal(await c, 1009);
  await stillServes();
  ws = await open();
  c = closed(ws);
  ws.send(Buffer.from([0x7b, 0xc0, 0xae, 0x7d]), { binary: false });
  assert.equal(await c, 1007);
  await stillServes();
  // A frame with a reserved opcode (0x3), written on the raw socket under the ws client.
  ws = await open();
  c = closed(ws);
  (ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
  assert.ok([1002, 1006].includes(await c));
  await stillServes();
  assert.deepEqual(uncaught, []);
});

/** Resolves with the milliseconds until the host closes a socket that sends one header byte every `everyMs`. */
function trickle(everyMs: number, limitMs: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(host.port, '127.0.0.1');
    const bytes = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nX-Slow: ${'a'.repeat(100)}`;
    let i = 0;
    const timer = setInterval(() => {
      if (i < bytes.length && s.writable) s.write(bytes[i++]!);
    }, everyMs);
    const done = () => {
      clearInterval(timer);
      resolve(Date.now() - t0);
    };
    s.on('error', done);
    s.on('close', done);
    setTimeout(() => s.destroy(), limitMs);
  });
}

test('half-sent connections are closed once the header timeout passes (a trickle of bytes does not keep them)', async () => {
  // Five connections each sending a header byte every second: before the fix they stayed open
  // for minutes; now each is closed within HEADERS_TIMEOUT_MS plus the one-second check.
  const { HEADERS_TIMEOUT_MS } = await import('../../core/host/server.ts');
  const times = await Promise.all(Array.from({ length: 5 }, () => trickle(1000, HEADERS_TIMEOUT_MS + 8000)));
  for (const t of times) assert.ok(t < HEADERS_TIMEOUT_MS + 3000, `closed after ${t} ms`);
  await stillServes();
});

test('connections above the cap are refused, and the host serves again once they close', async () => {
  const { MAX_CONNECTIONS } = await import('../../core/host/server.ts');
  const open = await Promise.all(
    Array.from(
      { length: MAX_CONNECTIONS + 20 },
      () =>
        new Promise<import('node:net').Socket>((resolve) => {
          const s = connect(host.port, '127.0.0.1');
          s.on('error', () => {});
          s.on('connect', () => resolve(s));
          setTimeout(() => resolve(s), 2000);
        }),
    ),
  );
  // The server drops the surplus sockets as they arrive.
  await new Promise((r) => setTimeout(r, 300));
  const alive = open.filter((s) => !s.destroyed && s.readyState === 'open').length;
  assert.ok(alive <= MAX_CONNECTIONS + 1, `${alive} connections open`);
  for (const s of open) s.destroy();
  await new Promise((r) => setTimeout(r, 200));
  await stillServes();
});

test('an error quotes a bounded part of what it was sent', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
  const name = 'x'.repeat(10 * 1024 * 1024);
  const reply = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ t: 'req', id: 9, method: 'session.tensor', params: { name } })));
    ws.on('message', (d) => resolve(String(d)));
    ws.on('error', reject);
  });
  ws.close();
  const res = JSON.parse(reply);
  assert.equal(res.ok, false);
  assert.ok(reply.length < 1000, `the reply is ${reply.length} bytes`);
  assert.match(res.error.message, /^this session has no tensor "x+…$/);
});

test('a job worker that runs out of memory fails its own job while the host keeps answering', async () => {
  const { Core } = await import('../../core/core.ts');
  const core = new Core({
    platform: { carrier: 'web' },
    jobs: { workerUrl: new URL('../fixtures/greedy-worker.mjs', import.meta.url), workerHeapMb: 64 },
  });
  const greedy = await startHost({ rendererDir: 'dist/renderer', core });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${greedy.port}/ws?token=${greedy.token}`, {
      origin: `http://127.0.0.1:${greedy.port}`,
    });
    const replies = new Map<number, { ok: boolean; result?: { id: string } }>();
    const ended: { state: string; error: { message: string } | null }[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.t === 'res') replies.set(m.id, m);
      else if (m.topic === 'job.update' && !['queued', 'running'].includes(m.payload.state)) ended.push(m.payload);
    });
    const params = { source: { kind: 'mnist' }, epochs: 1, batchSize: 100, learningRate: 0.1, trainSize: 100, seed: 1 };
    ws.send(JSON.stringify({ t: 'req', id: 1, method: 'jobs.start', params: { kind: 'data.baseline', params } }));
    // The host answers while the worker grows towards its limit, and after it is gone.
    let sent = 0;
    for (; sent < 600 && ended.length === 0; sent++) {
      ws.send(JSON.stringify({ t: 'req', id: 100 + sent, method: 'jobs.list' }));
      await new Promise((r) => setTimeout(r, 100));
    }
    ws.send(JSON.stringify({ t: 'req', id: 99, method: 'jobs.list' }));
    for (let t = 0; t < 200 && !replies.has(99); t++) await new Promise((r) => setTimeout(r, 50));
    // Replies come in order, so once the last one is in, every request sent while the job ran is answered.
    const answeredWhileRunning = [...replies.keys()].filter((id) => id >= 100).length;
    assert.equal(replies.get(1)?.ok, true, JSON.stringify(replies.get(1)));
    assert.equal(answeredWhileRunning, sent, 'every request sent while the job ran is answered');
    assert.ok(sent > 0);
    assert.equal(replies.get(99)?.ok, true);
    assert.equal(ended.length, 1);
    assert.equal(ended[0]!.state, 'failed');
    assert.match(ended[0]!.error!.message, /ran out of memory/);
    ws.close();
  } finally {
    await greedy.close();
  }
});

/** One request over the host's WebSocket; resolves with its response envelope. */
async function ask(method: string, params: unknown): Promise<{ ok: boolean; error?: { message: string } }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
  try {
    return await new Promise((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ t: 'req', id: 5, method, params })));
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        if (m.t === 'res') resolve(m);
      });
      ws.on('error', reject);
    });
  } finally {
    ws.close();
  }
}

test('through the host: a huge sweep grid is refused at once, and data paths are checked before anything reads them', async () => {
  const r = Array.from({ length: 1000 }, (_, i) => i + 1);
  const t0 = Date.now();
  const big = await ask('jobs.start', {
    kind: 'sweep.local',
    params: { spec: { command: ['fisher', 'theory'], grid: { width: r, samples: r, seed: r } } },
  });
  assert.equal(big.ok, false);
  assert.match(big.error!.message, /1,000,000,000 runs; one sweep runs at most 100,000/);
  assert.ok(Date.now() - t0 < 10_000);
  // Outside the workspace, a missing file and a device answer the same: nothing is read or told.
  for (const f of ['/nonexistent/x.idx', '/dev/zero', '/etc/passwd']) {
    const res = await ask('jobs.start', {
      kind: 'data.baseline',
      params: {
        source: { kind: 'idx', name: 'x', trainImages: f, trainLabels: f },
        epochs: 1,
        batchSize: 2,
        learningRate: 0.1,
        trainSize: 0,
        seed: 1,
      },
    });
    assert.equal(res.ok, false);
    assert.match(res.error!.message, /outside the workspace/, f);
  }
  await stillServes();
});
