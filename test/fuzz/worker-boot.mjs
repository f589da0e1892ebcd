// The fuzz worker runs from source: compile its TypeScript on the fly.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
