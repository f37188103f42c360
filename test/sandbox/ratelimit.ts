/**
 * Stripe's API limiters as docs.stripe.com/rate-limits describes them, checked on arrival before
 * anything else (as Stripe's limiters run before its idempotency layer): a global rate per mode
 * (live and test have their own limits), a rate per endpoint (method + path template, a stricter
 * one for search), and concurrency limits on the requests in flight. Each is optional apart from
 * the global rate; the stats are kept with or without limits, so a test can check a client's own
 * throttle: how many were accepted and limited (and why), the busiest second overall and per
 * endpoint, and the most requests in flight at once.
 */
import type { RateLimit, RateLimitedReason, RateLimitStats, WindowStats } from './types';

export const WINDOW_MS = 1000;

/** The response header naming the limiter behind a 429. */
export const RATE_LIMITED_REASON_HEADER = 'Stripe-Rate-Limited-Reason';

/**
 * The limits Stripe documents (docs.stripe.com/rate-limits): 25 requests/s in test mode, 100 in
 * live mode, 25/s per endpoint, 20/s for search. Stripe gives no number for its concurrency limiter.
 */
export const STRIPE_DOCUMENTED_RATE_LIMIT: Readonly<RateLimit> = Object.freeze({
	requestsPerSecond: 25,
	livePerSecond: 100,
	endpointPerSecond: 25,
	searchPerSecond: 20,
});

const REASONS: readonly RateLimitedReason[] = [
	'global-rate',
	'global-concurrency',
	'endpoint-rate',
	'endpoint-concurrency',
	'resource-specific',
];

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

/**
 * One sliding 1000 ms window over accepted requests, with its counts: accepted, limited, and the
 * most accepted requests in any 1000 ms. Only accepted requests occupy it, so under a limit no
 * 1000 ms span ever holds more than the limit.
 */
export class SlidingWindow {
	private readonly ring = new TimeRing();
	private accepted = 0;
	private limited = 0;
	private maxInAnyWindow = 0;

	/** Whether a request arriving at `now` (monotonic ms) fits under `limit` (undefined: no limit). */
	fits(now: number, limit: number | undefined): boolean {
		this.ring.evictThrough(now - WINDOW_MS);
		return limit === undefined || this.ring.length < limit;
	}

	/** Counts an accepted request arriving at `now`. */
	take(now: number): void {
		this.ring.evictThrough(now - WINDOW_MS);
		this.ring.push(now);
		this.accepted++;
		// The busiest window ends at some accepted request, and this is the count ending at this one.
		if (this.ring.length > this.maxInAnyWindow) this.maxInAnyWindow = this.ring.length;
	}

	/** Counts a refused request. */
	refuse(): void {
		this.limited++;
	}

	get stats(): WindowStats {
		return { accepted: this.accepted, limited: this.limited, maxInAnyWindow: this.maxInAnyWindow };
	}

	clear(): void {
		this.ring.clear();
		this.accepted = 0;
		this.limited = 0;
		this.maxInAnyWindow = 0;
	}
}

/**
 * A rate as Stripe's engineers describe their request limiter (stripe.com/blog/rate-limiters): a
 * token bucket that refills at the rate and holds `seconds` of it (at least one request), so a
 * short burst passes and the average stays at the rate. The sliding window above is the stricter
 * reading of "N per second": every 1000 ms span, however placed, holds at most N. Under the
 * window, processes that cannot see each other lose a whole request of a low limit to timing (at
 * 5/s two evenly paced processes at 2.5/s each put three each into some second); under the
 * bucket only their average counts. The stats stay a sliding window's, so the busiest second
 * shows the bursts the bucket let through.
 */
export class TokenBucket extends SlidingWindow {
	private tokens = Number.NaN;
	private refilledAt = 0;

	constructor(private readonly seconds: number) {
		super();
	}

	override fits(now: number, limit: number | undefined): boolean {
		super.fits(now, undefined);
		if (limit === undefined) return true;
		const capacity = Math.max(1, limit * this.seconds);
		this.tokens = Number.isNaN(this.tokens) ? capacity : Math.min(capacity, this.tokens + ((now - this.refilledAt) * limit) / WINDOW_MS);
		this.refilledAt = now;
		return this.tokens >= 1;
	}

	override take(now: number): void {
		if (!Number.isNaN(this.tokens)) this.tokens -= 1;
		super.take(now);
	}

	override clear(): void {
		super.clear();
		this.tokens = Number.NaN;
	}
}

export function checkRateLimit(limit: RateLimit | undefined): void {
	if (limit === undefined) return;
	const counts = ['requestsPerSecond', 'livePerSecond', 'endpointPerSecond', 'searchPerSecond', 'concurrency', 'endpointConcurrency'] as const;
	for (const name of counts) {
		const value = limit[name];
		if ((name === 'requestsPerSecond' || value !== undefined) && !(Number.isInteger(value) && (value as number) >= 1))
			throw new Error(`rateLimit.${name} must be a positive integer, got ${value}`);
	}
	const bucket = limit.bucketSeconds;
	if (bucket !== undefined && !(Number.isFinite(bucket) && bucket > 0)) throw new Error(`rateLimit.bucketSeconds must be a number > 0, got ${bucket}`);
	const retry = limit.retryAfterSeconds;
	if (retry !== undefined && !(Number.isFinite(retry) && retry >= 0))
		throw new Error(`rateLimit.retryAfterSeconds must be a number >= 0, got ${retry}`);
}

/** A single global rate over every request, whatever its mode or endpoint (the sandbox uses ApiLimiter). */
export class RateLimiter {
	limit: RateLimit | undefined;
	private readonly window: SlidingWindow;

	constructor(limit: RateLimit | undefined) {
		checkRateLimit(limit);
		this.limit = limit;
		this.window = budgetFor(limit);
	}

	/** Counts a request arriving at `now` (monotonic ms) and says whether it may go on. */
	admit(now: number): boolean {
		if (!this.window.fits(now, this.limit?.requestsPerSecond)) {
			this.window.refuse();
			return false;
		}
		this.window.take(now);
		return true;
	}

	get stats(): WindowStats {
		return this.window.stats;
	}

	/** Forgets the counts and the window (not the limit). */
	clear(): void {
		this.window.clear();
	}
}

/** What the limiters need to know of a request. */
export interface LimiterRequest {
	/** Sent with a live-mode key (sk_live_, rk_live_); anything else counts as test mode. */
	live: boolean;
	/** The endpoint, e.g. 'GET /v1/customers/{id}'; undefined for a path the sandbox does not serve (global limits only). */
	endpoint?: string;
	/** A search endpoint (searchPerSecond instead of endpointPerSecond). */
	search?: boolean;
}

/** Either the request may go on (call release() once it is answered or abandoned), or the limiter that refused it. */
export type Admission = { release: () => void } | { reason: RateLimitedReason };

/** Every limiter of one sandbox, with budgets per mode, and the stats over all requests. */
export class ApiLimiter {
	limit: RateLimit | undefined;
	/** Budgets: 'test' / 'live' for the global rate, '<mode> <endpoint>' for an endpoint's. */
	private readonly windows = new Map<string, SlidingWindow>();
	/** Stats only: every accepted request, and each endpoint's, both modes together. */
	private readonly all = new SlidingWindow();
	private readonly endpoints = new Map<string, SlidingWindow>();
	/** Requests in flight under the same keys as `windows`. */
	private readonly inFlight = new Map<string, number>();
	private totalInFlight = 0;
	private peakInFlight = 0;
	private limitedByReason = zeroByReason();

	constructor(limit: RateLimit | undefined) {
		checkRateLimit(limit);
		this.limit = limit;
	}

	/**
	 * Counts a request arriving at `now` (monotonic ms) and either admits it, occupying every
	 * window and in-flight count it falls under, or names the first limiter it is over, in the
	 * order global rate, endpoint rate, global concurrency, endpoint concurrency. A refused
	 * request occupies nothing.
	 */
	admit(now: number, request: LimiterRequest): Admission {
		const mode = request.live ? 'live' : 'test';
		const endpointKey = request.endpoint === undefined ? undefined : `${mode} ${request.endpoint}`;
		const reason = this.refusal(now, request, mode, endpointKey);
		const endpointStats = request.endpoint === undefined ? undefined : windowIn(this.endpoints, request.endpoint);
		if (reason) {
			this.limitedByReason[reason]++;
			this.all.refuse();
			endpointStats?.refuse();
			return { reason };
		}
		const keys = endpointKey === undefined ? [mode] : [mode, endpointKey];
		for (const key of keys) {
			this.budget(key).take(now);
			this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
		}
		this.all.take(now);
		endpointStats?.take(now);
		this.totalInFlight++;
		if (this.totalInFlight > this.peakInFlight) this.peakInFlight = this.totalInFlight;
		let released = false;
		return {
			release: () => {
				if (released) return;
				released = true;
				for (const key of keys) this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
				this.totalInFlight--;
			},
		};
	}

	private refusal(now: number, request: LimiterRequest, mode: string, endpointKey: string | undefined): RateLimitedReason | undefined {
		const limit = this.limit;
		if (!limit) return undefined;
		const globalRate = request.live ? (limit.livePerSecond ?? limit.requestsPerSecond) : limit.requestsPerSecond;
		if (!this.budget(mode).fits(now, globalRate)) return 'global-rate';
		const endpointRate = request.search ? (limit.searchPerSecond ?? limit.endpointPerSecond) : limit.endpointPerSecond;
		if (endpointKey !== undefined && !this.budget(endpointKey).fits(now, endpointRate)) return 'endpoint-rate';
		if (limit.concurrency !== undefined && (this.inFlight.get(mode) ?? 0) >= limit.concurrency) return 'global-concurrency';
		if (
			endpointKey !== undefined &&
			limit.endpointConcurrency !== undefined &&
			(this.inFlight.get(endpointKey) ?? 0) >= limit.endpointConcurrency
		)
			return 'endpoint-concurrency';
		return undefined;
	}

	/** A budget's window, or bucket when the limit asks for one; a budget of the other kind is started afresh. */
	private budget(key: string): SlidingWindow {
		const existing = this.windows.get(key);
		const bucket = this.limit?.bucketSeconds !== undefined;
		if (existing && existing instanceof TokenBucket === bucket) return existing;
		const created = budgetFor(this.limit);
		this.windows.set(key, created);
		return created;
	}

	get stats(): Omit<RateLimitStats, 'lockTimeouts'> {
		return {
			...this.all.stats,
			limitedByReason: { ...this.limitedByReason },
			endpoints: Object.fromEntries([...this.endpoints].map(([name, w]) => [name, w.stats])),
			inFlight: this.totalInFlight,
			peakInFlight: this.peakInFlight,
		};
	}

	/**
	 * Forgets the windows and the counts (not the limit). Requests still in flight stay counted
	 * until they are released, since they are still open; the peak starts again from them.
	 */
	clear(): void {
		this.windows.clear();
		this.endpoints.clear();
		this.all.clear();
		this.limitedByReason = zeroByReason();
		this.peakInFlight = this.totalInFlight;
	}
}

function zeroByReason(): Record<RateLimitedReason, number> {
	return Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<RateLimitedReason, number>;
}

function budgetFor(limit: RateLimit | undefined): SlidingWindow {
	return limit?.bucketSeconds === undefined ? new SlidingWindow() : new TokenBucket(limit.bucketSeconds);
}

function windowIn(map: Map<string, SlidingWindow>, key: string): SlidingWindow {
	let w = map.get(key);
	if (!w) {
		w = new SlidingWindow();
		map.set(key, w);
	}
	return w;
}
