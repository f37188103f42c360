/**
 * Portal Configuration → Create: every parameter of ConfigurationCreateParams reachable from
 * the form (and from JSON), sent as Stripe's SDK would type it, with nothing the user left
 * empty.
 */
import type { INodeParameters } from 'n8n-workflow';
import type Stripe from 'stripe';

import { CONFIGURATIONS_PATH, createBody, runConfiguration } from '../../support/configuration';
import { createCatalog, onTheWire, useEnvironment } from '../../support/session';

const environment = useEnvironment();
// The products and prices the stories' configurations offer: Stripe looks them up.
beforeEach(() => createCatalog(environment.sandbox.store, { prod_Basic: ['price_BasicMonthly', 'price_BasicYearly'], prod_Pro: ['price_ProMonthly'] }));

/** The form for a configuration that uses every create parameter. */
const everyField = {
	inputMode: 'fields',
	features: {
		customerUpdate: { enabled: true, allowedUpdates: ['email', 'address', 'tax_id'] },
		invoiceHistory: { enabled: true },
		paymentMethodUpdate: { enabled: true, paymentMethodConfiguration: 'pmc_1PgL4a2eZvKYlo2C' },
		subscriptionCancel: {
			enabled: true,
			mode: 'immediately',
			prorationBehavior: 'create_prorations',
			cancellationReason: true,
			cancellationReasonOptions: ['too_expensive', 'missing_features', 'other'],
			feedbackOptions: 'bfo_1, bfo_2',
		},
		subscriptionPause: {
			enabled: true,
			durationType: 'interval_options',
			intervalOptions: { option: [{ interval: 'month', intervalCount: 1 }, { interval: 'week', intervalCount: 2 }] },
		},
		subscriptionUpdate: {
			enabled: true,
			defaultAllowedUpdates: ['price', 'quantity', 'promotion_code'],
			products: {
				product: [
					{
						product: 'prod_Basic',
						prices: { price: [{ id: 'price_BasicMonthly' }, { id: 'price_BasicYearly' }] },
						adjustableQuantity: true,
						minimumQuantity: 1,
						maximumQuantity: 10,
					},
					{ product: 'prod_Pro', prices: { price: [{ id: 'price_ProMonthly' }] }, adjustableQuantity: false, minimumQuantity: 0, maximumQuantity: 0 },
				],
			},
			prorationBehavior: 'always_invoice',
			billingCycleAnchor: 'now',
			scheduleAtPeriodEnd: ['decreasing_item_amount', 'shortening_interval'],
			trialUpdateBehavior: 'continue_trial',
		},
	},
	additionalFields: {
		name: 'Support: cancel with retention offer',
		headline: 'Acme partners with Stripe for simplified billing',
		privacyPolicyUrl: 'https://example.com/privacy',
		termsOfServiceUrl: 'https://example.com/terms',
		defaultReturnUrl: 'https://example.com/account',
		loginPage: true,
		metadata: { pair: [{ key: 'team', value: 'growth' }, { key: 'ticket', value: 'T-1042' }] },
	},
	options: { expand: ['application'] },
};

const everyParam: Stripe.BillingPortal.ConfigurationCreateParams = {
	features: {
		customer_update: { enabled: true, allowed_updates: ['email', 'address', 'tax_id'] },
		invoice_history: { enabled: true },
		payment_method_update: { enabled: true, payment_method_configuration: 'pmc_1PgL4a2eZvKYlo2C' },
		subscription_cancel: {
			enabled: true,
			mode: 'immediately',
			proration_behavior: 'create_prorations',
			cancellation_reason: { enabled: true, options: ['too_expensive', 'missing_features', 'other'], feedback_options: ['bfo_1', 'bfo_2'] },
		},
		subscription_pause: {
			enabled: true,
			duration: { type: 'interval_options', interval_options: [{ interval: 'month', interval_count: 1 }, { interval: 'week', interval_count: 2 }] },
		},
		subscription_update: {
			enabled: true,
			default_allowed_updates: ['price', 'quantity', 'promotion_code'],
			products: [
				{ product: 'prod_Basic', prices: ['price_BasicMonthly', 'price_BasicYearly'], adjustable_quantity: { enabled: true, minimum: 1, maximum: 10 } },
				{ product: 'prod_Pro', prices: ['price_ProMonthly'] },
			],
			proration_behavior: 'always_invoice',
			billing_cycle_anchor: 'now',
			schedule_at_period_end: { conditions: [{ type: 'decreasing_item_amount' }, { type: 'shortening_interval' }] },
			trial_update_behavior: 'continue_trial',
		},
	},
	name: 'Support: cancel with retention offer',
	business_profile: {
		headline: 'Acme partners with Stripe for simplified billing',
		privacy_policy_url: 'https://example.com/privacy',
		terms_of_service_url: 'https://example.com/terms',
	},
	default_return_url: 'https://example.com/account',
	login_page: { enabled: true },
	metadata: { team: 'growth', ticket: 'T-1042' },
	expand: ['application'],
};

describe('Portal Configuration → Create', () => {
	it('sends every create parameter from the form, and returns the configuration with its login page link', async () => {
		const run = await runConfiguration(environment, 'create', everyField);

		expect(run.error).toBeUndefined();
		expect(run.requests).toHaveLength(1);
		const [request] = run.requests;
		expect(request.method).toBe('POST');
		expect(request.path).toBe(CONFIGURATIONS_PATH);
		expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
		expect(createBody(request)).toEqual(onTheWire(everyParam));
		expect(request.rawBody).not.toMatch(/=(&|$)/);

		expect(run.items).toHaveLength(1);
		const configuration = run.items[0].json;
		expect(configuration).toMatchObject({
			object: 'billing_portal.configuration',
			id: expect.stringMatching(/^bpc_/),
			name: everyParam.name,
			login_page: { enabled: true, url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\/p\/login\//) },
			metadata: everyParam.metadata,
		});
		expect(environment.sandbox.getConfiguration(configuration.id as string)).toBeDefined();
	});

	it('sends the same request from JSON input', async () => {
		const json: Partial<Stripe.BillingPortal.ConfigurationCreateParams> = { ...everyParam };
		delete json.expand;
		const run = await runConfiguration(environment, 'create', {
			inputMode: 'json',
			configurationJson: JSON.stringify(json),
			options: { expand: ['application'] },
		});
		expect(run.error).toBeUndefined();
		expect(createBody(run.requests[0])).toEqual(onTheWire(everyParam));
	});

	it('sends a feature the user added and nothing for the ones left out or left at Stripe Default', async () => {
		const run = await runConfiguration(environment, 'create', {
			inputMode: 'fields',
			features: {
				invoiceHistory: { enabled: true },
				subscriptionCancel: { enabled: false, mode: '', prorationBehavior: '', cancellationReason: false, cancellationReasonOptions: [], feedbackOptions: '' },
			},
		});
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.ConfigurationCreateParams = {
			features: { invoice_history: { enabled: true }, subscription_cancel: { enabled: false } },
		};
		expect(createBody(run.requests[0])).toEqual(onTheWire(expected));
		expect(run.requests[0].rawBody).toBe(
			'features%5Binvoice_history%5D%5Benabled%5D=true&features%5Bsubscription_cancel%5D%5Benabled%5D=false',
		);
	});

	it('takes per-item values from expressions, one configuration per item', async () => {
		const run = await runConfiguration(
			environment,
			'create',
			{
				inputMode: 'fields',
				features: { invoiceHistory: { enabled: '={{ $json.invoices }}' } },
				additionalFields: { name: '={{ $json.name }}' },
			},
			[
				{ name: 'Team A', invoices: true },
				{ name: 'Team B', invoices: false },
			],
		);
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => createBody(request))).toEqual([
			onTheWire({ name: 'Team A', features: { invoice_history: { enabled: true } } }),
			onTheWire({ name: 'Team B', features: { invoice_history: { enabled: false } } }),
		]);
		expect(run.items.map((item) => [item.json.name, item.pairedItem])).toEqual([
			['Team A', { item: 0 }],
			['Team B', { item: 1 }],
		]);
	});

	describe('refuses bad input before any request', () => {
		const withFeatures = (features: object, extra: object = {}) => ({ inputMode: 'fields', features, ...extra });
		const cases: Array<[string, object, RegExp]> = [
			['no feature', { inputMode: 'fields' }, /^Features: no feature is set/],
			[
				'a product without prices',
				withFeatures({ subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_A', prices: {} }] } } }),
				/^Features → Subscription Update → Products \(entry 1\) → Prices: is empty/,
			],
			[
				'a price where the product goes',
				withFeatures({ subscriptionUpdate: { enabled: true, products: { product: [{ product: 'price_123', prices: { price: [{ id: 'price_1' }] } }] } } }),
				/Product ID: 'price_123' is a price ID, not a product ID/,
			],
			[
				'a product where a price goes',
				withFeatures({ subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'prod_B' }] } }] } } }),
				/Prices: 'prod_B' is a product ID, not a price ID/,
			],
			[
				'the same product twice',
				withFeatures({
					subscriptionUpdate: {
						enabled: true,
						products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] } }, { product: 'prod_A', prices: { price: [{ id: 'price_2' }] } }] },
					},
				}),
				/Products \(entry 2\) → Product ID: 'prod_A' is listed twice/,
			],
			[
				'a maximum below the minimum',
				withFeatures({
					subscriptionUpdate: {
						enabled: true,
						products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] }, adjustableQuantity: true, minimumQuantity: 5, maximumQuantity: 2 }] },
					},
				}),
				/Maximum Quantity: 2 is below the minimum 5/,
			],
			[
				'quantity limits without Adjustable Quantity',
				withFeatures({
					subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] }, adjustableQuantity: false, maximumQuantity: 3 }] } },
				}),
				/are set while Adjustable Quantity is off/,
			],
			[
				'reasons asked with none offered',
				withFeatures({ subscriptionCancel: { enabled: true, cancellationReason: true, cancellationReasonOptions: [] } }),
				/Reasons Offered: is empty while Ask for a Reason is on/,
			],
			[
				'pause lengths without Interval Options',
				withFeatures({ subscriptionPause: { enabled: true, durationType: 'indefinite', intervalOptions: { option: [{ interval: 'month', intervalCount: 1 }] } } }),
				/Pause Lengths: are set but Duration is not Interval Options/,
			],
			[
				'a pause longer than three years',
				withFeatures({ subscriptionPause: { enabled: true, durationType: 'interval_options', intervalOptions: { option: [{ interval: 'month', intervalCount: 40 }] } } }),
				/40 months is longer than three years/,
			],
			[
				'proration on a cancellation at period end',
				withFeatures({ subscriptionCancel: { enabled: true, mode: 'at_period_end', prorationBehavior: 'create_prorations' } }),
				/Proration Behavior: Create Prorations needs Mode: Immediately/,
			],
			[
				'invoicing a cancellation at once',
				withFeatures({ subscriptionCancel: { enabled: true, mode: 'immediately', prorationBehavior: '={{ "always_invoice" }}' } }),
				/Proration Behavior: 'always_invoice' is not an option/,
			],
			[
				'an unknown option from an expression',
				withFeatures({ subscriptionCancel: { enabled: true, mode: '={{ "at_end" }}' } }),
				/Mode: 'at_end' is not an option/,
			],
			[
				'a payment method configuration that is not pmc_',
				withFeatures({ paymentMethodUpdate: { enabled: true, paymentMethodConfiguration: 'card' } }),
				/Payment Method Configuration: 'card' is not a valid ID/,
			],
			['a return URL that is not a URL', withFeatures({ invoiceHistory: { enabled: true } }, { additionalFields: { defaultReturnUrl: 'example.com' } }), /^Default Return URL: 'example.com' is not a valid URL/],
			[
				'a metadata value left empty',
				withFeatures({ invoiceHistory: { enabled: true } }, { additionalFields: { metadata: { pair: [{ key: 'team', value: '' }] } } }),
				/^Metadata \(pair 1\): the value of 'team' is empty/,
			],
			[
				'a metadata key with brackets',
				withFeatures({ invoiceHistory: { enabled: true } }, { additionalFields: { metadata: { pair: [{ key: 'a[b]', value: 'x' }] } } }),
				/contains square brackets/,
			],
			[
				'a metadata key over 40 characters',
				withFeatures({ invoiceHistory: { enabled: true } }, { additionalFields: { metadata: { pair: [{ key: 'k'.repeat(41), value: 'x' }] } } }),
				/^Metadata \(pair 1\): the key 'k{41}' is 41 characters long/,
			],
			['JSON that does not parse', { inputMode: 'json', configurationJson: '{ "features": ' }, /^Configuration \(JSON\): is not valid JSON/],
			[
				'JSON with a misspelt key',
				{ inputMode: 'json', configurationJson: '{ "features": { "subscription_update": { "enabled": true, "product": [] } } }' },
				/'features\.subscription_update\.product' is not a parameter of a portal configuration/,
			],
			['JSON without features', { inputMode: 'json', configurationJson: '{ "name": "x" }' }, /^Configuration \(JSON\): no feature is set/],
			['JSON with null', { inputMode: 'json', configurationJson: '{ "features": { "invoice_history": { "enabled": true } }, "name": null }' }, /'name' is null/],
			['JSON with active on create', { inputMode: 'json', configurationJson: '{ "features": { "invoice_history": { "enabled": true } }, "active": false }' }, /'active' is not a parameter/],
		];

		it.each(cases)('%s', async (_name, parameters, message) => {
			const run = await runConfiguration(environment, 'create', parameters as INodeParameters);
			expect(run.error?.message).toMatch(message);
			expect(run.error?.description).toEqual(expect.any(String));
			expect(run.requests).toHaveLength(0);
		});

		it('suggests the key meant in JSON', async () => {
			const run = await runConfiguration(environment, 'create', {
				inputMode: 'json',
				configurationJson: '{ "features": { "invoice_histroy": { "enabled": true } } }',
			});
			expect(run.error?.description).toMatch(/Did you mean 'features\.invoice_history'\?/);
		});
	});

	it('passes Stripe’s own error through and names the node field behind its param', async () => {
		// A product the account does not have: only Stripe can tell.
		const run = await runConfiguration(environment, 'create', {
			inputMode: 'fields',
			features: { subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_NotInAccount1', prices: { price: [{ id: 'price_NotInAccount1' }] } }] } } },
		});
		expect(run.requests).toHaveLength(1);
		expect(run.error?.message).toMatch(/^No such product: 'prod_NotInAccount1'/);
		expect(run.error?.description).toMatch(/param: features\[subscription_update\]\[products\]\[0\]\[product\]/);
		expect(run.error?.description).toMatch(/Check the ID in Features → Subscription Update → Products/);
	});

	it('names the feature field behind a nested param in Stripe’s error', async () => {
		const run = await runConfiguration(environment, 'create', {
			inputMode: 'json',
			configurationJson: '{ "features": { "subscription_pause": { "enabled": true, "duration": { "type": "interval_options", "interval_options": [{ "interval": "week", "interval_count": 900 }] } } } }',
		});
		expect(run.requests).toHaveLength(1);
		expect(run.error?.description).toMatch(/param: features\[subscription_pause\]/);
		expect(run.error?.description).toMatch(/Check 'features\[subscription_pause\][^']*' in Configuration \(JSON\)\./);
	});
});
