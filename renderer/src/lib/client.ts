// The renderer's end of the contract. The same client runs over Electron IPC (through the
// preload's `window.kairo`) or over the WebSocket host; views never know which.
import type {
  EventEnvelope,
  Events,
  KairoErrorValue,
  Method,
  ParamsOf,
  RequestEnvelope,
  ResponseEnvelope,
  ResultOf,
  ServerEnvelope,
  Topic,
} from '../../../core/contract';

/** 'lost': the host went away; the transport is trying to reconnect. */
export type ConnectionState = 'connected' | 'lost';

export interface Transport {
  request(env: RequestEnvelope): Promise<ResponseEnvelope>;
  onEvent(cb: (e: EventEnvelope) => void): void;
  /** Changes of the connection (the IPC bridge never loses it). */
  onStatus?(cb: (s: ConnectionState) => void): void;
  readonly carrier: 'electron' | 'web';
}

/** Exposed by electron/preload.ts through contextBridge. */
declare global {
  interface Window {
    kairo?: { request(env: RequestEnvelope): Promise<ResponseEnvelope>; onEvent(cb: (e: EventEnvelope) => void): void };
  }
}

export class KairoCallError extends Error implements KairoErrorValue {
  constructor(
    readonly code: KairoErrorValue['code'],
    message: string,
  ) {
    super(message);
  }
}

function ipcTransport(bridge: NonNullable<Window['kairo']>): Transport {
  return { carrier: 'electron', request: (env) => bridge.request(env), onEvent: (cb) => bridge.onEvent(cb) };
}

/** Seconds between reconnection attempts after the host went away: quick at first, then every 5 s. */
const RETRY_S = [0.5, 1, 2, 5];

function wsTransport(url: string): Transport {
  const pending = new Map<number, (r: ResponseEnvelope) => void>();
  const listeners: ((e: EventEnvelope) => void)[] = [];
  const statusListeners: ((s: ConnectionState) => void)[] = [];
  let ws: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let everConnected = false;
  let retries = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const setStatus = (st: ConnectionState) => statusListeners.forEach((l) => l(st));
  const fail = (why: string) => {
    for (const [id, resolve] of pending) resolve({ t: 'res', id, ok: false, error: { code: 'io', message: why } });
    pending.clear();
  };
  // After a lost connection: try again until the host answers (a restarted host keeps its port and token).
  const reconnect = () => {
    if (retryTimer) return;
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        retries++;
        void open().catch(() => reconnect());
      },
      RETRY_S[Math.min(retries, RETRY_S.length - 1)]! * 1000,
    );
  };
  const open = (): Promise<WebSocket> =>
    (opening ??= new Promise((resolve, reject) => {
      const s = new WebSocket(url);
      s.onopen = () => {
        ws = s;
        retries = 0;
        if (everConnected) setStatus('connected');
        everConnected = true;
        resolve(s);
      };
      s.onerror = () =>
        reject(
          new KairoCallError(
            'io',
            everConnected
              ? 'the Kairo host is not answering; reconnecting…'
              : 'cannot connect to the Kairo host: is it running, and is the address (with its #token) the one it printed?',
          ),
        );
      s.onclose = () => {
        const was = ws === s;
        ws = null;
        opening = null;
        fail('the connection to the Kairo host was lost; reconnecting…');
        if (was || everConnected) {
          setStatus('lost');
          reconnect();
        }
      };
      s.onmessage = (m) => {
        const env = JSON.parse(String(m.data)) as ServerEnvelope;
        if (env.t === 'res') {
          pending.get(env.id)?.(env);
          pending.delete(env.id);
        } else for (const l of listeners) l(env);
      };
    }));
  return {
    carrier: 'web',
    async request(env) {
      const s = ws ?? (await open());
      return new Promise((resolve) => {
        pending.set(env.id, resolve);
        s.send(JSON.stringify(env));
      });
    },
    onEvent(cb) {
      listeners.push(cb);
      void open().catch(() => {});
    },
    onStatus(cb) {
      statusListeners.push(cb);
    },
  };
}

export class KairoClient {
  private nextId = 1;
  private readonly handlers = new Map<Topic, Set<(p: never) => void>>();

  constructor(private readonly transport: Transport) {
    transport.onEvent((e) => {
      for (const h of this.handlers.get(e.topic) ?? []) (h as (p: unknown) => void)(e.payload);
    });
  }

  get carrier(): 'electron' | 'web' {
    return this.transport.carrier;
  }

  /** Called when the connection to the host is lost and when it comes back. */
  onStatus(cb: (s: ConnectionState) => void): void {
    this.transport.onStatus?.(cb);
  }

  async call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const res = await this.transport.request({ t: 'req', id: this.nextId++, method, params });
    if (!res.ok) throw new KairoCallError(res.error.code, res.error.message);
    return res.result as ResultOf<M>;
  }

  on<T extends Topic>(topic: T, cb: (payload: Events[T]) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(cb as (p: never) => void);
    return () => set.delete(cb as (p: never) => void);
  }
}

export function connect(): KairoClient {
  if (window.kairo) return new KairoClient(ipcTransport(window.kairo));
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const url = `ws://${location.host}/ws?token=${encodeURIComponent(token)}`;
  return new KairoClient(wsTransport(url));
}
