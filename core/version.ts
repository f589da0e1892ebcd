// Imported as JSON (not read from disk) so bundles carry the version wherever they land.
import pkg from '../package.json' with { type: 'json' };

export const APP_VERSION: string = pkg.version;
