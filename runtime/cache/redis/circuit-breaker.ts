/**
 * Stops calling a failing dependency for a while. Without it, a Redis that is down or hung costs every
 * read its full timeout; with it, after `failureThreshold` consecutive failures reads skip the cache for
 * `openMs`, then one probe is let through (half-open): success closes the circuit, failure reopens it.
 */
export interface CircuitBreakerOptions {
  readonly failureThreshold?: number;
  readonly openMs?: number;
  readonly now?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 3;
    this.openMs = options.openMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.failures < this.failureThreshold) return 'closed';
    return this.now() - this.openedAt >= this.openMs ? 'half-open' : 'open';
  }

  /** May a call go through now? In half-open state only one probe at a time does. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
  }

  failure(): void {
    this.probing = false;
    this.failures++;
    if (this.failures >= this.failureThreshold) this.openedAt = this.now();
  }
}
