/**
 * The editor's "From List" pickers: customers (searchable, paginated) and portal configurations,
 * called through n8n-core's LoadOptionsContext as the editor calls them.
 */
import { runListSearch } from '../harness';
import { SEED_IDS } from '../sandbox';
import { NODE_TYPE, credentialsFor, useEnvironment } from '../support/session';

const RESTRICTED_PORTAL_ONLY = 'rk_test_51PortalOnly000000000000000000000000000000000000000000000';
// Keys of their own, so that each test's searches count against an account budget of their own.
const TRICKLE_KEY = 'sk_test_listsearch_trickle';
const TURNS_KEY = 'sk_test_listsearch_turns';
const environment = useEnvironment({
	secretKeys: ['sk_test_sandbox', TRICKLE_KEY, TURNS_KEY],
	restrictedKeys: { [RESTRICTED_PORTAL_ONLY]: ['billing_portal'] },
});

const search = (method: string, filter?: string, paginationToken?: string, credentials = {}, parameters = {}) =>
	runListSearch({
		pkg: environment.pkg,
		nodeType: NODE_TYPE,
		method,
		filter,
		paginationToken,
		credentials: credentialsFor(environment.sandbox, credentials),
		parameters: { resource: 'portalSession', operation: 'create', ...parameters },
	});

describe('customer list', () => {
	it('lists customers newest first, named by name and e-mail, linked to the dashboard', async () => {
		const result = await search('searchCustomers');
		expect(result.results.slice(-3)).toEqual([
			{ name: 'Ana Lima <ana.lima@example.org>', value: SEED_IDS.ana, url: `https://dashboard.stripe.com/test/customers/${SEED_IDS.ana}` },
			{ name: 'Max Mustermann <max.mustermann@example.com>', value: SEED_IDS.max, url: `https://dashboard.stripe.com/test/customers/${SEED_IDS.max}` },
			{ name: 'Jenny Rosen <jenny.rosen@example.com>', value: SEED_IDS.jenny, url: `https://dashboard.stripe.com/test/customers/${SEED_IDS.jenny}` },
		]);
		expect(result.paginationToken).toBeUndefined();
		const [request] = environment.sandbox.requests;
		expect(request.method).toBe('GET');
		expect(request.path).toBe('/v1/customers');
		expect(request.query).toEqual({ limit: '100' });
	});

	it('pages through more than 100 customers with starting_after', async () => {
		for (let index = 0; index < 150; index++) environment.sandbox.addCustomer({ email: `bulk${index}@example.com` });
		const first = await search('searchCustomers');
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe(first.results[99].value);
		const second = await search('searchCustomers', undefined, first.paginationToken);
		expect(second.results).toHaveLength(53);
		expect(second.paginationToken).toBeUndefined();
		expect(environment.sandbox.requests[1].query).toEqual({ limit: '100', starting_after: first.paginationToken });
		const all = [...first.results, ...second.results].map((result) => result.value);
		expect(new Set(all).size).toBe(153);
	});

	it('searches by part of the name or e-mail with Stripe’s search, quoting what the user typed', async () => {
		const byName = await search('searchCustomers', 'jenny');
		expect(byName.results.map((result) => result.value)).toEqual([SEED_IDS.jenny]);
		expect(environment.sandbox.requests[0].path).toBe('/v1/customers/search');
		expect(environment.sandbox.requests[0].query).toEqual({ query: 'name~"jenny" OR email~"jenny"', limit: '100' });

		const byEmail = await search('searchCustomers', 'example.org');
		expect(byEmail.results.map((result) => result.value)).toEqual([SEED_IDS.ana]);

		await search('searchCustomers', 'say "hi"');
		expect(environment.sandbox.requests[2].query).toMatchObject({ query: 'name~"say \\"hi\\"" OR email~"say \\"hi\\""' });
	});

	it('pages search results with Stripe’s next_page token', async () => {
		for (let index = 0; index < 120; index++) environment.sandbox.addCustomer({ name: `Bulk Buyer ${index}` });
		const first = await search('searchCustomers', 'Bulk Buyer');
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toEqual(expect.any(String));
		const second = await search('searchCustomers', 'Bulk Buyer', first.paginationToken);
		expect(second.results).toHaveLength(20);
		expect(environment.sandbox.requests[1].query).toMatchObject({ page: first.paginationToken });
	});

	it('shows Stripe’s message when the key may not read customers', async () => {
		await expect(search('searchCustomers', undefined, undefined, { secretKey: RESTRICTED_PORTAL_ONLY })).rejects.toThrow(
			/does not have the required permissions/,
		);
	});

	it('says where it could not connect', async () => {
		await expect(search('searchCustomers', undefined, undefined, { baseUrl: 'http://127.0.0.1:1' })).rejects.toThrow(
			'Could not reach Stripe at http://127.0.0.1:1: The connection was refused',
		);
	});
});

describe('a list search is bounded in wall-clock time, as an item’s attempt is', () => {
	const CONFIGURATIONS = '/v1/billing_portal/configurations';

	it('a server that answers one byte a second: the search ends after the node’s Timeout, and frees its place under the account’s budget', async () => {
		environment.sandbox.queueFault({ kind: 'trickle', everyMs: 1_000, path: CONFIGURATIONS });
		const started = performance.now();
		await expect(search('searchConfigurations', undefined, undefined, { secretKey: TRICKLE_KEY }, { requestSettings: { timeout: 2 } })).rejects.toThrow(
			/the request timed out after 2 s/,
		);
		const seconds = (performance.now() - started) / 1000;
		expect(seconds).toBeGreaterThanOrEqual(1.9);
		expect(seconds).toBeLessThan(5);
		// The next search of the same account gets its turn and its answer at once.
		const next = performance.now();
		const result = await search('searchConfigurations', undefined, undefined, { secretKey: TRICKLE_KEY }, { requestSettings: { timeout: 2 } });
		expect(result.results.length).toBeGreaterThan(0);
		expect(performance.now() - next).toBeLessThan(1_500);
	}, 30_000);

	it('a search that would wait for its turn longer than Timeout (the account held at 1 request/s) says so, without a request', async () => {
		const slowAccount = { secretKey: TURNS_KEY, customRateLimits: true, testRequestsPerSecond: 1, endpointRequestsPerSecond: 1 };
		const started = performance.now();
		const outcomes = await Promise.allSettled(
			Array.from({ length: 6 }, async () => await search('searchConfigurations', undefined, undefined, slowAccount, { requestSettings: { timeout: 2 } })),
		);
		const seconds = (performance.now() - started) / 1000;
		const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
		const answered = outcomes.filter((outcome) => outcome.status === 'fulfilled');
		expect(answered.length).toBeGreaterThanOrEqual(1);
		expect(refused.length).toBeGreaterThanOrEqual(2);
		for (const outcome of refused) {
			expect(String((outcome.reason as Error).message)).toBe(
				"Stripe's rate limits kept this search waiting over 2 s for its turn: other executions are using this account's requests",
			);
		}
		// Only the searches that got a turn reached Stripe.
		expect(environment.sandbox.requests.filter((request) => request.path === CONFIGURATIONS)).toHaveLength(answered.length);
		expect(seconds).toBeLessThan(5);
	}, 30_000);
});

describe('portal configuration list', () => {
	it('lists configurations by name, marking the default and inactive ones, filtered locally', async () => {
		const premium = environment.sandbox.addConfiguration({ name: 'Premium plans' });
		const retired = environment.sandbox.addConfiguration({ name: 'Old portal', active: false });
		const result = await search('searchConfigurations');
		expect(result.results.map((item) => [item.name, item.value])).toEqual([
			['Old portal (inactive)', retired.id],
			['Premium plans', premium.id],
			[expect.stringMatching(/\(default\)$/), SEED_IDS.defaultConfiguration],
		]);
		expect(environment.sandbox.requests[0].path).toBe('/v1/billing_portal/configurations');

		const filtered = await search('searchConfigurations', 'premium');
		expect(filtered.results.map((item) => item.value)).toEqual([premium.id]);
	});

	it('works with a restricted key that has only the Customer portal permission', async () => {
		const result = await search('searchConfigurations', undefined, undefined, { secretKey: RESTRICTED_PORTAL_ONLY });
		expect(result.results.map((item) => item.value)).toContain(SEED_IDS.defaultConfiguration);
	});
});

describe('subscription list', () => {
	const withCustomer = (customer: unknown) => ({ customer, flowType: 'subscription_cancel' });

	it('lists the chosen customer’s subscriptions that are not canceled, with price and status', async () => {
		const result = await search('searchSubscriptions', undefined, undefined, {}, withCustomer({ __rl: true, mode: 'list', value: SEED_IDS.jenny }));
		expect(result.results).toEqual([
			{ name: 'Pro · 29.00 EUR / month · active', value: SEED_IDS.jennyPro, url: `https://dashboard.stripe.com/test/subscriptions/${SEED_IDS.jennyPro}` },
		]);
		expect(environment.sandbox.requests[0].path).toBe('/v1/subscriptions');
		expect(environment.sandbox.requests[0].query).toEqual({ limit: '100', customer: SEED_IDS.jenny });
	});

	it('reads the customer from a dashboard link too, and lists everyone’s while the customer is an expression', async () => {
		const byLink = await search('searchSubscriptions', undefined, undefined, {}, withCustomer({ __rl: true, mode: 'url', value: `https://dashboard.stripe.com/test/customers/${SEED_IDS.max}` }));
		expect(byLink.results.map((item) => item.name)).toEqual(['Team · 99.00 EUR / year · trialing']);

		const unknownYet = await search('searchSubscriptions', undefined, undefined, {}, withCustomer({ __rl: true, mode: 'id', value: '={{ $json.customer }}' }));
		expect(unknownYet.results.map((item) => item.value)).toEqual([SEED_IDS.maxTeam, SEED_IDS.jennyPro]);
		expect(environment.sandbox.requests[1].query).toEqual({ limit: '100' });
	});

	it('leaves out subscriptions no portal flow can act on (incomplete, expired)', async () => {
		environment.sandbox.addSubscription({ customer: SEED_IDS.ana, nickname: 'Unpaid start', status: 'incomplete' });
		environment.sandbox.addSubscription({ customer: SEED_IDS.ana, nickname: 'Expired start', status: 'incomplete_expired' });
		const current = environment.sandbox.addSubscription({ customer: SEED_IDS.ana, nickname: 'Running', status: 'past_due' });
		const result = await search('searchSubscriptions', undefined, undefined, {}, withCustomer({ __rl: true, mode: 'id', value: SEED_IDS.ana }));
		expect(result.results.map((item) => item.value)).toEqual([current.id]);
	});

	it('filters by what the user types and pages with starting_after', async () => {
		for (let index = 0; index < 105; index++) environment.sandbox.addSubscription({ customer: SEED_IDS.ana, nickname: `Seat ${index}` });
		const page = await search('searchSubscriptions', undefined, undefined, {}, withCustomer({ __rl: true, mode: 'id', value: SEED_IDS.ana }));
		expect(page.results).toHaveLength(100);
		expect(page.paginationToken).toBe(page.results[99].value);
		const filtered = await search('searchSubscriptions', 'seat 104', undefined, {}, withCustomer({ __rl: true, mode: 'id', value: SEED_IDS.ana }));
		expect(filtered.results.map((item) => item.name)).toEqual(['Seat 104 · 19.00 EUR / month · active']);
	});
});

describe('subscription item list', () => {
	it('lists the items of the chosen subscription', async () => {
		const result = await search('searchSubscriptionItems', undefined, undefined, {}, {
			flowType: 'subscription_update_confirm',
			subscription: { __rl: true, mode: 'list', value: SEED_IDS.jennyPro },
		});
		expect(result.results).toEqual([{ name: 'Pro · 29.00 EUR / month × 1', value: SEED_IDS.jennyProItem }]);
		expect(environment.sandbox.requests[0].path).toBe(`/v1/subscriptions/${SEED_IDS.jennyPro}`);
	});

	it('asks Stripe nothing until a valid subscription is chosen, so no unchecked text reaches the URL path', async () => {
		for (const value of ['', '={{ $json.subscription }}', '../customers', 'sub_1/../../v1/charges']) {
			const result = await search('searchSubscriptionItems', undefined, undefined, {}, {
				flowType: 'subscription_update_confirm',
				subscription: { __rl: true, mode: 'id', value },
			});
			expect(result.results).toEqual([]);
		}
		expect(environment.sandbox.requests).toHaveLength(0);
	});
});
