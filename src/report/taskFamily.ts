// A cheap "task family" label per question, for the generator's task-mix chart. The simulator marks its
// questions with `[sim:task=<type>#<n>]`; real questions get their first word, a rough proxy the report names.
const SIM_TASK = /\[sim:task=([A-Za-z0-9_-]+)#\d+\]/;

export type TaskLabelSource = 'sim-marker' | 'first-word';

export function taskFamily(question: string): { label: string; source: TaskLabelSource } {
  const marker = SIM_TASK.exec(question);
  if (marker) return { label: marker[1]!, source: 'sim-marker' };
  const word = /[\p{L}\p{N}][\p{L}\p{N}'_-]*/u.exec(question)?.[0]?.toLowerCase();
  return { label: word ? word.slice(0, 24) : '(empty)', source: 'first-word' };
}

/** Keeps the `max - 1` most frequent labels (over all iterations) and folds the rest into "other". */
export function topFamilies(mixes: Array<Record<string, number>>, max: number): string[] {
  const totals = new Map<string, number>();
  for (const m of mixes) for (const [k, v] of Object.entries(m)) totals.set(k, (totals.get(k) ?? 0) + v);
  const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  return sorted.length <= max ? sorted.sort() : [...sorted.slice(0, max - 1).sort(), 'other'];
}
