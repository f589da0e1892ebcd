import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { bindIpc, IPC_EVENT, IPC_REQUEST, type EventSink, type IpcMainLike } from '../../core/carriers/ipc.ts';
import type { ResponseEnvelope, ServerEnvelope } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { startHost } from '../../core/host/server.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();

test('the core answers every malformed request with a typed error envelope', async () => {
  const core = new Core({ platform: { carrier: 'web' } });
  const cases: [unknown, string, RegExp][] = [
    [null, 'bad_request', /malformed request envelope/],
    [{ t: 'req', id: 1, method: 'no.such' }, 'bad_request', /unknown method "no\.such"/],
    [{ t: 'req', id: 2, method: 'toString', params: {} }, 'bad_request', /unknown method/],
    [{ t: 'req', id: 3, method: 'data.summary', params: 5 }, 'bad_request', /params must be an object/],
    [
      { t: 'req', id: 4, method: 'data.summary', params: { source: { kind: 'cifar' } } },
      'invalid_input',
      /unknown dataset kind "cifar"/,
    ],
    [{ t: 'req', id: 5, method: 'jobs.start', params: { kind: 'rm -rf', params: {} } }, 'bad_request', /unknown job kind/],
    [{ t: 'req', id: 6, method: 'jobs.cancel', params: { id: 'x' } }, 'not_found', /no job with id x/],
    [{ t: 'req', id: 7, method: 'session.open', params: { path: '/nonexistent/x.kairo' } }, 'not_found', /no such file/],
  ];
  for (const [env, code, re] of cases) {
    const res = await core.handle(env);
    assert.equal(res.ok, false, JSON.stringify(env));
    if (!res.ok) {
      assert.equal(res.error.code, code, res.error.message);
      assert.match(res.error.message, re);
    }
  }
  await core.shutdown();
});

test('the IPC carrier moves JSON envelopes both ways and unbinds cleanly', async () => {
  const core = new Core({ platform: { carrier: 'electron' } });
  const handlers = new Map<string, (e: unknown, ...a: unknown[]) => unknown>();
  const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
  const sent: unknown[] = [];
  const sink: EventSink = { send: (c, e) => void sent.push([c, JSON.parse(JSON.stringify(e))]), isDestroyed: () => false };
  const unbind = bindIpc(ipc, core, () => sink);
  // Round-trip through JSON, as the stricter of the two carriers would.
  const call = async (env: unknown) =>
    JSON.parse(JSON.stringify(await handlers.get(IPC_REQUEST)!({}, JSON.parse(JSON.stringify(env))))) as ResponseEnvelope;
  const ok = await call({ t: 'req', id: 9, method: 'session.get', params: {} });
  assert.equal(ok.id, 9);
  assert.equal(ok.ok, true);
  const bad = await call({ t: 'req', id: 10, method: 'session.update', params: { lab: 'data', state: { split: 'x' } } });
  assert.equal(bad.ok, false);
  core.emit('menu', { command: 'session.save' });
  assert.deepEqual(sent, [[IPC_EVENT, { t: 'evt', topic: 'menu', payload: { command: 'session.save' } }]]);
  unbind();
  assert.equal(handlers.size, 0);
  core.emit('menu', { command: 'session.save' });
  assert.equal(sent.length, 1);
  await core.shutdown();
});

test('the WebSocket host refuses wrong tokens and foreign origins and serves the right ones', async () => {
  const host = await startHost({ rendererDir: 'dist/renderer' });
  after(() => host.close());
  const origin = `http://127.0.0.1:${host.port}`;
  const attempt = (token: string, o: string) =>
    new Promise<number | 'open'>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${token}`, { origin: o });
      ws.on('open', () => (ws.close(), resolve('open')));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
  assert.equal(await attempt('wrong', origin), 401);
  assert.equal(await attempt('', origin), 401);
  assert.equal(await attempt(host.token, 'http://evil.example'), 403);
  assert.equal(await attempt(host.token, origin), 'open');
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=/);

  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin });
  await new Promise((r) => ws.on('open', r));
  const got: ServerEnvelope[] = [];
  ws.on('message', (d) => got.push(JSON.parse(String(d))));
  ws.send(JSON.stringify({ t: 'req', id: 1, method: 'data.summary', params: { source: { kind: 'mnist' } } }));
  ws.send('not json');
  host.core.emit('menu', { command: 'session.open' });
  // Until the summary arrives: loading MNIST can take more than a fixed wait on a busy machine.
  for (let t = 0; t < 1200 && !got.some((e) => e.t === 'res' && e.id === 1); t++) await new Promise((r) => setTimeout(r, 50));
  const res = got.find((e) => e.t === 'res' && e.id === 1) as ResponseEnvelope & {
    ok: true;
    result: { train: { count: number } };
  };
  assert.equal(res.result.train.count, 60000);
  assert.ok(got.some((e) => e.t === 'res' && !e.ok && e.error.code === 'bad_request'));
  assert.ok(got.some((e) => e.t === 'evt' && e.topic === 'menu'));
  ws.close();

  const page = await fetch(`http://127.0.0.1:${host.port}/`);
  assert.match(await page.text(), /<div id="app">/);
  const traversal = await fetch(`http://127.0.0.1:${host.port}/..%2f..%2fpackage.json`);
  assert.doesNotMatch(await traversal.text(), /"name": "kairo"/);
});
