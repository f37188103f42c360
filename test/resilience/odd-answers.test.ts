/**
 * Odd answers and odd connections, through n8n's engine against a sandbox that misbehaves on
 * purpose: an answer cut off mid-body, a list that repeats itself or holds no objects, Stripe's
 * error inside a 200, an answer that never comes, a redirect. Each ends in one of two ways: handled
 * safely (retried with the same idempotency key) or stopped with an error that says what to do;
 * never a duplicate, a hang or a success made of an error.
 */
import { StripeSandbox, SEED_IDS, type RecordedRequest } from '../sandbox';
import { CONFIGURATIONS_PATH, addConfigurations, runConfiguration } from '../support/configuration';
import { runListSearch } from '../harness';
import { NODE_TYPE, credentialsFor, customerById, jsonOf, runCreateSession, useEnvironment } from '../support/session';

const environment = useEnvironment();
const SESSIONS = '/v1/billing_portal/sessions';
const customer = customerById(SEED_IDS.jenny);
const posts = (run: { requests: RecordedRequest[] }, path = SESSIONS) =>
	run.requests.filter((request) => request.method === 'POST' && request.path === path);

describe('a connection that drops while Stripe answers', () => {
	it('is retried with the same idempotency key, so the configuration exists once', async () => {
		environment.sandbox.queueFault({ kind: 'drop-mid-body', path: CONFIGURATIONS_PATH, method: 'POST' });
		const before = environment.sandbox.listConfigurations().length;
		const run = await runConfiguration(environment, 'create', { features: { invoiceHistory: { enabled: true } } });

		expect(run.error).toBeUndefined();
		const attempts = posts(run, CONFIGURATIONS_PATH);
		expect(attempts).toHaveLength(2);
		expect(attempts[1].headers['idempotency-key']).toBe(attempts[0].headers['idempotency-key']);
		expect(attempts[1].replayed).toBe(true);
		expect(environment.sandbox.listConfigurations()).toHaveLength(before + 1);
		expect(run.items).toHaveLength(1);
	});

	it('with retries off, says the answer was lost, not that the Base URL is wrong', async () => {
		environment.sandbox.queueFault({ kind: 'drop-mid-body', path: SESSIONS });
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } });
		expect(run.error?.message).toBe(
			`No complete answer from Stripe at ${environment.sandbox.baseUrl}: The connection closed while Stripe was answering`,
		);
		expect(run.error?.description).toMatch(/may have reached Stripe.*same idempotency key/);
		expect(run.error?.description).not.toMatch(/Check the Base URL/);
	});
});

describe('Get Many → Return All against a list that does not advance', () => {
	it('stops at the repeated page with an error instead of paging for ever', async () => {
		const ids = addConfigurations(environment, 2);
		const page = { object: 'list', url: CONFIGURATIONS_PATH, has_more: true, data: ids.map((id) => environment.sandbox.getConfiguration(id)) };
		environment.sandbox.queueFault({ kind: 'body', body: page, path: CONFIGURATIONS_PATH, method: 'GET', times: 50 });
		const run = await runConfiguration(environment, 'getAll', { returnAll: true });

		expect(run.requests.length).toBeLessThanOrEqual(2);
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toMatch(/^Stripe answered a list page that does not advance \(it ends at 'bpc_\w+' again\), so paging stopped\. .*set a Limit instead of Return All\.$/);
	});

	it('stops when the entries carry no ID to page on', async () => {
		const page = { object: 'list', url: CONFIGURATIONS_PATH, has_more: true, data: [{ object: 'billing_portal.configuration' }] };
		environment.sandbox.queueFault({ kind: 'body', body: page, path: CONFIGURATIONS_PATH, method: 'GET', times: 50 });
		const run = await runConfiguration(environment, 'getAll', { returnAll: true });
		expect(run.requests).toHaveLength(1);
		expect(run.error?.message).toMatch(/^Stripe answered a list page whose entries have no ID/);
	});

	it('Subscription Source stops too, naming the field', async () => {
		const page = {
			object: 'list',
			url: '/v1/subscriptions',
			has_more: true,
			data: [{ id: 'sub_1Repeat00000000', object: 'subscription', status: 'canceled', created: 1 }],
		};
		environment.sandbox.queueFault({ kind: 'body', body: page, path: '/v1/subscriptions', times: 20 });
		const run = await runCreateSession(environment, { customer, flowType: 'subscription_cancel', subscriptionSource: 'onlyCurrent' });
		expect(run.requests.filter((request) => request.path === '/v1/subscriptions')).toHaveLength(2);
		expect(posts(run)).toHaveLength(0);
		expect(run.error?.message).toMatch(/^Subscription Source: Stripe answered a list page that does not advance/);
	});
});

describe('answers of the wrong shape', () => {
	it('a list whose entries are not objects fails the item cleanly, and On Error → Continue goes on', async () => {
		environment.sandbox.queueFault({ kind: 'body', body: { object: 'list', has_more: true, data: [null, 1, 'x'] }, path: CONFIGURATIONS_PATH, method: 'GET' });
		const run = await runConfiguration(environment, 'getAll', { returnAll: true }, [{}, {}], { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.error).toMatch(/^Stripe answered a list whose entry 1 is null, not an object\. Check the Base URL/);
		expect(jsonOf(run.items.slice(1)).map((configuration) => configuration.id)).toEqual([SEED_IDS.defaultConfiguration]);
	});

	it('Stripe’s error object in a 200 is an error, with Stripe’s message, not an output item', async () => {
		environment.sandbox.queueFault({
			kind: 'body',
			path: SESSIONS,
			body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_X'" } },
		});
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } });
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toBe("No such customer: 'cus_X'");
		expect(run.error?.description).toMatch(/^HTTP 200 · type: invalid_request_error · code: resource_missing · param: customer/);
		expect(run.error?.description).toContain('Check the ID in Customer');
	});

	it('a lookup that gets Stripe’s error in a 200 shows that message, before any session is made', async () => {
		environment.sandbox.queueFault({ kind: 'body', path: '/v1/customers', body: { error: { type: 'api_error', message: 'Something odd' } } });
		const run = await runCreateSession(environment, { customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' } });
		expect(run.error?.message).toBe('Something odd');
		expect(posts(run)).toHaveLength(0);
	});
});

describe('an answer that never comes', () => {
	it('times out after Request Settings → Timeout and is retried with the same key: 409 while Stripe still works on the first attempt, then its saved answer', async () => {
		// Stripe takes 2.6 s over the first attempt, which the node gives up on after 1 s; Stripe
		// carries it out all the same, and holds its key meanwhile.
		environment.sandbox.queueFault({ kind: 'delay', ms: 2_600, path: SESSIONS });
		const started = performance.now();
		const run = await runCreateSession(environment, { customer, requestSettings: { timeout: 1, retries: 4 } });
		expect(run.error).toBeUndefined();
		const [first, ...resends] = posts(run);
		expect(resends.length).toBeGreaterThanOrEqual(2);
		expect(resends.every((attempt) => attempt.headers['idempotency-key'] === first.headers['idempotency-key'])).toBe(true);
		const inUse = resends.slice(0, -1);
		expect(inUse.map((attempt) => attempt.status)).toEqual(inUse.map(() => 409));
		expect(resends[resends.length - 1]).toMatchObject({ status: 200, replayed: true });
		expect(environment.sandbox.sessions).toHaveLength(1);
		expect(run.items.map((item) => item.json.id)).toEqual([environment.sandbox.sessions[0].id]);
		expect(performance.now() - started).toBeLessThan(10_000);
	});

	it('with too few retries to outlast Stripe’s work on the first attempt: fails saying Stripe is still at it, and what to do', async () => {
		environment.sandbox.queueFault({ kind: 'stall', path: SESSIONS });
		const run = await runCreateSession(environment, { customer, requestSettings: { timeout: 1, retries: 1 } });
		const attempts = posts(run);
		expect(attempts.map((attempt) => attempt.status)).toEqual([undefined, 409]);
		expect(attempts[1].headers['idempotency-key']).toBe(attempts[0].headers['idempotency-key']);
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toBe(
			'Stripe is still carrying out an earlier attempt of this item’s request (sent under the same idempotency key, whose answer did not come in time), so it did not run this one; that request may yet succeed. ' +
				'Raise Request Settings → Retries or Timeout, so the node waits for Stripe\'s answer; Retry in the Executions list sends the same keys and gets that answer once Stripe has finished. ' +
				'Check the request log in the Stripe dashboard before starting a new execution, which sends new keys and would create again.',
		);
		expect(run.error?.description).toMatch(/^HTTP 409 · type: invalid_request_error · code: idempotency_key_in_use/);
		expect(run.error?.description).toContain('Retried once with backoff');
	});

	it('with retries off, says how long it waited and which setting to raise', async () => {
		environment.sandbox.queueFault({ kind: 'stall', path: SESSIONS });
		const run = await runCreateSession(environment, { customer, requestSettings: { timeout: 1, retries: 0 } });
		expect(run.error?.message).toBe(`No answer from Stripe at ${environment.sandbox.baseUrl}: the request timed out after 1 s`);
		expect(run.error?.description).toMatch(/raise Request Settings → Timeout or Retries/);
	});

	it('refuses a Timeout that is not a number of seconds, before any request', async () => {
		for (const timeout of [0, 301, '={{ NaN }}', '={{ [] }}']) {
			const run = await runCreateSession(environment, { customer, requestSettings: { timeout } });
			expect(run.requests).toHaveLength(0);
			expect(run.error?.message).toMatch(/^Request Settings → Timeout: .* is not a number of seconds from 1 to 300$/);
		}
	});
});

describe('a redirect', () => {
	const elsewhere = new StripeSandbox();
	beforeAll(async () => {
		await elsewhere.start();
	});
	afterAll(async () => {
		await elsewhere.stop();
	});

	it('is not followed: no request, and no key, reaches the other host', async () => {
		environment.sandbox.queueFault({ kind: 'redirect', status: 307, location: `${elsewhere.baseUrl}${SESSIONS}`, path: SESSIONS });
		const run = await runCreateSession(environment, { customer });
		expect(elsewhere.requests).toHaveLength(0);
		expect(posts(run)).toHaveLength(1);
		expect(run.error?.message).toBe(
			`Stripe answered with a redirect (HTTP 307 to ${elsewhere.baseUrl}${SESSIONS}), which it never does; the redirect was not followed. Check the Base URL in the credential (normally https://api.stripe.com).`,
		);
	});

	it('is not followed by the editor’s list searches either', async () => {
		environment.sandbox.queueFault({ kind: 'redirect', location: `${elsewhere.baseUrl}/v1/customers`, path: '/v1/customers' });
		const search = runListSearch({
			pkg: environment.pkg,
			nodeType: NODE_TYPE,
			method: 'searchCustomers',
			credentials: credentialsFor(environment.sandbox),
			parameters: { resource: 'portalSession', operation: 'create' },
		});
		await expect(search).rejects.toThrow(/^Stripe answered with a redirect \(HTTP 302/);
		expect(elsewhere.requests).toHaveLength(0);
	});
});

describe('list searches against a list that repeats itself', () => {
	it('offer no next page when the last ID does not advance past the token', async () => {
		const [id] = addConfigurations(environment, 1);
		const page = { object: 'list', has_more: true, data: [environment.sandbox.getConfiguration(id)] };
		environment.sandbox.queueFault({ kind: 'body', body: page, path: CONFIGURATIONS_PATH });
		const result = await runListSearch({
			pkg: environment.pkg,
			nodeType: NODE_TYPE,
			method: 'searchConfigurations',
			paginationToken: id,
			credentials: credentialsFor(environment.sandbox),
			parameters: { resource: 'portalSession', operation: 'create' },
		});
		expect(result.paginationToken).toBeUndefined();
	});
});
