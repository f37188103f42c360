/**
 * The sandbox's portal configuration endpoints: create and update with every parameter of
 * stripe@23.1.0's `ConfigurationCreateParams` / `ConfigurationUpdateParams`, their validation,
 * permissions, list filters and pagination, and the store helpers the node's tests use.
 */
import * as http from 'http';
import Stripe from 'stripe';

import { sandboxHttp, type CallResult } from '../support/sandbox-http';
import {
	configurationCreateSchema,
	configurationUpdateSchema,
	SEED_IDS,
	StripeSandbox,
	validateParams,
	type PortalConfiguration,
	type RecordedRequest,
} from '../sandbox';

const KEY = 'sk_test_sandbox';
const LIVE_KEY = 'sk_live_fake_sandbox_0001';
const PORTAL_KEY = 'rk_test_portalFullKey1234';
const PORTAL_READ_KEY = 'rk_test_portalReadOnly5678';
const CUSTOMERS_KEY = 'rk_test_customersRead9012';
const PATH = '/v1/billing_portal/configurations';

/**
 * Every key of a params type present, down to array items: a value built against it is known at
 * compile time to use every parameter the d.ts declares, `''` included where a field is Emptyable.
 */
type Complete<T> = T extends readonly (infer U)[]
	? Complete<U>[]
	: T extends object
		? { [K in keyof T]-?: Complete<Exclude<T[K], undefined>> }
		: T;

let sandbox: StripeSandbox;
let baseUrl: string;
const call = sandboxHttp(() => baseUrl, KEY);

const create = (body: string | Record<string, unknown>, key?: string) => call('POST', PATH, { body, key });
const update = (id: string, body: string | Record<string, unknown>, key?: string) =>
	call('POST', `${PATH}/${id}`, { body, key });

/** The smallest valid create body. */
const MINIMAL = 'features[invoice_history][enabled]=true';

function client(key = KEY): Stripe {
	return new Stripe(key, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 0, telemetry: false });
}

function ids(list: { data: Array<{ id: string }> }): string[] {
	return list.data.map((c) => c.id);
}

/** Sends a request line exactly as given (fetch would normalize `..` segments away). */
function rawRequest(method: string, path: string, body = ''): Promise<{ status: number; json: any }> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			{
				host: '127.0.0.1',
				port: sandbox.port,
				path,
				method,
				headers: {
					Authorization: `Bearer ${KEY}`,
					'Content-Type': 'application/x-www-form-urlencoded',
					'Content-Length': String(Buffer.byteLength(body)),
				},
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () =>
					resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
				);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

const KEY_ORDER = [
	'id', 'object', 'active', 'application', 'business_profile', 'created', 'default_return_url', 'features',
	'is_default', 'livemode', 'login_page', 'metadata', 'name', 'updated',
];

const TEST_LOGIN_URL = /^https:\/\/billing\.stripe\.com\/p\/login\/test_[A-Za-z0-9]{24}$/;

beforeAll(async () => {
	sandbox = new StripeSandbox({
		secretKeys: [KEY, LIVE_KEY],
		restrictedKeys: {
			[PORTAL_KEY]: ['billing_portal'],
			[PORTAL_READ_KEY]: ['billing_portal_read'],
			[CUSTOMERS_KEY]: ['customers_read'],
		},
	});
	baseUrl = await sandbox.start();
});

afterAll(async () => {
	await sandbox.stop();
});

/** The products and prices these tests name, each price under its one product: Stripe looks them up. */
const CATALOG: Record<string, string[]> = {
	prod_Gold: ['price_1Monthly', 'price_1Yearly'],
	prod_A: ['price_1A', 'price_1B', 'price_1'],
	prod_B: ['price_1C', 'price_1E'],
	prod_C: ['price_1D'],
	...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`prod_${i}`, [`price_p${i}`]])),
};

beforeEach(() => {
	sandbox.reset();
	for (const [product, prices] of Object.entries(CATALOG)) {
		sandbox.addProduct({ id: product });
		for (const price of prices) sandbox.addPrice({ id: price, product });
	}
});

afterEach(() => {
	expect(sandbox.internalErrors).toEqual([]);
});

describe('create and update through stripe-node with every parameter', () => {
	const every = {
		features: {
			customer_update: { allowed_updates: ['address', 'email', 'name', 'phone', 'shipping', 'tax_id'], enabled: true },
			invoice_history: { enabled: true },
			payment_method_update: { enabled: true, payment_method_configuration: 'pmc_1SandboxPmc' },
			subscription_cancel: {
				cancellation_reason: {
					enabled: true,
					feedback_options: ['bfo_1Price', 'bfo_1Support'],
					options: [
						'customer_service', 'low_quality', 'missing_features', 'other',
						'switched_service', 'too_complex', 'too_expensive', 'unused',
					],
				},
				enabled: true,
				mode: 'immediately',
				proration_behavior: 'create_prorations',
			},
			subscription_pause: {
				duration: {
					interval_options: [
						{ interval: 'week', interval_count: 2 },
						{ interval: 'month', interval_count: 3 },
					],
					type: 'interval_options',
				},
				enabled: true,
			},
			subscription_update: {
				billing_cycle_anchor: 'now',
				default_allowed_updates: ['price', 'promotion_code', 'quantity'],
				enabled: true,
				products: [
					{
						adjustable_quantity: { enabled: true, maximum: 25, minimum: 2 },
						prices: ['price_1Monthly', 'price_1Yearly'],
						product: 'prod_Gold',
					},
				],
				proration_behavior: 'always_invoice',
				schedule_at_period_end: { conditions: [{ type: 'decreasing_item_amount' }, { type: 'shortening_interval' }] },
				trial_update_behavior: 'continue_trial',
			},
		},
		business_profile: {
			headline: 'Acme manages your plan',
			privacy_policy_url: 'https://example.com/privacy',
			terms_of_service_url: 'https://example.com/terms',
		},
		default_return_url: 'https://example.com/account',
		expand: ['application'],
		login_page: { enabled: true },
		metadata: { team: 'billing', seats: 3 },
		name: 'Gold customers',
	} satisfies Complete<Stripe.BillingPortal.ConfigurationCreateParams>;

	it('creates a configuration from every ConfigurationCreateParams field and returns it in full', async () => {
		const params: Stripe.BillingPortal.ConfigurationCreateParams = every;
		const created = await client().billingPortal.configurations.create(params);

		expect(Object.keys(created)).toEqual(KEY_ORDER);
		expect(created).toEqual({
			id: expect.stringMatching(/^bpc_1[A-Za-z0-9]{23}$/),
			object: 'billing_portal.configuration',
			active: true,
			application: null,
			business_profile: every.business_profile,
			created: expect.any(Number),
			default_return_url: 'https://example.com/account',
			features: every.features,
			is_default: false,
			livemode: false,
			login_page: { enabled: true, url: expect.stringMatching(TEST_LOGIN_URL) },
			metadata: { team: 'billing', seats: '3' },
			name: 'Gold customers',
			updated: created.created,
		});
		expect(Math.abs(created.created - Date.now() / 1000)).toBeLessThan(5);

		const rec = sandbox.lastRequest as RecordedRequest;
		expect(rec.method).toBe('POST');
		expect(rec.path).toBe(PATH);
		expect(rec.rawBody).toContain('features[subscription_update][products][0][prices][1]=price_1Yearly');
		expect(rec.rawBody).toContain('features[subscription_pause][duration][interval_options][1][interval_count]=3');

		expect(sandbox.getConfiguration(created.id)).toEqual(created);
		const retrieved = await client().billingPortal.configurations.retrieve(created.id);
		expect(retrieved).toEqual(created);
		const listed = await client().billingPortal.configurations.list({ limit: 1 });
		expect(ids(listed)).toEqual([created.id]);
	});

	it('updates with every ConfigurationUpdateParams field, then clears every Emptyable one with ""', async () => {
		const { id, created, login_page } = sandbox.addConfiguration({
			created: 1790000000,
			login_page: { enabled: true },
			metadata: { keep: 'yes', drop: 'no' },
		});
		const change = {
			active: false,
			business_profile: {
				headline: 'New headline',
				privacy_policy_url: 'https://example.com/privacy-v2',
				terms_of_service_url: 'https://example.com/terms-v2',
			},
			default_return_url: 'https://example.com/home',
			expand: ['application'],
			features: {
				customer_update: { allowed_updates: ['name'], enabled: true },
				invoice_history: { enabled: false },
				payment_method_update: { enabled: false, payment_method_configuration: 'pmc_1Other' },
				subscription_cancel: {
					cancellation_reason: { enabled: true, feedback_options: ['bfo_1Other'], options: ['unused'] },
					enabled: false,
					mode: 'immediately',
					proration_behavior: 'create_prorations',
				},
				subscription_pause: { duration: { interval_options: [{ interval: 'year', interval_count: 3 }], type: 'interval_options' }, enabled: false },
				subscription_update: {
					billing_cycle_anchor: 'unchanged',
					default_allowed_updates: ['quantity'],
					enabled: true,
					products: [
						{ adjustable_quantity: { enabled: false, maximum: 9, minimum: 0 }, prices: ['price_1A'], product: 'prod_A' },
						{ adjustable_quantity: { enabled: true, maximum: 5, minimum: 1 }, prices: ['price_1C', 'price_1E'], product: 'prod_B' },
					],
					proration_behavior: 'create_prorations',
					schedule_at_period_end: { conditions: [{ type: 'shortening_interval' }] },
					trial_update_behavior: 'continue_trial',
				},
			},
			login_page: { enabled: true },
			metadata: { drop: '', added: 7 },
			name: 'Renamed',
		} satisfies Complete<Stripe.BillingPortal.ConfigurationUpdateParams>;

		const changeParams: Stripe.BillingPortal.ConfigurationUpdateParams = change;
		const updated = await client().billingPortal.configurations.update(id, changeParams);
		expect(Object.keys(updated)).toEqual(KEY_ORDER);
		expect(updated).toEqual({
			id,
			object: 'billing_portal.configuration',
			active: false,
			application: null,
			business_profile: change.business_profile,
			created,
			default_return_url: 'https://example.com/home',
			features: change.features,
			is_default: false,
			livemode: false,
			// Still enabled: the URL customers already have keeps working.
			login_page,
			metadata: { keep: 'yes', added: '7' },
			name: 'Renamed',
			updated: expect.any(Number),
		});
		expect(updated.updated).toBeGreaterThan(created);

		const clear = {
			active: true,
			business_profile: { headline: '', privacy_policy_url: '', terms_of_service_url: '' },
			default_return_url: '',
			expand: ['application'],
			features: {
				customer_update: { allowed_updates: '', enabled: false },
				invoice_history: { enabled: true },
				payment_method_update: { enabled: true, payment_method_configuration: '' },
				subscription_cancel: {
					cancellation_reason: { enabled: false, feedback_options: '', options: '' },
					enabled: true,
					mode: 'at_period_end',
					proration_behavior: 'none',
				},
				subscription_pause: { duration: { interval_options: '', type: 'indefinite' }, enabled: true },
				subscription_update: {
					billing_cycle_anchor: 'now',
					default_allowed_updates: '',
					enabled: false,
					products: '',
					proration_behavior: 'none',
					schedule_at_period_end: { conditions: '' },
					trial_update_behavior: 'end_trial',
				},
			},
			login_page: { enabled: false },
			metadata: '',
			name: '',
		} satisfies Complete<Stripe.BillingPortal.ConfigurationUpdateParams>;

		const clearParams: Stripe.BillingPortal.ConfigurationUpdateParams = clear;
		const cleared = await client().billingPortal.configurations.update(id, clearParams);
		expect(sandbox.lastRequest?.body).toMatchObject({ metadata: '', name: '', default_return_url: '' });
		expect(cleared).toEqual({
			...updated,
			active: true,
			business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
			default_return_url: null,
			features: {
				customer_update: { allowed_updates: [], enabled: false },
				invoice_history: { enabled: true },
				payment_method_update: { enabled: true, payment_method_configuration: null },
				subscription_cancel: {
					cancellation_reason: { enabled: false, feedback_options: null, options: [] },
					enabled: true,
					mode: 'at_period_end',
					proration_behavior: 'none',
				},
				subscription_pause: { duration: { interval_options: [], type: 'indefinite' }, enabled: true },
				subscription_update: {
					billing_cycle_anchor: 'now',
					default_allowed_updates: [],
					enabled: false,
					products: [],
					proration_behavior: 'none',
					schedule_at_period_end: { conditions: [] },
					trial_update_behavior: 'end_trial',
				},
			},
			login_page: { enabled: false, url: null },
			metadata: {},
			name: null,
			updated: expect.any(Number),
		});
		expect(sandbox.getConfiguration(id)).toEqual(cleared);
	});

	it('maps 400, 403 and 404 to the SDK error classes', async () => {
		await expect(
			client().billingPortal.configurations.update('bpc_missing', { name: 'x' }),
		).rejects.toMatchObject({
			type: 'StripeInvalidRequestError',
			statusCode: 404,
			code: 'resource_missing',
			param: 'id',
			message: "No such configuration: 'bpc_missing'",
		});
		await expect(
			client(PORTAL_READ_KEY).billingPortal.configurations.create({ features: { invoice_history: { enabled: true } } }),
		).rejects.toMatchObject({ type: 'StripePermissionError', statusCode: 403 });
		await expect(
			client().billingPortal.configurations.create({
				features: { subscription_cancel: { enabled: true, mode: 'sometime' } },
			}),
		).rejects.toMatchObject({
			type: 'StripeInvalidRequestError',
			statusCode: 400,
			param: 'features[subscription_cancel][mode]',
			message: 'Invalid features[subscription_cancel][mode]: must be one of at_period_end, immediately',
		});
	});
});

describe('create: defaults and semantics', () => {
	it('answers a minimal create with every feature disabled and Stripe’s defaults', async () => {
		const r = await create(MINIMAL);
		expect(r.status).toBe(200);
		expect(Object.keys(r.json)).toEqual(KEY_ORDER);
		expect(r.json).toEqual({
			id: expect.stringMatching(/^bpc_1/),
			object: 'billing_portal.configuration',
			active: true,
			application: null,
			business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
			created: expect.any(Number),
			default_return_url: null,
			features: {
				customer_update: { allowed_updates: [], enabled: false },
				invoice_history: { enabled: true },
				payment_method_update: { enabled: false, payment_method_configuration: null },
				subscription_cancel: {
					cancellation_reason: { enabled: false, feedback_options: null, options: [] },
					enabled: false,
					mode: 'at_period_end',
					proration_behavior: 'none',
				},
				subscription_pause: {
					duration: { interval_options: [{ interval: 'month', interval_count: 1 }], type: 'interval_options' },
					enabled: false,
				},
				subscription_update: {
					billing_cycle_anchor: null,
					default_allowed_updates: [],
					enabled: false,
					products: [],
					proration_behavior: 'none',
					schedule_at_period_end: { conditions: [] },
					trial_update_behavior: 'end_trial',
				},
			},
			is_default: false,
			livemode: false,
			login_page: { enabled: false, url: null },
			metadata: {},
			name: null,
			updated: r.json.created,
		});
	});

	it('accepts "" on create for the Emptyable fields and stores them as unset', async () => {
		const r = await create(
			`${MINIMAL}&name=&default_return_url=&business_profile[headline]=&features[customer_update][enabled]=true` +
				'&features[customer_update][allowed_updates]=&features[subscription_cancel][enabled]=true' +
				'&features[subscription_cancel][cancellation_reason][enabled]=false&features[subscription_cancel][cancellation_reason][options]=' +
				'&features[subscription_cancel][cancellation_reason][feedback_options]=&features[payment_method_update][enabled]=true' +
				'&features[payment_method_update][payment_method_configuration]=&features[subscription_update][enabled]=false' +
				'&features[subscription_update][products]=&features[subscription_update][default_allowed_updates]=&metadata[gone]=',
		);
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({
			name: null,
			default_return_url: null,
			business_profile: { headline: null },
			metadata: {},
			features: {
				customer_update: { allowed_updates: [], enabled: true },
				subscription_cancel: { cancellation_reason: { enabled: false, feedback_options: null, options: [] }, enabled: true },
				payment_method_update: { enabled: true, payment_method_configuration: null },
				subscription_update: { products: [], default_allowed_updates: [] },
			},
		});
	});

	it('lists a created configuration first and lets a portal session use it', async () => {
		const r = await create(`${MINIMAL}&default_return_url=https://example.com/back&features[payment_method_update][enabled]=true`);
		const list = await call('GET', PATH, { query: { limit: 2 } });
		expect(ids(list.json)).toEqual([r.json.id, SEED_IDS.defaultConfiguration]);
		const session = await call('POST', '/v1/billing_portal/sessions', {
			body: { customer: SEED_IDS.jenny, configuration: r.json.id },
		});
		expect(session.status).toBe(200);
		expect(session.json).toMatchObject({ configuration: r.json.id, return_url: 'https://example.com/back' });
		const off = await call('POST', '/v1/billing_portal/sessions', {
			body: { customer: SEED_IDS.jenny, configuration: r.json.id, flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: 'sub_1' } } },
		});
		expect(off.status).toBe(400);
		expect(off.json.error.param).toBe('flow_data[type]');
	});

	it('uses the key’s mode: a live key gets livemode and a live login URL', async () => {
		const r = await create(`${MINIMAL}&login_page[enabled]=true`, LIVE_KEY);
		expect(r.json.livemode).toBe(true);
		expect(r.json.login_page.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/login\/[A-Za-z0-9]{24}$/);
	});

	it('expands application (still null) and refuses other expansions', async () => {
		const ok = await create(`${MINIMAL}&expand[]=application`);
		expect(ok.status).toBe(200);
		expect(ok.json.application).toBeNull();
		const bad = await create(`${MINIMAL}&expand[]=features`);
		expect(bad.status).toBe(400);
		expect(bad.json.error.message).toBe('This property cannot be expanded (features).');
		const badUpdate = await update(SEED_IDS.defaultConfiguration, 'expand[]=customer');
		expect(badUpdate.json.error.message).toBe('This property cannot be expanded (customer).');
	});
});

describe('update: semantics', () => {
	it('merges deeply: what is not sent stays', async () => {
		const before = sandbox.getConfiguration(SEED_IDS.defaultConfiguration) as PortalConfiguration;
		const r = await update(
			SEED_IDS.defaultConfiguration,
			'features[subscription_update][proration_behavior]=always_invoice&business_profile[headline]=Hi',
		);
		expect(r.status).toBe(200);
		expect(r.json).toEqual({
			...before,
			business_profile: { ...before.business_profile, headline: 'Hi' },
			features: {
				...before.features,
				subscription_update: { ...before.features.subscription_update, proration_behavior: 'always_invoice' },
			},
			updated: expect.any(Number),
		});
		expect(r.json.is_default).toBe(true);
		expect(r.json.created).toBe(before.created);
		expect(r.json.updated).toBeGreaterThan(before.updated);
	});

	it('answers an update without parameters with the configuration', async () => {
		const r = await update(SEED_IDS.defaultConfiguration, '');
		expect(r.status).toBe(200);
		expect(r.json.id).toBe(SEED_IDS.defaultConfiguration);
	});

	it('deletes metadata keys sent empty and clears all metadata with metadata=""', async () => {
		const { id } = sandbox.addConfiguration({ metadata: { a: '1', b: '2', c: '3' } });
		const one = await update(id, 'metadata[a]=&metadata[d]=4');
		expect(one.json.metadata).toEqual({ b: '2', c: '3', d: '4' });
		const all = await update(id, 'metadata=');
		expect(all.json.metadata).toEqual({});
	});

	it('keeps the login URL while enabled, deactivates it on disable and issues a new one on re-enable', async () => {
		const { id } = sandbox.addConfiguration();
		const on = await update(id, 'login_page[enabled]=true');
		expect(on.json.login_page).toEqual({ enabled: true, url: expect.stringMatching(TEST_LOGIN_URL) });
		const again = await update(id, 'login_page[enabled]=true&name=Same URL');
		expect(again.json.login_page.url).toBe(on.json.login_page.url);
		const off = await update(id, 'login_page[enabled]=false');
		expect(off.json.login_page).toEqual({ enabled: false, url: null });
		const back = await update(id, 'login_page[enabled]=true');
		expect(back.json.login_page.url).toMatch(TEST_LOGIN_URL);
		expect(back.json.login_page.url).not.toBe(on.json.login_page.url);
	});

	it('deactivates and reactivates; sessions refuse an inactive configuration', async () => {
		const { id } = sandbox.addConfiguration();
		expect((await update(id, 'active=false')).json.active).toBe(false);
		const inactive = await call('GET', PATH, { query: { active: 'false' } });
		expect(ids(inactive.json)).toEqual([id]);
		const session = await call('POST', '/v1/billing_portal/sessions', {
			body: { customer: SEED_IDS.jenny, configuration: id, return_url: 'https://example.com' },
		});
		expect(session.status).toBe(400);
		expect((await update(id, 'active=true')).json.active).toBe(true);
		expect(ids((await call('GET', PATH, { query: { active: 'false' } })).json)).toEqual([]);
	});

	it('refuses to deactivate the default configuration, as Stripe does, so a session without configuration keeps one', async () => {
		const before = sandbox.getConfiguration(SEED_IDS.defaultConfiguration);
		const r = await update(SEED_IDS.defaultConfiguration, 'active=false&name=Renamed');
		expect(r.status).toBe(400);
		expect(r.json.error).toEqual({
			message: 'You cannot set `active: false` on your default PortalConfiguration.',
			request_log_url: expect.stringMatching(/^https:\/\/dashboard\.stripe\.com\/test\/logs\/req_/),
			type: 'invalid_request_error',
		});
		expect(sandbox.getConfiguration(SEED_IDS.defaultConfiguration)).toEqual(before);
		const session = await call('POST', '/v1/billing_portal/sessions', {
			body: { customer: SEED_IDS.jenny, return_url: 'https://example.com' },
		});
		expect([session.status, session.json.configuration]).toEqual([200, SEED_IDS.defaultConfiguration]);
		expect((await update(SEED_IDS.defaultConfiguration, 'active=true')).status).toBe(200);
	});

	it('404s an unknown id with param id, and leaves the store as it was', async () => {
		const before = sandbox.listConfigurations();
		const r = await update('bpc_doesNotExist', 'name=x');
		expect(r.status).toBe(404);
		expect(r.json.error).toEqual({
			code: 'resource_missing',
			doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
			message: "No such configuration: 'bpc_doesNotExist'",
			param: 'id',
			request_log_url: expect.stringMatching(/^https:\/\/dashboard\.stripe\.com\/test\/logs\/req_/),
			type: 'invalid_request_error',
		});
		expect(sandbox.listConfigurations()).toEqual(before);
	});
});

describe('array encodings', () => {
	it('reads a[]=x and a[0]=x alike, at any depth, in a raw form body', async () => {
		const common =
			'features[customer_update][enabled]=true&features[subscription_update][enabled]=true' +
			'&features[subscription_pause][duration][type]=interval_options';
		const brackets =
			`${common}&features[customer_update][allowed_updates][]=email&features[customer_update][allowed_updates][]=address` +
			'&features[subscription_update][products][0][product]=prod_A' +
			'&features[subscription_update][products][0][prices][]=price_1A&features[subscription_update][products][0][prices][]=price_1B' +
			'&features[subscription_update][products][1][product]=prod_B&features[subscription_update][products][1][prices][]=price_1C' +
			'&features[subscription_pause][duration][interval_options][0][interval]=week' +
			'&features[subscription_pause][duration][interval_options][1][interval]=month' +
			'&features[subscription_pause][duration][interval_options][1][interval_count]=2&expand[]=application';
		const indices =
			`${common}&features%5Bcustomer_update%5D%5Ballowed_updates%5D%5B0%5D=email&features[customer_update][allowed_updates][1]=address` +
			'&features[subscription_update][products][0][product]=prod_A' +
			'&features[subscription_update][products][0][prices][0]=price_1A&features[subscription_update][products][0][prices][1]=price_1B' +
			'&features[subscription_update][products][1][product]=prod_B&features[subscription_update][products][1][prices][0]=price_1C' +
			'&features[subscription_pause][duration][interval_options][0][interval]=week' +
			'&features[subscription_pause][duration][interval_options][1][interval]=month' +
			'&features[subscription_pause][duration][interval_options][1][interval_count]=2&expand[0]=application';
		const byBrackets = await create(brackets);
		const byIndices = await create(indices);
		expect(byBrackets.status).toBe(200);
		expect(byIndices.status).toBe(200);
		expect(byIndices.json.features).toEqual(byBrackets.json.features);
		expect(byBrackets.json.features.customer_update.allowed_updates).toEqual(['email', 'address']);
		expect(byBrackets.json.features.subscription_update.products).toEqual([
			{ adjustable_quantity: { enabled: false, maximum: null, minimum: 1 }, prices: ['price_1A', 'price_1B'], product: 'prod_A' },
			{ adjustable_quantity: { enabled: false, maximum: null, minimum: 1 }, prices: ['price_1C'], product: 'prod_B' },
		]);
		expect(byBrackets.json.features.subscription_pause.duration.interval_options).toEqual([
			{ interval: 'week', interval_count: 1 },
			{ interval: 'month', interval_count: 2 },
		]);

		const updated = await update(
			byIndices.json.id,
			'features[subscription_update][products][0][product]=prod_C&features[subscription_update][products][0][prices][]=price_1D' +
				'&features[subscription_update][schedule_at_period_end][conditions][][type]=shortening_interval',
		);
		expect(updated.status).toBe(200);
		expect(updated.json.features.subscription_update.products).toEqual([
			{ adjustable_quantity: { enabled: false, maximum: null, minimum: 1 }, prices: ['price_1D'], product: 'prod_C' },
		]);
		expect(updated.json.features.subscription_update.schedule_at_period_end).toEqual({
			conditions: [{ type: 'shortening_interval' }],
		});
	});

	it('reads a number in brackets under metadata as a key, as Rack does, not as a list position', async () => {
		// Rack keeps `metadata[42]` as the key "42"; Stripe's docs allow any key without brackets.
		const created = await create(`${MINIMAL}&metadata[42]=x&metadata[7]=y&metadata[0]=z&metadata[1000]=w`);
		expect(created.status).toBe(200);
		expect(created.json.metadata).toEqual({ 0: 'z', 7: 'y', 42: 'x', 1000: 'w' });
		const counting = await create(`${MINIMAL}&metadata[0]=a&metadata[1]=b`);
		expect(counting.json.metadata).toEqual({ 0: 'a', 1: 'b' });
		// A list is still no hash.
		const list = await create(`${MINIMAL}&metadata[]=a`);
		expect(list.status).toBe(400);
		expect(list.json.error).toMatchObject({ param: 'metadata', message: 'Invalid hash' });
	});
});

describe('parameter validation', () => {
	async function errorOf(r: Promise<CallResult>): Promise<{ status: number; param?: string; code?: string; message: string }> {
		const { status, json } = await r;
		return { status, param: json.error?.param, code: json.error?.code, message: json.error?.message };
	}

	it('looks up the products and prices a configuration names, on create and on update, each price under its own product', async () => {
		const products = (product: string, prices: string[]) => ({
			features: { subscription_update: { enabled: true, products: [{ product, prices }] }, invoice_history: { enabled: true } },
		});
		const param = 'features[subscription_update][products][0]';
		for (const send of [(body: Record<string, unknown>) => create(body), (body: Record<string, unknown>) => update(SEED_IDS.defaultConfiguration, body)]) {
			expect(await errorOf(send(products('prod_NoSuchProduct01', ['price_1A'])))).toEqual({
				status: 404,
				param: `${param}[product]`,
				code: 'resource_missing',
				message: "No such product: 'prod_NoSuchProduct01'",
			});
			expect(await errorOf(send(products('prod_A', ['price_1A', 'price_1NoSuchPrice000'])))).toEqual({
				status: 404,
				param: `${param}[prices][1]`,
				code: 'resource_missing',
				message: "No such price: 'price_1NoSuchPrice000'",
			});
			expect(await errorOf(send(products('prod_A', ['price_1C'])))).toMatchObject({
				status: 400,
				param: `${param}[prices][0]`,
				message: 'The price price_1C belongs to the product prod_B, not prod_A. List each price under its own product.',
			});
		}
		// Refused, so the default configuration still offers only what the seed gave it: the Pro plan.
		expect(sandbox.getConfiguration(SEED_IDS.defaultConfiguration)?.features.subscription_update.products?.map((p) => p.product)).toEqual([SEED_IDS.proProduct]);
		expect(sandbox.listConfigurations()).toHaveLength(1);
	});

	it('rejects unknown parameters at any depth, on create and on update', async () => {
		const cases: Array<[string, string]> = [
			[`${MINIMAL}&foo=1`, 'foo'],
			[`${MINIMAL}&active=false`, 'active'],
			[`${MINIMAL}&is_default=true`, 'is_default'],
			[`${MINIMAL}&business_profile[logo]=x`, 'business_profile[logo]'],
			[`${MINIMAL}&features[invoice_history][limit]=3`, 'features[invoice_history][limit]'],
			[`${MINIMAL}&features[subscription_update][products][0][product]=p&features[subscription_update][products][0][prices][]=x&features[subscription_update][products][0][currency]=eur`, 'features[subscription_update][products][0][currency]'],
			[`${MINIMAL}&features[subscription_pause][duration][type]=interval_options&features[subscription_pause][duration][interval_options][0][unit]=day`, 'features[subscription_pause][duration][interval_options][0][unit]'],
			[`${MINIMAL}&login_page[url]=https://example.com`, 'login_page[url]'],
			[`${MINIMAL}&features[refunds][enabled]=true`, 'features[refunds]'],
		];
		for (const [body, param] of cases)
			expect(await errorOf(create(body))).toEqual({
				status: 400,
				param,
				code: 'parameter_unknown',
				message: `Received unknown parameter: ${param}`,
			});
		expect(await errorOf(update(SEED_IDS.defaultConfiguration, 'is_default=true'))).toMatchObject({
			param: 'is_default',
			message: 'Received unknown parameter: is_default',
		});
		expect(await errorOf(update(SEED_IDS.defaultConfiguration, 'features[subscription_cancel][cancellation_reason][other]=1'))).toMatchObject({
			message: 'Received unknown parameter: features[subscription_cancel][cancellation_reason][other]',
		});
	});

	it('rejects values outside each enum, listing the allowed ones', async () => {
		const cases: Array<[string, string, string]> = [
			['features[customer_update][enabled]=true&features[customer_update][allowed_updates][]=birthday', 'features[customer_update][allowed_updates][0]', 'address, email, name, phone, shipping, tax_id'],
			['features[subscription_cancel][enabled]=true&features[subscription_cancel][mode]=later', 'features[subscription_cancel][mode]', 'at_period_end, immediately'],
			['features[subscription_cancel][enabled]=true&features[subscription_cancel][proration_behavior]=sometimes', 'features[subscription_cancel][proration_behavior]', 'always_invoice, create_prorations, none'],
			['features[subscription_cancel][enabled]=true&features[subscription_cancel][cancellation_reason][enabled]=true&features[subscription_cancel][cancellation_reason][options][0]=bored', 'features[subscription_cancel][cancellation_reason][options][0]', 'customer_service, low_quality, missing_features, other, switched_service, too_complex, too_expensive, unused'],
			['features[subscription_pause][duration][type]=forever', 'features[subscription_pause][duration][type]', 'indefinite, interval_options'],
			['features[subscription_pause][duration][type]=interval_options&features[subscription_pause][duration][interval_options][0][interval]=hour', 'features[subscription_pause][duration][interval_options][0][interval]', 'day, month, week, year'],
			['features[subscription_update][enabled]=true&features[subscription_update][billing_cycle_anchor]=later', 'features[subscription_update][billing_cycle_anchor]', 'now, unchanged'],
			['features[subscription_update][enabled]=true&features[subscription_update][default_allowed_updates][]=plan', 'features[subscription_update][default_allowed_updates][0]', 'price, promotion_code, quantity'],
			['features[subscription_update][enabled]=true&features[subscription_update][proration_behavior]=never', 'features[subscription_update][proration_behavior]', 'always_invoice, create_prorations, none'],
			['features[subscription_update][enabled]=true&features[subscription_update][schedule_at_period_end][conditions][0][type]=always', 'features[subscription_update][schedule_at_period_end][conditions][0][type]', 'decreasing_item_amount, shortening_interval'],
			['features[subscription_update][enabled]=true&features[subscription_update][trial_update_behavior]=pause_trial', 'features[subscription_update][trial_update_behavior]', 'continue_trial, end_trial'],
		];
		for (const [body, param, values] of cases) {
			expect(await errorOf(create(body))).toEqual({
				status: 400,
				param,
				code: undefined,
				message: `Invalid ${param}: must be one of ${values}`,
			});
			// The same values bind on update, where `enabled` is optional.
			expect((await errorOf(update(SEED_IDS.defaultConfiguration, body))).param).toBe(param);
		}
	});

	it('reports missing required parameters where the d.ts marks them', async () => {
		const cases: Array<[string, string]> = [
			['name=No features', 'features'],
			['features[customer_update][allowed_updates][]=email', 'features[customer_update][enabled]'],
			['features[payment_method_update][payment_method_configuration]=pmc_1', 'features[payment_method_update][enabled]'],
			['features[subscription_cancel][mode]=immediately', 'features[subscription_cancel][enabled]'],
			['features[subscription_cancel][enabled]=true&features[subscription_cancel][cancellation_reason][options][]=other', 'features[subscription_cancel][cancellation_reason][enabled]'],
			['features[subscription_cancel][enabled]=true&features[subscription_cancel][cancellation_reason][enabled]=true', 'features[subscription_cancel][cancellation_reason][options]'],
			['features[subscription_pause][enabled]=true&features[subscription_pause][duration][interval_options][0][interval]=day', 'features[subscription_pause][duration][type]'],
			['features[subscription_pause][duration][type]=interval_options&features[subscription_pause][duration][interval_options][0][interval_count]=2', 'features[subscription_pause][duration][interval_options][0][interval]'],
			['features[subscription_update][default_allowed_updates][]=price', 'features[subscription_update][enabled]'],
			['features[subscription_update][enabled]=true&features[subscription_update][products][0][prices][]=price_1', 'features[subscription_update][products][0][product]'],
			['features[subscription_update][enabled]=true&features[subscription_update][products][0][product]=prod_A', 'features[subscription_update][products][0][prices]'],
			['features[subscription_update][enabled]=true&features[subscription_update][products][0][product]=prod_A&features[subscription_update][products][0][prices][]=price_1&features[subscription_update][products][0][adjustable_quantity][maximum]=5', 'features[subscription_update][products][0][adjustable_quantity][enabled]'],
		];
		for (const [body, param] of cases)
			expect(await errorOf(create(body))).toEqual({
				status: 400,
				param,
				code: 'parameter_missing',
				message: `Missing required param: ${param}.`,
			});

		// Optional on update: enabled flags of customer_update, subscription_cancel and subscription_update, and options.
		for (const body of [
			'features[customer_update][allowed_updates][]=email',
			'features[subscription_cancel][mode]=immediately',
			'features[subscription_cancel][cancellation_reason][enabled]=true',
			'features[subscription_update][default_allowed_updates][]=price',
		])
			expect((await update(SEED_IDS.defaultConfiguration, body)).status).toBe(200);
		// Required on update too.
		for (const [body, param] of [2, 4, 6, 7, 9, 10, 11].map((i) => cases[i]))
			expect(await errorOf(update(SEED_IDS.defaultConfiguration, body))).toEqual({
				status: 400,
				param,
				code: 'parameter_missing',
				message: `Missing required param: ${param}.`,
			});
	});

	it('declares the required keys a form body cannot leave out without also sending an unknown one', () => {
		// A hash cannot be sent empty in a form body, so these are checked on the schemas directly.
		const missing = (schema: typeof configurationCreateSchema, params: Record<string, unknown>) => {
			try {
				validateParams(schema, params);
				return undefined;
			} catch (e) {
				return (e as { body: { error: { param?: string } } }).body.error.param;
			}
		};
		const features = { invoice_history: { enabled: 'true' } };
		expect(missing(configurationCreateSchema, { features, login_page: {} })).toBe('login_page[enabled]');
		expect(missing(configurationUpdateSchema, { login_page: {} })).toBe('login_page[enabled]');
		expect(missing(configurationCreateSchema, { features: { invoice_history: {} } })).toBe('features[invoice_history][enabled]');
		expect(missing(configurationUpdateSchema, { features: { invoice_history: {} } })).toBe('features[invoice_history][enabled]');
		expect(
			missing(configurationCreateSchema, {
				features: { subscription_update: { enabled: 'true', schedule_at_period_end: { conditions: [{}] } } },
			}),
		).toBe('features[subscription_update][schedule_at_period_end][conditions][0][type]');
		expect(missing(configurationCreateSchema, { features })).toBeUndefined();
	});

	it('rejects "" on fields that are not Emptyable, and accepts it where they are', async () => {
		const notEmptyable: Array<[string, string]> = [
			['features=', 'features'],
			[`${MINIMAL}&business_profile=`, 'business_profile'],
			[`${MINIMAL}&business_profile[privacy_policy_url]=`, 'business_profile[privacy_policy_url]'],
			[`${MINIMAL}&business_profile[terms_of_service_url]=`, 'business_profile[terms_of_service_url]'],
			[`${MINIMAL}&metadata=`, 'metadata'],
			[`${MINIMAL}&login_page[enabled]=`, 'login_page[enabled]'],
			[`${MINIMAL}&expand=`, 'expand'],
			['features[invoice_history][enabled]=', 'features[invoice_history][enabled]'],
			[`${MINIMAL}&features[customer_update][enabled]=true&features[customer_update][allowed_updates][]=`, 'features[customer_update][allowed_updates][0]'],
			[`${MINIMAL}&features[subscription_cancel][enabled]=true&features[subscription_cancel][mode]=`, 'features[subscription_cancel][mode]'],
			[`${MINIMAL}&features[subscription_pause][duration][type]=`, 'features[subscription_pause][duration][type]'],
			[`${MINIMAL}&features[subscription_pause][duration][type]=interval_options&features[subscription_pause][duration][interval_options][0][interval]=day&features[subscription_pause][duration][interval_options][0][interval_count]=`, 'features[subscription_pause][duration][interval_options][0][interval_count]'],
			[`${MINIMAL}&features[subscription_update][enabled]=true&features[subscription_update][schedule_at_period_end][conditions]=`, 'features[subscription_update][schedule_at_period_end][conditions]'],
			[`${MINIMAL}&features[subscription_update][enabled]=true&features[subscription_update][products][0][product]=prod_A&features[subscription_update][products][0][prices]=`, 'features[subscription_update][products][0][prices]'],
			[`${MINIMAL}&features[subscription_update][enabled]=true&features[subscription_update][products][0][product]=&features[subscription_update][products][0][prices][]=price_1`, 'features[subscription_update][products][0][product]'],
			[`${MINIMAL}&features[subscription_update][enabled]=true&features[subscription_update][billing_cycle_anchor]=`, 'features[subscription_update][billing_cycle_anchor]'],
			[`${MINIMAL}&features[subscription_update][enabled]=`, 'features[subscription_update][enabled]'],
		];
		for (const [body, param] of notEmptyable)
			expect(await errorOf(create(body))).toEqual({
				status: 400,
				param,
				code: 'parameter_invalid_empty',
				message: `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
			});

		for (const body of ['active=', 'login_page[enabled]=', 'features[subscription_cancel][proration_behavior]=', 'features[subscription_update][trial_update_behavior]='])
			expect(await errorOf(update(SEED_IDS.defaultConfiguration, body))).toMatchObject({ code: 'parameter_invalid_empty' });

		// Update makes the business_profile URLs, metadata and schedule conditions Emptyable.
		const ok = await update(
			SEED_IDS.defaultConfiguration,
			'business_profile[privacy_policy_url]=&business_profile[terms_of_service_url]=&metadata=' +
				'&features[subscription_update][schedule_at_period_end][conditions]=',
		);
		expect(ok.status).toBe(200);
	});

	it('checks integers, booleans, URLs, lengths and the product count', async () => {
		const pause = `${MINIMAL}&features[subscription_pause][duration][type]=interval_options&features[subscription_pause][duration][interval_options][0]`;
		const product = `${MINIMAL}&features[subscription_update][enabled]=true&features[subscription_update][products][0][product]=prod_A&features[subscription_update][products][0][prices][]=price_1&features[subscription_update][products][0][adjustable_quantity]`;
		expect(await errorOf(create(`${pause}[interval]=day&features[subscription_pause][duration][interval_options][0][interval_count]=two`))).toEqual({
			status: 400,
			param: 'features[subscription_pause][duration][interval_options][0][interval_count]',
			code: 'parameter_invalid_integer',
			message: 'Invalid integer: two',
		});
		expect(await errorOf(create(`${product}[enabled]=true&features[subscription_update][products][0][adjustable_quantity][minimum]=1.5`))).toMatchObject({
			param: 'features[subscription_update][products][0][adjustable_quantity][minimum]',
			message: 'Invalid integer: 1.5',
		});
		expect(await errorOf(create(`${product}[enabled]=true&features[subscription_update][products][0][adjustable_quantity][maximum]=ten`))).toMatchObject({
			param: 'features[subscription_update][products][0][adjustable_quantity][maximum]',
			message: 'Invalid integer: ten',
		});
		const integers = await create(`${product}[enabled]=true&features[subscription_update][products][0][adjustable_quantity][minimum]=0&features[subscription_update][products][0][adjustable_quantity][maximum]=99`);
		expect(integers.json.features.subscription_update.products[0].adjustable_quantity).toEqual({ enabled: true, maximum: 99, minimum: 0 });
		expect(await errorOf(create(`${product}[enabled]=maybe`))).toMatchObject({ message: 'Invalid boolean: maybe' });
		expect(await errorOf(update(SEED_IDS.defaultConfiguration, 'active=1'))).toMatchObject({ param: 'active', message: 'Invalid boolean: 1' });
		expect(await errorOf(create(`${MINIMAL}&default_return_url=example.com/account`))).toMatchObject({
			param: 'default_return_url',
			code: 'url_invalid',
		});
		expect(await errorOf(update(SEED_IDS.defaultConfiguration, 'business_profile[terms_of_service_url]=terms'))).toMatchObject({
			param: 'business_profile[terms_of_service_url]',
			code: 'url_invalid',
		});
		expect(await errorOf(create(`${MINIMAL}&business_profile[headline]=${'h'.repeat(61)}`))).toMatchObject({
			param: 'business_profile[headline]',
			message: 'Invalid string: hhhhhhhhhhhhhhhhhhhh...; must be at most 60 characters',
		});
		expect((await create(`${MINIMAL}&business_profile[headline]=${'h'.repeat(60)}`)).status).toBe(200);
		expect(await errorOf(create(`${MINIMAL}&metadata[${'k'.repeat(41)}]=v`))).toMatchObject({ status: 400, param: `metadata[${'k'.repeat(41)}]` });
		expect(await errorOf(create(`${MINIMAL}&metadata[k]=${'v'.repeat(501)}`))).toMatchObject({ status: 400, param: 'metadata[k]' });
		expect(await errorOf(create(`${MINIMAL}&name[first]=x`))).toMatchObject({ param: 'name', message: 'Invalid string: {"first"=>"x"}' });

		const products = Array.from({ length: 11 }, (_, i) => ({ product: `prod_${i}`, prices: [`price_p${i}`] }));
		const tooMany = await errorOf(create({ features: { subscription_update: { enabled: 'true', products } } }));
		expect(tooMany).toMatchObject({
			status: 400,
			param: 'features[subscription_update][products]',
			message: 'Invalid array: features[subscription_update][products] must contain at most 10 items',
		});
		expect((await create({ features: { subscription_update: { enabled: 'true', products: products.slice(0, 10) } } })).status).toBe(200);
	});

	it('applies the rules the d.ts states: cancel proration, pause options and the three-year pause limit', async () => {
		const cancel = 'features[subscription_cancel][enabled]=true&features[subscription_cancel]';
		expect(await errorOf(create(`${cancel}[proration_behavior]=always_invoice&features[subscription_cancel][mode]=immediately`))).toMatchObject({
			status: 400,
			param: 'features[subscription_cancel][proration_behavior]',
		});
		expect(await errorOf(create(`${cancel}[proration_behavior]=create_prorations`))).toMatchObject({
			status: 400,
			param: 'features[subscription_cancel][proration_behavior]',
			message:
				'features[subscription_cancel][proration_behavior] can be create_prorations only when features[subscription_cancel][mode] is immediately.',
		});
		const prorating = await create(`${cancel}[proration_behavior]=create_prorations&features[subscription_cancel][mode]=immediately`);
		expect(prorating.status).toBe(200);
		// Moving back to at_period_end alone would leave an incompatible pair.
		expect(await errorOf(update(prorating.json.id, 'features[subscription_cancel][mode]=at_period_end'))).toMatchObject({
			param: 'features[subscription_cancel][mode]',
		});
		expect(
			(await update(prorating.json.id, 'features[subscription_cancel][mode]=at_period_end&features[subscription_cancel][proration_behavior]=none')).status,
		).toBe(200);
		// Requests that send neither field are not held to a pair a test seeded directly.
		const seeded = sandbox.addConfiguration({ features: { subscription_cancel: { proration_behavior: 'create_prorations' } } });
		expect((await update(seeded.id, 'name=Seeded&features[subscription_cancel][enabled]=false')).status).toBe(200);

		const duration = 'features[subscription_pause][duration]';
		for (const body of [`${duration}[type]=interval_options`, `${duration}[type]=interval_options&${duration}[interval_options]=`]) {
			expect(await errorOf(create(body))).toMatchObject({ status: 400, param: `${duration}[interval_options]`, code: 'parameter_missing' });
			expect(await errorOf(update(SEED_IDS.defaultConfiguration, body))).toMatchObject({ param: `${duration}[interval_options]` });
		}
		const indefinite = await create(`${duration}[type]=indefinite&features[subscription_pause][enabled]=true`);
		expect(indefinite.json.features.subscription_pause).toEqual({
			duration: { interval_options: [], type: 'indefinite' },
			enabled: true,
		});
		// A sent duration replaces the stored one whole.
		const { id } = sandbox.addConfiguration({
			features: { subscription_pause: { duration: { type: 'interval_options', interval_options: [{ interval: 'week', interval_count: 2 }] } } },
		});
		const replaced = await update(id, `${duration}[type]=indefinite`);
		expect(replaced.json.features.subscription_pause.duration).toEqual({ interval_options: [], type: 'indefinite' });

		const option = (interval: string, count: number) =>
			`${duration}[type]=interval_options&${duration}[interval_options][0][interval]=${interval}&${duration}[interval_options][0][interval_count]=${count}`;
		for (const [interval, max] of [['day', 1095], ['week', 156], ['month', 36], ['year', 3]] as const) {
			expect((await create(option(interval, max))).status).toBe(200);
			expect(await errorOf(create(option(interval, max + 1)))).toMatchObject({
				status: 400,
				param: `${duration}[interval_options][0][interval_count]`,
			});
		}
		expect(await errorOf(create(option('day', 0)))).toMatchObject({
			param: `${duration}[interval_options][0][interval_count]`,
			message: 'This value must be greater than or equal to 1.',
		});
	});

	it('holds an update that sends only proration_behavior to the stored mode, as Stripe would', async () => {
		// What the node sends for Create Prorations with Mode at Keep Current: Stripe alone knows the mode.
		const body = 'features[subscription_cancel][proration_behavior]=create_prorations';
		const atPeriodEnd = sandbox.addConfiguration({ features: { subscription_cancel: { mode: 'at_period_end', proration_behavior: 'none' } } });
		expect(await errorOf(update(atPeriodEnd.id, body))).toEqual({
			status: 400,
			param: 'features[subscription_cancel][proration_behavior]',
			code: undefined,
			message:
				'features[subscription_cancel][proration_behavior] can be create_prorations only when features[subscription_cancel][mode] is immediately.',
		});
		expect(sandbox.getConfiguration(atPeriodEnd.id)?.features.subscription_cancel.proration_behavior).toBe('none');
		const immediately = sandbox.addConfiguration({ features: { subscription_cancel: { mode: 'immediately', proration_behavior: 'none' } } });
		const ok = await update(immediately.id, body);
		expect(ok.status).toBe(200);
		expect(ok.json.features.subscription_cancel).toMatchObject({ mode: 'immediately', proration_behavior: 'create_prorations' });
	});

	it('allows up to 10 products and pauses of three years on update too', async () => {
		const products = Array.from({ length: 11 }, (_, i) => ({ product: `prod_${i}`, prices: [`price_p${i}`] }));
		expect(await errorOf(update(SEED_IDS.defaultConfiguration, { features: { subscription_update: { products } } }))).toMatchObject({
			status: 400,
			param: 'features[subscription_update][products]',
		});
		expect((await update(SEED_IDS.defaultConfiguration, { features: { subscription_update: { products: products.slice(0, 10) } } })).status).toBe(200);
		const duration = 'features[subscription_pause][duration]';
		const option = (count: number) => `${duration}[type]=interval_options&${duration}[interval_options][0][interval]=day&${duration}[interval_options][0][interval_count]=${count}`;
		expect((await update(SEED_IDS.defaultConfiguration, option(1095))).status).toBe(200);
		expect(await errorOf(update(SEED_IDS.defaultConfiguration, option(1096)))).toMatchObject({
			status: 400,
			param: `${duration}[interval_options][0][interval_count]`,
			message: `A pause can last at most three years: ${duration}[interval_options][0][interval_count] must be at most 1095 when the interval is day.`,
		});
	});
});

describe('permissions', () => {
	it('needs rak_billing_portal_write to create or update, rak_billing_portal_read to list', async () => {
		const denied = await create(MINIMAL, PORTAL_READ_KEY);
		expect(denied.status).toBe(403);
		expect(denied.json.error).toMatchObject({
			type: 'invalid_request_error',
			message:
				`The provided key 'rk_test_${'*'.repeat(14)}5678' does not have the required permissions for this endpoint on account 'acct_1Sandbox0000000'. Having the 'rak_billing_portal_write' permission would allow this request to continue.`,
		});
		const deniedUpdate = await update(SEED_IDS.defaultConfiguration, 'name=x', PORTAL_READ_KEY);
		expect(deniedUpdate.status).toBe(403);
		expect(deniedUpdate.json.error.message).toContain("'rak_billing_portal_write'");
		expect(sandbox.getConfiguration(SEED_IDS.defaultConfiguration)?.name).toBeNull();
		expect((await call('GET', PATH, { key: PORTAL_READ_KEY })).status).toBe(200);
		expect((await call('GET', `${PATH}/${SEED_IDS.defaultConfiguration}`, { key: PORTAL_READ_KEY })).status).toBe(200);

		const customersOnly = await create(MINIMAL, CUSTOMERS_KEY);
		expect(customersOnly.status).toBe(403);
		expect(customersOnly.json.error.message).toContain("'rak_billing_portal_write'");
		expect((await call('GET', PATH, { key: CUSTOMERS_KEY })).json.error.message).toContain("'rak_billing_portal_read'");

		const created = await create(MINIMAL, PORTAL_KEY);
		expect(created.status).toBe(200);
		expect((await update(created.json.id, 'name=Mine', PORTAL_KEY)).json.name).toBe('Mine');
	});

	it('checks the permission before the parameters and the id', async () => {
		expect((await create('foo=1', PORTAL_READ_KEY)).status).toBe(403);
		expect((await update('bpc_missing', 'name=x', PORTAL_READ_KEY)).status).toBe(403);
	});
});

describe('the id in the path is matched literally', () => {
	it('does not let an encoded ../ reach another route', async () => {
		for (const id of ['..%2Fcustomers', '%2E%2E%2Fcustomers', '..%2F..%2Fv1%2Fcustomers', `..%2F${SEED_IDS.defaultConfiguration}`]) {
			const decoded = decodeURIComponent(id);
			const get = await call('GET', `${PATH}/${id}`);
			expect(get.status).toBe(404);
			expect(get.json.error).toMatchObject({ code: 'resource_missing', param: 'id', message: `No such configuration: '${decoded}'` });
			const post = await call('POST', `${PATH}/${id}`, { body: 'name=Hijacked' });
			expect(post.status).toBe(404);
			expect(post.json.error).toMatchObject({ code: 'resource_missing', param: 'id', message: `No such configuration: '${decoded}'` });
		}
		expect(sandbox.listConfigurations().map((c) => c.name)).toEqual([null]);
		expect(sandbox.getCustomer(SEED_IDS.jenny)?.name).toBe('Jenny Rosen');
	});

	it('answers a raw ../ segment as an unrecognized URL instead of normalizing it', async () => {
		const post = await rawRequest('POST', `${PATH}/../customers`, 'name=Hijacked');
		expect(post.status).toBe(404);
		expect(post.json.error.message).toBe(
			`Unrecognized request URL (POST: ${PATH}/../customers). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
		);
		const dotOnly = await rawRequest('POST', `${PATH}/..`, 'name=Hijacked');
		expect(dotOnly.status).toBe(404);
		expect(dotOnly.json.error).toMatchObject({ code: 'resource_missing', message: "No such configuration: '..'" });
		const nested = await rawRequest('POST', `${PATH}/${SEED_IDS.defaultConfiguration}/..`, 'name=Hijacked');
		expect(nested.status).toBe(404);
		expect(nested.json.error.message).toMatch(/^Unrecognized request URL/);
		expect(sandbox.getConfiguration(SEED_IDS.defaultConfiguration)?.name).toBeNull();
	});
});

describe('listing: filters, pagination and the store helpers', () => {
	it('addConfigurations adds N with ascending created, listed newest first', () => {
		const added = sandbox.addConfigurations(5, (i) => ({ name: `Portal ${i}` }));
		expect(added.map((c) => c.name)).toEqual(['Portal 0', 'Portal 1', 'Portal 2', 'Portal 3', 'Portal 4']);
		const created = added.map((c) => c.created);
		expect(created).toEqual([...created].sort((a, b) => a - b));
		expect(new Set(created).size).toBe(5);
		expect(created[4]).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
		expect(added.every((c) => c.updated === c.created && !c.is_default && c.active)).toBe(true);
		expect(sandbox.listConfigurations().map((c) => c.id)).toEqual([
			...added.map((c) => c.id).reverse(),
			SEED_IDS.defaultConfiguration,
		]);
		expect(sandbox.getConfiguration(added[2].id)?.name).toBe('Portal 2');

		const inactive = sandbox.addConfigurations(2, { active: false });
		expect(inactive.every((c) => !c.active)).toBe(true);
		expect(sandbox.addConfigurations(0)).toEqual([]);
		expect(() => sandbox.addConfigurations(-1)).toThrow(RangeError);
		expect(() => sandbox.addConfigurations(1.5)).toThrow(RangeError);
		expect(() => sandbox.addConfigurations(2, { id: 'bpc_same' })).toThrow(/function of the index/);
		expect(sandbox.addConfigurations(2, (i) => ({ id: `bpc_Bulk${i}` })).map((c) => c.id)).toEqual(['bpc_Bulk0', 'bpc_Bulk1']);
	});

	it('pages forward and back across several pages, with and without filters', async () => {
		// 23 added (every third inactive) + the seeded default = 24; listed newest first.
		const added = sandbox.addConfigurations(23, (i) => ({ name: `P${i}`, active: i % 3 !== 0 }));
		const all = [...added].reverse().map((c) => c.id).concat(SEED_IDS.defaultConfiguration);

		const seen: string[] = [];
		const hasMore: boolean[] = [];
		let cursor: string | undefined;
		do {
			const page = await call('GET', PATH, { query: { limit: 10, ...(cursor ? { starting_after: cursor } : {}) } });
			expect(page.status).toBe(200);
			seen.push(...ids(page.json));
			hasMore.push(page.json.has_more);
			cursor = page.json.has_more ? page.json.data[page.json.data.length - 1].id : undefined;
		} while (cursor);
		expect(seen).toEqual(all);
		expect(hasMore).toEqual([true, true, false]);

		// Backward from the last page: each page is the `limit` items just before the cursor, still newest first.
		const last = await call('GET', PATH, { query: { limit: 10, starting_after: all[19] } });
		expect(ids(last.json)).toEqual(all.slice(20));
		const back1 = await call('GET', PATH, { query: { limit: 10, ending_before: all[20] } });
		expect(ids(back1.json)).toEqual(all.slice(10, 20));
		expect(back1.json.has_more).toBe(true);
		const back2 = await call('GET', PATH, { query: { limit: 10, ending_before: all[10] } });
		expect(ids(back2.json)).toEqual(all.slice(0, 10));
		expect(back2.json.has_more).toBe(false);
		const partial = await call('GET', PATH, { query: { limit: 10, ending_before: all[4] } });
		expect(ids(partial.json)).toEqual(all.slice(0, 4));
		expect(partial.json.has_more).toBe(false);
		const none = await call('GET', PATH, { query: { ending_before: all[0] } });
		expect(none.json).toEqual({ object: 'list', data: [], has_more: false, url: PATH });

		expect(ids((await call('GET', PATH, { query: { limit: 100 } })).json)).toEqual(all);
		const one = await call('GET', PATH, { query: { limit: 1 } });
		expect(ids(one.json)).toEqual([all[0]]);
		expect(one.json.has_more).toBe(true);
		expect(ids((await call('GET', PATH)).json)).toEqual(all.slice(0, 10));
		expect((await call('GET', PATH, { query: { limit: 101 } })).status).toBe(400);
		expect((await call('GET', PATH, { query: { starting_after: all[0], ending_before: all[5] } })).json.error.code).toBe(
			'parameters_exclusive',
		);

		// Filters apply before paging; cursors are ids within the filtered list.
		const activeIds = all.filter((id) => sandbox.getConfiguration(id)?.active);
		const inactiveIds = all.filter((id) => !sandbox.getConfiguration(id)?.active);
		expect(inactiveIds).toHaveLength(8);
		const activePages: string[] = [];
		for await (const c of client().billingPortal.configurations.list({ active: true, limit: 4 })) activePages.push(c.id);
		expect(activePages).toEqual(activeIds);
		const inactivePage = await call('GET', PATH, { query: { active: 'false', limit: 3, starting_after: inactiveIds[2] } });
		expect(ids(inactivePage.json)).toEqual(inactiveIds.slice(3, 6));
		expect(inactivePage.json.has_more).toBe(true);
		const inactiveBack = await call('GET', PATH, { query: { active: 'false', limit: 3, ending_before: inactiveIds[5] } });
		expect(ids(inactiveBack.json)).toEqual(inactiveIds.slice(2, 5));
		const notDefault = await call('GET', PATH, { query: { is_default: 'false', limit: 100 } });
		expect(ids(notDefault.json)).toEqual(all.slice(0, 23));
		const activeDefault = await call('GET', PATH, { query: { is_default: 'true', active: 'true' } });
		expect(ids(activeDefault.json)).toEqual([SEED_IDS.defaultConfiguration]);
		expect((await call('GET', PATH, { query: { is_default: 'true', active: 'false' } })).json.data).toEqual([]);
		expect((await call('GET', PATH, { query: { expand: ['data.application'] } })).status).toBe(200);
	});

	it('lists configurations created and updated through the API in created order', async () => {
		const older = sandbox.addConfigurations(3);
		const made = await create(MINIMAL);
		await update(older[0].id, 'name=Touched');
		const list = await call('GET', PATH, { query: { limit: 5 } });
		expect(ids(list.json)).toEqual([made.json.id, older[2].id, older[1].id, older[0].id, SEED_IDS.defaultConfiguration]);
		expect(list.json.data[3].name).toBe('Touched');
	});
});
