// `app.info`: what the app shows about itself (versions, the compute backend, the labs).
import type { AppInfo, LabId } from './contract.ts';
import { CONTRACT_VERSION } from './contract.ts';
import { LAB_IDS, LABS } from './labs/index.ts';
import { SESSION_SCHEMA_VERSION } from './session/session.ts';
import { APP_VERSION } from './version.ts';

export async function appInfo(carrier: AppInfo['carrier']): Promise<AppInfo> {
  return {
    version: APP_VERSION,
    contractVersion: CONTRACT_VERSION,
    sessionSchemaVersion: SESSION_SCHEMA_VERSION,
    carrier,
    // TensorFlow.js loads only when asked for (about a second): a CLI command or a host that never
    // calls app.info starts without it.
    backend: await (await import('./backend.ts')).initBackend(),
    labs: LAB_IDS,
    labTitles: Object.fromEntries(LAB_IDS.map((id) => [id, LABS[id].title])) as Record<LabId, string>,
  };
}
