// The lab commands `kairo sweep` may run, each with its flags and entry point, from the lab
// registry (core/labs/index.ts). Importing this module loads the labs' CLI modules.
import type { LabCommand } from '../labs/kit/cli.ts';
import { labCommands } from '../labs/index.ts';

export const LAB_COMMANDS: ReadonlyMap<string, LabCommand> = await labCommands();
