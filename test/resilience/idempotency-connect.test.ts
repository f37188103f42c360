/**
 * Idempotency: every POST carries an Idempotency-Key, one per item, or the user's own; Stripe
 * (here the sandbox, which honours keys as Stripe does) then runs a request only once.
 * Connect: Request Settings → Connected Account sends Stripe-Account on every request of the
 * node, the lookups, list pages and the editor's list searches included.
 */
import type { INodeParameters } from 'n8n-workflow';

import { runListSearch } from '../harness';
import { SEED_IDS, type RecordedRequest, type SandboxStore } from '../sandbox';
import { runConfiguration } from '../support/configuration';
import {
	credentialsFor,
	customerById,
	NODE_TYPE,
	runCreateSession,
	sessionBody,
	useEnvironment,
	type SessionRun,
} from '../support/session';

const CONNECTED = 'acct_1ConnectedShop01';
const environment = useEnvironment({ connectedAccounts: [CONNECTED] });
const customer = customerById(SEED_IDS.jenny);
const SESSIONS = '/v1/billing_portal/sessions';
const newConfiguration = { inputMode: 'json', configurationJson: JSON.stringify({ features: { invoice_history: { enabled: true } } }) };

const header = (request: RecordedRequest, name: string) => request.headers[name.toLowerCase()];
const posts = (run: SessionRun) => run.requests.filter((request) => request.method === 'POST');

describe('Idempotency-Key', () => {
	it('every POST has one, different for each item, naming the execution and the item', async () => {
		const run = await runCreateSession(environment, { customer }, [{}, {}, {}]);
		expect(run.error).toBeUndefined();
		const keys = posts(run).map((request) => String(header(request, 'Idempotency-Key')));
		expect(new Set(keys).size).toBe(3);
		for (const key of keys) expect(key).toMatch(/^n8n-.+-item[0-2]-[A-Za-z0-9]{20}$/);
		expect(keys.map((key) => /-item(\d)-/.exec(key)?.[1]).sort()).toEqual(['0', '1', '2']);
	});

	it('configuration Create and Update carry one; GETs (lookups, Get, Get Many) never do', async () => {
		const created = await runConfiguration(environment, 'create', newConfiguration);
		expect(created.error).toBeUndefined();
		const id = String(created.items[0].json.id);
		const updated = await runConfiguration(environment, 'update', {
			configuration: { __rl: true, mode: 'id', value: id },
			inputMode: 'fields',
			updateFields: { name: 'Renamed' },
		});
		expect(updated.error).toBeUndefined();
		const got = await runConfiguration(environment, 'get', { configuration: { __rl: true, mode: 'id', value: id } });
		const listed = await runConfiguration(environment, 'getAll', { returnAll: true });
		const lookedUp = await runCreateSession(environment, { customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' } });

		for (const run of [created, updated]) expect(header(run.requests[0], 'Idempotency-Key')).toMatch(/^n8n-/);
		const gets = [got, listed, lookedUp].flatMap((run) => run.requests.filter((request) => request.method === 'GET'));
		expect(gets.length).toBeGreaterThanOrEqual(3);
		for (const request of gets) expect(header(request, 'Idempotency-Key')).toBeUndefined();
	});

	it('the user’s own key per item: running the workflow again for the same ticket creates nothing new', async () => {
		const parameters = { customer, requestSettings: { idempotencyKey: '={{ "ticket-" + $json.ticket }}' } };
		const first = await runCreateSession(environment, parameters, [{ ticket: 4711 }, { ticket: 4712 }]);
		const again = await runCreateSession(environment, parameters, [{ ticket: 4711 }]);
		expect(first.error).toBeUndefined();
		expect(again.error).toBeUndefined();
		expect(posts(first).map((request) => header(request, 'Idempotency-Key')).sort()).toEqual(['ticket-4711', 'ticket-4712']);
		expect(header(posts(again)[0], 'Idempotency-Key')).toBe('ticket-4711');
		expect(posts(again)[0].replayed).toBe(true);
		expect(again.items[0].json.id).toBe(first.items[0].json.id);
		expect(environment.sandbox.sessions).toHaveLength(2);
	});

	it('the same key with different parameters: Stripe’s idempotency_error, and what to change', async () => {
		const requestSettings = { idempotencyKey: 'ticket-4711' };
		await runCreateSession(environment, { customer, requestSettings });
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.max), requestSettings });
		expect(run.error).toMatchObject({ httpCode: '400' });
		expect(run.error?.message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with/);
		expect(run.error?.description).toMatch(/Request Settings → Idempotency Key: Stripe has seen this key/);
		expect(posts(run)).toHaveLength(1);
		expect(environment.sandbox.sessions).toHaveLength(1);
	});

	it('an expression that yields nothing falls back to a fresh key', async () => {
		const run = await runCreateSession(environment, { customer, requestSettings: { idempotencyKey: '={{ $json.missing }}' } });
		expect(run.error).toBeUndefined();
		expect(header(posts(run)[0], 'Idempotency-Key')).toMatch(/^n8n-/);
	});
});

describe('Connected Account', () => {
	const connected = { requestSettings: { connectedAccount: CONNECTED } };
	/** The Customer picker's list search, as the editor runs it with these Request Settings. */
	const searchCustomersWith = (requestSettings: INodeParameters) =>
		runListSearch({
			pkg: environment.pkg,
			nodeType: NODE_TYPE,
			method: 'searchCustomers',
			parameters: { resource: 'portalSession', operation: 'create', requestSettings },
			credentials: credentialsFor(environment.sandbox),
		});
	/** The shop's own Jenny: same address as the platform's, another customer in another account. */
	const SHOP_JENNY = 'cus_ShopJennyRosen01';
	let shop: SandboxStore;

	// The connected account's own objects: a request that forgot Stripe-Account would not find them.
	beforeEach(() => {
		shop = environment.sandbox.storeFor(CONNECTED);
		shop.addConfiguration({ is_default: true, default_return_url: 'https://shop.example.com/account' });
		shop.addCustomer({ id: SHOP_JENNY, email: 'jenny.rosen@example.com', name: 'Jenny Rosen' });
		shop.addSubscription({ id: 'sub_ShopJennyPlan01', customer: SHOP_JENNY });
	});

	it('session and both lookups carry Stripe-Account', async () => {
		const run = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' },
			flowType: 'subscription_cancel',
			subscriptionSource: 'onlyCurrent',
			...connected,
		});
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => [request.method, request.path])).toEqual([
			['GET', '/v1/customers'],
			['GET', '/v1/subscriptions'],
			['POST', SESSIONS],
		]);
		for (const request of run.requests) expect(header(request, 'Stripe-Account')).toBe(CONNECTED);
		// Found in the connected account: its customer and subscription, not the platform's Jenny.
		expect(sessionBody(run.requests[2])).toMatchObject({ customer: SHOP_JENNY, flow_data: { subscription_cancel: { subscription: 'sub_ShopJennyPlan01' } } });
		expect(shop.sessions).toHaveLength(1);
		expect(environment.sandbox.sessions).toHaveLength(0);
		// Acting as the account is not On Behalf Of, which stays unset.
		expect(sessionBody(run.requests[2]).on_behalf_of).toBeUndefined();
	});

	it('an account the key cannot act for: Stripe’s 403 account_invalid reaches the user, with the fix in Connected Account, not a restricted key’s permissions', async () => {
		const run = await runCreateSession(environment, { customer: { __rl: true, mode: 'id', value: SEED_IDS.jenny }, requestSettings: { connectedAccount: 'acct_NotConnected01' } });
		expect(run.requests).toHaveLength(1);
		expect(run.error?.message).toMatch(/does not have access to account 'acct_NotConnected01' \(or that account does not exist\)/);
		expect(run.error?.description).toMatch(/^HTTP 403 · type: invalid_request_error · code: account_invalid/);
		expect(run.error?.description).toContain('Request Settings → Connected Account names an account this key cannot act for');
		expect(run.error?.description).not.toMatch(/restricted key/);
	});

	it('every page of Get Many, Get, Create and Update carry it', async () => {
		shop.addConfigurations(3);
		const listed = await runConfiguration(environment, 'getAll', { returnAll: true, ...connected });
		expect(listed.error).toBeUndefined();
		// The shop's default and its three, not the platform's.
		expect(listed.items).toHaveLength(4);
		expect(listed.items.map((item) => item.json.id)).not.toContain(SEED_IDS.defaultConfiguration);
		const created = await runConfiguration(environment, 'create', { ...newConfiguration, ...connected });
		const id = String(created.items[0].json.id);
		const got = await runConfiguration(environment, 'get', { configuration: { __rl: true, mode: 'id', value: id }, ...connected });
		const updated = await runConfiguration(environment, 'update', {
			configuration: { __rl: true, mode: 'id', value: id },
			inputMode: 'fields',
			updateFields: { name: 'Shop portal' },
			...connected,
		});
		for (const run of [listed, created, got, updated]) {
			expect(run.error).toBeUndefined();
			expect(run.requests).toHaveLength(1);
			expect(header(run.requests[0], 'Stripe-Account')).toBe(CONNECTED);
		}
		expect(shop.getConfiguration(id)?.name).toBe('Shop portal');
		expect(environment.sandbox.getConfiguration(id)).toBeUndefined();
	});

	it('list pages beyond the first carry it too', async () => {
		shop.addConfigurations(120);
		const run = await runConfiguration(environment, 'getAll', { returnAll: true, ...connected });
		expect(run.error).toBeUndefined();
		expect(run.requests).toHaveLength(2);
		expect(run.items).toHaveLength(121);
		for (const request of run.requests) expect(header(request, 'Stripe-Account')).toBe(CONNECTED);
	});

	it('the editor’s list searches carry it', async () => {
		const result = await searchCustomersWith(connected.requestSettings);
		expect(result.results.map((entry) => entry.value)).toEqual([SHOP_JENNY]);
		expect(header(environment.sandbox.lastRequest as RecordedRequest, 'Stripe-Account')).toBe(CONNECTED);
	});

	it.each([
		['an input item’s field', '={{ $json.account }}'],
		['an earlier node’s output', "={{ $('Ticket').item.json.account }}"],
	])('a list search with Connected Account from %s (which the editor has no item to work out): refused, not a list of the platform’s own customers', async (_story, connectedAccount) => {
		const before = environment.sandbox.requests.length;
		await expect(searchCustomersWith({ connectedAccount })).rejects.toThrow(/^Request Settings → Connected Account: the editor cannot work out this expression without an input item/);
		expect(environment.sandbox.requests.length).toBe(before);
	});

	it('a list search with Connected Account an empty expression (a bare =) lists the platform’s own customers, without the header', async () => {
		const result = await searchCustomersWith({ connectedAccount: '=' });
		expect(result.results.map((entry) => entry.value)).toContain(SEED_IDS.jenny);
		expect(result.results.map((entry) => entry.value)).not.toContain(SHOP_JENNY);
		expect(header(environment.sandbox.lastRequest as RecordedRequest, 'Stripe-Account')).toBeUndefined();
	});

	it('without the setting, no Stripe-Account header is sent', async () => {
		const run = await runCreateSession(environment, { customer });
		expect(header(run.requests[0], 'Stripe-Account')).toBeUndefined();
	});

	it('an account the key cannot act for: Stripe’s message reaches the user', async () => {
		const run = await runCreateSession(environment, { customer, requestSettings: { connectedAccount: 'acct_1SomeoneElse000' } });
		expect(run.error?.message).toMatch(/does not have access to account 'acct_1SomeoneElse000'/);
		expect(run.error?.message).not.toContain('sk_test_sandbox');
		expect(environment.sandbox.sessions).toHaveLength(0);
	});

	it('a malformed account in a list search: an error that names the setting, no request', async () => {
		const before = environment.sandbox.requests.length;
		await expect(searchCustomersWith({ connectedAccount: 'shop-1' })).rejects.toThrow(/Request Settings → Connected Account: 'shop-1' is not a Stripe account ID/);
		expect(environment.sandbox.requests).toHaveLength(before);
	});
});
