// Artifact keys are relative, '/'-separated paths such as `campaigns/<c>/iter-0003/answers/shard-0002.jsonl`.
import { ArtifactKeyError } from './types';

export function validateKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new ArtifactKeyError(String(key), 'empty key');
  if (key.includes('\0')) throw new ArtifactKeyError(key, 'contains a NUL byte');
  if (key.includes('\\')) throw new ArtifactKeyError(key, "use '/' as separator, not '\\'");
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw new ArtifactKeyError(key, 'absolute paths are not allowed');
  const segments = key.split('/');
  if (segments.some((s) => s === '..')) throw new ArtifactKeyError(key, "'..' segments are not allowed");
  if (segments.some((s) => s === '' || s === '.')) throw new ArtifactKeyError(key, "empty or '.' path segment");
  if (/\.tmp-[0-9a-f]+$/.test(key)) throw new ArtifactKeyError(key, 'reserved temporary-file suffix');
  return key;
}
