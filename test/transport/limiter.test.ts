/**
 * The account limiter's arithmetic on a clock the test moves itself: the global and endpoint
 * budgets (Stripe's documented limits, or those the credential states, shared by the processes it
 * names), the slow start of a
 * budget that has not heard from Stripe yet, the adaptive decrease on a limiter 429 and the slow
 * recovery (limiter.convergence.test.ts runs processes against each other), the concurrency cap,
 * and one limiter per account in the process, named by a fingerprint that holds no key.
 */
import { AccountLimiter, LIMIT_MARGIN, SHARED_MARGIN, limitedReasonOf } from '../../nodes/StripeBillingPortal/transport/accountLimiter';
import { accountFingerprint, endpointKey, limiterFor } from '../../nodes/StripeBillingPortal/transport/limiter';
import { realClock, type Clock } from '../../nodes/StripeBillingPortal/transport/clock';

class FakeClock implements Clock {
	time = 10_000;

	now = () => this.time;

	sleep = async (ms: number) => {
		this.time += ms;
	};
}

/**
 * A clock whose sleeps end only when the test moves time on, and end early, rejecting with the
 * signal's reason, when their signal aborts: as n8n's sleep does when an execution is cancelled.
 */
class ManualClock implements Clock {
	time = 10_000;

	private sleeps: Array<{ until: number; resolve: () => void }> = [];

	now = () => this.time;

	sleep = async (ms: number, signal?: AbortSignal) =>
		await new Promise<void>((resolve, reject) => {
			if (signal?.aborted) return reject(signal.reason);
			const entry = { until: this.time + ms, resolve };
			this.sleeps.push(entry);
			signal?.addEventListener('abort', () => {
				this.sleeps = this.sleeps.filter((other) => other !== entry);
				reject(signal.reason);
			});
		});

	get sleeping(): number {
		return this.sleeps.length;
	}

	advance(ms: number): void {
		this.time += ms;
		const due = this.sleeps.filter((entry) => entry.until <= this.time);
		this.sleeps = this.sleeps.filter((entry) => entry.until > this.time);
		for (const entry of due) entry.resolve();
	}
}

/** Lets every pending promise callback run. */
const settled = async () => await new Promise((resolve) => setImmediate(resolve));

/**
 * Stripe's documented limits (docs.stripe.com/rate-limits), written out: a test account's global
 * 25 requests/s, a live account's 100/s, 25/s per endpoint, 20/s for search. The node's budgets
 * stay a little under each (between 90 % of it and it), never at or above it.
 */
const DOCUMENTED = { globalTest: 25, globalLive: 100, endpoint: 25, search: 20 };
const justUnder = (rate: number, documented: number) => {
	expect(rate).toBeLessThan(documented);
	expect(rate).toBeGreaterThanOrEqual(documented * 0.9);
};

const SESSIONS = 'POST /v1/billing_portal/sessions';
const CUSTOMERS = 'GET /v1/customers';

/** Start times of `count` requests taken one after another on `endpoint`, each answered at once. */
async function starts(limiter: AccountLimiter, clock: FakeClock, endpoint: string, count: number): Promise<number[]> {
	const times: number[] = [];
	for (let request = 0; request < count; request++) {
		const ticket = await limiter.take(endpoint);
		times.push(clock.time);
		limiter.settle(ticket, { kind: 'answered' });
	}
	return times;
}

/**
 * A limiter that has heard from Stripe: requests one after another, each answered at once, until
 * the budgets of `endpoints` are past slow start; then two idle seconds, so that what a test
 * measures over the last second starts empty. Returns the time the test starts from.
 */
async function warm(limiter: AccountLimiter, clock: FakeClock, ...endpoints: string[]): Promise<number> {
	for (const endpoint of endpoints) {
		for (let request = 0; request < 100; request++) {
			const state = limiter.state();
			const budget = state.endpoints[endpoint];
			if (budget && budget.rate === budget.cap && state.globalRate >= Math.min(state.globalCap, budget.cap)) break;
			limiter.settle(await limiter.take(endpoint), { kind: 'answered' });
		}
	}
	clock.time += 2_000;
	return clock.time;
}

const gaps = (times: number[]) => times.slice(1).map((time, index) => Math.round(time - times[index]));

describe('budgets', () => {
	it('are capped under Stripe’s documented limits: 25/s test, 100/s live, 25/s per endpoint, 20/s search', () => {
		const clock = new FakeClock();
		const test = new AccountLimiter(false, clock);
		const live = new AccountLimiter(true, clock);
		justUnder(test.state().globalCap, DOCUMENTED.globalTest);
		justUnder(live.state().globalCap, DOCUMENTED.globalLive);
		void live.take(SESSIONS).then((ticket) => live.settle(ticket, { kind: 'answered' }));
		void live.take('GET /v1/customers/search').then((ticket) => live.settle(ticket, { kind: 'answered' }));
		justUnder(live.state().endpoints[SESSIONS].cap, DOCUMENTED.endpoint);
		justUnder(live.state().endpoints['GET /v1/customers/search'].cap, DOCUMENTED.search);
	});

	it('are capped at the limits the credential states for a raised account, the Search API at most its 20/s', () => {
		const clock = new FakeClock();
		const raised = new AccountLimiter(true, clock, { global: 1000, endpoint: 200, search: 20 });
		void raised.take(SESSIONS).then((ticket) => raised.settle(ticket, { kind: 'answered' }));
		void raised.take('GET /v1/customers/search').then((ticket) => raised.settle(ticket, { kind: 'answered' }));
		justUnder(raised.state().globalCap, 1000);
		justUnder(raised.state().endpoints[SESSIONS].cap, 200);
		justUnder(raised.state().endpoints['GET /v1/customers/search'].cap, DOCUMENTED.search);
	});

	it('space one endpoint by its own budget, even where the account allows more (live)', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(true, clock);
		await warm(limiter, clock, SESSIONS);
		// Even gaps of at least 1000/25 = 40 ms (Stripe's 25/s per endpoint), and under 1000/22.5 ms.
		const found = gaps(await starts(limiter, clock, SESSIONS, 5));
		expect(new Set(found).size).toBe(1);
		expect(found[0]).toBeGreaterThanOrEqual(40);
		expect(found[0]).toBeLessThan(1000 / 22.5);
	});

	it('let two endpoints share the account: each at its own rate, together under the global one', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		await warm(limiter, clock, CUSTOMERS, SESSIONS);
		const times: number[] = [];
		for (let pair = 0; pair < 5; pair++) {
			for (const endpoint of [CUSTOMERS, SESSIONS]) {
				const ticket = await limiter.take(endpoint);
				times.push(clock.time);
				limiter.settle(ticket, { kind: 'answered' });
			}
		}
		// In test mode the account's budget (under 25/s) is the binding one: every start, whatever its
		// endpoint, at least 40 ms after the one before, although each endpoint alone allows 25/s.
		const found = new Set(gaps(times));
		expect(found.size).toBe(1);
		expect([...found][0]).toBeGreaterThanOrEqual(40);
		expect([...found][0]).toBeLessThan(1000 / 22.5);
	});

	it('queue requests that arrive together, and let a cancelled one leave mid-wait without stalling the rest', async () => {
		const clock = new ManualClock();
		const limiter = new AccountLimiter(false, clock);
		const abort = new AbortController();
		const first = await limiter.take(SESSIONS);
		const cancelled = limiter.take(SESSIONS, abort.signal);
		const next = limiter.take(SESSIONS);
		await settled();
		// The cancelled one waits for its turn's time; the next one waits behind it.
		expect(clock.sleeping).toBe(1);
		expect(limiter.state().waiting).toBe(2);
		abort.abort(new Error('execution cancelled'));
		await expect(cancelled).rejects.toThrow('execution cancelled');
		await settled();
		// It left without starting: the next one now waits its own turn, and starts when it comes.
		expect(limiter.state()).toMatchObject({ waiting: 1, inFlight: 1 });
		// Its turn: within a second even in slow start (the budget has not heard from Stripe yet).
		clock.advance(1000);
		await expect(next).resolves.toMatchObject({ endpoint: SESSIONS });
		expect(limiter.state()).toMatchObject({ waiting: 0, inFlight: 2 });
		limiter.settle(first, { kind: 'answered' });
	});

	it('a request waiting for a slot under a concurrency cap leaves when cancelled', async () => {
		const clock = new ManualClock();
		const limiter = new AccountLimiter(false, clock);
		const running = [await limiter.take(SESSIONS)];
		// The second start's turn, within a second even in slow start.
		clock.advance(1000);
		running.push(await limiter.take(SESSIONS));
		limiter.settle(running[1], { kind: 'limited', reason: 'global-concurrency' });
		// One request in flight and a cap of one: the next waits for a slot, not for time.
		expect(limiter.state().concurrencyCap).toBe(1);
		clock.advance(100);
		const abort = new AbortController();
		const cancelled = limiter.take(SESSIONS, abort.signal);
		await settled();
		expect(clock.sleeping).toBe(0);
		abort.abort(new Error('execution cancelled'));
		await expect(cancelled).rejects.toThrow('execution cancelled');
		expect(limiter.state()).toMatchObject({ waiting: 0, inFlight: 1 });
		limiter.settle(running[0], { kind: 'answered' });
	});

	it('a request whose execution was stopped before its turn never starts, even when the budget is free', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		const abort = new AbortController();
		abort.abort(new Error('execution cancelled'));
		await expect(limiter.take(SESSIONS, abort.signal)).rejects.toThrow('execution cancelled');
		expect(limiter.state()).toMatchObject({ inFlight: 0, waiting: 0 });
	});

	it('a request waiting behind others leaves at once when its execution is stopped, not when its turn comes', async () => {
		// A clock whose sleeps never end on their own: only the abort can end this wait.
		const limiter = new AccountLimiter(false, { now: () => 0, sleep: async () => await new Promise<void>(() => undefined) });
		const abort = new AbortController();
		await limiter.take(SESSIONS);
		const queued = limiter.take(SESSIONS, abort.signal);
		const behind = limiter.take(SESSIONS, abort.signal);
		abort.abort(new Error('execution cancelled'));
		await expect(queued).rejects.toThrow('execution cancelled');
		await expect(behind).rejects.toThrow('execution cancelled');
		expect(limiter.state()).toMatchObject({ inFlight: 1, waiting: 0 });
	});
});

describe('slow start: a budget that has not heard from Stripe yet', () => {
	it('starts well under its cap and, while requests wait for it, reaches the cap within about a second (test mode, 25/s)', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		expect(limiter.state().globalRate).toBeLessThan((25 * LIMIT_MARGIN) / 4);
		const times = await starts(limiter, clock, SESSIONS, 60);
		const interval = Math.round(1000 / (25 * LIMIT_MARGIN));
		const spacing = gaps(times);
		// The first requests are spaced wider than the account's 24/s …
		expect(spacing[0]).toBeGreaterThan(2 * interval);
		// … and from about a second on, every one at 24/s.
		const atCap = spacing.findIndex((gap) => gap === interval);
		expect(times[atCap] - times[0]).toBeLessThanOrEqual(1_000);
		expect(new Set(spacing.slice(atCap))).toEqual(new Set([interval]));
		expect(limiter.state().globalRate).toBe(limiter.state().globalCap);
	});

	it('reaches a raised account’s cap as fast: 100/s stated, 400 requests in about 4 s', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, { global: 100, endpoint: 100, search: 20 });
		const times = await starts(limiter, clock, SESSIONS, 400);
		expect((times.at(-1)! - times[0]) / 1000).toBeLessThan((400 / 100) * 1.1);
	});

	it('grows only while requests wait for it: a trickle of answers leaves it where it started', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		const start = limiter.state().globalRate;
		for (let request = 0; request < 10; request++) {
			await starts(limiter, clock, SESSIONS, 1);
			clock.time += 2_000;
		}
		expect(limiter.state().globalRate).toBe(start);
		expect(limiter.state().endpoints[SESSIONS].rate).toBe(start);
	});

	it('one of several processes sharing the work (every fourth execution ID is its) starts at a quarter and grows by a quarter of the step; one that runs every execution starts as without IDs', async () => {
		/** Start times of requests one after another, each answered at once, for executions `first`, `first + step`, … */
		const startsOfExecutions = async (step: number) => {
			const clock = new FakeClock();
			const limiter = new AccountLimiter(false, clock);
			const times: number[] = [];
			for (let request = 0; request < 60; request++) {
				const ticket = await limiter.take(SESSIONS, undefined, String(500 + request * step));
				times.push(clock.time);
				limiter.settle(ticket, { kind: 'answered' });
			}
			return { times, limiter };
		};
		const alone = await startsOfExecutions(1);
		const clock = new FakeClock();
		const withoutIds = await starts(new AccountLimiter(false, clock), clock, SESSIONS, 60);
		expect(gaps(alone.times)).toEqual(gaps(withoutIds));
		expect(alone.limiter.sharedBy).toBe(1);

		const worker = await startsOfExecutions(4);
		expect(worker.limiter.sharedBy).toBe(4);
		// From the fourth execution on, its gaps are four times as long as those of one alone …
		expect(gaps(worker.times)[3]).toBeGreaterThanOrEqual(3 * gaps(alone.times)[3]);
		// … and it reaches the cap (24/s) about four times later than the second one alone does.
		const interval = Math.round(1000 / (25 * LIMIT_MARGIN));
		const atCap = (times: number[]) => times[gaps(times).findIndex((gap) => gap === interval)] - times[0];
		expect(atCap(alone.times)).toBeLessThanOrEqual(1_000);
		expect(atCap(worker.times)).toBeGreaterThan(2 * atCap(alone.times));
		expect(worker.limiter.state().globalRate).toBe(worker.limiter.state().globalCap);
	});

	it('a guess from execution IDs changes nothing once Stripe has answered 429: its answers say what the account has room for', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		await starts(limiter, clock, SESSIONS, 3);
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		const lowered = limiter.state();
		for (let execution = 0; execution < 8; execution++) limiter.settle(await limiter.take(SESSIONS, undefined, String(100 + 4 * execution)), { kind: 'answered' });
		expect(limiter.sharedBy).toBe(4);
		expect(limiter.state().globalRate).toBeGreaterThanOrEqual(lowered.globalRate);
		expect(limiter.state().globalRate).toBeLessThan(lowered.globalRate + 1);
	});

	it('ends at the first 429: from there the budget grows by the slow additive step only', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		await starts(limiter, clock, SESSIONS, 3);
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		const lowered = limiter.state().globalRate;
		await starts(limiter, clock, SESSIONS, 5);
		// 0.5 % of the cap a second, not a slow-start step of several requests a second per answer.
		expect(limiter.state().globalRate).toBeLessThan(lowered + 1);
		expect(limiter.state().globalRate).toBeGreaterThanOrEqual(lowered);
	});
});

describe('adapting to Stripe’s answers', () => {
	it('a global-rate 429 lowers the budget to 80 % of what was sent, once for the 429s of requests sent before it', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		// A full second at the budget's rate, answered, then five requests out at once and five 429s back.
		await starts(limiter, clock, SESSIONS, 24);
		const tickets = [];
		for (let request = 0; request < 5; request++) tickets.push(await limiter.take(SESSIONS));
		const sent = (24 * 1000) / 1000;
		for (const ticket of tickets) limiter.settle(ticket, { kind: 'limited', reason: 'global-rate' });
		const lowered = limiter.state().globalRate;
		expect(lowered).toBeCloseTo(sent * 0.8, 0);
		// Sent within 250 ms of the decrease, while Stripe's second is still full: no second decrease.
		clock.time += 100;
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		expect(limiter.state().globalRate).toBe(lowered);
		// Sent later at the lowered rate and still refused: the rate is still too high.
		clock.time += 300;
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		expect(limiter.state().globalRate).toBeLessThan(lowered * 0.81);
	});

	it('lowers from what it sent, not from a budget it did not use', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		// Executions still arriving: five requests a second against a budget of 24.
		for (let answered = 0; answered < 10; answered++) {
			limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
			clock.time += 200;
		}
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		expect(limiter.state().globalRate).toBeCloseTo(5 * 0.8);
	});

	it('falls at once to what Stripe granted over the last second, when it sent more than twice that', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		const t0 = await warm(limiter, clock, SESSIONS);
		// Another process takes most of the account: three requests got through, six more are out.
		for (let answered = 0; answered < 3; answered++) {
			limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
			clock.time += 250;
		}
		const out = [];
		for (let request = 0; request < 6; request++) out.push(await limiter.take(SESSIONS));
		limiter.settle(out[0], { kind: 'limited', reason: 'global-rate' });
		// Three answers in the 958 ms since the first: about 3/s.
		const granted = (3 * 1000) / (clock.time - t0);
		expect(limiter.state().globalRate).toBeCloseTo(granted);
		// The account had room for that much: growth starts at once, 0.5 % of the cap a second.
		for (const ticket of out.slice(1)) limiter.settle(ticket, { kind: 'answered' });
		clock.time += 1_000;
		await starts(limiter, clock, SESSIONS, 1);
		expect(limiter.state().globalRate).toBeCloseTo(granted + limiter.state().globalCap * 0.005, 1);
	});

	it('measures what was granted over the time answers came, not a whole second, early in a burst', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		const t0 = await warm(limiter, clock, SESSIONS);
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		clock.time += 250;
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		clock.time += 250;
		const out = [];
		for (let request = 0; request < 5; request++) out.push(await limiter.take(SESSIONS));
		limiter.settle(out[0], { kind: 'limited', reason: 'global-rate' });
		// Two answers in the burst's first 667 ms are 3/s, not the 2/s a whole second would say.
		expect(clock.time - t0).toBeCloseTo(666.7, 0);
		expect(limiter.state().globalRate).toBeCloseTo(3);
	});

	it('an endpoint-rate 429 lowers only that endpoint', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(true, clock);
		await warm(limiter, clock, CUSTOMERS, SESSIONS);
		const before = limiter.state();
		await starts(limiter, clock, CUSTOMERS, 1);
		const ticket = await limiter.take(SESSIONS);
		limiter.settle(ticket, { kind: 'limited', reason: 'endpoint-rate' });
		const state = limiter.state();
		// One request sent in the endpoint's first 250 ms: 4/s sent, lowered to 80 % of that.
		expect(state.endpoints[SESSIONS].rate).toBeCloseTo(4 * 0.8);
		// The other endpoint and the live account's global budget are where they were.
		justUnder(state.endpoints[CUSTOMERS].rate, DOCUMENTED.endpoint);
		expect(state.endpoints[CUSTOMERS].rate).toBe(state.endpoints[CUSTOMERS].cap);
		expect(state.globalRate).toBe(before.globalRate);
	});

	it('a 429 without a reason (a lock timeout) slows nothing down', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		await warm(limiter, clock, SESSIONS);
		const before = limiter.state();
		const ticket = await limiter.take(SESSIONS);
		limiter.settle(ticket, { kind: 'other' });
		expect(limiter.state().globalRate).toBe(before.globalRate);
		expect(limiter.state().endpoints[SESSIONS].rate).toBe(limiter.state().endpoints[SESSIONS].cap);
		justUnder(limiter.state().endpoints[SESSIONS].rate, DOCUMENTED.endpoint);
	});

	it('answers raise a lowered budget only after three quiet seconds, then by 0.5 % of its cap a second, back to its cap and never above', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		await warm(limiter, clock, SESSIONS);
		const cap = limiter.state().globalRate;
		expect(cap).toBe(limiter.state().globalCap);
		const ticket = await limiter.take(SESSIONS);
		limiter.settle(ticket, { kind: 'limited', reason: 'global-rate' });
		const lowered = limiter.state().globalRate;
		// Right after a 429 the account is full: no probing yet.
		clock.time += 2_000;
		await starts(limiter, clock, SESSIONS, 1);
		expect(limiter.state().globalRate).toBe(lowered);
		// The same step for every process, whatever its rate: shares even out.
		clock.time += 2_000;
		await starts(limiter, clock, SESSIONS, 1);
		expect(limiter.state().globalRate).toBeCloseTo(lowered + cap * 0.005 * 2, 5);
		clock.time += 600_000;
		await starts(limiter, clock, SESSIONS, 1);
		expect(limiter.state().globalRate).toBe(cap);
	});

	it('after 20 s without a 429 also grows by 10 % a second: back at its cap within about 40 s', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		const cap = limiter.state().globalCap;
		// Another app took most of the account: two answers in half a second, ten more out; it falls to about 2/s.
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		clock.time += 500;
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		const out = [];
		for (let request = 0; request < 10; request++) out.push(await limiter.take(SESSIONS));
		limiter.settle(out[0], { kind: 'limited', reason: 'global-rate' });
		for (const ticket of out.slice(1)) limiter.settle(ticket, { kind: 'answered' });
		const fallen = limiter.state().globalRate;
		expect(fallen).toBeLessThan(cap / 2);
		// The other app stops. Answers once a second: additive only for 20 s, then faster.
		const rates: number[] = [];
		for (let second = 1; second <= 50; second++) {
			clock.time += 1_000;
			await starts(limiter, clock, SESSIONS, 1);
			rates.push(limiter.state().globalRate);
		}
		expect(rates[13] - rates[12]).toBeCloseTo(cap * 0.005, 5);
		expect(rates[25] - rates[24]).toBeGreaterThan(cap * 0.005 + rates[24] * 0.09);
		expect(rates.findIndex((rate) => rate === cap)).toBeLessThan(42);
	});

	it('never falls below half a request per second', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		for (let round = 0; round < 30; round++) {
			clock.time += 1_001;
			const ticket = await limiter.take(SESSIONS);
			limiter.settle(ticket, { kind: 'limited', reason: 'global-rate' });
		}
		expect(limiter.state().globalRate).toBe(0.5);
	});

	it('a concurrency 429 caps the requests in flight, and answers lift the cap again', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock);
		const running = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(async () => await limiter.take(SESSIONS)));
		limiter.settle(running[9], { kind: 'limited', reason: 'global-concurrency' });
		expect(limiter.state().concurrencyCap).toBe(7);
		// Nine still run: the next request waits until one of them ends.
		let started = false;
		const waiting = limiter.take(SESSIONS).then((ticket) => {
			started = true;
			return ticket;
		});
		await Promise.resolve();
		await new Promise((resolve) => setImmediate(resolve));
		expect(started).toBe(false);
		for (const ticket of running.slice(0, 3)) limiter.settle(ticket, { kind: 'answered' });
		const ticket = await waiting;
		expect(started).toBe(true);
		expect(limiter.state().inFlight).toBe(7);
		limiter.settle(ticket, { kind: 'answered' });
	});
});

/** A worker's clock as the product reads it: monotonic time since the process began, the wall time it began at, and its draws. */
class PhasedClock extends FakeClock {
	constructor(
		readonly startedAt: number,
		readonly random: () => number,
	) {
		super();
	}

	epoch = () => this.startedAt;
}

/** Some Unix time in ms, as `performance.timeOrigin` gives it (not a whole number). */
const WALL_AT_ZERO = 1_796_000_000_000.25;

/** Where a wall time falls within its gap, counted from the Unix epoch: 0 at a phase-0 start. */
const phaseOf = (wall: number, gap: number): number => {
	const within = wall - Math.floor(wall / gap) * gap;
	// Just under a whole gap is a start at 0 read a hair early.
	return gap - within < 0.01 ? 0 : within;
};

describe('a share of the account the credential states (Processes Sharing the Account)', () => {
	const FOUR = { global: 25, endpoint: 25, search: 20, processes: 4 };
	const share = (limit: number) => (limit * LIMIT_MARGIN * SHARED_MARGIN) / 4;

	it('divides every limit by the processes, under a further margin, and starts at the share: no slow start to find it', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, FOUR);
		const times = await starts(limiter, clock, SESSIONS, 6);
		const state = limiter.state();
		expect(state.globalCap).toBeCloseTo(share(25));
		expect(state.endpoints[SESSIONS].cap).toBeCloseTo(share(25));
		expect(state.globalRate).toBeCloseTo(share(25));
		// From the first request on, evenly at the share: 25 × 0.96 × 0.94 / 4 ≈ 5.64/s, a gap of 177 ms.
		for (const gap of gaps(times)) expect(gap).toBe(Math.round(1000 / share(25)));
		// The Search API's 20/s is shared the same way.
		await starts(limiter, clock, 'GET /v1/customers/search', 1);
		expect(limiter.state().endpoints['GET /v1/customers/search'].cap).toBeCloseTo(share(20));
	});

	it('keeps its phase of one timetable counted from the Unix epoch: processes whose clocks began at different times interleave evenly', async () => {
		const gap = 1000 / share(25);
		// Two workers started 3.3 s apart: their monotonic clocks differ, the wall clock they read does not.
		const first = new PhasedClock(WALL_AT_ZERO, () => 0.1);
		const second = new PhasedClock(WALL_AT_ZERO + 3_333.3, () => 0.6);
		const firstStarts = (await starts(new AccountLimiter(false, first, FOUR), first, SESSIONS, 8)).map((time) => time + first.startedAt);
		const secondStarts = (await starts(new AccountLimiter(false, second, FOUR), second, SESSIONS, 8)).map((time) => time + second.startedAt);
		// Four processes, four phases of the gap: the first drew phase 0, the second phase 2, half a gap later.
		for (const wall of firstStarts) expect(phaseOf(wall, gap)).toBeCloseTo(0, 2);
		for (const wall of secondStarts) expect(phaseOf(wall, gap)).toBeCloseTo(gap / 2, 2);
		for (const gapMs of gaps(firstStarts)) expect(gapMs).toBe(Math.round(gap));
	});

	it('keeps the phase of whichever budget sets the pace: with a live key, the 25/s endpoint under the 100/s account', async () => {
		const clock = new PhasedClock(WALL_AT_ZERO, () => 0.6);
		const limiter = new AccountLimiter(true, clock, { global: 100, endpoint: 25, search: 20, processes: 4 });
		const gap = 1000 / share(25);
		const times = (await starts(limiter, clock, SESSIONS, 8)).map((time) => time + clock.startedAt);
		for (const wall of times) expect(phaseOf(wall, gap)).toBeCloseTo(gap / 2, 2);
		// A 429 from the endpoint's limiter moves the endpoint's phase.
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'endpoint-rate' });
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		expect(phaseOf(clock.time + clock.startedAt, gap)).toBeCloseTo(0, 2);
	});

	it('takes lone 429s as collisions with the other processes: it moves to another phase and keeps its rate', async () => {
		const clock = new PhasedClock(WALL_AT_ZERO, () => 0.6);
		const limiter = new AccountLimiter(false, clock, FOUR);
		const gap = 1000 / share(25);
		await starts(limiter, clock, SESSIONS, 12);
		// Two of the last ten requests refused: both collisions. Phase 2, then 0, then 2 again.
		for (const phase of [0, 2]) {
			const ticket = await limiter.take(SESSIONS);
			const refusedAt = clock.time;
			limiter.settle(ticket, { kind: 'limited', reason: 'global-rate' });
			expect(limiter.state().globalRate).toBeCloseTo(share(25));
			limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
			expect(phaseOf(clock.time + clock.startedAt, gap)).toBeCloseTo((phase * gap) / 4, 2);
			// Never sooner than a gap less half a phase after its last start: here one and a half gaps.
			expect(clock.time - refusedAt).toBeCloseTo(gap * 1.5, 2);
		}
	});

	it('a third 429 among its last ten requests says the share is too high (more processes than stated, another app): it lowers itself', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, FOUR);
		await starts(limiter, clock, SESSIONS, 12);
		for (let refused = 0; refused < 2; refused++) {
			limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
			expect(limiter.state().globalRate).toBeCloseTo(share(25));
		}
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		expect(limiter.state().globalRate).toBeLessThan(share(25) * 0.81);
	});

	it('a lowered share is back at its share within seconds: then its rate equals the other processes’ again', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, FOUR);
		await starts(limiter, clock, SESSIONS, 12);
		for (let refused = 0; refused < 3; refused++) limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		expect(limiter.state().globalRate).toBeLessThan(share(25) * 0.81);
		const from = clock.time;
		while (limiter.state().globalRate < share(25)) limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		// Three quiet seconds, then 10 % a second: about 2.3 s more from 80 %.
		expect(clock.time - from).toBeLessThan(6_500);
	});

	it('keeps to its timetable: a start a little late (a busy event loop) goes at once and does not push the later ones back; one late into the next phase waits for its own', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, FOUR);
		const gap = 1000 / share(25);
		const first = (await starts(limiter, clock, SESSIONS, 1))[0];
		// The next turn comes 15 ms late, under half a phase (a quarter gap, 44 ms): it starts at once …
		clock.time = first + gap + 15;
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		expect(clock.time).toBeCloseTo(first + gap + 15, 3);
		// … and the one after it keeps its place on the timetable: first + 2 gaps, not 15 ms later.
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		expect(clock.time).toBeCloseTo(first + 2 * gap, 3);
		// 40 ms late is inside the next process's phase: it waits for its own, a gap on.
		clock.time = first + 3 * gap + 40;
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		expect(clock.time).toBeCloseTo(first + 4 * gap, 3);
	});

	it('429s further apart than ten requests never lower it', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, FOUR);
		for (let round = 0; round < 5; round++) {
			await starts(limiter, clock, SESSIONS, 9);
			limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		}
		expect(limiter.state().globalRate).toBeCloseTo(share(25));
	});

	it('a credential that states one process more or fewer re-divides the caps, keeping what 429s taught the budgets', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, { global: 25, endpoint: 25, search: 20 });
		await starts(limiter, clock, SESSIONS, 9);
		limiter.settle(await limiter.take(SESSIONS), { kind: 'limited', reason: 'global-rate' });
		const alone = limiter.state();
		expect(alone.globalCap).toBeCloseTo(25 * LIMIT_MARGIN);
		expect(alone.globalRate).toBeLessThan(alone.globalCap);
		limiter.restate(FOUR);
		const shared = limiter.state();
		expect(shared.globalCap).toBeCloseTo(share(25));
		expect(shared.endpoints[SESSIONS].cap).toBeCloseTo(share(25));
		expect(shared.globalRate / shared.globalCap).toBeCloseTo(alone.globalRate / alone.globalCap);
	});

	it('a budget still in slow start that the credential now states to be shared starts at its share', async () => {
		const clock = new FakeClock();
		const limiter = new AccountLimiter(false, clock, { global: 25, endpoint: 25, search: 20 });
		await starts(limiter, clock, SESSIONS, 3);
		expect(limiter.state().globalRate).toBeLessThan(limiter.state().globalCap);
		limiter.restate(FOUR);
		const shared = limiter.state();
		expect(shared.globalRate).toBeCloseTo(share(25));
		expect(shared.endpoints[SESSIONS].rate).toBeCloseTo(share(25));
	});
});

describe('the wall clock the shared timetable is read from', () => {
	it('is the Unix time, read afresh each time, so that workers started days apart agree after the wall clock was stepped', () => {
		const epoch = realClock.epoch as () => number;
		const before = Date.now();
		const wall = epoch() + realClock.now();
		// Date.now() counts whole milliseconds.
		expect(wall).toBeGreaterThanOrEqual(before - 1);
		expect(wall).toBeLessThanOrEqual(Date.now() + 1);
		// NTP steps the wall clock 300 ms forward: the timetable moves with it, as it does for a worker started afterwards.
		const stepped = Date.now() + 300;
		const now = jest.spyOn(Date, 'now').mockReturnValue(stepped);
		try {
			expect(epoch() + realClock.now()).toBeGreaterThanOrEqual(stepped - 1);
			expect(epoch() + realClock.now()).toBeLessThanOrEqual(stepped + 1);
		} finally {
			now.mockRestore();
		}
	});
});

describe('one limiter per account in the process', () => {
	it('is shared by everything using the same Base URL, key and connected account', () => {
		const fingerprint = accountFingerprint('https://api.stripe.com', 'sk_test_A', undefined);
		expect(limiterFor(fingerprint, false)).toBe(limiterFor(accountFingerprint('https://api.stripe.com', 'sk_test_A'), false));
		expect(limiterFor(accountFingerprint('https://api.stripe.com', 'sk_test_B'), false)).not.toBe(limiterFor(fingerprint, false));
		expect(limiterFor(accountFingerprint('https://api.stripe.com', 'sk_test_A', 'acct_1'), false)).not.toBe(limiterFor(fingerprint, false));
		expect(limiterFor(accountFingerprint('http://127.0.0.1:12111', 'sk_test_A'), false)).not.toBe(limiterFor(fingerprint, false));
	});

	it('takes the limits the credential states now, keeping what its budgets learnt', async () => {
		const fingerprint = accountFingerprint('https://api.stripe.com', 'sk_test_restated');
		const limiter = limiterFor(fingerprint, false, { global: 25, endpoint: 25, search: 20 });
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		const share = limiter.state().globalRate / limiter.state().globalCap;
		expect(limiterFor(fingerprint, false, { global: 100, endpoint: 100, search: 20 })).toBe(limiter);
		const state = limiter.state();
		expect(state.globalCap).toBeCloseTo(100 * LIMIT_MARGIN);
		expect(state.endpoints[SESSIONS].cap).toBeCloseTo(100 * LIMIT_MARGIN);
		expect(state.globalRate / state.globalCap).toBeCloseTo(share);
	});

	it('is named by a fingerprint that holds nothing of the key', () => {
		const key = 'sk_test_51SecretSecretSecret';
		const fingerprint = accountFingerprint('https://api.stripe.com', key);
		expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
		expect(fingerprint).not.toContain('Secret');
	});
});

describe('endpoints', () => {
	it.each([
		['GET', '/v1/billing_portal/configurations/bpc_1Abc', 'GET /v1/billing_portal/configurations/{id}'],
		['POST', '/v1/billing_portal/configurations/{id}', 'POST /v1/billing_portal/configurations/{id}'],
		['post', '/v1/billing_portal/sessions', 'POST /v1/billing_portal/sessions'],
		['GET', '/v1/customers/search?query=x', 'GET /v1/customers/search'],
	])('%s %s counts as %s', (method, path, key) => {
		expect(endpointKey(method, path)).toBe(key);
	});

	it('reads Stripe’s reason header, and nothing else as a reason', () => {
		expect(limitedReasonOf('global-rate')).toBe('global-rate');
		expect(limitedReasonOf(' Endpoint-Concurrency ')).toBe('endpoint-concurrency');
		expect(limitedReasonOf(undefined)).toBeUndefined();
		expect(limitedReasonOf('lock_timeout')).toBeUndefined();
	});
});
