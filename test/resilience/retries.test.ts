/**
 * Retries: what Stripe or the network says is worth retrying is sent again, with the same
 * idempotency key, after a growing pause that respects Retry-After; everything else fails at
 * once with Stripe's message. No item is lost or created twice, and output items keep their
 * input's order and pairing.
 */
import type { IDataObject } from 'n8n-workflow';

import { SEED_IDS, stripeError, type RecordedRequest } from '../sandbox';
import { mostArrivalsInAnyWindow, rateLimited } from '../support/attempts';
import { customerById, runCreateSession, sessionBody, useEnvironment, type SessionRun } from '../support/session';

const environment = useEnvironment();
const customer = customerById(SEED_IDS.jenny);
const SESSIONS = '/v1/billing_portal/sessions';

const posts = (run: SessionRun) => run.requests.filter((request) => request.path === SESSIONS && request.method === 'POST');
const keyOf = (request: RecordedRequest) => request.headers['idempotency-key'];
const statuses = (requests: RecordedRequest[]) => requests.map((request) => request.status);

/** Retries' pauses are ≥ 250 ms each; one or two retries keep a test well under a second or two. */
const withRetries = (retries: number) => ({ requestSettings: { retries } });

describe('what is retried', () => {
	it('a 500: sent again with the same Idempotency-Key, and the item gets its session', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 500, path: SESSIONS });
		const run = await runCreateSession(environment, { customer });
		expect(run.error).toBeUndefined();
		expect(statuses(posts(run))).toEqual([500, 200]);
		expect(keyOf(posts(run)[1])).toBe(keyOf(posts(run)[0]));
		expect(environment.sandbox.sessions).toHaveLength(1);
		expect(run.items[0].json.id).toBe(environment.sandbox.sessions[0].id);
	});

	it('a connection dropped before Stripe answered: sent again with the same key', async () => {
		environment.sandbox.queueFault({ kind: 'drop', path: SESSIONS });
		const run = await runCreateSession(environment, { customer });
		expect(run.error).toBeUndefined();
		expect(posts(run)).toHaveLength(2);
		expect(keyOf(posts(run)[1])).toBe(keyOf(posts(run)[0]));
		expect(environment.sandbox.sessions).toHaveLength(1);
	});

	it('an answer lost after Stripe created the session: the retry gets the same session back, not a second one', async () => {
		environment.sandbox.queueFault({ kind: 'drop-after', path: SESSIONS });
		const run = await runCreateSession(environment, { customer });
		expect(run.error).toBeUndefined();
		expect(posts(run)).toHaveLength(2);
		expect(posts(run)[1].replayed).toBe(true);
		expect(environment.sandbox.sessions).toHaveLength(1);
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json.id).toBe(environment.sandbox.sessions[0].id);
	});

	it('a 429 with Retry-After: the retry waits at least that long', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 429, path: SESSIONS, headers: { 'Retry-After': '1' } });
		const run = await runCreateSession(environment, { customer });
		expect(run.error).toBeUndefined();
		const [first, second] = posts(run);
		expect(statuses([first, second])).toEqual([429, 200]);
		expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1000);
	});

	it('a 409 lock timeout is retried; a 409 of another kind is not', async () => {
		environment.sandbox.queueFault({
			kind: 'status',
			path: SESSIONS,
			...stripeError(409, { type: 'invalid_request_error', code: 'lock_timeout', message: 'This object cannot be accessed right now because another API request or Stripe process is currently accessing it.' }),
		});
		const retried = await runCreateSession(environment, { customer });
		expect(retried.error).toBeUndefined();
		expect(statuses(posts(retried))).toEqual([409, 200]);

		environment.sandbox.queueFault({
			kind: 'status',
			path: SESSIONS,
			...stripeError(409, { type: 'invalid_request_error', message: 'The subscription has a pending update that conflicts with this change.' }),
		});
		const refused = await runCreateSession(environment, { customer });
		expect(posts(refused)).toHaveLength(1);
		expect(refused.error?.message).toBe('The subscription has a pending update that conflicts with this change.');
	});

	it('Stripe-Should-Retry: false stops the retry of a 500; true makes a 409 retryable', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 500, path: SESSIONS, headers: { 'Stripe-Should-Retry': 'false' } });
		const stopped = await runCreateSession(environment, { customer });
		expect(posts(stopped)).toHaveLength(1);
		expect(stopped.error).toMatchObject({ httpCode: '500' });

		environment.sandbox.queueFault({
			kind: 'status',
			path: SESSIONS,
			...stripeError(409, { type: 'invalid_request_error', message: 'Conflict.' }, { 'Stripe-Should-Retry': 'true' }),
		});
		const retried = await runCreateSession(environment, { customer });
		expect(statuses(posts(retried))).toEqual([409, 200]);
	});

	it('other 4xx answers are never retried', async () => {
		for (const status of [400, 401, 402, 403, 404]) {
			environment.sandbox.queueFault({ kind: 'status', status, path: SESSIONS });
			const run = await runCreateSession(environment, { customer });
			expect(posts(run)).toHaveLength(1);
			expect(run.error).toMatchObject({ httpCode: String(status) });
		}
		// A 401 is the one n8n itself repeats once, through the credential's preAuthentication.
	});

	it('the lookups are retried too', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 503, path: '/v1/customers' });
		environment.sandbox.queueFault({ kind: 'drop', path: '/v1/subscriptions' });
		const run = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' },
			flowType: 'subscription_cancel',
			subscriptionSource: 'onlyCurrent',
		});
		expect(run.error).toBeUndefined();
		expect(statuses(run.requests.filter((request) => request.path === '/v1/customers'))).toEqual([503, 200]);
		expect(run.requests.filter((request) => request.path === '/v1/subscriptions')).toHaveLength(2);
		expect(environment.sandbox.sessions).toHaveLength(1);
	});
});

describe('when the retries run out', () => {
	it('429: resent until Max Wait for Rate Limits, then the error says how long and what to change', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 429, path: SESSIONS, times: 100 });
		const started = performance.now();
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0, maxWaitForRateLimits: 2 } });
		const elapsed = performance.now() - started;
		expect(posts(run).length).toBeGreaterThan(3);
		expect(elapsed).toBeLessThan(4_000);
		expect(run.error).toMatchObject({ httpCode: '429' });
		expect(run.error?.message).toMatch(
			/^Stripe rate limit: still rate-limited after \d+ attempts over [12] s \(.+\)\. Other traffic on this Stripe account, or many executions at once, use up its limit: raise Request Settings → Max Wait for Rate Limits \(was 2 s\), or run fewer executions at the same time\. In queue mode, set the credential's Processes Sharing the Account to the number of workers\.$/,
		);
		// n8n's routing node would replace a 429's message with advice about its batching option.
		expect(run.error?.message).not.toMatch(/batching/);
		expect(run.error?.description).toMatch(/100 requests per second in live mode and 25 in test mode per account/);
		expect(environment.sandbox.sessions).toHaveLength(0);
	});

	it('a 5xx that persists: Stripe’s message, and the description says it was retried', async () => {
		environment.sandbox.queueFault({
			kind: 'status',
			path: SESSIONS,
			times: 2,
			...stripeError(500, { type: 'api_error', message: 'An unknown error occurred' }),
		});
		const run = await runCreateSession(environment, { customer, ...withRetries(1) });
		expect(posts(run)).toHaveLength(2);
		expect(run.error?.message).toBe('An unknown error occurred');
		expect(run.error?.description).toMatch(/Retried once with backoff; Request Settings → Retries sets how often\./);
	});

	it('a connection that keeps dropping: the connection error, and how many retries were made', async () => {
		environment.sandbox.queueFault({ kind: 'drop', path: SESSIONS, times: 3 });
		const run = await runCreateSession(environment, { customer, ...withRetries(2) });
		expect(posts(run)).toHaveLength(3);
		expect(run.error?.message).toBe(`Could not reach Stripe at ${environment.sandbox.baseUrl}: The connection was closed before Stripe answered`);
		expect(run.error?.description).toMatch(/Retried 2 times/);
	});

	it('a refused connection is a wrong Base URL, not worth retrying', async () => {
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { baseUrl: 'http://127.0.0.1:1' } });
		expect(run.error?.message).toBe('Could not reach Stripe at http://127.0.0.1:1: The connection was refused');
		expect(run.error?.description).not.toMatch(/Retried/);
	});
});

describe('several items, faults and retries interleaved', () => {
	async function customers(count: number): Promise<string[]> {
		return Array.from({ length: count }, (_, i) => environment.sandbox.addCustomer({ email: `bulk${i}@example.com` }).id);
	}

	it('no item lost or created twice; order and pairing kept; a failing item fails alone with Continue On Fail', async () => {
		const ids = await customers(6);
		ids[2] = 'cus_DoesNotExist0000';
		environment.sandbox.queueFault({ kind: 'status', status: 500, path: SESSIONS, times: 2 });
		environment.sandbox.queueFault({ kind: 'drop-after', path: SESSIONS });
		environment.sandbox.queueFault({ kind: 'drop', path: SESSIONS });
		const items: IDataObject[] = ids.map((customerId) => ({ customerId }));
		const run = await runCreateSession(
			environment,
			{ customer: { __rl: true, mode: 'id', value: '={{ $json.customerId }}' } },
			items,
			{ continueOnFail: true },
		);

		expect(run.items).toHaveLength(6);
		run.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			if (index === 2) expect(item.json.error).toMatch(/No such customer/);
			else expect(item.json.customer).toBe(ids[index]);
		});
		// One session per good item, whatever was retried or replayed.
		const created = environment.sandbox.sessions.map((session) => session.customer).sort();
		expect(created).toEqual(ids.filter((_, index) => index !== 2).sort());
		const perItemKeys = new Set(posts(run).map(keyOf));
		expect(perItemKeys.size).toBe(6);
		for (const request of posts(run)) expect(sessionBody(request).customer).toBe(ids[Number(/-item(\d+)-/.exec(String(keyOf(request)))?.[1])]);
	});

	it('a sandbox enforcing 5 requests/s against the node’s default 20/s: 429s, retried until every item is through', async () => {
		const ids = await customers(10);
		environment.sandbox.setRateLimit({ requestsPerSecond: 5 });
		try {
			const run = await runCreateSession(
				environment,
				{ customer: { __rl: true, mode: 'id', value: '={{ $json.customerId }}' }, ...withRetries(10) },
				ids.map((customerId) => ({ customerId })),
			);
			expect(run.error).toBeUndefined();
			expect(environment.sandbox.rateLimitStats.limited).toBeGreaterThan(0);
			// What the node sent, refused attempts included (the sandbox's own limit caps only what it
			// let through): spaced from the start (at most 4 in any 100 ms: its budget is under 25/s, 3 in 100 ms,
			// where ten items sent at once would arrive together), and slowed down by the 429s, not
			// retried at its budget (against 5/s that is some four refusals per session: 40 here).
			const attempts = environment.sandbox.requests;
			expect(mostArrivalsInAnyWindow(attempts, 100)).toBeLessThanOrEqual(4);
			expect(rateLimited(attempts).length).toBeLessThan(2 * ids.length);
			expect(run.items.map((item) => item.json.customer)).toEqual(ids);
			expect(environment.sandbox.sessions).toHaveLength(10);
		} finally {
			environment.sandbox.setRateLimit(undefined);
		}
	});
});
