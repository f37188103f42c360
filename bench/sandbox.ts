/**
 * The parent's handle on the sandbox child (sandbox-process.ts).
 */
import { resolve } from 'node:path';

import { ChildClient, forkTypeScript } from './ipc';

/** The sandbox's limiters the bench sets (test/sandbox/types.ts has the rest). */
export interface RateLimit {
	/** Global rate of test mode (and of live mode unless livePerSecond is set). */
	requestsPerSecond: number;
	livePerSecond?: number;
	/** Per endpoint (method + path template), both modes. */
	endpointPerSecond?: number;
	/** Every rate a token bucket holding this many seconds of it, instead of a sliding window (test/sandbox/types.ts). */
	bucketSeconds?: number;
}

export interface StartOptions {
	/** Full-access keys the sandbox accepts (default: the test key only); sk_live_… ones act in live mode. */
	secretKeys?: string[];
}

export interface RateLimitStats {
	accepted: number;
	limited: number;
	maxInAnyWindow: number;
	/** Newer sandboxes: 429s by Stripe-Rate-Limited-Reason, and each endpoint's own counts. */
	limitedByReason?: Record<string, number>;
	endpoints?: Record<string, { accepted: number; limited: number; maxInAnyWindow: number }>;
	peakInFlight?: number;
}

/** Requests and their answers over one second of a run, counted from the first request's arrival. */
export interface SecondCounts {
	/** Requests that arrived in this second (every status). */
	requests: number;
	/** Of those, answered 429. */
	limited: number;
}

/**
 * The portal sessions by input item, for runs whose items each carry a unique id in the Return
 * URL's `item` query parameter, and the run's 429s second by second.
 */
export interface ItemStats {
	/** Session POSTs received (every status). */
	sessionPosts: number;
	/** Items with at least one session created (a 200 not replayed from the idempotency store). */
	itemsWithSession: number;
	/** Sessions created beyond one per item: each is a second session for an item that already had one. */
	duplicates: number;
	/** Items with more than one session, and how many distinct idempotency keys made them (first few). */
	duplicateItems: Array<{ item: string; sessions: number; keys: number }>;
	/** 200s replayed from the idempotency store (a retry of a request that had gone through). */
	replayed: number;
	/** Successful session POSTs whose Return URL names no item: the run was not set up as expected. */
	unattributed: number;
	/** From the first request's arrival to the last one's, in ms. */
	arrivalSpanMs: number;
	/** The first and last request's arrival as wall-clock time (ms since 1970), for other processes' clocks; null without requests. */
	firstArrivalEpochMs: number | null;
	lastArrivalEpochMs: number | null;
	/**
	 * Requests that arrived in the second half of that span, and how many of them were answered
	 * 429: the steady state, once whatever the run's start set off has settled.
	 */
	secondHalf: SecondCounts;
	timeline: SecondCounts[];
}

export interface SandboxStats {
	requests: number;
	/** Responses by HTTP status, or null when the sandbox does not record a request's status. */
	statuses: Record<string, number> | null;
	/** null when the sandbox has no rate-limit mode. */
	rateLimit: RateLimitStats | null;
	sessions: number;
	/** The first few, if any: a bench figure is void when the sandbox itself failed. */
	internalErrors: string[];
}

export class SandboxProcess {
	private constructor(private readonly client: ChildClient) {}

	static launch(): SandboxProcess {
		return new SandboxProcess(new ChildClient(forkTypeScript(resolve(__dirname, 'sandbox-process.ts')), 'The sandbox process'));
	}

	/** Replaces the running sandbox with a fresh one (new port, new data); resolves to its base URL. */
	async start(limit?: RateLimit, options: StartOptions = {}): Promise<string> {
		return await this.client.call<string>('start', limit ?? null, options);
	}

	async setRateLimit(limit: RateLimit | undefined): Promise<void> {
		await this.client.call('setRateLimit', limit ?? null);
	}

	async reset(): Promise<void> {
		await this.client.call('reset');
	}

	async stats(): Promise<SandboxStats> {
		return await this.client.call<SandboxStats>('stats');
	}

	async itemStats(): Promise<ItemStats> {
		return await this.client.call<ItemStats>('itemStats');
	}

	/** Every session POST as [ms since the run's first request, status (0: none), Idempotency-Key]. */
	async sessionPostLog(): Promise<Array<[number, number, string]>> {
		return await this.client.call<Array<[number, number, string]>>('sessionPostLog');
	}

	async sessionCount(): Promise<number> {
		return await this.client.call<number>('sessionCount');
	}

	async close(): Promise<void> {
		await this.client.close();
	}
}
