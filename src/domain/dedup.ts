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
 * occurrence of a template is never marked; every later copy points at the earliest match.
 *
 * Exact, without comparing every pair: an inverted index from shingle to the earlier texts that have it counts each
 * text's overlaps with all earlier ones at once, and Jaccard = |A ∩ B| / (|A| + |B| − |A ∩ B|) follows from the
 * counts. Texts that share no shingle are never visited (their Jaccard is 0). The pairwise definition it must equal
 * is `findNearDuplicatesPairwise` below (a property test checks them against each other).
 */
export function findNearDuplicates(texts: readonly string[], opts: DedupOptions): Array<number | null> {
  if (opts.threshold <= 0) return texts.map((_, i) => (i === 0 ? null : 0));
  const sets = texts.map((t) => shingles(t, opts.shingleSize, opts.unit));
  const postings = new Map<string, number[]>();
  const overlap = new Int32Array(texts.length);
  let firstEmpty: number | null = null;
  return sets.map((set, i) => {
    let found: number | null = null;
    if (set.size === 0) {
      // Two empty texts are identical (Jaccard 1); an empty and a non-empty one share nothing (0).
      found = 1 >= opts.threshold ? firstEmpty : null;
      firstEmpty ??= i;
      return found;
    }
    const touched: number[] = [];
    for (const sh of set) {
      const list = postings.get(sh);
      if (!list) continue;
      for (const j of list) {
        if (overlap[j] === 0) touched.push(j);
        overlap[j] = (overlap[j] ?? 0) + 1;
      }
    }
    for (const j of touched) {
      const inter = overlap[j]!;
      const other = sets[j]!.size;
      if ((found === null || j < found) && inter / (set.size + other - inter) >= opts.threshold) found = j;
      overlap[j] = 0;
    }
    for (const sh of set) {
      const list = postings.get(sh);
      if (list) list.push(i);
      else postings.set(sh, [i]);
    }
    return found;
  });
}

/** The definition: every earlier text compared with Jaccard, O(n²) set intersections. */
export function findNearDuplicatesPairwise(texts: readonly string[], opts: DedupOptions): Array<number | null> {
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
