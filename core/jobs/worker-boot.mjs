// Workers started from source (CLI, web host, tests) compile TypeScript on the fly; the
// packaged app starts the bundled worker instead and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
