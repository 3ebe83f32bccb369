import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json lives). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
