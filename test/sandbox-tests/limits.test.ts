import Stripe from 'stripe';

import { LoopWatch } from '../sandbox/loopWatch';
import { sandboxHttp, type CallResult } from '../support/sandbox-http';
import {
	ApiLimiter,
	SEED_IDS,
	STRIPE_DOCUMENTED_RATE_LIMIT,
	StripeSandbox,
	type LimiterRequest,
	type RateLimitedReason,
} from '../sandbox';

const KEY = 'sk_test_sandbox';
const LIVE_KEY = 'sk_live_sandbox_0001';
const LIVE_RESTRICTED_KEY = 'rk_live_sandboxPortal01';
const RETURN_URL = 'https://example.com/account';
const SESSIONS = '/v1/billing_portal/sessions';
const CONFIGURATIONS = '/v1/billing_portal/configurations';
const REASON = 'stripe-rate-limited-reason';

const RATE_LIMIT_BODY = {
	error: {
		code: 'rate_limit',
		doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
		message:
			'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
		type: 'invalid_request_error',
	},
};

let sandbox: StripeSandbox;
let baseUrl: string;
const call = sandboxHttp(() => baseUrl, KEY);

const base = { customer: SEED_IDS.jenny, return_url: RETURN_URL };

beforeAll(async () => {
	sandbox = new StripeSandbox({
		secretKeys: [KEY, LIVE_KEY],
		restrictedKeys: { [LIVE_RESTRICTED_KEY]: ['billing_portal', 'customers'] },
	});
	baseUrl = await sandbox.start();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.reset();
	sandbox.setRateLimit(undefined);
	sandbox.setObjectLocks(undefined);
});

afterEach(() => {
	expect(sandbox.internalErrors).toEqual([]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until the sandbox has received `n` requests in all. */
async function untilReceived(n: number): Promise<void> {
	for (let i = 0; i < 200 && sandbox.requests.length < n; i++) await sleep(5);
	expect(sandbox.requests.length).toBeGreaterThanOrEqual(n);
}

/** The Stripe-Rate-Limited-Reason of each answer, or the status for answers that are not 429s. */
const outcomes = (answers: CallResult[]) => answers.map((r) => (r.status === 429 ? r.headers.get(REASON) : r.status));

const count = <T>(values: T[], value: T) => values.filter((v) => v === value).length;

describe('global and per-endpoint rates', () => {
	it('two endpoints at 20 each pass a 25/s endpoint limit but together trip the 25/s global limit (global-rate)', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 25, endpointPerSecond: 25 });
		const answers = await Promise.all([
			...Array.from({ length: 20 }, () => call('GET', '/v1/customers')),
			...Array.from({ length: 20 }, () => call('GET', CONFIGURATIONS)),
		]);
		const seen = outcomes(answers);
		const stats = sandbox.rateLimitStats;
		// Within the first second after the first arrival nothing came before, so the first 25 to
		// arrive are let through and every later one in that second is refused, however the machine
		// spreads the forty (one process sends them within a second, so the limit is reached).
		const byArrival = [...sandbox.requests].sort((a, b) => a.receivedAt - b.receivedAt);
		const firstSecond = byArrival.filter((request) => request.receivedAt - byArrival[0].receivedAt < 1000);
		expect(firstSecond.length).toBeGreaterThan(25);
		expect(firstSecond.map((request) => request.status)).toEqual(firstSecond.map((_, index) => (index < 25 ? 200 : 429)));
		expect(firstSecond.slice(25).every((request) => request.limitedReason === 'global-rate')).toBe(true);
		expect(count(seen, 200) + count(seen, 'global-rate')).toBe(40);
		expect(count(seen, 'global-rate')).toBe(stats.limited);
		expect(stats.maxInAnyWindow).toBeLessThanOrEqual(25);
		for (const r of answers.filter((a) => a.status === 429)) expect(r.json).toEqual(RATE_LIMIT_BODY);
		expect(stats.limitedByReason).toEqual({
			'global-rate': stats.limited,
			'global-concurrency': 0,
			'endpoint-rate': 0,
			'endpoint-concurrency': 0,
			'resource-specific': 0,
		});
		const customers = stats.endpoints['GET /v1/customers'];
		const configurations = stats.endpoints[`GET ${CONFIGURATIONS}`];
		expect(customers.accepted + configurations.accepted).toBe(stats.accepted);
		expect(customers.limited + configurations.limited).toBe(stats.limited);
		expect(customers.accepted + customers.limited).toBe(20);
		expect(Math.max(customers.maxInAnyWindow, configurations.maxInAnyWindow)).toBeLessThanOrEqual(20);
	});

	it('one endpoint over its own limit gets endpoint-rate while the global budget has room', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 100, endpointPerSecond: 25 });
		const answers = await Promise.all(Array.from({ length: 30 }, () => call('GET', '/v1/customers')));
		expect(count(outcomes(answers), 200)).toBe(25);
		expect(count(outcomes(answers), 'endpoint-rate')).toBe(5);
		// Another endpoint is another budget.
		expect((await call('GET', CONFIGURATIONS)).status).toBe(200);
		expect(sandbox.rateLimitStats.endpoints['GET /v1/customers']).toEqual({ accepted: 25, limited: 5, maxInAnyWindow: 25 });
	});

	it('counts every ID of a path template as one endpoint', async () => {
		const [a, b] = sandbox.addConfigurations(2);
		sandbox.setRateLimit({ requestsPerSecond: 100, endpointPerSecond: 25 });
		const answers = await Promise.all(
			Array.from({ length: 30 }, (_, i) => call('GET', `${CONFIGURATIONS}/${i % 2 === 0 ? a.id : b.id}`)),
		);
		expect(count(outcomes(answers), 200)).toBe(25);
		expect(count(outcomes(answers), 'endpoint-rate')).toBe(5);
		expect(sandbox.rateLimitStats.endpoints).toEqual({
			[`GET ${CONFIGURATIONS}/{id}`]: { accepted: 25, limited: 5, maxInAnyWindow: 25 },
		});
		// The list and the update are endpoints of their own.
		expect((await call('GET', CONFIGURATIONS)).status).toBe(200);
		expect((await call('POST', `${CONFIGURATIONS}/${a.id}`, { body: { name: 'Renamed' } })).status).toBe(200);
		expect(Object.keys(sandbox.rateLimitStats.endpoints).sort()).toEqual([
			`GET ${CONFIGURATIONS}`,
			`GET ${CONFIGURATIONS}/{id}`,
			`POST ${CONFIGURATIONS}/{id}`,
		]);
	});

	it('limits search endpoints to searchPerSecond (20/s as documented) while other endpoints keep 25', async () => {
		sandbox.setRateLimit(STRIPE_DOCUMENTED_RATE_LIMIT);
		const query = { query: "email:'jenny.rosen@example.com'" };
		const answers = await Promise.all([
			...Array.from({ length: 24 }, () => call('GET', '/v1/customers/search', { query })),
			...Array.from({ length: 1 }, () => call('GET', '/v1/customers')),
		]);
		const search = outcomes(answers.slice(0, 24));
		expect(count(search, 200)).toBe(20);
		expect(count(search, 'endpoint-rate')).toBe(4);
		expect(answers[24].status).toBe(200);
		expect(sandbox.rateLimitStats.endpoints['GET /v1/customers/search']).toMatchObject({ accepted: 20, limited: 4 });
		expect(STRIPE_DOCUMENTED_RATE_LIMIT).toEqual({ requestsPerSecond: 25, livePerSecond: 100, endpointPerSecond: 25, searchPerSecond: 20 });
	});

	it('search falls back to endpointPerSecond when searchPerSecond is not set', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 100, endpointPerSecond: 3 });
		const answers = await Promise.all(Array.from({ length: 5 }, () => call('GET', '/v1/customers/search', { query: { query: "name:'x'" } })));
		expect(outcomes(answers).sort()).toEqual([200, 200, 200, 'endpoint-rate', 'endpoint-rate']);
	});

	it('puts paths the sandbox does not serve under the global limit only', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 100, endpointPerSecond: 1 });
		const answers = await Promise.all(Array.from({ length: 3 }, () => call('GET', '/v1/nothing_here')));
		expect(answers.map((r) => r.status)).toEqual([404, 404, 404]);
		expect(sandbox.rateLimitStats.endpoints).toEqual({});
		expect(sandbox.rateLimitStats.accepted).toBe(3);
	});
});

describe('modes', () => {
	const getAs = (key: string, n: number) => Array.from({ length: n }, () => call('GET', '/v1/customers', { key }));

	it('keeps live and test budgets apart, with livePerSecond for live keys (sk_live_ and rk_live_)', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 10, livePerSecond: 30 });
		const answers = await Promise.all([...getAs(KEY, 15), ...getAs(LIVE_KEY, 20), ...getAs(LIVE_RESTRICTED_KEY, 15)]);
		const testSeen = outcomes(answers.slice(0, 15));
		const liveSeen = outcomes(answers.slice(15));
		expect(count(testSeen, 200)).toBe(10);
		expect(count(testSeen, 'global-rate')).toBe(5);
		expect(count(liveSeen, 200)).toBe(30);
		expect(count(liveSeen, 'global-rate')).toBe(5);
		const liveLimited = answers.slice(15).filter((r) => r.status === 429);
		for (const r of liveLimited)
			expect(r.json.error.message).toBe(
				'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
			);
		// Stats cover both modes.
		expect(sandbox.rateLimitStats).toMatchObject({ accepted: 40, limited: 10, maxInAnyWindow: 40 });
	});

	it('gives live keys the global requestsPerSecond when livePerSecond is not set', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 4 });
		const answers = await Promise.all(getAs(LIVE_KEY, 6));
		expect(count(outcomes(answers), 200)).toBe(4);
	});

	it('shares a mode’s budget whatever Stripe-Account says', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 4 });
		sandbox.addConnectedAccount('acct_1Connected000001');
		const answers = await Promise.all(
			Array.from({ length: 6 }, (_, i) =>
				call('GET', '/v1/customers', { headers: i % 2 ? { 'Stripe-Account': 'acct_1Connected000001' } : {} }),
			),
		);
		expect(count(outcomes(answers), 200)).toBe(4);
		expect(count(outcomes(answers), 'global-rate')).toBe(2);
	});
});

describe('concurrency', () => {
	it('refuses requests beyond `concurrency` in flight with global-concurrency, and frees the slots as answers go out', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 100, concurrency: 3 });
		sandbox.queueFault({ kind: 'delay', ms: 400, times: 3 });
		const slow = Array.from({ length: 3 }, () => call('GET', '/v1/customers'));
		await untilReceived(3);
		expect(sandbox.rateLimitStats.inFlight).toBe(3);
		const refused = await Promise.all([call('GET', '/v1/customers'), call('GET', CONFIGURATIONS)]);
		expect(outcomes(refused)).toEqual(['global-concurrency', 'global-concurrency']);
		expect(refused[0].json).toEqual(RATE_LIMIT_BODY);
		expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200]);
		// Answered: the slots are free again.
		expect(sandbox.rateLimitStats.inFlight).toBe(0);
		expect((await call('GET', '/v1/customers')).status).toBe(200);
		expect(sandbox.rateLimitStats).toMatchObject({
			accepted: 4,
			limited: 2,
			peakInFlight: 3,
			inFlight: 0,
			limitedByReason: expect.objectContaining({ 'global-concurrency': 2 }),
		});
	});

	it('refuses beyond endpointConcurrency for one endpoint with endpoint-concurrency, not other endpoints', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 100, concurrency: 10, endpointConcurrency: 2 });
		sandbox.queueFault({ kind: 'delay', ms: 300, times: 2, path: '/v1/customers' });
		const slow = [call('GET', '/v1/customers'), call('GET', '/v1/customers')];
		await untilReceived(2);
		expect(outcomes([await call('GET', '/v1/customers')])).toEqual(['endpoint-concurrency']);
		expect((await call('GET', CONFIGURATIONS)).status).toBe(200);
		await Promise.all(slow);
		expect(sandbox.rateLimitStats.endpoints['GET /v1/customers']).toMatchObject({ accepted: 2, limited: 1 });
	});

	it('frees the slot of a request whose client gave up (stall), and keeps counting requests open across reset()', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 100, concurrency: 1 });
		sandbox.queueFault({ kind: 'stall' });
		const controller = new AbortController();
		const stalled = fetch(`${baseUrl}/v1/customers`, { headers: { Authorization: `Bearer ${KEY}` }, signal: controller.signal }).catch(
			(e: Error) => e,
		);
		await untilReceived(1);
		sandbox.reset();
		sandbox.setRateLimit({ requestsPerSecond: 100, concurrency: 1 });
		// Still open after reset(), so still in flight.
		expect(sandbox.rateLimitStats).toMatchObject({ inFlight: 1, peakInFlight: 1 });
		expect(outcomes([await call('GET', '/v1/customers')])).toEqual(['global-concurrency']);
		controller.abort();
		expect(await stalled).toMatchObject({ name: 'AbortError' });
		for (let i = 0; i < 200 && sandbox.rateLimitStats.inFlight > 0; i++) await sleep(5);
		expect(sandbox.rateLimitStats.inFlight).toBe(0);
		expect((await call('GET', '/v1/customers')).status).toBe(200);
	});

	it('counts a delayed request as in flight until it has been handled, even after its client has gone', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 100, concurrency: 1 });
		sandbox.queueFault({ kind: 'delay', ms: 400 });
		const controller = new AbortController();
		const abandoned = fetch(`${baseUrl}/v1/customers`, { headers: { Authorization: `Bearer ${KEY}` }, signal: controller.signal }).catch(
			(e: Error) => e,
		);
		await untilReceived(1);
		controller.abort();
		expect(await abandoned).toMatchObject({ name: 'AbortError' });
		// Time for the sandbox to see the socket close.
		await sleep(50);
		expect(outcomes([await call('GET', '/v1/customers')])).toEqual(['global-concurrency']);
		for (let i = 0; i < 200 && sandbox.rateLimitStats.inFlight > 0; i++) await sleep(5);
		expect(sandbox.rateLimitStats.inFlight).toBe(0);
		expect((await call('GET', '/v1/customers')).status).toBe(200);
	});

	it('tracks the peak in flight without a limit', async () => {
		sandbox.queueFault({ kind: 'delay', ms: 200, times: 4 });
		await Promise.all(Array.from({ length: 4 }, () => call('GET', '/v1/customers')));
		expect(sandbox.rateLimitStats).toMatchObject({ accepted: 4, limited: 0, peakInFlight: 4, inFlight: 0 });
	});
});

describe('limiter 429s save no idempotent result', () => {
	const keyed = (key: string) => call('POST', SESSIONS, { body: base, headers: { 'Idempotency-Key': key } });

	it.each<[RateLimitedReason, () => Promise<void>]>([
		[
			'global-rate',
			async () => {
				sandbox.setRateLimit({ requestsPerSecond: 1 });
				await call('GET', '/v1/customers');
			},
		],
		[
			'endpoint-rate',
			async () => {
				sandbox.setRateLimit({ requestsPerSecond: 100, endpointPerSecond: 1 });
				expect((await keyed('earlier-session')).status).toBe(200);
			},
		],
		[
			'global-concurrency',
			async () => {
				sandbox.setRateLimit({ requestsPerSecond: 100, concurrency: 1 });
				sandbox.queueFault({ kind: 'delay', ms: 300 });
				void call('GET', '/v1/customers');
				await untilReceived(1);
			},
		],
	])('%s: the keyed POST did nothing, and the same key later runs for real', async (reason, saturate) => {
		await saturate();
		const sessionsBefore = sandbox.sessions.length;
		const limited = await keyed(`limited-${reason}`);
		expect(limited.status).toBe(429);
		expect(limited.headers.get(REASON)).toBe(reason);
		expect(limited.headers.get('original-request')).toBeNull();
		expect(sandbox.sessions).toHaveLength(sessionsBefore);
		sandbox.setRateLimit(undefined);
		await sleep(350);
		const retry = await keyed(`limited-${reason}`);
		expect(retry.status).toBe(200);
		expect(retry.headers.get('idempotent-replayed')).toBeNull();
		expect(sandbox.sessions).toHaveLength(sessionsBefore + 1);
	});
});

describe('object locks', () => {
	const LOCK_TIMEOUT_MESSAGE =
		'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.';

	it('answers a concurrent POST to the same object with the lock_timeout 429, without Stripe-Rate-Limited-Reason', async () => {
		sandbox.setObjectLocks({ holdMs: 500 });
		const [config, other] = sandbox.addConfigurations(2);
		const started = performance.now();
		const first = call('POST', `${CONFIGURATIONS}/${config.id}`, { body: { name: 'First' } });
		await untilReceived(1);
		const second = await call('POST', `${CONFIGURATIONS}/${config.id}`, { body: { name: 'Second' } });
		expect(second.status).toBe(429);
		expect(second.headers.get(REASON)).toBeNull();
		expect(second.json.error).toEqual({
			code: 'lock_timeout',
			doc_url: 'https://stripe.com/docs/error-codes/lock-timeout',
			message: LOCK_TIMEOUT_MESSAGE,
			request_log_url: expect.stringMatching(/^https:\/\/dashboard\.stripe\.com\/test\/logs\/req_/),
			type: 'invalid_request_error',
		});
		// Reads and other objects are not locked.
		expect((await call('GET', `${CONFIGURATIONS}/${config.id}`)).status).toBe(200);
		expect((await call('POST', `${CONFIGURATIONS}/${other.id}`, { body: { name: 'Other' } })).status).toBe(200);
		const done = await first;
		expect(done.status).toBe(200);
		expect(performance.now() - started).toBeGreaterThanOrEqual(490);
		expect(sandbox.getConfiguration(config.id)?.name).toBe('First');
		// Serial requests never meet the lock.
		expect((await call('POST', `${CONFIGURATIONS}/${config.id}`, { body: { name: 'Third' } })).status).toBe(200);
		expect(sandbox.rateLimitStats).toMatchObject({ limited: 0, lockTimeouts: 1 });
	});

	it('saves no idempotent result for a lock timeout, and the SDK sees a rate-limit error with code lock_timeout', async () => {
		sandbox.setObjectLocks({ holdMs: 500 });
		const [config] = sandbox.addConfigurations(1);
		const path = `${CONFIGURATIONS}/${config.id}`;
		const first = call('POST', path, { body: { name: 'First' } });
		await untilReceived(1);
		const locked = await call('POST', path, { body: { name: 'Keyed' }, headers: { 'Idempotency-Key': 'lock-1' } });
		expect(locked.status).toBe(429);
		expect(locked.headers.get('original-request')).toBeNull();
		const stripe = new Stripe(KEY, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 0, telemetry: false });
		await expect(stripe.billingPortal.configurations.update(config.id, { name: 'SDK' })).rejects.toMatchObject({
			type: 'StripeRateLimitError',
			statusCode: 429,
			code: 'lock_timeout',
		});
		await first;
		const retry = await call('POST', path, { body: { name: 'Keyed' }, headers: { 'Idempotency-Key': 'lock-1' } });
		expect(retry.status).toBe(200);
		expect(retry.headers.get('idempotent-replayed')).toBeNull();
		expect(sandbox.getConfiguration(config.id)?.name).toBe('Keyed');
	});

	it('takes no lock without the option, and refuses a bad holdMs', async () => {
		const [config] = sandbox.addConfigurations(1);
		const answers = await Promise.all(
			Array.from({ length: 3 }, (_, i) => call('POST', `${CONFIGURATIONS}/${config.id}`, { body: { name: `N${i}` } })),
		);
		expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(() => sandbox.setObjectLocks({ holdMs: 0 })).toThrow(/> 0/);
		expect(() => new StripeSandbox({ objectLocks: { holdMs: Number.NaN } })).toThrow(/> 0/);
	});
});

describe('options', () => {
	it('refuses limits that are not positive integers', () => {
		for (const bad of [
			{ requestsPerSecond: 0 },
			{ requestsPerSecond: 5, livePerSecond: 0 },
			{ requestsPerSecond: 5, endpointPerSecond: 2.5 },
			{ requestsPerSecond: 5, searchPerSecond: -1 },
			{ requestsPerSecond: 5, concurrency: Number.NaN },
			{ requestsPerSecond: 5, endpointConcurrency: 0 },
		])
			expect(() => sandbox.setRateLimit(bad)).toThrow(/positive integer/);
	});
});

describe('ApiLimiter on a synthetic clock', () => {
	const A: LimiterRequest = { live: false, endpoint: 'GET /v1/customers' };
	const B: LimiterRequest = { live: false, endpoint: 'GET /v1/billing_portal/configurations' };

	/** Two endpoints, each called every 50 ms (20/s), interleaved, for three seconds. */
	function run(limiter: ApiLimiter): Array<RateLimitedReason | 'ok'> {
		const seen: Array<RateLimitedReason | 'ok'> = [];
		for (let t = 0; t < 3000; t += 25) {
			const verdict = limiter.admit(t, (t / 25) % 2 === 0 ? A : B);
			if ('reason' in verdict) seen.push(verdict.reason);
			else {
				verdict.release();
				seen.push('ok');
			}
		}
		return seen;
	}

	it('20/s on each of two endpoints passes a 25/s endpoint limit and trips only a 25/s global one', () => {
		const tight = new ApiLimiter({ requestsPerSecond: 25, endpointPerSecond: 25 });
		const seen = run(tight);
		expect(new Set(seen)).toEqual(new Set(['ok', 'global-rate']));
		const stats = tight.stats;
		expect(stats.maxInAnyWindow).toBe(25);
		expect(stats.limitedByReason['global-rate']).toBe(stats.limited);
		expect(stats.endpoints[A.endpoint as string].maxInAnyWindow).toBeLessThanOrEqual(20);

		const roomy = new ApiLimiter({ requestsPerSecond: 100, endpointPerSecond: 25 });
		expect(run(roomy).every((v) => v === 'ok')).toBe(true);
		expect(roomy.stats).toMatchObject({ accepted: 120, limited: 0, maxInAnyWindow: 40 });
		expect(roomy.stats.endpoints[B.endpoint as string]).toEqual({ accepted: 60, limited: 0, maxInAnyWindow: 20 });
	});

	it('a refused request takes no budget: the window holds exactly the limit at every moment', () => {
		const limiter = new ApiLimiter({ requestsPerSecond: 3, endpointPerSecond: 2 });
		const at = (t: number, r: LimiterRequest) => {
			const v = limiter.admit(t, r);
			return 'reason' in v ? v.reason : 'ok';
		};
		expect([at(0, A), at(10, A), at(20, A), at(30, B), at(40, B), at(1000, A), at(1011, A)]).toEqual([
			'ok',
			'ok',
			'endpoint-rate',
			'ok',
			'global-rate',
			'ok',
			'ok',
		]);
	});

	it('releases are counted once however often they are called', () => {
		const limiter = new ApiLimiter({ requestsPerSecond: 100, concurrency: 1 });
		const first = limiter.admit(0, A);
		expect('reason' in limiter.admit(1, A) ? 'refused' : 'admitted').toBe('refused');
		if (!('release' in first)) throw new Error('expected an admission');
		first.release();
		first.release();
		expect(limiter.stats.inFlight).toBe(0);
		const second = limiter.admit(2, B);
		expect('release' in second).toBe(true);
		expect(limiter.stats).toMatchObject({ inFlight: 1, peakInFlight: 1 });
	});
});

describe('arrival times when the shared event loop stood still', () => {
	/** A watch whose loop turns every 5 ms of a made-up clock, up to `until`. */
	function turning(watch: LoopWatch, from: number, until: number): void {
		for (let time = from; time <= until; time += 5) watch.tick(time);
	}

	it('the first request read after a stall counts from its start, the next ones from when they are read', () => {
		const watch = new LoopWatch(() => 0);
		turning(watch, 0, 100);
		// The loop stood still from 100 to 180 ms.
		expect(watch.arrivedBy(181)).toBe(100);
		expect(watch.arrivedBy(182)).toBe(182);
		turning(watch, 185, 300);
		expect(watch.arrivedBy(301)).toBe(301);
	});

	it('a stall the interval saw first is credited the same way, once', () => {
		const watch = new LoopWatch(() => 0);
		turning(watch, 0, 100);
		watch.tick(160);
		expect(watch.arrivedBy(161)).toBe(100);
		expect(watch.arrivedBy(161)).toBe(161);
	});

	it('a request read after the loop turned normally again gets no credit for an earlier stall', () => {
		const watch = new LoopWatch(() => 0);
		turning(watch, 0, 100);
		watch.tick(160);
		turning(watch, 165, 200);
		expect(watch.arrivedBy(201)).toBe(201);
	});

	it('turns shorter than a stall give no credit', () => {
		const watch = new LoopWatch(() => 0);
		turning(watch, 0, 100);
		expect(watch.arrivedBy(115)).toBe(115);
	});

	it('the sandbox stamps a request when it arrives, with the watch running', async () => {
		const sandbox = new StripeSandbox();
		await sandbox.start();
		try {
			const stripe = new Stripe(KEY, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 0 });
			const before = performance.now();
			await stripe.customers.retrieve(SEED_IDS.jenny);
			const after = performance.now();
			expect(sandbox.requests).toHaveLength(1);
			// Before the answer; earlier than the call only by a stall the watch credited (the loop's last turn).
			expect(sandbox.requests[0].receivedAt).toBeLessThanOrEqual(after);
			expect(sandbox.requests[0].receivedAt).toBeGreaterThan(before - 1000);
		} finally {
			await sandbox.stop();
		}
	});
});
