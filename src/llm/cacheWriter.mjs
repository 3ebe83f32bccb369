// @ts-check
// The request cache's writer thread (see FileRequestCache in cache.ts). Each message is a batch of entries
// [file, text]; each is written atomically (tmp + rename, no fsync) and the batch is answered with the indices that
// failed and why. Plain JavaScript so it loads the same under tsx, vitest and plain node.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';

if (!parentPort) throw new Error('cacheWriter.mjs runs as a worker thread of the request cache');
const port = parentPort;
const madeDirs = new Set();
// Tmp names unique across processes sharing a cache folder (random prefix, drawn once) and per write.
const tmpPrefix = `${process.pid}-${randomBytes(4).toString('hex')}`;
let tmpCounter = 0;

port.on('message', (/** @type {{ batch: number, entries: Array<[string, string]> }} */ msg) => {
  /** @type {Array<[number, string]>} */
  const errors = [];
  msg.entries.forEach(([file, text], i) => {
    const dir = dirname(file);
    const tmp = `${file}.tmp-${tmpPrefix}-${tmpCounter++}`;
    try {
      if (!madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        madeDirs.add(dir);
      }
      try {
        writeFileSync(tmp, text);
      } catch (err) {
        // The folder was removed since (someone cleared the cache): make it again, once.
        if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err;
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, text);
      }
      renameSync(tmp, file);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // the tmp file was never created
      }
      errors.push([i, err instanceof Error ? err.message : String(err)]);
    }
  });
  port.postMessage({ batch: msg.batch, errors });
});
