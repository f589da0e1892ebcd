// The Electron carrier of the contract, written against the small part of Electron's API it
// uses so that it runs (and is tested) in plain Node; Electron's own objects satisfy these
// interfaces, which tsc checks in electron/main.ts.
import type { EventEnvelope } from '../contract.ts';
import type { Core } from '../core.ts';

export const IPC_REQUEST = 'kairo:request';
export const IPC_EVENT = 'kairo:event';

export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface EventSink {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/**
 * Routes renderer requests to the core and core events to the window; returns an unbind.
 * `senderOk` sees every request's IPC event first (Electron: the sending frame's URL must be
 * Kairo's own page); a request from anywhere else is answered 'unauthorized' and never reaches
 * the core.
 */
export function bindIpc(
  ipc: IpcMainLike,
  core: Core,
  sink: () => EventSink | null,
  senderOk: (event: unknown) => boolean = () => true,
): () => void {
  // core.handle never throws: Electron would rewrite a thrown error's message.
  ipc.handle(IPC_REQUEST, (event, env) => {
    if (!senderOk(event)) {
      const id = typeof (env as { id?: unknown } | null)?.id === 'number' ? (env as { id: number }).id : -1;
      return {
        t: 'res',
        id,
        ok: false,
        error: { code: 'unauthorized', message: 'request from a frame that is not Kairo’s window' },
      };
    }
    return core.handle(env);
  });
  const unsubscribe = core.subscribe((e: EventEnvelope) => {
    const s = sink();
    if (s && !s.isDestroyed()) s.send(IPC_EVENT, e);
  });
  return () => {
    ipc.removeHandler(IPC_REQUEST);
    unsubscribe();
  };
}
