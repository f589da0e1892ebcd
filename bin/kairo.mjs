#!/usr/bin/env node
// Runs the CLI from source, so `npx kairo` works in a checkout right after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../core/cli/main.ts');
