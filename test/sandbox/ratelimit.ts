/**
 * Sliding one-second rate limit over every request that reaches the sandbox, checked before
 * anything else (as Stripe's limiters run before its idempotency layer), plus the facts a
 * throttle test wants: how many were accepted and limited, and the busiest second so far.
 */
import type { RateLimit, RateLimitStats } from './types';

export const WINDOW_MS = 1000;

/**
 * Arrival times of the accepted requests of the last second, oldest first, in a ring that
 * doubles when full. Each time is pushed once and evicted once, so a check is O(1) amortised
 * however many requests a benchmark sends.
 */
class TimeRing {
	private buf = new Float64Array(64);
	private head = 0;
	private size = 0;

	get length(): number {
		return this.size;
	}

	/** Drops the times at or before `cutoff`. */
	evictThrough(cutoff: number): void {
		const mask = this.buf.length - 1;
		while (this.size > 0 && this.buf[this.head] <= cutoff) {
			this.head = (this.head + 1) & mask;
			this.size--;
		}
	}

	push(t: number): void {
		if (this.size === this.buf.length) this.grow();
		this.buf[(this.head + this.size) & (this.buf.length - 1)] = t;
		this.size++;
	}

	clear(): void {
		this.head = 0;
		this.size = 0;
	}

	private grow(): void {
		const next = new Float64Array(this.buf.length * 2);
		for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
		this.buf = next;
		this.head = 0;
	}
}

export function checkRateLimit(limit: RateLimit | undefined): void {
	if (limit === undefined) return;
	if (!Number.isInteger(limit.requestsPerSecond) || limit.requestsPerSecond < 1)
		throw new Error(`rateLimit.requestsPerSecond must be a positive integer, got ${limit.requestsPerSecond}`);
	const retry = limit.retryAfterSeconds;
	if (retry !== undefined && !(Number.isFinite(retry) && retry >= 0))
		throw new Error(`rateLimit.retryAfterSeconds must be a number >= 0, got ${retry}`);
}

export class RateLimiter {
	limit: RateLimit | undefined;
	private readonly window = new TimeRing();
	private accepted = 0;
	private limited = 0;
	private maxInAnyWindow = 0;

	constructor(limit: RateLimit | undefined) {
		checkRateLimit(limit);
		this.limit = limit;
	}

	/**
	 * Counts a request arriving at `now` (monotonic ms) and says whether it may go on. Only
	 * accepted requests occupy the window, so no 1000 ms span ever holds more than the limit.
	 * Without a limit every request is accepted and still counted, so a test can check a
	 * client's own throttle through maxInAnyWindow.
	 */
	admit(now: number): boolean {
		this.window.evictThrough(now - WINDOW_MS);
		if (this.limit && this.window.length >= this.limit.requestsPerSecond) {
			this.limited++;
			return false;
		}
		this.window.push(now);
		this.accepted++;
		// The busiest window ends at some accepted request, and this is the count ending at this one.
		if (this.window.length > this.maxInAnyWindow) this.maxInAnyWindow = this.window.length;
		return true;
	}

	get stats(): RateLimitStats {
		return { accepted: this.accepted, limited: this.limited, maxInAnyWindow: this.maxInAnyWindow };
	}

	/** Forgets the counts and the window (not the limit). */
	clear(): void {
		this.window.clear();
		this.accepted = 0;
		this.limited = 0;
		this.maxInAnyWindow = 0;
	}
}
