// Fault injection for /v1/chat/completions, from a seeded PRNG so a bench run is reproducible for a
// given arrival order.
import { createRng, hashString } from './prng';
import type { Rng } from './prng';
import type { SimFaults } from './types';

export type FaultKind = 'none' | '429' | '5xx' | 'hang' | 'malformed';

export const DEFAULT_HANG_MS = 10 * 60 * 1000;
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

export class FaultInjector {
  private faults: SimFaults = {};
  private injected = 0;
  private readonly rng: Rng;

  constructor(seed: number, faults: SimFaults = {}) {
    this.rng = createRng(hashString('faults', seed));
    this.set(faults);
  }

  /** Replaces all knobs (and restarts the maxFaults budget). */
  set(faults: SimFaults): void {
    this.faults = { ...faults };
    this.injected = 0;
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

  /** One draw per chat call; malformed only applies to JSON roles. */
  decide(jsonRole: boolean): FaultKind {
    const f = this.faults;
    if (f.maxFaults !== undefined && this.injected >= f.maxFaults) return 'none';
    const u = this.rng.next();
    let edge = 0;
    const kinds: Array<[FaultKind, number | undefined]> = [
      ['429', f.rate429],
      ['5xx', f.rate5xx],
      ['hang', f.rateHang],
      ['malformed', jsonRole ? f.rateMalformed : 0],
    ];
    for (const [kind, rate] of kinds) {
      edge += rate ?? 0;
      if (u < edge) {
        this.injected++;
        return kind;
      }
    }
    return 'none';
  }

  /** 500 or 503, evenly. */
  serverErrorStatus(): 500 | 503 {
    return this.rng.next() < 0.5 ? 500 : 503;
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
