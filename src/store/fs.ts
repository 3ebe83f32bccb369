// Filesystem artifact store. Writes go to `<final>.tmp-<random>` and are renamed into place, so a reader never sees
// a partial file at a final path; reads verify sha256 and size against the ref before parsing.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { countLines, parseJson, parseJsonl, rowsOfExisting, serialiseJson, serialiseRow, sha256Hex } from './format';
import { validateKey } from './keys';
import { ArtifactFormatError, ArtifactIntegrityError, ArtifactKeyError } from './types';
import type { ArtifactRef, ArtifactStore } from './types';

/** Rows are buffered up to this size before each write, keeping memory flat for large shards. */
const WRITE_CHUNK_BYTES = 1 << 20;

export class FileArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
  }

  /** Absolute path of a key, guaranteed to stay inside the root. */
  pathFor(key: string): string {
    validateKey(key);
    const file = resolve(this.root, ...key.split('/'));
    const rel = relative(this.root, file);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new ArtifactKeyError(key, 'resolves outside the store root');
    }
    return file;
  }

  async putJsonl(key: string, rows: unknown[]): Promise<ArtifactRef> {
    const file = this.pathFor(key);
    return this.writeAtomic(file, rows.length, async (write) => {
      let buf: string[] = [];
      let size = 0;
      for (let i = 0; i < rows.length; i++) {
        const line = serialiseRow(rows[i], file, i + 1);
        buf.push(line);
        size += line.length;
        if (size >= WRITE_CHUNK_BYTES) {
          await write(buf.join(''));
          buf = [];
          size = 0;
        }
      }
      if (buf.length > 0) await write(buf.join(''));
    });
  }

  async getJsonl<T = unknown>(ref: ArtifactRef): Promise<T[]> {
    const { file, text } = await this.readVerified(ref);
    return parseJsonl<T>(text, file, ref.rows);
  }

  async putJson(key: string, value: unknown): Promise<ArtifactRef> {
    const file = this.pathFor(key);
    const text = serialiseJson(value, file);
    return this.writeAtomic(file, 1, (write) => write(text));
  }

  async getJson<T>(ref: ArtifactRef): Promise<T> {
    const { file, text } = await this.readVerified(ref);
    return parseJson<T>(text, file);
  }

  async putText(key: string, text: string, ext?: string): Promise<ArtifactRef> {
    const fullKey = ext && !key.endsWith(`.${ext}`) ? `${key}.${ext}` : key;
    const file = this.pathFor(fullKey);
    return this.writeAtomic(file, countLines(text), (write) => write(text));
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathFor(key))).isFile();
    } catch (err) {
      if (err instanceof ArtifactKeyError) throw err;
      return false;
    }
  }

  async refFor(key: string): Promise<ArtifactRef | null> {
    const file = this.pathFor(key);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch {
      return null;
    }
    const rows = rowsOfExisting(key, data.toString('utf8'));
    return { uri: pathToFileURL(file).href, sha256: sha256Hex(data), rows, bytes: data.length };
  }

  private async writeAtomic(
    file: string,
    rows: number,
    produce: (write: (chunk: string) => Promise<void>) => Promise<void>,
  ): Promise<ArtifactRef> {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    const hash = createHash('sha256');
    let bytes = 0;
    const handle = await open(tmp, 'wx');
    try {
      await produce(async (chunk) => {
        const data = Buffer.from(chunk, 'utf8');
        hash.update(data);
        bytes += data.length;
        await handle.write(data);
      });
      await handle.close();
      await rename(tmp, file);
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    return { uri: pathToFileURL(file).href, sha256: hash.digest('hex'), rows, bytes };
  }

  private async readVerified(ref: ArtifactRef): Promise<{ file: string; text: string }> {
    if (!ref.uri.startsWith('file:')) {
      throw new ArtifactFormatError(ref.uri, undefined, 'not a file:// artifact; this store reads only local files');
    }
    const file = fileURLToPath(ref.uri);
    const data = await readFile(file);
    const actual = { sha256: sha256Hex(data), bytes: data.length };
    if (actual.sha256 !== ref.sha256 || actual.bytes !== ref.bytes) {
      throw new ArtifactIntegrityError(file, { sha256: ref.sha256, bytes: ref.bytes }, actual);
    }
    return { file, text: data.toString('utf8') };
  }
}
