/**
 * Processes that cannot see each other (n8n queue-mode workers) sharing one Stripe account, each
 * with its own AccountLimiter, on a virtual clock: they start at the documented limit, overshoot,
 * and must converge on the account's real limit through its 429s alone. Stripe's side is a token
 * bucket, as its engineers describe their limiter, or the sandbox's stricter sliding window.
 *
 * This checks the limiter's arithmetic (AIMD: a multiplicative decrease, an additive increase)
 * for the properties a burst needs: the account kept busy, few 429s once settled, and shares that
 * even out, so that no worker is left holding its last executions at a trickle. Wall-clock
 * figures with real n8n workers come from `npm run bench -- --queue`.
 */
import { AccountLimiter } from '../../nodes/StripeBillingPortal/transport/accountLimiter';
import type { AccountLimits } from '../../nodes/StripeBillingPortal/shared/rateLimits';
import type { Clock } from '../../nodes/StripeBillingPortal/transport/clock';

/** Timers on a virtual time line; run() fires them in order, letting promises settle in between. */
class VirtualClock implements Clock {
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

type Admit = (at: number) => boolean;

/** Stripe's request limiter as its engineers describe it: refills at `rate`, holds `seconds` of it. */
function tokenBucket(rate: number, seconds: number): Admit {
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
function slidingWindow(rate: number): Admit {
	const accepted: number[] = [];
	return (at) => {
		while (accepted.length > 0 && accepted[0] <= at - 1000) accepted.shift();
		if (accepted.length >= rate) return false;
		accepted.push(at);
		return true;
	};
}

interface Run {
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
async function burst(
	admit: Admit,
	processes: number,
	jobs: number,
	{ slots = 10, joinsAt = [] as number[], seed = 1, limits = undefined as AccountLimits | undefined, lateMs = 0 } = {},
): Promise<Run> {
	const clock = new VirtualClock(seed, lateMs);
	const limiters = Array.from({ length: processes }, () => new AccountLimiter(false, clock, limits));
	const run: Run = { seconds: 0, acceptedAt: limiters.map(() => []), steadyLimited: 0, steadyRequests: 0, limited: 0, requests: 0 };
	let taken = 0;
	let finished = 0;
	const execution = async (process: number) => {
		const limiter = limiters[process];
		for (;;) {
			const ticket = await limiter.take('POST /v1/billing_portal/sessions');
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
			await execution(process);
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

const within = (run: Run, from: number, to: number) => run.acceptedAt.map((times) => times.filter((t) => t >= from && t < to).length);

describe('processes sharing one account converge through its 429s alone', () => {
	it('two workers against a 5/s token bucket: the account stays busy, few 429s once settled, shares even out, both finish together', async () => {
		// The pacing's jitter makes each run differ: eight seeds, judged one by one and on average.
		const runs = [];
		for (let seed = 1; seed <= 8; seed++) runs.push(await burst(tokenBucket(5, 0.4), 2, 200, { seed }));
		const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
		const floor = 200 / 5;
		const walls = runs.map((run) => run.seconds / floor);
		const limitedShares = runs.map((run) => run.steadyLimited / run.steadyRequests);
		// Over the second half, the smaller share against the larger (AIMD keeps them swinging around equal).
		const fairness = runs.map((run) => {
			const [first, second] = within(run, run.seconds / 2, run.seconds);
			return Math.min(first, second) / Math.max(first, second);
		});
		// Thresholds a little outside what the eight seeds give (walls 1.04–1.08, 429s 4.4–4.9 %,
		// evenness 0.62–0.98, mean 0.79): this guards the arithmetic against regressions; the goals
		// themselves are measured with real workers by the bench.
		expect(mean(walls)).toBeLessThan(1.1);
		for (const wall of walls) expect(wall).toBeLessThan(1.15);
		expect(mean(limitedShares)).toBeLessThanOrEqual(0.05);
		for (const share of limitedShares) expect(share).toBeLessThan(0.06);
		expect(mean(fairness)).toBeGreaterThan(0.7);
		for (const ratio of fairness) expect(ratio).toBeGreaterThan(0.5);
		for (const run of runs) {
			// Neither worker is left with its last executions after the other is done (the seeds: 0.4–2.2 s apart).
			const [lastOfFirst, lastOfSecond] = run.acceptedAt.map((times) => times.at(-1)!);
			expect(Math.abs(lastOfFirst - lastOfSecond)).toBeLessThan(3);
		}
	});

	it('a worker that had the account to itself gives way when a second one joins (25/s)', async () => {
		const run = await burst(tokenBucket(25, 0.4), 2, 1000, { joinsAt: [0, 10_000] });
		expect(run.seconds / (1000 / 25)).toBeLessThan(1.1);
		// Alone for ten seconds, the first one took nearly all of the account …
		expect(within(run, 2, 10)[0]).toBeGreaterThan(0.9 * 8 * 25);
		// … and within twenty seconds of the second one joining, they share it.
		const [first, second] = within(run, 30, run.seconds);
		expect(Math.min(first, second) / Math.max(first, second)).toBeGreaterThan(2 / 3);
	});

	it('against the stricter sliding window every request still gets through, at a cost the README explains', async () => {
		const run = await burst(slidingWindow(5), 2, 200);
		expect(run.acceptedAt.flat()).toHaveLength(200);
		// Two unsynchronised processes cannot both keep a share of 2.5/s in every 1000 ms: the
		// window costs them up to a fifth of the account at 5/s (a whole request of five).
		expect(run.seconds / (200 / 5)).toBeLessThan(1.3);
	});

	it.each([
		['token bucket', () => tokenBucket(25, 0.4), 0.05],
		['sliding window', () => slidingWindow(25), 0.07],
	] as const)(
		'four workers whose credential states nothing, on an account at Stripe’s documented 25/s (%s): the account stays busy and few requests are refused',
		async (_name, admit, refusedAtMost) => {
			// The bench's queue-mode rows hold the sandbox at 5/s, a fifth of what the credential says
			// (two cores cannot run four n8n workers at 25/s); this is the case a deployment whose
			// credential is right meets: every worker's cap is the account's real limit.
			const runs = [];
			for (let seed = 1; seed <= 6; seed++) runs.push(await burst(admit(), 4, 1000, { seed, slots: 20 }));
			const shares = runs.map((run) => run.limited / run.requests);
			const walls = runs.map((run) => run.seconds / (1000 / 25));
			const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
			// Six seeds: bucket 3.9–4.9 % (mean 4.4 %) at 1.00–1.22×; window 5.9–6.3 % (6.1 %) at
			// 1.08–1.12×. Against the 5/s of the bench the same four give about a fifth (docs/performance.md).
			expect(mean(shares)).toBeLessThanOrEqual(refusedAtMost);
			expect(Math.max(...shares)).toBeLessThan(refusedAtMost + 0.01);
			expect(mean(walls)).toBeLessThan(1.15);
			for (const run of runs) expect(run.acceptedAt.flat()).toHaveLength(1000);
		},
	);

	it('one process alone settles just under the account’s limit', async () => {
		const run = await burst(tokenBucket(5, 0.4), 1, 100);
		expect(run.seconds / (100 / 5)).toBeLessThan(1.15);
		expect(run.steadyLimited / run.steadyRequests).toBeLessThanOrEqual(0.05);
	});

	it.each([
		['token bucket', () => tokenBucket(5, 0.4), 0],
		['sliding window', () => slidingWindow(5), 0],
		['token bucket, timers up to 60 ms late', () => tokenBucket(5, 0.4), 60],
		['sliding window, timers up to 60 ms late', () => slidingWindow(5), 60],
	] as const)(
		'four workers each keeping the quarter share their credential states (%s): on their phases of one timetable, few requests refused, the start included',
		async (_name, admit, lateMs) => {
			// What a queue-mode deployment sets: the account's limit (here a 5/s proxy, Custom Rate
			// Limits) and its four workers (Processes Sharing the Account). Without the second, the
			// same burst leaves about a fifth of the requests refused (docs/performance.md, bench q).
			const limits = { global: 5, endpoint: 25, search: 20, processes: 4 };
			const runs = [];
			for (let seed = 1; seed <= 8; seed++) runs.push(await burst(admit(), 4, 200, { seed, limits, lateMs }));
			const shares = runs.map((run) => run.limited / run.requests);
			const walls = runs.map((run) => run.seconds / (200 / 5));
			const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
			// Eight seeds each, refused (mean) and walls: bucket 0–0.5 % (0.1 %), 1.10–1.11×; window 0–4.3 %
			// (1.6 %), 1.10–1.26×; late timers: bucket 0–3.8 % (1.6 %), 1.10–1.19×; window 0–3.4 % (1.4 %),
			// 1.10–1.19×. The same shares at random phases, moved by a random part of a gap after a 429
			// (before the timetable), gave means of 2.9, 3.8, 3.7 and 6.4 %, at most 8.7 %, and up to 1.34×.
			expect(mean(shares)).toBeLessThanOrEqual(0.025);
			expect(Math.max(...shares)).toBeLessThan(0.05);
			expect(mean(walls)).toBeLessThanOrEqual(1.17);
			expect(Math.max(...walls)).toBeLessThan(1.3);
			for (const run of runs) expect(run.acceptedAt.flat()).toHaveLength(200);
		},
	);

	it('a credential that states too few processes costs 429s, not executions: the shares still lower themselves', async () => {
		const run = await burst(tokenBucket(5, 0.4), 4, 200, { limits: { global: 5, endpoint: 25, search: 20, processes: 2 } });
		expect(run.acceptedAt.flat()).toHaveLength(200);
		expect(run.seconds / (200 / 5)).toBeLessThan(1.6);
	});
});
