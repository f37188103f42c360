/**
 * The limiter's simulator: processes that cannot see each other (n8n queue-mode workers), each
 * with its own AccountLimiter from the source tree, on one virtual clock against one Stripe
 * account (a token bucket, as Stripe's engineers describe their limiter, or the sandbox's
 * stricter sliding window). test/transport/limiter.convergence.test.ts checks the budgets'
 * arithmetic with it; bench/limiter-sim.ts prints the cases docs/performance.md reports.
 */
import { AccountLimiter } from '../../nodes/StripeBillingPortal/transport/accountLimiter';
import type { AccountLimits } from '../../nodes/StripeBillingPortal/shared/rateLimits';
import type { Clock } from '../../nodes/StripeBillingPortal/transport/clock';

/** Timers on a virtual time line; run() fires them in order, letting promises settle in between. */
export class VirtualClock implements Clock {
	time = 0;

	private timers: Array<{ at: number; order: number; fire: () => void }> = [];

	private order = 0;

	now = () => this.time;

	/** Seeded, so that every run of the test draws the same jitter. */
	random: () => number;

	/** How late a timer fires: up to `lateMs` for three in ten, up to 3 ms for the rest (a busy worker's event loop), from its own seeded draws. */
	private readonly lateness: () => number;

	constructor(seed: number, lateMs = 0) {
		let state = seed;
		this.random = () => {
			state = (state * 1103515245 + 12345) % 2 ** 31;
			return state / 2 ** 31;
		};
		let lateState = seed * 7919 + 17;
		const draw = () => {
			lateState = (lateState * 1103515245 + 12345) % 2 ** 31;
			return lateState / 2 ** 31;
		};
		this.lateness = () => (lateMs === 0 ? 0 : draw() < 0.3 ? draw() * lateMs : draw() * 3);
	}

	sleep = async (ms: number) =>
		await new Promise<void>((fire) => this.timers.push({ at: this.time + Math.max(0, ms) + this.lateness(), order: this.order++, fire }));

	async run(done: () => boolean): Promise<void> {
		while (!done()) {
			for (let turn = 0; turn < 5; turn++) await new Promise((settle) => setImmediate(settle));
			if (this.timers.length === 0) return;
			this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
			const next = this.timers.shift()!;
			this.time = next.at;
			next.fire();
		}
	}
}

export type Admit = (at: number) => boolean;

/** Stripe's request limiter as its engineers describe it: refills at `rate`, holds `seconds` of it. */
export function tokenBucket(rate: number, seconds: number): Admit {
	const capacity = Math.max(1, rate * seconds);
	let tokens = capacity;
	let refilledAt = 0;
	return (at) => {
		tokens = Math.min(capacity, tokens + ((at - refilledAt) * rate) / 1000);
		refilledAt = at;
		if (tokens < 1) return false;
		tokens -= 1;
		return true;
	};
}

/** The stricter reading: at most `rate` accepted in any 1000 ms. */
export function slidingWindow(rate: number): Admit {
	const accepted: number[] = [];
	return (at) => {
		while (accepted.length > 0 && accepted[0] <= at - 1000) accepted.shift();
		if (accepted.length >= rate) return false;
		accepted.push(at);
		return true;
	};
}

export interface Run {
	seconds: number;
	/** Per process, the seconds in which each of its requests was accepted. */
	acceptedAt: number[][];
	/** 429s and all requests after the first five seconds. */
	steadyLimited: number;
	steadyRequests: number;
	/** Every 429 and every request, the start included. */
	limited: number;
	requests: number;
}

/**
 * `processes` workers, each running `slots` executions at once from a shared queue of `jobs`, one
 * session each, the way n8n's workers take jobs from Bull; a 429 is resent after 200 ms, as the
 * retry loop's first pause (0.25 s scaled by 50–100 %) would.
 */
export async function burst(
	admit: Admit,
	processes: number,
	jobs: number,
	{ slots = 10, joinsAt = [] as number[], seed = 1, limits = undefined as AccountLimits | undefined, lateMs = 0, idStride = 1 } = {},
): Promise<Run> {
	const clock = new VirtualClock(seed, lateMs);
	const limiters = Array.from({ length: processes }, () => new AccountLimiter(false, clock, limits));
	const run: Run = { seconds: 0, acceptedAt: limiters.map(() => []), steadyLimited: 0, steadyRequests: 0, limited: 0, requests: 0 };
	let taken = 0;
	let finished = 0;
	const execution = async (process: number, id: string | undefined) => {
		const limiter = limiters[process];
		for (;;) {
			const ticket = await limiter.take('POST /v1/billing_portal/sessions', undefined, id);
			await clock.sleep(2);
			const accepted = admit(clock.now());
			run.requests++;
			if (!accepted) run.limited++;
			if (clock.now() > 5_000) {
				run.steadyRequests++;
				if (!accepted) run.steadyLimited++;
			}
			await clock.sleep(accepted ? 25 : 5);
			limiter.settle(ticket, accepted ? { kind: 'answered' } : { kind: 'limited', reason: 'global-rate' });
			if (accepted) {
				run.acceptedAt[process].push(clock.now() / 1000);
				return;
			}
			await clock.sleep(200);
		}
	};
	const slot = async (process: number, delay: number) => {
		await clock.sleep(delay);
		while (taken < jobs) {
			taken++;
			// n8n numbers the executions as they are queued; each worker runs the ones it takes. A stride
			// above 1 leaves other workflows' executions in between; 0 gives no IDs (as before the budgets read them).
			await execution(process, idStride === 0 ? undefined : String(taken * idStride));
			finished++;
		}
	};
	for (let process = 0; process < processes; process++) {
		for (let index = 0; index < slots; index++) void slot(process, (joinsAt[process] ?? 0) + index * 7 + process * 3);
	}
	await clock.run(() => finished >= jobs);
	run.seconds = clock.now() / 1000;
	return run;
}

