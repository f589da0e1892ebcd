// The browser host: serves the built renderer and carries the contract over a WebSocket.
// Bound to 127.0.0.1 only; a per-run token (in the URL fragment, so it never reaches logs or
// Referer headers) and an Origin check keep other local pages and users out. The packaged
// Electron app never starts this.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventEnvelope } from '../contract.ts';
import { Core } from '../core.ts';
import { Recovery } from '../session/recovery.ts';
import { own } from '../own.ts';
import { defaultWorkspace, workspacePolicy } from '../paths.ts';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Connections that never finish their request are closed: the headers must arrive within
 * HEADERS_TIMEOUT_MS and the whole request within REQUEST_TIMEOUT_MS (checked every second), an
 * idle connection is dropped after IDLE_TIMEOUT_MS, and at most MAX_CONNECTIONS are open at once,
 * so a page or process that opens sockets and trickles bytes cannot use up the host's file
 * descriptors (which a save needs). The app itself holds one WebSocket per window.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const IDLE_TIMEOUT_MS = 60_000;
export const MAX_CONNECTIONS = 256;

/** Largest WebSocket message the host accepts; a larger one closes that socket (code 1009). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface HostOptions {
  port?: number;
  rendererDir?: string;
  token?: string;
  /** The folder every session and data path from the page must lie in (default: defaultWorkspace()). */
  workspace?: string;
  core?: Core;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  core: Core;
  close(): Promise<void>;
}

function tokenOk(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHost(opts: HostOptions = {}): Promise<Host> {
  const rendererDir = resolve(opts.rendererDir ?? DEFAULT_RENDERER_DIR);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${rendererDir}/index.html missing): run "npm run build" first`);
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const core =
    opts.core ??
    new Core({
      platform: { carrier: 'web', paths: workspacePolicy(opts.workspace ?? defaultWorkspace()) },
      recovery: new Recovery(),
    });
  let origins: Set<string> = new Set();

  // Only this host's own names: a page on another origin that rebinds a DNS name to 127.0.0.1
  // sends that name in Host, and gets nothing.
  let hosts: Set<string> = new Set();
  const server: Server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
      keepAliveTimeout: 5000,
    },
    (req, res) => {
      // Nothing in a request may throw out of here: an exception would stop the host, and with it
      // the user's unsaved work and running jobs.
      try {
        if (!hosts.has(req.headers.host ?? '')) {
          res.writeHead(421, { 'Content-Type': 'text/plain' }).end('wrong Host header\n');
          return;
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { Allow: 'GET, HEAD' }).end();
          return;
        }
        let path: string;
        try {
          path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        } catch {
          res.writeHead(400).end();
          return;
        }
        const rel = normalize(path).replace(/^([/\\])+/, '');
        let file = join(rendererDir, rel || 'index.html');
        if (path.includes('\0') || (!file.startsWith(rendererDir + sep) && file !== rendererDir)) {
          res.writeHead(403).end();
          return;
        }
        if (!existsSync(file) || !statSync(file).isFile()) file = join(rendererDir, 'index.html');
        res.writeHead(200, {
          'Content-Type': own(TYPES, extname(file)) ?? 'application/octet-stream',
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        createReadStream(file)
          .on('error', () => res.destroy())
          .pipe(res);
      } catch {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      }
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  // Node's own headersTimeout missed connections here when several trickled at once (five sockets
  // sending a byte a second stayed open), so each socket also gets a deadline of its own: its
  // request's headers must be complete within HEADERS_TIMEOUT_MS of the connection (or of the
  // previous response, on a kept-alive socket), or it is closed.
  const deadlines = new WeakMap<import('node:net').Socket, NodeJS.Timeout>();
  const arm = (socket: import('node:net').Socket) => {
    clearTimeout(deadlines.get(socket));
    deadlines.set(
      socket,
      setTimeout(() => socket.destroy(), HEADERS_TIMEOUT_MS),
    );
  };
  const disarm = (socket: import('node:net').Socket) => clearTimeout(deadlines.get(socket));
  server.on('connection', (socket) => {
    arm(socket);
    socket.on('close', () => disarm(socket));
  });
  server.on('request', (req, res) => {
    disarm(req.socket);
    res.on('finish', () => {
      if (!req.socket.destroyed) arm(req.socket);
    });
  });
  server.on('upgrade', (req) => disarm(req.socket));
  // A socket that sends nothing at all for this long is closed (a WebSocket clears this timeout when
  // it takes the socket over, so an open app window is never cut off).
  server.setTimeout(IDLE_TIMEOUT_MS, (socket) => socket.destroy());
  // Malformed HTTP (bad request lines, oversized headers): drop that connection, nothing else.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  // The largest request the renderer sends is a lab's state (a few MB with 16 recall runs).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('error', () => {});
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, why: string) => {
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      return refuse(400, 'Bad Request');
    }
    if (!hosts.has(req.headers.host ?? '')) return refuse(421, 'Misdirected Request');
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!origins.has(req.headers.origin ?? '')) return refuse(403, 'Forbidden');
    if (!tokenOk(url.searchParams.get('token'), token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const sockets = new Set<WebSocket>();
  const attach = (ws: WebSocket) => {
    sockets.add(ws);
    // An oversized or malformed frame (invalid UTF-8, a bad opcode) closes this socket with its
    // close code; without a listener the error would stop the whole host.
    ws.on('error', () => ws.terminate());
    const unsubscribe = core.subscribe((e: EventEnvelope) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
    });
    ws.on('message', async (data) => {
      let env: unknown;
      try {
        env = JSON.parse(String(data));
      } catch {
        env = null;
      }
      const res = await core.handle(env);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(res));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      unsubscribe();
    });
  };

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    core,
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      await core.shutdown();
    },
  };
}
