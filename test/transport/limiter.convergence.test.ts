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
import { burst, slidingWindow, tokenBucket, type Run } from '../support/limiter-sim';

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
		['token bucket', () => tokenBucket(25, 0.4), 1.1],
		['sliding window', () => slidingWindow(25), 1.2],
	] as const)(
		'four workers whose credential states nothing, on an account at Stripe’s documented 25/s (%s): the account stays busy and few requests are refused, the fewer for the execution IDs each runs',
		async (_name, admit, wallAtMost) => {
			// The bench's queue-mode rows hold the sandbox at 5/s, a fifth of what the credential says
			// (two cores cannot run four n8n workers at 25/s); this is the case a deployment whose
			// credential is right meets: every worker's cap is the account's real limit. Each worker
			// runs about every fourth execution, so each starts at a quarter of the slow start
			// (executionSpread.ts); without the IDs (before) every one starts as if alone.
			const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
			const refused = (runs: Run[]) => runs.map((run) => run.limited / run.requests);
			const runs = [];
			const withoutIds = [];
			for (let seed = 1; seed <= 6; seed++) {
				runs.push(await burst(admit(), 4, 1000, { seed, slots: 20 }));
				withoutIds.push(await burst(admit(), 4, 1000, { seed, slots: 20, idStride: 0 }));
			}
			const walls = runs.map((run) => run.seconds / (1000 / 25));
			// Six seeds: bucket 1.7–2.2 % refused (mean 1.9 %) at 1.01–1.03×; window 1.6–2.0 % (1.8 %) at
			// 1.10–1.20×. Without the IDs: bucket 3.9–4.9 % (4.4 %), window 5.9–6.3 % (6.1 %).
			expect(mean(refused(runs))).toBeLessThanOrEqual(0.025);
			expect(Math.max(...refused(runs))).toBeLessThan(0.03);
			expect(mean(refused(runs))).toBeLessThan(0.6 * mean(refused(withoutIds)));
			expect(mean(walls)).toBeLessThan(wallAtMost);
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
