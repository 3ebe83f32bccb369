// Near-duplicate guard for generated questions: keeps the generator from collapsing onto one easy-to-judge template.

export type ShingleUnit = 'word' | 'char';

export interface DedupOptions {
  /** Jaccard similarity at or above which two questions are near-duplicates. */
  threshold: number;
  /** Shingle length, in words or characters. */
  shingleSize: number;
  unit?: ShingleUnit;
}

/** Lowercase (after Unicode NFKC), punctuation → space, whitespace runs → one space, trimmed. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Set of shingles (contiguous runs of `size` words or characters) of the normalised text. A text shorter than one
 * shingle yields itself as its only shingle; an empty text yields the empty set.
 */
export function shingles(text: string, size: number, unit: ShingleUnit = 'word'): Set<string> {
  const norm = normalizeText(text);
  const out = new Set<string>();
  if (norm === '') return out;
  const k = Math.max(1, Math.floor(size));
  const tokens = unit === 'word' ? norm.split(' ') : Array.from(norm);
  const sep = unit === 'word' ? ' ' : '';
  if (tokens.length <= k) {
    out.add(tokens.join(sep));
    return out;
  }
  for (let i = 0; i + k <= tokens.length; i++) out.add(tokens.slice(i, i + k).join(sep));
  return out;
}

/** |A ∩ B| / |A ∪ B|; two empty sets are identical (1). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const s of small) if (large.has(s)) inter++;
  return inter / (a.size + b.size - inter);
}

export function textSimilarity(a: string, b: string, opts: Omit<DedupOptions, 'threshold'>): number {
  return jaccard(shingles(a, opts.shingleSize, opts.unit), shingles(b, opts.shingleSize, opts.unit));
}

/**
 * For each text, the index of the first earlier text it near-duplicates (Jaccard ≥ threshold), or null. The first
 * occurrence of a template is never marked; every later copy points at the earliest match. O(n²) pairs, fine for
 * batches of a few thousand questions.
 */
export function findNearDuplicates(texts: readonly string[], opts: DedupOptions): Array<number | null> {
  const sets = texts.map((t) => shingles(t, opts.shingleSize, opts.unit));
  return sets.map((s, i) => {
    for (let j = 0; j < i; j++) if (jaccard(s, sets[j] as Set<string>) >= opts.threshold) return j;
    return null;
  });
}

/** Reward after the duplicate penalty: a later near-duplicate keeps (1 − penalty) of its reward. */
export function applyDuplicatePenalty(reward: number, isDuplicate: boolean, penalty: number): number {
  return isDuplicate ? reward * (1 - Math.min(1, Math.max(0, penalty))) : reward;
}
