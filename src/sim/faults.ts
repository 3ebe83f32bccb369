// Fault injection for /v1/chat/completions. Whether a call faults is a pure function of (seed, request, how many
// times this same request has already been faulted), not of arrival order: two runs that send the same requests get
// the same faults however their calls interleave, and a retried request gets a fresh draw.
import { createRng, hashString } from './prng';
import type { Rng } from './prng';
import type { SimFaults } from './types';

export type FaultKind = 'none' | '429' | '5xx' | 'hang' | 'malformed';
/** What one call gets; a '5xx' carries its status, 500 or 503 evenly. */
export type Fault = { kind: Exclude<FaultKind, '5xx'> } | { kind: '5xx'; status: 500 | 503 };
const NO_FAULT: Fault = { kind: 'none' };

export const DEFAULT_HANG_MS = 10 * 60 * 1000;
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

export class FaultInjector {
  private faults: SimFaults = {};
  private injected = 0;
  /** Faults injected so far per request (by key hash), kept only until that request is served: a retry's attempt. */
  private readonly faulted = new Map<number, number>();
  private readonly seed: number;
  /** Latency jitter only (timing, never content). */
  private readonly rng: Rng;

  constructor(seed: number, faults: SimFaults = {}) {
    this.seed = hashString('faults', seed);
    this.rng = createRng(this.seed);
    this.set(faults);
  }

  /** Replaces all knobs (and restarts the maxFaults budget). */
  set(faults: SimFaults): void {
    this.faults = { ...faults };
    this.injected = 0;
    this.faulted.clear();
  }

  get(): SimFaults {
    return { ...this.faults };
  }

  private serving = 0;
  private readonly queue: Array<() => void> = [];

  /** Waits for a serving slot when `capacity` is set; call the returned function when done. */
  async slot(): Promise<() => void> {
    const cap = this.faults.capacity;
    if (cap !== undefined && cap > 0) {
      while (this.serving >= cap) await new Promise<void>((r) => this.queue.push(r));
    }
    this.serving++;
    return () => {
      this.serving--;
      this.queue.shift()?.();
    };
  }

  latencyMs(): number {
    const l = this.faults.latencyMs;
    if (l === undefined) return 0;
    if (typeof l === 'number') return Math.max(0, l);
    return Math.max(0, this.rng.uniform(l[0], l[1]));
  }

  /**
   * One draw per chat call, from `requestKey` (the request's identity; called only when some rate is set) and the
   * number of times that same request was faulted before. Malformed only applies to JSON roles.
   */
  decide(requestKey: () => string, jsonRole: boolean): Fault {
    const f = this.faults;
    const rates: Array<[FaultKind, number | undefined]> = [
      ['429', f.rate429],
      ['5xx', f.rate5xx],
      ['hang', f.rateHang],
      ['malformed', jsonRole ? f.rateMalformed : 0],
    ];
    if (!rates.some(([, rate]) => (rate ?? 0) > 0)) return NO_FAULT;
    if (f.maxFaults !== undefined && this.injected >= f.maxFaults) return NO_FAULT;
    const id = hashString(requestKey(), this.seed);
    const attempt = this.faulted.get(id) ?? 0;
    const rng = createRng(hashString(`attempt ${attempt}`, id));
    const u = rng.next();
    let edge = 0;
    for (const [kind, rate] of rates) {
      edge += rate ?? 0;
      if (u < edge) {
        this.injected++;
        this.faulted.set(id, attempt + 1);
        return kind === '5xx' ? { kind, status: rng.next() < 0.5 ? 500 : 503 } : { kind };
      }
    }
    this.faulted.delete(id);
    return NO_FAULT;
  }

  retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  }

  hangMs(): number {
    return this.faults.hangMs ?? DEFAULT_HANG_MS;
  }
}

/** Cut a JSON reply so it no longer parses (keeps the opening so it still "looks like" JSON). */
export function truncateJson(content: string): string {
  const cut = Math.max(1, Math.floor(content.length * 0.6));
  return content.slice(0, cut);
}
