// Stable sample indices: every model call gets a `seed` derived from what it is (campaign seed, iteration,
// step, question, regime, sample, pass), so a retried activity repeats the same requests (and hits the
// request cache) while different samples differ. 31 bits: some servers reject larger seeds.
import { seedFrom } from '../domain';

export const sampleIndex = (...parts: Array<string | number>): number => seedFrom(...parts) & 0x7fffffff;
