// The only bridge between the sandboxed renderer and the main process: two functions that
// move contract envelopes, nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_EVENT, IPC_REQUEST } from '../core/carriers/ipc.ts';
import type { EventEnvelope, RequestEnvelope, ResponseEnvelope } from '../core/contract.ts';

contextBridge.exposeInMainWorld('kairo', {
  request: (env: RequestEnvelope): Promise<ResponseEnvelope> => ipcRenderer.invoke(IPC_REQUEST, env),
  onEvent: (cb: (e: EventEnvelope) => void): void => {
    ipcRenderer.on(IPC_EVENT, (_event, env: EventEnvelope) => cb(env));
  },
});
