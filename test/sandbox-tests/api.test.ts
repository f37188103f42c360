import * as http from 'http';
import * as qs from 'qs';
import Stripe from 'stripe';

import { sandboxHttp, type CallOptions } from '../support/sandbox-http';
import { DEFAULT_API_VERSION, SEED_IDS, StripeSandbox, stripeError, type RecordedRequest } from '../sandbox';

const KEY = 'sk_test_sandbox';
const LIVE_KEY = 'sk_live_fake_sandbox_0001';
const PORTAL_KEY = 'rk_test_portalOnlyKey1234';
const CUSTOMERS_KEY = 'rk_test_customersRead5678';
const SUBSCRIPTIONS_KEY = 'rk_test_subscriptionsRead9012';
const RETURN_URL = 'https://example.com/account';

let sandbox: StripeSandbox;
let baseUrl: string;
const call = sandboxHttp(() => baseUrl, KEY);

const createSession = (body: string | Record<string, unknown>, opts: Omit<CallOptions, 'body'> = {}) =>
	call('POST', '/v1/billing_portal/sessions', { ...opts, body });

const base = { customer: SEED_IDS.jenny, return_url: RETURN_URL };

beforeAll(async () => {
	sandbox = new StripeSandbox({
		secretKeys: [KEY, LIVE_KEY],
		restrictedKeys: {
			[PORTAL_KEY]: ['billing_portal'],
			[CUSTOMERS_KEY]: ['customers_read'],
			[SUBSCRIPTIONS_KEY]: ['subscriptions_read'],
		},
	});
	baseUrl = await sandbox.start();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.reset();
});

afterEach(() => {
	expect(sandbox.internalErrors).toEqual([]);
});

describe('response envelope', () => {
	it('answers JSON with Request-Id and Stripe-Version, and records the request', async () => {
		const r = await call('GET', '/v1/customers/cus_SandboxJenny01');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/json');
		expect(r.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
		expect(r.headers.get('stripe-version')).toBe(DEFAULT_API_VERSION);
		expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sandbox.requests).toHaveLength(1);
		const rec = sandbox.requests[0];
		expect(rec).toMatchObject({ method: 'GET', path: '/v1/customers/cus_SandboxJenny01', rawBody: '', body: {} });
		expect(rec.requestId).toBe(r.headers.get('request-id'));
		expect(rec.headers.authorization).toBe(`Bearer ${KEY}`);
	});

	it('echoes a Stripe-Version Stripe has and rejects a malformed or unknown one', async () => {
		const ok = await call('GET', '/v1/customers', { headers: { 'Stripe-Version': '2020-08-27' } });
		expect(ok.status).toBe(200);
		expect(ok.headers.get('stripe-version')).toBe('2020-08-27');
		const named = await call('GET', '/v1/customers', { headers: { 'Stripe-Version': '2025-12-15.clover' } });
		expect(named.headers.get('stripe-version')).toBe('2025-12-15.clover');
		const beta = await call('GET', '/v1/customers', { headers: { 'Stripe-Version': `${DEFAULT_API_VERSION}; portal_beta=v1` } });
		expect(beta.status).toBe(200);
		expect(beta.headers.get('stripe-version')).toBe(DEFAULT_API_VERSION);
		const bad = await call('GET', '/v1/customers', { headers: { 'Stripe-Version': 'banana' } });
		expect(bad.status).toBe(400);
		expect(bad.json.error).toMatchObject({ type: 'invalid_request_error', message: 'Invalid Stripe API version: banana' });
		// Well-formed but none of Stripe's: a date it never released, a release under another
		// release's name, and a version after the newest one (2026-10-28.endive here).
		for (const unknown of ['2021-01-01', '2026-10-28.clover', '2025-06-30.acacia', '2027-01-27.endive', '2026-10-28']) {
			const refused = await call('GET', '/v1/customers', { headers: { 'Stripe-Version': unknown } });
			expect([unknown, refused.status, refused.json.error?.message]).toEqual([unknown, 400, `Invalid Stripe API version: ${unknown}`]);
		}
	});

	it('records Stripe-Account and echoes it', async () => {
		sandbox.addConnectedAccount('acct_1Connected000001');
		const r = await call('GET', '/v1/customers', { headers: { 'Stripe-Account': 'acct_1Connected000001' } });
		expect(r.status).toBe(200);
		// The connected account's own customers: none yet, not the platform's.
		expect(r.json.data).toEqual([]);
		expect(r.headers.get('stripe-account')).toBe('acct_1Connected000001');
		expect(sandbox.lastRequest?.headers['stripe-account']).toBe('acct_1Connected000001');
	});

	it('answers unknown routes with Stripe\'s "Unrecognized request URL"', async () => {
		const r = await call('GET', '/v1/foo', { query: 'a=1' });
		expect(r.status).toBe(404);
		expect(r.json).toEqual({
			error: {
				message:
					'Unrecognized request URL (GET: /v1/foo). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
				request_log_url: expect.stringMatching(/^https:\/\/dashboard\.stripe\.com\/test\/logs\/req_/),
				type: 'invalid_request_error',
			},
		});
		const list = await call('GET', '/v1/billing_portal/sessions');
		expect(list.status).toBe(404);
		expect(list.json.error.message).toContain('(GET: /v1/billing_portal/sessions)');
	});

	it('records un-normalized paths as received', async () => {
		const raw = '/v1/billing_portal/configurations/../customers';
		const status = await new Promise<number>((resolve, reject) => {
			const req = http.request(
				{ host: '127.0.0.1', port: sandbox.port, path: raw, method: 'GET', headers: { Authorization: `Bearer ${KEY}` } },
				(res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode ?? 0));
				},
			);
			req.on('error', reject);
			req.end();
		});
		expect(status).toBe(404);
		expect(sandbox.lastRequest?.path).toBe(raw);
	});
});

describe('authentication and permissions', () => {
	it('rejects a request without an API key', async () => {
		const r = await call('GET', '/v1/customers', { key: null });
		expect(r.status).toBe(401);
		expect(r.json.error.type).toBe('invalid_request_error');
		expect(r.json.error.message).toMatch(
			/^You did not provide an API key\. You need to provide your API key in the Authorization header, using Bearer auth \(e\.g\. 'Authorization: Bearer YOUR_SECRET_KEY'\)\./,
		);
		expect(r.headers.get('request-id')).toMatch(/^req_/);
	});

	it('rejects an unknown key, masking all but its last 4 characters', async () => {
		const r = await call('GET', '/v1/customers', { key: 'sk_test_wrongkeyabcd' });
		expect(r.status).toBe(401);
		expect(r.json).toEqual({
			error: { message: 'Invalid API Key provided: sk_test_********abcd', type: 'invalid_request_error' },
		});
	});

	it('accepts Basic auth with the key as user name', async () => {
		const r = await call('GET', '/v1/customers', {
			key: null,
			headers: { Authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` },
		});
		expect(r.status).toBe(200);
	});

	it('limits restricted keys to their permissions', async () => {
		const denied = await call('GET', '/v1/customers', { key: PORTAL_KEY });
		expect(denied.status).toBe(403);
		expect(denied.json.error).toMatchObject({
			type: 'invalid_request_error',
			message:
				"The provided key 'rk_test_*************1234' does not have the required permissions for this endpoint on account 'acct_1Sandbox0000000'. Having the 'rak_customer_read' permission would allow this request to continue.",
		});
		expect((await createSession(base, { key: PORTAL_KEY })).status).toBe(200);
		expect((await call('GET', '/v1/billing_portal/configurations', { key: PORTAL_KEY })).status).toBe(200);

		expect((await call('GET', '/v1/customers', { key: CUSTOMERS_KEY })).status).toBe(200);
		expect((await call('GET', '/v1/customers/search', { key: CUSTOMERS_KEY, query: { query: "name~'jen'" } })).status).toBe(200);
		const noPortal = await createSession(base, { key: CUSTOMERS_KEY });
		expect(noPortal.status).toBe(403);
		expect(noPortal.json.error.message).toContain("Having the 'rak_billing_portal_write' permission");
	});
});

describe('body decoding', () => {
	it('rejects a JSON body like Stripe', async () => {
		const r = await createSession(JSON.stringify(base), { headers: { 'Content-Type': 'application/json' } });
		expect(r.status).toBe(400);
		expect(r.json.error).toMatchObject({
			type: 'invalid_request_error',
			message:
				'Invalid request (check that your POST content type is application/x-www-form-urlencoded). If you have any questions, we can help at https://support.stripe.com/.',
		});
		expect(sandbox.lastRequest?.body).toEqual({});
		expect(sandbox.lastRequest?.rawBody).toBe(JSON.stringify(base));
	});

	it('decodes bracket notation, indexed arrays and expand[] as Stripe does', async () => {
		const raw =
			'customer=cus_SandboxJenny01&return_url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1&expand[]=configuration' +
			'&flow_data[type]=subscription_update_confirm&flow_data[subscription_update_confirm][subscription]=sub_SandboxJennyPro01' +
			'&flow_data[subscription_update_confirm][items][0][id]=si_SandboxJennyPro01&flow_data[subscription_update_confirm][items][0][quantity]=3';
		const r = await createSession(raw);
		expect(r.status).toBe(200);
		expect(sandbox.lastRequest?.body).toEqual({
			customer: 'cus_SandboxJenny01',
			return_url: 'https://example.com/a?b=1',
			expand: ['configuration'],
			flow_data: {
				type: 'subscription_update_confirm',
				subscription_update_confirm: { subscription: 'sub_SandboxJennyPro01', items: [{ id: 'si_SandboxJennyPro01', quantity: '3' }] },
			},
		});
	});

	it('keeps the last value of a key repeated without []', async () => {
		const r = await createSession(`customer=cus_nope&customer=${SEED_IDS.jenny}&return_url=${RETURN_URL}`);
		expect(r.status).toBe(200);
		expect(r.json.customer).toBe(SEED_IDS.jenny);
	});
});

describe('parameter validation (POST /v1/billing_portal/sessions)', () => {
	it('rejects empty strings with Stripe\'s wording', async () => {
		const r = await createSession(`customer=${SEED_IDS.jenny}&return_url=${RETURN_URL}&locale=`);
		expect(r.status).toBe(400);
		expect(r.json.error).toMatchObject({
			type: 'invalid_request_error',
			param: 'locale',
			message:
				"You passed an empty string for 'locale'. We assume empty values are an attempt to unset a parameter; however 'locale' cannot be unset. You should remove 'locale' from your request or supply a non-empty value.",
		});
		const nested = await createSession({
			...base,
			flow_data: { type: 'payment_method_update', after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: '' } } },
		});
		expect(nested.json.error.param).toBe('flow_data[after_completion][hosted_confirmation][custom_message]');
		for (const field of ['configuration', 'on_behalf_of', 'return_url', 'customer']) {
			const res = await createSession({ ...base, [field]: '' });
			expect(res.status).toBe(400);
			expect(res.json.error.message).toContain(`You passed an empty string for '${field}'`);
		}
	});

	it('rejects unknown parameters at any depth', async () => {
		const top = await createSession({ ...base, flow: { type: 'payment_method_update' } });
		expect(top.status).toBe(400);
		expect(top.json.error).toMatchObject({
			type: 'invalid_request_error',
			code: 'parameter_unknown',
			param: 'flow',
			message: 'Received unknown parameter: flow',
			doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown',
		});
		const nested = await createSession({ ...base, flow_data: { type: 'payment_method_update', foo: 'x' } });
		expect(nested.json.error).toMatchObject({ param: 'flow_data[foo]', message: 'Received unknown parameter: flow_data[foo]' });
		const pmu = await createSession({ ...base, flow_data: { type: 'payment_method_update', payment_method_update: { x: 1 } } });
		expect(pmu.json.error.param).toBe('flow_data[payment_method_update]');
	});

	it('reports missing required parameters', async () => {
		const noCustomer = await createSession({ return_url: RETURN_URL });
		expect(noCustomer.json.error).toMatchObject({
			code: 'parameter_missing',
			param: 'customer',
			message: 'Missing required param: customer.',
		});
		const noSub = await createSession({
			...base,
			flow_data: { type: 'subscription_cancel', subscription_cancel: { retention: { type: 'coupon_offer', coupon_offer: { coupon: 'SAVE20' } } } },
		});
		expect(noSub.status).toBe(400);
		expect(noSub.json.error).toMatchObject({
			code: 'parameter_missing',
			param: 'flow_data[subscription_cancel][subscription]',
			message: 'Missing required param: flow_data[subscription_cancel][subscription].',
		});
		const noObject = await createSession({ ...base, flow_data: { type: 'subscription_pause' } });
		expect(noObject.json.error.message).toBe('Missing required param: flow_data[subscription_pause].');
		const noType = await createSession({ ...base, flow_data: { subscription_update: { subscription: 'sub_1' } } });
		expect(noType.json.error.message).toBe('Missing required param: flow_data[type].');
		const noItems = await createSession({
			...base,
			flow_data: { type: 'subscription_update_confirm', subscription_update_confirm: { subscription: 'sub_1' } },
		});
		expect(noItems.json.error.message).toBe('Missing required param: flow_data[subscription_update_confirm][items].');
		const noRedirect = await createSession({
			...base,
			flow_data: { type: 'payment_method_update', after_completion: { type: 'redirect' } },
		});
		expect(noRedirect.json.error.message).toBe('Missing required param: flow_data[after_completion][redirect].');
	});

	it('rejects enum values outside the list', async () => {
		const r = await createSession({ ...base, flow_data: { type: 'bogus' } });
		expect(r.status).toBe(400);
		expect(r.json.error).toMatchObject({
			type: 'invalid_request_error',
			param: 'flow_data[type]',
			message:
				'Invalid flow_data[type]: must be one of payment_method_update, subscription_cancel, subscription_update, subscription_update_confirm, subscription_pause, customer_update',
		});
		const locale = await createSession({ ...base, locale: 'xx' });
		expect(locale.json.error.message).toMatch(/^Invalid locale: must be one of auto, bg, cs, .*, zh-HK, zh-TW$/);
		expect(locale.json.error.message.split(', ')).toHaveLength(47);
	});

	it('rejects non-integers, bad URLs, long messages and wrong shapes', async () => {
		const expires = await createSession({ ...base, after_expiration: { type: 'customer_login', customer_login: { expires_at: 'abc' } } });
		expect(expires.json.error).toMatchObject({
			code: 'parameter_invalid_integer',
			param: 'after_expiration[customer_login][expires_at]',
			message: 'Invalid integer: abc',
		});
		const quantity = await createSession({
			...base,
			flow_data: {
				type: 'subscription_update_confirm',
				subscription_update_confirm: { subscription: 'sub_1', items: [{ id: 'si_1', quantity: '1.5' }] },
			},
		});
		expect(quantity.json.error).toMatchObject({
			param: 'flow_data[subscription_update_confirm][items][0][quantity]',
			message: 'Invalid integer: 1.5',
		});
		const url = await createSession({ ...base, return_url: 'example.com/back' });
		expect(url.json.error).toMatchObject({ code: 'url_invalid', param: 'return_url', message: 'Not a valid URL' });
		const long = await createSession({
			...base,
			flow_data: {
				type: 'payment_method_update',
				after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'x'.repeat(501) } },
			},
		});
		expect(long.status).toBe(400);
		expect(long.json.error.message).toMatch(/must be at most 500 characters$/);
		const hash = await createSession(`${qs.stringify(base)}&flow_data=payment_method_update`);
		expect(hash.json.error).toMatchObject({ param: 'flow_data', message: 'Invalid hash' });
		const expand = await createSession(`${qs.stringify(base)}&expand=configuration`);
		expect(expand.json.error).toMatchObject({ param: 'expand', message: 'Invalid array' });
		const badExpand = await createSession({ ...base, expand: ['customer'] });
		expect(badExpand.json.error.message).toBe('This property cannot be expanded (customer).');
	});

	it('enforces flow rules: one item, one discount kind, matching type objects', async () => {
		const twoItems = await createSession({
			...base,
			flow_data: {
				type: 'subscription_update_confirm',
				subscription_update_confirm: { subscription: 'sub_1', items: [{ id: 'si_1' }, { id: 'si_2' }] },
			},
		});
		expect(twoItems.json.error).toMatchObject({
			param: 'flow_data[subscription_update_confirm][items]',
			message: 'flow_data[subscription_update_confirm][items] must contain exactly one item.',
		});
		const both = await createSession({
			...base,
			flow_data: {
				type: 'subscription_update_confirm',
				subscription_update_confirm: {
					subscription: 'sub_1',
					items: [{ id: 'si_1' }],
					discounts: [{ coupon: 'C', promotion_code: 'promo_1' }],
				},
			},
		});
		expect(both.json.error.code).toBe('parameters_exclusive');
		const mismatch = await createSession({
			...base,
			flow_data: { type: 'subscription_cancel', subscription_update: { subscription: 'sub_1' } },
		});
		expect(mismatch.status).toBe(400);
		expect(mismatch.json.error.param).toBe('flow_data[subscription_update]');
	});

	it('requires exactly one of customer and customer_account', async () => {
		const r = await createSession({ ...base, customer_account: 'acct_1Customer00001' });
		expect(r.json.error).toMatchObject({
			code: 'parameters_exclusive',
			message: 'You may only specify one of these parameters: customer, customer_account.',
		});
		sandbox.addConnectedAccount('acct_1Customer00001');
		const acct = await createSession({ customer_account: 'acct_1Customer00001', return_url: RETURN_URL });
		expect(acct.status).toBe(200);
		expect(acct.json).toMatchObject({ customer: null, customer_account: 'acct_1Customer00001' });
	});
});

describe('resources referenced by a session', () => {
	it('404s an unknown customer', async () => {
		const r = await createSession({ customer: 'cus_x', return_url: RETURN_URL });
		expect(r.status).toBe(404);
		expect(r.json.error).toMatchObject({
			type: 'invalid_request_error',
			code: 'resource_missing',
			param: 'customer',
			message: "No such customer: 'cus_x'",
		});
	});

	it('404s an unknown configuration', async () => {
		const r = await createSession({ ...base, configuration: 'bpc_x' });
		expect(r.status).toBe(404);
		expect(r.json.error).toMatchObject({ code: 'resource_missing', param: 'configuration', message: "No such configuration: 'bpc_x'" });
	});

	it('404s subscriptions that are not sub_ ids', async () => {
		const r = await createSession({ ...base, flow_data: { type: 'subscription_update', subscription_update: { subscription: 'abc' } } });
		expect(r.status).toBe(404);
		expect(r.json.error).toMatchObject({
			code: 'resource_missing',
			param: 'flow_data[subscription_update][subscription]',
			message: "No such subscription: 'abc'",
		});
	});

	it('fails without a default configuration, in test and live wording', async () => {
		sandbox.removeDefaultConfiguration();
		const test = await createSession(base);
		expect(test.status).toBe(400);
		expect(test.json.error).toMatchObject({
			type: 'invalid_request_error',
			message:
				'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.',
		});
		const live = await createSession(base, { key: LIVE_KEY });
		expect(live.json.error.message).toBe(
			'No configuration provided and your live mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in live mode at https://dashboard.stripe.com/settings/billing/portal.',
		);
		const explicit = sandbox.addConfiguration({ default_return_url: 'https://example.com/home' });
		const ok = await createSession({ customer: SEED_IDS.jenny, configuration: explicit.id });
		expect(ok.status).toBe(200);
		expect(ok.json.return_url).toBe('https://example.com/home');
	});

	it('needs a return_url unless the configuration has a default_return_url', async () => {
		const r = await createSession({ customer: SEED_IDS.jenny });
		expect(r.status).toBe(400);
		expect(r.json.error).toMatchObject({ code: 'parameter_missing', param: 'return_url' });
	});

	it('rejects a flow whose feature is disabled on the configuration', async () => {
		const c = sandbox.addConfiguration({ features: { subscription_pause: { enabled: false } } });
		const r = await createSession({
			...base,
			configuration: c.id,
			flow_data: { type: 'subscription_pause', subscription_pause: { subscription: 'sub_1' } },
		});
		expect(r.status).toBe(400);
		expect(r.json.error.param).toBe('flow_data[type]');
	});
});

describe('valid sessions', () => {
	const flows: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
		['payment_method_update', { type: 'payment_method_update' }, {}],
		[
			'subscription_cancel',
			{
				type: 'subscription_cancel',
				subscription_cancel: { subscription: SEED_IDS.jennyPro, retention: { type: 'coupon_offer', coupon_offer: { coupon: SEED_IDS.coupon } } },
			},
			{ subscription_cancel: { subscription: SEED_IDS.jennyPro, retention: { type: 'coupon_offer', coupon_offer: { coupon: SEED_IDS.coupon } } } },
		],
		[
			'subscription_pause',
			{ type: 'subscription_pause', subscription_pause: { subscription: SEED_IDS.jennyPro } },
			{ subscription_pause: { subscription: SEED_IDS.jennyPro } },
		],
		[
			'subscription_update',
			{ type: 'subscription_update', subscription_update: { subscription: SEED_IDS.jennyPro } },
			{ subscription_update: { subscription: SEED_IDS.jennyPro } },
		],
		[
			'subscription_update_confirm',
			{
				type: 'subscription_update_confirm',
				subscription_update_confirm: {
					subscription: SEED_IDS.jennyPro,
					items: [{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proYearly, quantity: 2 }],
					discounts: [{ promotion_code: SEED_IDS.promotionCode }],
				},
			},
			{
				subscription_update_confirm: {
					subscription: SEED_IDS.jennyPro,
					items: [{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proYearly, quantity: 2 }],
					discounts: [{ coupon: null, promotion_code: SEED_IDS.promotionCode }],
				},
			},
		],
		['customer_update', { type: 'customer_update' }, { customer_update: {} }],
	];

	it.each(flows)('creates a %s session and echoes the flow', async (type, flowData, expectedSpecific) => {
		const r = await createSession({
			...base,
			locale: 'fr-CA',
			flow_data: { ...flowData, after_completion: { type: 'redirect', redirect: { return_url: 'https://example.com/done' } } },
		});
		expect(r.status).toBe(200);
		expect(r.json).toEqual({
			id: expect.stringMatching(/^bps_[A-Za-z0-9]{24}$/),
			object: 'billing_portal.session',
			after_expiration: null,
			configuration: SEED_IDS.defaultConfiguration,
			created: expect.any(Number),
			customer: SEED_IDS.jenny,
			customer_account: null,
			flow: {
				after_completion: { hosted_confirmation: null, redirect: { return_url: 'https://example.com/done' }, type: 'redirect' },
				customer_update: null,
				subscription_cancel: null,
				subscription_pause: null,
				subscription_update: null,
				subscription_update_confirm: null,
				...expectedSpecific,
				type,
			},
			livemode: false,
			locale: 'fr-CA',
			on_behalf_of: null,
			return_url: RETURN_URL,
			url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\/p\/session\/test_[A-Za-z0-9]+$/),
		});
		expect(Math.abs(r.json.created - Date.now() / 1000)).toBeLessThan(5);
		expect(sandbox.sessions).toHaveLength(1);
		expect(sandbox.sessions[0].id).toBe(r.json.id);
	});

	it('creates a minimal session with null flow and defaults', async () => {
		const r = await createSession(base);
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({ flow: null, locale: null, after_expiration: null, on_behalf_of: null });
	});

	it('echoes hosted confirmation, after_expiration and on_behalf_of', async () => {
		sandbox.addConnectedAccount('acct_1OnBehalf00001');
		const r = await createSession({
			...base,
			on_behalf_of: 'acct_1OnBehalf00001',
			after_expiration: { type: 'customer_login', customer_login: { expires_at: 1893456000 } },
			flow_data: { type: 'payment_method_update', after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Thanks!' } } },
		});
		expect(r.status).toBe(200);
		expect(r.json.after_expiration).toEqual({ customer_login: { expires_at: 1893456000 }, type: 'customer_login' });
		expect(r.json.on_behalf_of).toBe('acct_1OnBehalf00001');
		expect(r.json.flow.after_completion).toEqual({
			hosted_confirmation: { custom_message: 'Thanks!' },
			redirect: null,
			type: 'hosted_confirmation',
		});
	});

	it('expands the configuration', async () => {
		const r = await createSession({ ...base, expand: ['configuration'] });
		expect(r.status).toBe(200);
		expect(r.json.configuration).toMatchObject({
			id: SEED_IDS.defaultConfiguration,
			object: 'billing_portal.configuration',
			is_default: true,
			default_return_url: null,
			login_page: { enabled: false, url: null },
		});
	});

	it('uses live mode for live keys', async () => {
		const r = await createSession(base, { key: LIVE_KEY });
		expect(r.json.livemode).toBe(true);
		expect(r.json.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\/(?!test_)/);
	});
});

describe('GET /v1/billing_portal/configurations', () => {
	it('lists newest first with cursor pagination and filters', async () => {
		const a = sandbox.addConfiguration({ name: 'A' });
		const b = sandbox.addConfiguration({ name: 'B', active: false });
		const c = sandbox.addConfiguration({ name: 'C' });
		const page1 = await call('GET', '/v1/billing_portal/configurations', { query: { limit: 2 } });
		expect(page1.json).toMatchObject({ object: 'list', url: '/v1/billing_portal/configurations', has_more: true });
		expect(page1.json.data.map((x: { id: string }) => x.id)).toEqual([c.id, b.id]);
		const page2 = await call('GET', '/v1/billing_portal/configurations', { query: { limit: 2, starting_after: b.id } });
		expect(page2.json.data.map((x: { id: string }) => x.id)).toEqual([a.id, SEED_IDS.defaultConfiguration]);
		expect(page2.json.has_more).toBe(false);
		const back = await call('GET', '/v1/billing_portal/configurations', { query: { limit: 1, ending_before: a.id } });
		expect(back.json.data.map((x: { id: string }) => x.id)).toEqual([b.id]);
		expect(back.json.has_more).toBe(true);
		const inactive = await call('GET', '/v1/billing_portal/configurations', { query: { active: 'false' } });
		expect(inactive.json.data.map((x: { id: string }) => x.id)).toEqual([b.id]);
		const defaults = await call('GET', '/v1/billing_portal/configurations', { query: { is_default: 'true' } });
		expect(defaults.json.data).toHaveLength(1);
		expect(defaults.json.data[0]).toMatchObject({ id: SEED_IDS.defaultConfiguration, is_default: true, livemode: false });
	});

	it('validates list parameters', async () => {
		const zero = await call('GET', '/v1/billing_portal/configurations', { query: 'limit=0' });
		expect(zero.json.error).toMatchObject({ param: 'limit', message: 'This value must be greater than or equal to 1.' });
		const big = await call('GET', '/v1/billing_portal/configurations', { query: 'limit=101' });
		expect(big.json.error.message).toBe('This value must be less than or equal to 100.');
		const nan = await call('GET', '/v1/billing_portal/configurations', { query: 'limit=abc' });
		expect(nan.json.error.message).toBe('Invalid integer: abc');
		const bool = await call('GET', '/v1/billing_portal/configurations', { query: 'active=yes' });
		expect(bool.json.error.message).toBe('Invalid boolean: yes');
		const unknown = await call('GET', '/v1/billing_portal/configurations', { query: 'foo=1' });
		expect(unknown.json.error.message).toBe('Received unknown parameter: foo');
		const cursor = await call('GET', '/v1/billing_portal/configurations', { query: 'starting_after=bpc_nope' });
		expect(cursor.status).toBe(404);
		expect(cursor.json.error.param).toBe('starting_after');
	});

	it('retrieves one configuration or 404s', async () => {
		const ok = await call('GET', `/v1/billing_portal/configurations/${SEED_IDS.defaultConfiguration}`);
		expect(ok.status).toBe(200);
		expect(Object.keys(ok.json)).toEqual([
			'id', 'object', 'active', 'application', 'business_profile', 'created', 'default_return_url', 'features',
			'is_default', 'livemode', 'login_page', 'metadata', 'name', 'updated',
		]);
		const missing = await call('GET', '/v1/billing_portal/configurations/bpc_missing');
		expect(missing.status).toBe(404);
		expect(missing.json.error).toMatchObject({ code: 'resource_missing', message: "No such configuration: 'bpc_missing'" });
	});
});

describe('customers', () => {
	it('lists newest first with pagination and an exact email filter', async () => {
		const added = sandbox.addCustomer({ email: 'new@example.com', name: 'New Person' });
		expect(added.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
		const page1 = await call('GET', '/v1/customers', { query: { limit: 2 } });
		expect(page1.json).toMatchObject({ object: 'list', url: '/v1/customers', has_more: true });
		expect(page1.json.data.map((c: { id: string }) => c.id)).toEqual([added.id, SEED_IDS.ana]);
		const page2 = await call('GET', '/v1/customers', { query: { limit: 2, starting_after: SEED_IDS.ana } });
		expect(page2.json.data.map((c: { id: string }) => c.id)).toEqual([SEED_IDS.max, SEED_IDS.jenny]);
		expect(page2.json.has_more).toBe(false);
		const byEmail = await call('GET', '/v1/customers', { query: { email: 'jenny.rosen@example.com' } });
		expect(byEmail.json.data).toHaveLength(1);
		expect(byEmail.json.data[0]).toMatchObject({ id: SEED_IDS.jenny, object: 'customer', name: 'Jenny Rosen', livemode: false, metadata: {} });
		const caseDiffers = await call('GET', '/v1/customers', { query: { email: 'JENNY.ROSEN@example.com' } });
		expect(caseDiffers.json.data).toHaveLength(0);
	});

	it('retrieves a customer or 404s', async () => {
		const ok = await call('GET', `/v1/customers/${SEED_IDS.max}`);
		expect(ok.json).toMatchObject({ id: SEED_IDS.max, email: 'max.mustermann@example.com' });
		const missing = await call('GET', '/v1/customers/cus_missing');
		expect(missing.status).toBe(404);
		expect(missing.json.error).toMatchObject({ code: 'resource_missing', message: "No such customer: 'cus_missing'" });
	});

	it('a deleted customer: its ID answers Stripe’s deleted stub, lists and searches leave it out, a session for it is refused', async () => {
		const gone = sandbox.addCustomer({ email: 'gone@example.com', name: 'Gone Person' });
		const subscription = sandbox.addSubscription({ customer: gone.id });
		const deleted = await call('DELETE', `/v1/customers/${gone.id}`);
		expect([deleted.status, deleted.json]).toEqual([200, { id: gone.id, object: 'customer', deleted: true }]);
		const read = await call('GET', `/v1/customers/${gone.id}`);
		expect([read.status, read.json]).toEqual([200, { id: gone.id, object: 'customer', deleted: true }]);
		expect((await call('GET', '/v1/customers', { query: { email: 'gone@example.com' } })).json.data).toEqual([]);
		expect((await call('GET', '/v1/customers/search', { query: { query: "email:'gone@example.com'" } })).json.data).toEqual([]);
		expect((await call('GET', `/v1/subscriptions/${subscription.id}`)).json).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'cancellation_requested' } });
		const session = await createSession({ customer: gone.id, return_url: RETURN_URL });
		expect(session.status).toBe(400);
		expect(session.json.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing', param: 'customer', message: `No such customer: '${gone.id}'` });
		expect(sandbox.sessions).toHaveLength(0);
		const again = await call('DELETE', `/v1/customers/${gone.id}`);
		expect([again.status, again.json.error.message]).toEqual([404, `No such customer: '${gone.id}'`]);
		expect((await call('DELETE', `/v1/customers/${SEED_IDS.max}`, { key: CUSTOMERS_KEY })).status).toBe(403);
	});

	it('searches with the query language and pages with next_page', async () => {
		const exact = await call('GET', '/v1/customers/search', { query: { query: "email:'jenny.rosen@example.com'" } });
		expect(exact.status).toBe(200);
		expect(exact.json).toMatchObject({ object: 'search_result', url: '/v1/customers/search', has_more: false, next_page: null });
		expect(exact.json.data.map((c: { id: string }) => c.id)).toEqual([SEED_IDS.jenny]);

		const or = await call('GET', '/v1/customers/search', { query: { query: 'name~"rose" OR email~"mustermann"' } });
		expect(or.json.data.map((c: { id: string }) => c.id).sort()).toEqual([SEED_IDS.jenny, SEED_IDS.max].sort());
		const and = await call('GET', '/v1/customers/search', { query: { query: "name:'jenny rosen' AND email~'example.com'" } });
		expect(and.json.data.map((c: { id: string }) => c.id)).toEqual([SEED_IDS.jenny]);
		const none = await call('GET', '/v1/customers/search', { query: { query: "-email~'example'" } });
		expect(none.json.data).toEqual([]);

		const p1 = await call('GET', '/v1/customers/search', { query: { query: "email~'example'", limit: 2 } });
		expect(p1.json.has_more).toBe(true);
		expect(typeof p1.json.next_page).toBe('string');
		const p2 = await call('GET', '/v1/customers/search', { query: { query: "email~'example'", limit: 2, page: p1.json.next_page } });
		expect(p2.json).toMatchObject({ has_more: false, next_page: null });
		const ids = [...p1.json.data, ...p2.json.data].map((c: { id: string }) => c.id);
		expect(new Set(ids).size).toBe(3);
	});

	it('rejects bad search queries', async () => {
		const missing = await call('GET', '/v1/customers/search');
		expect(missing.json.error.message).toBe('Missing required param: query.');
		const field = await call('GET', '/v1/customers/search', { query: { query: "colour:'red'" } });
		expect(field.status).toBe(400);
		expect(field.json.error.param).toBe('query');
		expect(field.json.error.message).toContain("Field 'colour' is an unsupported search field");
		const mixed = await call('GET', '/v1/customers/search', { query: { query: "name~'jen' AND email~'abc' OR name~'max'" } });
		expect(mixed.status).toBe(400);
		const unquoted = await call('GET', '/v1/customers/search', { query: { query: 'email:jenny' } });
		expect(unquoted.status).toBe(400);
		const badPage = await call('GET', '/v1/customers/search', { query: { query: "email~'example'", page: 'nope' } });
		expect(badPage.json.error.param).toBe('page');
	});
});

describe('faults', () => {
	it('answers the next matching request with a status fault, FIFO, and records it', async () => {
		sandbox.queueFault({ kind: 'status', status: 500, path: '/v1/billing_portal/sessions' });
		sandbox.queueFault({
			kind: 'status',
			status: 429,
			headers: { 'Retry-After': '1', 'Stripe-Should-Retry': 'true' },
			path: '/v1/billing_portal/sessions',
		});
		const other = await call('GET', '/v1/customers');
		expect(other.status).toBe(200);
		const first = await createSession(base);
		expect(first.status).toBe(500);
		expect(first.json.error.type).toBe('api_error');
		expect(first.headers.get('request-id')).toMatch(/^req_/);
		const second = await createSession(base);
		expect(second.status).toBe(429);
		expect(second.headers.get('retry-after')).toBe('1');
		expect(second.json.error.code).toBe('rate_limit');
		const third = await createSession(base);
		expect(third.status).toBe(200);
		expect(sandbox.requests.map((r: RecordedRequest) => r.path)).toEqual([
			'/v1/customers',
			'/v1/billing_portal/sessions',
			'/v1/billing_portal/sessions',
			'/v1/billing_portal/sessions',
		]);
		expect(sandbox.requests[1].body).toEqual(base);
		expect(sandbox.pendingFaults).toHaveLength(0);
	});

	it('serves a custom Stripe error built with stripeError()', async () => {
		sandbox.queueFault({
			kind: 'status',
			...stripeError(409, { type: 'invalid_request_error', code: 'lock_timeout', message: 'Locked.' }),
		});
		const r = await createSession(base);
		expect(r.status).toBe(409);
		expect(r.json).toEqual({
			error: {
				code: 'lock_timeout',
				doc_url: 'https://stripe.com/docs/error-codes/lock-timeout',
				message: 'Locked.',
				type: 'invalid_request_error',
			},
		});
	});

	it('serves a non-JSON proxy page', async () => {
		sandbox.queueFault({ kind: 'non-json' });
		const r = await createSession(base);
		expect(r.status).toBe(502);
		expect(r.headers.get('content-type')).toBe('text/html');
		expect(r.text).toContain('502 Bad Gateway');
		expect(r.json).toBeUndefined();
	});

	it('drops the connection without a response', async () => {
		sandbox.queueFault({ kind: 'drop', path: '/v1/billing_portal/*' });
		await expect(createSession(base)).rejects.toThrow();
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].requestId).toBe('');
		expect((await createSession(base)).status).toBe(200);
	});

	it('delays a request, then handles it normally', async () => {
		sandbox.queueFault({ kind: 'delay', ms: 150 });
		const t0 = Date.now();
		const r = await call('GET', '/v1/customers');
		expect(r.status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
	});
});

describe('isolation', () => {
	it('runs several instances with separate data', async () => {
		const other = new StripeSandbox({ secretKeys: ['sk_test_other'], port: 0 });
		const url = await other.start();
		try {
			expect(url).not.toBe(baseUrl);
			other.addCustomer({ id: 'cus_OnlyInOther01' });
			const there = await fetch(`${url}/v1/customers/cus_OnlyInOther01`, { headers: { Authorization: 'Bearer sk_test_other' } });
			expect(there.status).toBe(200);
			const here = await call('GET', '/v1/customers/cus_OnlyInOther01');
			expect(here.status).toBe(404);
			expect(other.requests).toHaveLength(1);
		} finally {
			await other.stop();
		}
	});
});

describe('subscriptions', () => {
	it('lists a customer’s subscriptions newest first, without canceled ones unless asked', async () => {
		const current = await call('GET', '/v1/subscriptions', { query: { customer: SEED_IDS.jenny } });
		expect(current.status).toBe(200);
		expect(current.json.data.map((s: any) => [s.id, s.status])).toEqual([[SEED_IDS.jennyPro, 'active']]);
		expect(current.json.data[0].items.data[0]).toMatchObject({ id: SEED_IDS.jennyProItem, price: { nickname: 'Pro', unit_amount: 2900 } });

		const all = await call('GET', '/v1/subscriptions', { query: { customer: SEED_IDS.jenny, status: 'all' } });
		expect(all.json.data.map((s: any) => s.id)).toEqual([SEED_IDS.jennyPro, SEED_IDS.jennyOld]);

		const everyone = await call('GET', '/v1/subscriptions', { query: { limit: 1 } });
		expect(everyone.json).toMatchObject({ object: 'list', has_more: true, url: '/v1/subscriptions' });
		expect(everyone.json.data.map((s: any) => s.id)).toEqual([SEED_IDS.maxTeam]);
	});

	it('retrieves one, 404 for an unknown one, and needs the subscription read permission', async () => {
		expect((await call('GET', `/v1/subscriptions/${SEED_IDS.maxTeam}`)).json).toMatchObject({ customer: SEED_IDS.max, status: 'trialing' });
		const missing = await call('GET', '/v1/subscriptions/sub_nope');
		expect(missing.status).toBe(404);
		expect(missing.json.error).toMatchObject({ code: 'resource_missing', message: "No such subscription: 'sub_nope'" });
		expect((await call('GET', '/v1/subscriptions', { key: SUBSCRIPTIONS_KEY })).status).toBe(200);
		const denied = await call('GET', '/v1/subscriptions', { key: PORTAL_KEY });
		expect(denied.status).toBe(403);
		expect(denied.json.error.message).toMatch(/rak_subscription_read/);
	});

	it('rejects an unknown status', async () => {
		const res = await call('GET', '/v1/subscriptions', { query: { status: 'live' } });
		expect(res.status).toBe(400);
		expect(res.json.error.message).toMatch(/^Invalid status: must be one of/);
	});
});

describe('what a session references is looked up, as Stripe does', () => {
	const confirm = (fields: Record<string, unknown>) => ({
		...base,
		flow_data: {
			type: 'subscription_update_confirm',
			subscription_update_confirm: { subscription: SEED_IDS.jennyPro, items: [{ id: SEED_IDS.jennyProItem }], ...fields },
		},
	});
	const errorOf = async (body: Record<string, unknown>, headers?: Record<string, string>) => {
		const r = await createSession(body, { headers });
		return { status: r.status, code: r.json.error?.code, param: r.json.error?.param, message: r.json.error?.message };
	};

	it('a subscription that does not exist, or is another customer’s: 404 and 400, no session', async () => {
		for (const type of ['subscription_cancel', 'subscription_pause', 'subscription_update']) {
			expect(await errorOf({ ...base, flow_data: { type, [type]: { subscription: 'sub_1NoSuchThing000000' } } })).toEqual({
				status: 404,
				code: 'resource_missing',
				param: `flow_data[${type}][subscription]`,
				message: "No such subscription: 'sub_1NoSuchThing000000'",
			});
			expect(await errorOf({ ...base, flow_data: { type, [type]: { subscription: SEED_IDS.maxTeam } } })).toMatchObject({
				status: 400,
				param: `flow_data[${type}][subscription]`,
				message: `The subscription ${SEED_IDS.maxTeam} does not belong to the customer ${SEED_IDS.jenny}. Pass a subscription of that customer.`,
			});
		}
		expect(sandbox.sessions).toHaveLength(0);
	});

	it('a subscription item, price, coupon or promotion code that does not exist: 404 naming the field', async () => {
		const prefix = 'flow_data[subscription_update_confirm]';
		expect(await errorOf(confirm({ items: [{ id: 'si_NoSuchItem0001' }] }))).toEqual({
			status: 404,
			code: 'resource_missing',
			param: `${prefix}[items][0][id]`,
			message: "No such subscription item: 'si_NoSuchItem0001'",
		});
		expect(await errorOf(confirm({ items: [{ id: SEED_IDS.jennyProItem, price: 'price_1NoSuchPrice0000' }] }))).toMatchObject({
			status: 404,
			param: `${prefix}[items][0][price]`,
			message: "No such price: 'price_1NoSuchPrice0000'",
		});
		expect(await errorOf(confirm({ discounts: [{ coupon: 'NOPE50' }] }))).toMatchObject({
			status: 404,
			param: `${prefix}[discounts][0][coupon]`,
			message: "No such coupon: 'NOPE50'",
		});
		expect(await errorOf(confirm({ discounts: [{ promotion_code: 'promo_1NoSuchCode000000' }] }))).toMatchObject({
			status: 404,
			param: `${prefix}[discounts][0][promotion_code]`,
			message: "No such promotion code: 'promo_1NoSuchCode000000'",
		});
		const retention = { type: 'coupon_offer', coupon_offer: { coupon: 'NOPE50' } };
		expect(
			await errorOf({ ...base, flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: SEED_IDS.jennyPro, retention } } }),
		).toMatchObject({ status: 404, param: 'flow_data[subscription_cancel][retention][coupon_offer][coupon]', message: "No such coupon: 'NOPE50'" });
		expect(sandbox.sessions).toHaveLength(0);
	});

	it('an item of another subscription: 400 naming the item', async () => {
		const other = sandbox.addSubscription({ customer: SEED_IDS.jenny, itemId: 'si_JennyOtherItem01' });
		expect(await errorOf(confirm({ items: [{ id: 'si_JennyOtherItem01' }] }))).toMatchObject({
			status: 400,
			param: 'flow_data[subscription_update_confirm][items][0][id]',
			message: `The subscription item si_JennyOtherItem01 does not belong to the subscription ${SEED_IDS.jennyPro}. Pass an item of that subscription.`,
		});
		expect((await createSession(confirm({ subscription: other.id, items: [{ id: 'si_JennyOtherItem01', quantity: 2 }] }))).status).toBe(200);
	});

	it('a price the configuration does not offer (features.subscription_update.products), even one that exists: 400, no session', async () => {
		const elsewhere = sandbox.addProduct({ name: 'Not in the portal' });
		const price = sandbox.addPrice({ product: elsewhere.id });
		expect(await errorOf(confirm({ items: [{ id: SEED_IDS.jennyProItem, price: price.id }] }))).toEqual({
			status: 400,
			code: undefined,
			param: 'flow_data[subscription_update_confirm][items][0][price]',
			message: `The price ${price.id} is not one of the prices in features[subscription_update][products] of configuration ${SEED_IDS.defaultConfiguration}.`,
		});
		expect(sandbox.sessions).toHaveLength(0);
	});

	it('a subscription with several items cannot be confirmed: 400, no session', async () => {
		sandbox.addSubscription({ id: 'sub_TwoItems000001', customer: SEED_IDS.jenny, itemId: 'si_TwoItemsFirst01', extraItemIds: ['si_TwoItemsSecond1'] });
		const body = { ...base, flow_data: { type: 'subscription_update_confirm', subscription_update_confirm: { subscription: 'sub_TwoItems000001', items: [{ id: 'si_TwoItemsFirst01', quantity: 2 }] } } };
		expect(await errorOf(body)).toMatchObject({
			status: 400,
			param: 'flow_data[subscription_update_confirm][subscription]',
			message: expect.stringMatching(/^The subscription sub_TwoItems000001 has multiple items/),
		});
		expect(sandbox.sessions).toHaveLength(0);
	});

	it('a confirmation that changes nothing (its price and quantity, or neither sent): 400, no session', async () => {
		const noChanges = {
			status: 400,
			code: undefined,
			param: undefined,
			message: 'Cannot update the subscription because there are no changes to confirm.',
		};
		expect(await errorOf(confirm({}))).toEqual(noChanges);
		expect(await errorOf(confirm({ items: [{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proMonthly, quantity: 1 }] }))).toEqual(noChanges);
		expect(sandbox.sessions).toHaveLength(0);
		expect((await createSession(confirm({ items: [{ id: SEED_IDS.jennyProItem, quantity: 2 }] }))).status).toBe(200);
		expect((await createSession(confirm({ items: [{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proYearly }] }))).status).toBe(200);
	});

	it('what the seed and the tests create passes', async () => {
		const r = await createSession(
			confirm({ items: [{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proYearly }], discounts: [{ promotion_code: SEED_IDS.promotionCode }] }),
		);
		expect(r.status).toBe(200);
		const coupon = sandbox.addCoupon({ id: 'WELCOME25', percent_off: 25 });
		expect((await createSession(confirm({ discounts: [{ coupon: coupon.id }] }))).status).toBe(200);
		expect(sandbox.sessions).toHaveLength(2);
	});

	it('on_behalf_of and customer_account name accounts connected to the platform', async () => {
		expect(await errorOf({ ...base, on_behalf_of: 'acct_1NotConnected0001' })).toEqual({
			status: 404,
			code: 'resource_missing',
			param: 'on_behalf_of',
			message: "No such account: 'acct_1NotConnected0001'",
		});
		expect(await errorOf({ customer_account: 'acct_1NotConnected0001', return_url: RETURN_URL })).toMatchObject({
			status: 404,
			param: 'customer_account',
			message: "No such account: 'acct_1NotConnected0001'",
		});
		sandbox.addConnectedAccount('acct_1NotConnected0001');
		expect((await createSession({ ...base, on_behalf_of: 'acct_1NotConnected0001' })).status).toBe(200);
	});

	it('a connected account sees its own objects only: without Stripe-Account they are not found, and the platform’s are not its', async () => {
		const shopAccount = 'acct_1ShopConnected001';
		const shop = sandbox.addConnectedAccount(shopAccount);
		shop.addConfiguration({ is_default: true });
		const customer = shop.addCustomer({ id: 'cus_ShopCustomer01' });
		const subscription = shop.addSubscription({ customer: customer.id });
		const asShop = { 'Stripe-Account': shopAccount };
		const flow = { type: 'subscription_cancel', subscription_cancel: { subscription: subscription.id } };
		const made = await createSession({ customer: customer.id, return_url: RETURN_URL, flow_data: flow }, { headers: asShop });
		expect(made.status).toBe(200);
		expect(shop.sessions.map((session) => session.id)).toEqual([made.json.id]);
		// The request that forgot Stripe-Account: the platform has no such customer or subscription.
		expect(await errorOf({ customer: customer.id, return_url: RETURN_URL, flow_data: flow })).toMatchObject({
			status: 404,
			param: 'customer',
			message: "No such customer: 'cus_ShopCustomer01'",
		});
		expect((await call('GET', `/v1/subscriptions/${subscription.id}`)).status).toBe(404);
		expect((await call('GET', `/v1/subscriptions/${subscription.id}`, { headers: asShop })).status).toBe(200);
		// And the platform's customer is not the connected account's.
		expect(await errorOf(base, asShop)).toMatchObject({ status: 404, param: 'customer', message: `No such customer: '${SEED_IDS.jenny}'` });
		expect(sandbox.sessions).toHaveLength(0);
	});
});

describe('overlapping requests under one idempotency key', () => {
	it('a request sent while the first with its key is still running gets Stripe’s 409; after the answer, the replay', async () => {
		sandbox.queueFault({ kind: 'slow', ms: 300, path: '/v1/billing_portal/sessions' });
		const headers = { 'Idempotency-Key': 'overlap-1' };
		const first = createSession(base, { headers });
		// Long enough for the first to have arrived and been handled, well inside its 300 ms.
		await new Promise((resolve) => setTimeout(resolve, 100));
		const second = await createSession(base, { headers });
		expect(second.status).toBe(409);
		expect(second.json.error).toEqual({
			code: 'idempotency_key_in_use',
			doc_url: 'https://stripe.com/docs/error-codes/idempotency-key-in-use',
			message:
				'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): overlap-1. Please try again later.',
			request_log_url: expect.stringMatching(/^https:\/\/dashboard\.stripe\.com\/test\/logs\/req_/),
			type: 'invalid_request_error',
		});
		expect((await first).status).toBe(200);
		const third = await createSession(base, { headers });
		expect(third.status).toBe(200);
		expect(third.headers.get('idempotent-replayed')).toBe('true');
		expect(third.json.id).toBe((await first).json.id);
		expect(sandbox.sessions).toHaveLength(1);
	});

	/** Resolves once the sandbox has received `count` requests. */
	async function untilReceived(count: number): Promise<void> {
		for (let i = 0; i < 200 && sandbox.requests.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
	}

	it('a delayed request holds its key from its arrival, as Stripe holds a request it has not answered', async () => {
		sandbox.queueFault({ kind: 'delay', ms: 300, path: '/v1/billing_portal/sessions' });
		const headers = { 'Idempotency-Key': 'overlap-delay' };
		const first = createSession(base, { headers });
		await untilReceived(1);
		const second = await createSession(base, { headers });
		expect([second.status, second.json.error.code]).toEqual([409, 'idempotency_key_in_use']);
		const answered = await first;
		const third = await createSession(base, { headers });
		expect(third.headers.get('idempotent-replayed')).toBe('true');
		expect(third.json.id).toBe(answered.json.id);
		expect(sandbox.sessions).toHaveLength(1);
	});

	it('a delayed request whose client has gone is still carried out: a resend under its key gets the saved answer', async () => {
		sandbox.queueFault({ kind: 'delay', ms: 200, path: '/v1/billing_portal/sessions' });
		const headers = { 'Idempotency-Key': 'overlap-client-gone' };
		const controller = new AbortController();
		const first = createSession(base, { headers, signal: controller.signal }).catch((error: Error) => error);
		await untilReceived(1);
		controller.abort();
		expect(await first).toMatchObject({ name: 'AbortError' });
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(sandbox.sessions).toHaveLength(1);
		expect(sandbox.requests[0].status).toBeUndefined();
		const resent = await createSession(base, { headers });
		expect(resent.headers.get('idempotent-replayed')).toBe('true');
		expect(resent.json.id).toBe(sandbox.sessions[0].id);
		expect(sandbox.sessions).toHaveLength(1);
	});

	it('a stalled request holds its key, after its client gave up too, until reset()', async () => {
		sandbox.queueFault({ kind: 'stall', path: '/v1/billing_portal/sessions' });
		const headers = { 'Idempotency-Key': 'overlap-stall' };
		const controller = new AbortController();
		const first = createSession(base, { headers, signal: controller.signal }).catch((error: Error) => error);
		await untilReceived(1);
		const meanwhile = await createSession(base, { headers });
		expect([meanwhile.status, meanwhile.json.error.code]).toEqual([409, 'idempotency_key_in_use']);
		controller.abort();
		await first;
		const later = await createSession(base, { headers });
		expect([later.status, later.json.error.code]).toEqual([409, 'idempotency_key_in_use']);
		expect(sandbox.sessions).toHaveLength(0);
		sandbox.reset();
		expect((await createSession(base, { headers })).headers.get('idempotent-replayed')).toBeNull();
		expect(sandbox.sessions).toHaveLength(1);
	});

	it('the same during an object lock’s hold, on a configuration update', async () => {
		sandbox.setObjectLocks({ holdMs: 300 });
		const path = `/v1/billing_portal/configurations/${SEED_IDS.defaultConfiguration}`;
		const headers = { 'Idempotency-Key': 'overlap-2' };
		const first = call('POST', path, { body: { name: 'Renamed' }, headers });
		await new Promise((resolve) => setTimeout(resolve, 100));
		const second = await call('POST', path, { body: { name: 'Renamed' }, headers });
		expect([second.status, second.json.error.code]).toEqual([409, 'idempotency_key_in_use']);
		expect((await first).status).toBe(200);
		expect((await call('POST', path, { body: { name: 'Renamed' }, headers })).headers.get('idempotent-replayed')).toBe('true');
	});
});

describe('the stripe SDK against the sandbox', () => {
	function client(key = KEY): Stripe {
		return new Stripe(key, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 0, telemetry: false });
	}

	it('creates a portal session through stripe-node', async () => {
		const session = await client().billingPortal.sessions.create({
			customer: SEED_IDS.jenny,
			return_url: RETURN_URL,
			locale: 'de',
			expand: ['configuration'],
			flow_data: {
				type: 'subscription_update_confirm',
				after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Done' } },
				subscription_update_confirm: {
					subscription: SEED_IDS.jennyPro,
					items: [{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proYearly, quantity: 4 }],
				},
			},
		});
		expect(session.id).toMatch(/^bps_/);
		expect(session.customer).toBe(SEED_IDS.jenny);
		expect(typeof session.configuration === 'object' && session.configuration.id).toBe(SEED_IDS.defaultConfiguration);
		expect(session.flow?.subscription_update_confirm?.items).toEqual([{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proYearly, quantity: 4 }]);
		expect(session.lastResponse.statusCode).toBe(200);
		expect(session.lastResponse.requestId).toBe(sandbox.lastRequest?.requestId);

		const rec = sandbox.lastRequest as RecordedRequest;
		expect(rec.headers['stripe-version']).toBe(DEFAULT_API_VERSION);
		expect(rec.headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(rec.body).toEqual({
			customer: SEED_IDS.jenny,
			return_url: RETURN_URL,
			locale: 'de',
			expand: ['configuration'],
			flow_data: {
				type: 'subscription_update_confirm',
				after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Done' } },
				subscription_update_confirm: {
					subscription: SEED_IDS.jennyPro,
					items: [{ id: SEED_IDS.jennyProItem, price: SEED_IDS.proYearly, quantity: '4' }],
				},
			},
		});
	});

	it('maps sandbox errors to the SDK error classes', async () => {
		await expect(client().billingPortal.sessions.create({ customer: 'cus_nope', return_url: RETURN_URL })).rejects.toMatchObject({
			type: 'StripeInvalidRequestError',
			statusCode: 404,
			code: 'resource_missing',
			param: 'customer',
			message: "No such customer: 'cus_nope'",
		});
		await expect(client('sk_test_bad_key_0000').customers.list()).rejects.toMatchObject({
			type: 'StripeAuthenticationError',
			statusCode: 401,
		});
		await expect(client(CUSTOMERS_KEY).billingPortal.sessions.create({ customer: SEED_IDS.jenny, return_url: RETURN_URL })).rejects.toMatchObject({
			type: 'StripePermissionError',
			statusCode: 403,
		});
	});

	it('lists, paginates and searches through the SDK', async () => {
		for (let i = 0; i < 12; i++) sandbox.addCustomer({ email: `bulk${i}@example.net`, name: `Bulk ${i}` });
		const all: string[] = [];
		for await (const c of client().customers.list({ limit: 5 })) all.push(c.id);
		expect(all).toHaveLength(15);
		expect(new Set(all).size).toBe(15);
		const found: string[] = [];
		for await (const c of client().customers.search({ query: "email~'example.net'", limit: 5 })) found.push(c.id);
		expect(found).toHaveLength(12);
		const configs = await client().billingPortal.configurations.list({ is_default: true });
		expect(configs.data.map((c) => c.id)).toEqual([SEED_IDS.defaultConfiguration]);
	});
});
