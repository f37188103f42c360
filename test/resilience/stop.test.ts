/**
 * Stop means stop, and time limits are limits. A user who presses Stop expects Stripe to hear
 * nothing more from that execution; Max Wait for Rate Limits and Timeout are promises about how
 * long an item can take. Each story reads the sandbox's request log, with the time each request
 * arrived, and runs the node through n8n-core's own WorkflowExecute (and its own cancel, which
 * is what the Stop button calls). Each story uses its own key, so one story's account budgets
 * (which live as long as the process) cannot help or hinder the next.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type RunningExecution } from '../harness';
import { SEED_IDS } from '../sandbox';
import { NODE_TYPE, createSessionParameters, credentialsFor, customerById, runCreateSession, useEnvironment } from '../support/session';

const KEYS = {
	stop: 'sk_test_stop_paced',
	stopCapped: 'sk_test_stop_capped',
	maxWait: 'sk_test_stop_max_wait',
	maxWaitLookups: 'sk_test_stop_max_wait_lookups',
	trickle: 'sk_test_stop_trickle',
	maxWaitTimeouts: 'sk_test_stop_max_wait_timeouts',
	closedPost: 'sk_test_stop_closed_post',
	closedLookup: 'sk_test_stop_closed_lookup',
	concurrency: 'sk_test_stop_concurrency',
} as const;
const environment = useEnvironment({ secretKeys: ['sk_test_sandbox', ...Object.values(KEYS)] });
const customer = customerById(SEED_IDS.jenny);
const SESSIONS = '/v1/billing_portal/sessions';

const items = (count: number): IDataObject[] => Array.from({ length: count }, (_, n) => ({ n }));
const byEmail = { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' };

/**
 * When the sandbox last had no request in flight (every client it was answering had gone),
 * polled for at most `withinMs`; undefined if some request was still open then.
 */
async function whenNoneInFlight(withinMs: number): Promise<number | undefined> {
	const until = performance.now() + withinMs;
	for (;;) {
		if (environment.sandbox.rateLimitStats.inFlight <= 0) return performance.now();
		if (performance.now() > until) return undefined;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/**
 * Runs Create Portal Session on `count` items and presses Stop `stopAfterMs` after the first
 * request reached the sandbox (n8n takes a while to prepare hundreds of items before the first
 * goes out, more so on a busy machine: counting from then, the stop always lands mid-run).
 */
async function runAndStop(count: number, stopAfterMs: number, secretKey: string, requestSettings: INodeParameters = {}) {
	let stoppedAt = Number.NaN;
	let timer: NodeJS.Timeout | undefined;
	const result = await runNode({
		pkg: environment.pkg,
		nodeType: NODE_TYPE,
		parameters: createSessionParameters({ customer, requestSettings }),
		items: items(count),
		credentials: credentialsFor(environment.sandbox, { secretKey }),
		onStarted: (execution: RunningExecution) => {
			const stopLater = () => {
				if (environment.sandbox.requests.length === 0) {
					timer = setTimeout(stopLater, 5);
					return;
				}
				timer = setTimeout(() => {
					stoppedAt = performance.now();
					execution.stop();
				}, stopAfterMs);
			};
			stopLater();
		},
	});
	clearTimeout(timer);
	const ended = performance.now();
	// Anything still on its way to the sandbox gets a moment to arrive, so a late request is seen.
	await new Promise((resolve) => setTimeout(resolve, 1_000));
	const sessions = environment.sandbox.requests.filter((request) => request.path === SESSIONS);
	return { result, sessions, stoppedAt, ended };
}

describe('Stop stops: nothing reaches Stripe after the user stops an execution', () => {
	it('300 items paced at the account’s limit, stopped after 2 s: nothing arrives later than 0.5 s after the stop', async () => {
		environment.sandbox.setRateLimit({ requestsPerSecond: 25 });
		const { result, sessions, stoppedAt, ended } = await runAndStop(300, 2_000, KEYS.stop);

		// Paced at 24/s, about 48 requests went out before the stop; the other 250 must never go.
		expect(sessions.length).toBeGreaterThan(20);
		expect(sessions.length).toBeLessThan(100);
		expect(sessions.filter((request) => request.receivedAt > stoppedAt + 500).map((request) => Math.round(request.receivedAt - stoppedAt))).toEqual([]);
		// The execution ends too, as stopped, instead of sitting in its queues until they drain (the
		// 250 queued requests would take over 10 s at 24/s); the bound leaves room for a busy machine.
		expect(ended - stoppedAt).toBeLessThan(5_000);
		expect(result.run.status).toBe('canceled');
		expect(result.error?.message).toMatch(/^Execution canceled/);
	}, 60_000);

	it('with the user’s own cap (Max Requests per Second 10), stopped after 2 s: nothing arrives later than 0.5 s after the stop', async () => {
		environment.sandbox.setRateLimit({ requestsPerSecond: 25 });
		const { result, sessions, stoppedAt, ended } = await runAndStop(100, 2_000, KEYS.stopCapped, { maxRequestsPerSecond: 10 });

		expect(sessions.length).toBeGreaterThan(10);
		expect(sessions.length).toBeLessThan(40);
		expect(sessions.filter((request) => request.receivedAt > stoppedAt + 500)).toEqual([]);
		expect(ended - stoppedAt).toBeLessThan(5_000);
		expect(result.run.status).toBe('canceled');
	}, 60_000);
});

describe('Max Wait for Rate Limits bounds an item’s whole wait, its turn in the queue included', () => {
	it('40 items, Max Wait 10 s, Stripe answers every request 429: the run ends within 25 s, each item failed with the rate-limit message', async () => {
		environment.sandbox.setRateLimit(undefined);
		environment.sandbox.queueFault({
			kind: 'status',
			status: 429,
			path: SESSIONS,
			headers: { 'Stripe-Rate-Limited-Reason': 'global-rate' },
			times: 100_000,
		});
		const started = performance.now();
		const run = await runCreateSession(environment, { customer, requestSettings: { maxWaitForRateLimits: 10 } }, items(40), {
			continueOnFail: true,
			credentials: { secretKey: KEYS.maxWait },
		});
		const seconds = (performance.now() - started) / 1000;

		expect(seconds).toBeLessThan(25);
		expect(run.items).toHaveLength(40);
		for (const item of run.items) {
			expect(String(item.json.error)).toMatch(/^Stripe rate limit: .*raise Request Settings → Max Wait for Rate Limits \(was 10 s\)/);
		}
		expect(environment.sandbox.sessions).toHaveLength(0);
		// Every item was tried (or waited for its turn) until its 10 s were over, and no longer.
		const sessions = run.requests.filter((request) => request.path === SESSIONS);
		expect(sessions.every((request) => request.status === 429)).toBe(true);
		expect(sessions[sessions.length - 1].receivedAt - sessions[0].receivedAt).toBeLessThan(12_000);
	}, 60_000);
});

describe('Max Wait for Rate Limits is one item’s, across its lookups and its own request', () => {
	it('By Email and Subscription Source each refused 429 three times, the session every time, Max Wait 4 s: the item fails within 4 s of its first request, and the message counts every attempt of the item', async () => {
		environment.sandbox.setRateLimit(undefined);
		const limited = { kind: 'status', status: 429, headers: { 'Stripe-Rate-Limited-Reason': 'global-rate' } } as const;
		environment.sandbox.queueFault({ ...limited, path: '/v1/customers', method: 'GET', times: 3 });
		environment.sandbox.queueFault({ ...limited, path: '/v1/subscriptions', method: 'GET', times: 3 });
		environment.sandbox.queueFault({ ...limited, path: SESSIONS, method: 'POST', times: 100 });
		const run = await runCreateSession(
			environment,
			{
				customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' },
				flowType: 'subscription_cancel',
				subscriptionSource: 'mostRecentCurrent',
				requestSettings: { maxWaitForRateLimits: 4 },
			},
			[{}],
			{ continueOnFail: true, credentials: { secretKey: KEYS.maxWaitLookups } },
		);
		const ended = performance.now();

		expect(environment.sandbox.sessions).toHaveLength(0);
		const refused = run.requests.filter((request) => request.status === 429);
		// The customer lookup got through after its 429s (about 1 s of pauses and turns), so the
		// item's later requests waited with what it had left.
		expect(run.requests.some((request) => request.path === '/v1/customers' && request.status === 200)).toBe(true);
		expect(new Set(refused.map((request) => request.path)).size).toBeGreaterThan(1);
		// With a Max Wait of its own for each request, this item waited 7 s and more.
		expect(ended - run.requests[0].receivedAt).toBeLessThan(4_000 + 1_000);
		const message = String(run.items[0].json.error);
		expect(message).toMatch(/^Stripe rate limit: still rate-limited after \d+ attempts over [34] s .*raise Request Settings → Max Wait for Rate Limits \(was 4 s\)/);
		// Every 429 the item got, whichever of its requests got it, not the last request's alone.
		expect(Number(/after (\d+) attempts/.exec(message)?.[1])).toBe(refused.length);
	}, 60_000);
});

describe('Max Wait for Rate Limits counts only waits for rate limits', () => {
	it('By Email stalled twice (Timeout 2 s, Retries 3), then refused 429 once, Max Wait 4 s: the timed-out attempts and the pauses after them are not waits for rate limits, so the lookup is resent and the item gets its session', async () => {
		environment.sandbox.setRateLimit(undefined);
		environment.sandbox.queueFault({ kind: 'stall', path: '/v1/customers', method: 'GET', times: 2 });
		environment.sandbox.queueFault({
			kind: 'status',
			status: 429,
			path: '/v1/customers',
			method: 'GET',
			headers: { 'Stripe-Rate-Limited-Reason': 'global-rate' },
			times: 1,
		});
		const run = await runCreateSession(environment, { customer: byEmail, requestSettings: { timeout: 2, retries: 3, maxWaitForRateLimits: 4 } }, [{}], {
			continueOnFail: true,
			credentials: { secretKey: KEYS.maxWaitTimeouts },
		});

		// Over 4 s went by before the 429 (two attempts of 2 s and the pauses after them), but the
		// item had waited for rate limits only for its turns: Max Wait still had almost all of its 4 s.
		const lookups = run.requests.filter((request) => request.path === '/v1/customers');
		expect(lookups.map((request) => request.status)).toEqual([undefined, undefined, 429, 200]);
		expect(lookups[2].receivedAt - lookups[0].receivedAt).toBeGreaterThan(4_000);
		expect(run.items[0].json.error).toBeUndefined();
		expect(run.items[0].json.object).toBe('billing_portal.session');
		expect(environment.sandbox.sessions).toHaveLength(1);
	}, 60_000);
});

describe('Timeout is a wall-clock bound per attempt', () => {
	it('a server that answers one byte every 2 s, Timeout 3 s, Retries 1: each attempt ends after 3 s, retried once with the same key, then fails naming the timeout', async () => {
		environment.sandbox.setRateLimit(undefined);
		environment.sandbox.queueFault({ kind: 'trickle', everyMs: 2_000, path: SESSIONS, times: 2 });
		const started = performance.now();
		const run = await runCreateSession(environment, { customer, requestSettings: { timeout: 3, retries: 1 } }, [{}], {
			continueOnFail: true,
			credentials: { secretKey: KEYS.trickle },
		});
		const seconds = (performance.now() - started) / 1000;

		const posts = run.requests.filter((request) => request.path === SESSIONS);
		expect(posts).toHaveLength(2);
		expect(posts[0].headers['idempotency-key']).toBe(posts[1].headers['idempotency-key']);
		// Two attempts of 3 s and a pause of at most 0.5 s between them; a socket idle timeout would never fire.
		expect(posts[1].receivedAt - posts[0].receivedAt).toBeGreaterThanOrEqual(3_000);
		expect(posts[1].receivedAt - posts[0].receivedAt).toBeLessThan(4_500);
		expect(seconds).toBeLessThan(9);
		expect(String(run.items[0].json.error)).toMatch(/^No answer from Stripe at http:\/\/127\.0\.0\.1:\d+: the request timed out after 3 s/);
	}, 60_000);
});

/** The connection of an attempt timed out at `timedOutAt` (performance.now()) was closed less than a second later. */
async function expectClosedWithinASecondOfTimeout(timedOutAt: number): Promise<void> {
	const closedAt = await whenNoneInFlight(timedOutAt + 1_500 - performance.now());
	expect(closedAt).toBeDefined();
	expect((closedAt ?? Number.POSITIVE_INFINITY) - timedOutAt).toBeLessThan(1_000);
}

describe('An attempt given up at its Timeout is cut off: its connection does not stay open', () => {
	it('the session POST, answered one byte a second, Timeout 2 s, Retries 0: the connection is closed within 1 s of the Timeout', async () => {
		environment.sandbox.setRateLimit(undefined);
		environment.sandbox.queueFault({ kind: 'trickle', everyMs: 1_000, path: SESSIONS, times: 1 });
		const run = await runCreateSession(environment, { customer, requestSettings: { timeout: 2, retries: 0 } }, [{}], {
			continueOnFail: true,
			credentials: { secretKey: KEYS.closedPost },
		});

		const posts = run.requests.filter((request) => request.path === SESSIONS);
		expect(posts).toHaveLength(1);
		expect(String(run.items[0].json.error)).toMatch(/the request timed out after 2 s/);
		// The answer would trickle on for minutes (one byte of the session a second) to a client
		// that no longer listens, holding one of Stripe's concurrency slots all the while.
		await expectClosedWithinASecondOfTimeout(posts[0].receivedAt + 2_000);
	}, 60_000);

	it('the By Email lookup, answered one byte a second, Timeout 2 s, Retries 0: the connection is closed within 1 s of the Timeout', async () => {
		environment.sandbox.setRateLimit(undefined);
		environment.sandbox.queueFault({ kind: 'trickle', everyMs: 1_000, path: '/v1/customers', method: 'GET', times: 1 });
		const run = await runCreateSession(environment, { customer: byEmail, requestSettings: { timeout: 2, retries: 0 } }, [{}], {
			continueOnFail: true,
			credentials: { secretKey: KEYS.closedLookup },
		});

		const lookups = run.requests.filter((request) => request.path === '/v1/customers');
		expect(lookups).toHaveLength(1);
		expect(run.requests.filter((request) => request.path === SESSIONS)).toEqual([]);
		expect(String(run.items[0].json.error)).toMatch(/the request timed out after 2 s/);
		await expectClosedWithinASecondOfTimeout(lookups[0].receivedAt + 2_000);
	}, 60_000);

	it('Stripe allows 2 requests in flight, two session answers trickle, 3 items, Timeout 2 s, Max Wait 8 s: the abandoned attempts free their slots, and every item gets its session, once', async () => {
		environment.sandbox.setRateLimit({ requestsPerSecond: 25, concurrency: 2 });
		environment.sandbox.queueFault({ kind: 'trickle', everyMs: 1_000, path: SESSIONS, times: 2 });
		const run = await runCreateSession(environment, { customer, requestSettings: { timeout: 2, maxWaitForRateLimits: 8 } }, items(3), {
			continueOnFail: true,
			credentials: { secretKey: KEYS.concurrency },
		});

		// Left open, the two trickling answers would hold both slots for minutes, and every later
		// request would be refused 429 global-concurrency until Max Wait ran out.
		expect(run.items.map((item) => item.json.error)).toEqual([undefined, undefined, undefined]);
		expect(run.items.map((item) => item.json.object)).toEqual(['billing_portal.session', 'billing_portal.session', 'billing_portal.session']);
		// Each item's resends went under its own key and got the session its first attempt made:
		// three sessions, three keys.
		expect(environment.sandbox.sessions).toHaveLength(3);
		const posts = run.requests.filter((request) => request.path === SESSIONS);
		expect(new Set(posts.map((request) => request.headers['idempotency-key'])).size).toBe(3);
		expect(new Set(run.items.map((item) => item.json.id)).size).toBe(3);
		expect(await whenNoneInFlight(1_000)).toBeDefined();
	}, 60_000);
});
