// Stable sample indices: every model call gets a `seed` derived from what it is (campaign seed, iteration,
// step, question, regime, sample, pass), so a retried activity repeats the same requests (and hits the
// request cache) while different samples differ.
export function sampleIndex(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  const s = parts.join('\u0001');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}
