/**
 * Portal Configuration: input that used to reach Stripe mangled, or not at all, refused before
 * any request with the field named and the fix, and what Stripe's types call clearing sent as
 * Stripe reads it. One story per class: metadata keys, JSON input, cancellation reasons, pause
 * lengths, the limits Stripe documents (which the sandbox enforces too), numbers and switches
 * from expressions, and expand paths.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import type Stripe from 'stripe';

import {
	CONFIGURATION_CREATE_PARAMS,
	CONFIGURATION_UPDATE_PARAMS,
	type ParamKeys,
	type ParamSpec,
} from '../../../nodes/StripeBillingPortal/resources/portalConfiguration/constants';
import { configurationCreateSchema, configurationUpdateSchema, SEED_IDS } from '../../sandbox';
import type { ObjectSchema, Schema } from '../../sandbox/params';
import { CONFIGURATIONS_PATH, addConfigurations, configurationById, createBody, runConfiguration, updateBody } from '../../support/configuration';
import { createCatalog, onTheWire, type SessionRun, useEnvironment } from '../../support/session';

const environment = useEnvironment();
// The products and prices the stories' configurations offer: Stripe looks them up.
beforeEach(() =>
	createCatalog(environment.sandbox.store, {
		prod_A: ['price_1'],
		...Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`prod_${index}`, [`price_p${index}`]])),
	}),
);
const seeded = SEED_IDS.defaultConfiguration;
const invoices = { invoiceHistory: { enabled: true } };

/** A run refused before any request: the message names the field, the description says what to do. */
function expectRefused(run: SessionRun, message: RegExp): void {
	expect(run.error?.message).toMatch(message);
	expect(run.error?.description).toEqual(expect.any(String));
	expect(run.requests).toHaveLength(0);
}

const createFields = (features: object, additionalFields: object = {}): INodeParameters =>
	({ inputMode: 'fields', features, additionalFields }) as INodeParameters;
const updateFields = (updateFieldsValue: object, features: object = {}): INodeParameters =>
	({ configuration: configurationById(seeded), inputMode: 'fields', updateFields: updateFieldsValue, features }) as INodeParameters;
const createJson = (json: unknown): INodeParameters => ({ inputMode: 'json', configurationJson: JSON.stringify(json) });
const updateJson = (json: unknown): INodeParameters => ({ configuration: configurationById(seeded), inputMode: 'json', configurationJson: JSON.stringify(json) });
const withInvoices = (json: object) => ({ features: { invoice_history: { enabled: true } }, ...json });

describe('metadata keys: one check for Metadata, Remove Metadata Keys and metadata in JSON', () => {
	const cases: Array<[string, 'create' | 'update', INodeParameters, RegExp]> = [
		['Remove Metadata Keys with brackets', 'update', updateFields({ metadataKeysToRemove: 'legacy, a[b]' }), /^Remove Metadata Keys: the key 'a\[b\]' contains square brackets/],
		['Remove Metadata Keys over 40 characters', 'update', updateFields({ metadataKeysToRemove: 'k'.repeat(41) }), /^Remove Metadata Keys: the key 'k{41}' is 41 characters long/],
		['Remove Metadata Keys given an object', 'update', updateFields({ metadataKeysToRemove: '={{ { a: 1 } }}' }), /^Remove Metadata Keys: the key '\{"a":1\}' is an object, not text/],
		['Remove Metadata Keys given a list holding an object', 'update', updateFields({ metadataKeysToRemove: '={{ ["old", { a: 1 }] }}' }), /^Remove Metadata Keys: the key '\{"a":1\}' is an object, not text/],
		['Remove Metadata Keys given true', 'update', updateFields({ metadataKeysToRemove: '={{ true }}' }), /^Remove Metadata Keys: the key 'true' is the boolean true, not text/],
		['Remove Metadata Keys naming a key n8n drops', 'update', updateFields({ metadataKeysToRemove: 'constructor' }), /^Remove Metadata Keys: the key 'constructor' cannot be sent through n8n/],
		['a Metadata key from an expression that gives an object', 'create', createFields(invoices, { metadata: { pair: [{ key: '={{ { a: 1 } }}', value: 'x' }] } }), /^Metadata \(pair 1\): the key '\{"a":1\}' is an object, not text/],
		['a Metadata key that makes n8n’s request fail', 'create', createFields(invoices, { metadata: { pair: [{ key: 'toString', value: 'x' }] } }), /^Metadata \(pair 1\): the key 'toString' cannot be sent through n8n/],
		['a Metadata key n8n drops', 'create', createFields(invoices, { metadata: { pair: [{ key: '__proto__', value: 'x' }] } }), /^Metadata \(pair 1\): the key '__proto__' cannot be sent through n8n/],
		['a Metadata value that is an object', 'create', createFields(invoices, { metadata: { pair: [{ key: 'team', value: '={{ { a: 1 } }}' }] } }), /^Metadata \(pair 1\): the value of 'team' is an object, not text/],
		['a Metadata value that is true', 'create', createFields(invoices, { metadata: { pair: [{ key: 'vip', value: '={{ true }}' }] } }), /^Metadata \(pair 1\): the value of 'vip' is the boolean true, not text/],
		['a Metadata value that is NaN', 'create', createFields(invoices, { metadata: { pair: [{ key: 'n', value: '={{ NaN }}' }] } }), /^Metadata \(pair 1\): the value of 'n' is NaN, not text/],
		['a metadata key with brackets in JSON', 'create', createJson(withInvoices({ metadata: { 'a[b]': 'x' } })), /^Configuration \(JSON\): 'metadata': the key 'a\[b\]' contains square brackets/],
		['a metadata key over 40 characters in JSON', 'create', createJson(withInvoices({ metadata: { ['k'.repeat(41)]: 'x' } })), /^Configuration \(JSON\): 'metadata': the key 'k{41}' is 41 characters long/],
		['a metadata key n8n drops in JSON', 'create', { inputMode: 'json', configurationJson: '{ "features": { "invoice_history": { "enabled": true } }, "metadata": { "__proto__": "x" } }' }, /^Configuration \(JSON\): 'metadata': the key '__proto__' cannot be sent through n8n/],
		['an empty metadata key in JSON', 'create', createJson(withInvoices({ metadata: { '': 'x' } })), /^Configuration \(JSON\): 'metadata': a key is empty/],
		['a nested object as a metadata value in JSON', 'create', createJson(withInvoices({ metadata: { team: { name: 'growth' } } })), /^Configuration \(JSON\): 'metadata': the value of 'team' is an object, not text/],
		['a list as a metadata value in JSON', 'create', createJson(withInvoices({ metadata: { team: ['growth'] } })), /'metadata': the value of 'team' is a list, not text/],
		['true as a metadata value in JSON', 'create', createJson(withInvoices({ metadata: { vip: true } })), /'metadata': the value of 'vip' is the boolean true, not text/],
		['null as a metadata value in JSON', 'update', updateJson({ metadata: { team: null } }), /'metadata': the value of 'team' is null/],
		['a metadata value over 500 characters in JSON', 'create', createJson(withInvoices({ metadata: { team: 'v'.repeat(501) } })), /'metadata': the value of 'team' is 501 characters long/],
		['51 metadata keys in JSON', 'create', createJson(withInvoices({ metadata: Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v'])) })), /^Configuration \(JSON\): has 51 keys/],
		['metadata as {} in JSON, which n8n would drop', 'update', updateJson({ metadata: {} }), /^Configuration \(JSON\): 'metadata' is an empty object/],
		['metadata as "" on Create, which Stripe cannot clear there', 'create', createJson(withInvoices({ metadata: '' })), /^Configuration \(JSON\): 'metadata' cannot be cleared/],
	];

	it.each(cases)('refuses %s before any request', async (_name, operation, parameters, message) => {
		expectRefused(await runConfiguration(environment, operation, parameters), message);
	});

	it('removes keys given as a list from an expression, and sends JSON metadata numbers as text and "" as a removal', async () => {
		environment.sandbox.store.getConfiguration(seeded)!.metadata = { legacy_id: '7', old: 'x', team: 'a' };
		const fromFields = await runConfiguration(environment, 'update', updateFields({ metadataKeysToRemove: '={{ ["legacy_id", "old", "old"] }}' }));
		expect(fromFields.error).toBeUndefined();
		expect(updateBody(fromFields.requests[0])).toEqual({ metadata: { legacy_id: '', old: '' } });
		expect(fromFields.items[0].json.metadata).toEqual({ team: 'a' });

		const fromJson = await runConfiguration(environment, 'update', updateJson({ metadata: { seats: 12, team: '' } }));
		expect(fromJson.error).toBeUndefined();
		const expected: Stripe.BillingPortal.ConfigurationUpdateParams = { metadata: { seats: '12', team: '' } };
		expect(updateBody(fromJson.requests[0])).toEqual(expected);
		expect(fromJson.items[0].json.metadata).toEqual({ seats: '12' });
	});

	it('sends a Metadata value an expression gives as a number, as text', async () => {
		const run = await runConfiguration(environment, 'create', createFields(invoices, { metadata: { pair: [{ key: '={{ 2026 }}', value: '={{ 42 }}' }] } }));
		expect(run.error).toBeUndefined();
		expect(createBody(run.requests[0]).metadata).toEqual({ 2026: '42' });
	});
});

describe('JSON input: own keys only, and nothing n8n’s form encoder would drop or mangle', () => {
	it.each(['toString', 'hasOwnProperty', 'constructor', 'valueOf'])('refuses the inherited name %s as a key at every level', async (key) => {
		for (const [json, where] of [
			[`{ "features": { "invoice_history": { "enabled": true } }, "${key}": 1 }`, key],
			[`{ "features": { "invoice_history": { "enabled": true }, "${key}": { "enabled": true } } }`, `features.${key}`],
			[`{ "features": { "subscription_pause": { "duration": { "type": "indefinite", "${key}": 1 } } } }`, `features.subscription_pause.duration.${key}`],
		]) {
			expectRefused(await runConfiguration(environment, 'create', { inputMode: 'json', configurationJson: json }), new RegExp(`^Configuration \\(JSON\\): '${where}' is not a parameter of a portal configuration`));
		}
	});

	it('refuses __proto__ as a key', async () => {
		const run = await runConfiguration(environment, 'create', {
			inputMode: 'json',
			configurationJson: '{ "features": { "invoice_history": { "enabled": true }, "__proto__": { "enabled": true } } }',
		});
		expectRefused(run, /^Configuration \(JSON\): 'features\.__proto__' is not a parameter of a portal configuration/);
	});

	it('sends an empty list as "" where Stripe’s type is Emptyable, which clears it', async () => {
		const json: Stripe.BillingPortal.ConfigurationUpdateParams = {
			features: {
				customer_update: { allowed_updates: [] },
				subscription_cancel: { cancellation_reason: { enabled: false, options: [], feedback_options: [] } },
				subscription_pause: { duration: { type: 'indefinite', interval_options: [] } },
				subscription_update: { default_allowed_updates: [], products: [], schedule_at_period_end: { conditions: [] } },
			},
		};
		const run = await runConfiguration(environment, 'update', updateJson(json));
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.ConfigurationUpdateParams = {
			features: {
				customer_update: { allowed_updates: '' },
				subscription_cancel: { cancellation_reason: { enabled: false, options: '', feedback_options: '' } },
				subscription_pause: { duration: { type: 'indefinite', interval_options: '' } },
				subscription_update: { default_allowed_updates: '', products: '', schedule_at_period_end: { conditions: '' } },
			},
		};
		expect(updateBody(run.requests[0])).toEqual(onTheWire(expected));
		expect(run.requests[0].rawBody).toContain('features%5Bcustomer_update%5D%5Ballowed_updates%5D=&');
		const stored = environment.sandbox.getConfiguration(seeded)!.features;
		expect(stored.customer_update.allowed_updates).toEqual([]);
		expect(stored.subscription_update.default_allowed_updates).toEqual([]);
	});

	const refused: Array<[string, 'create' | 'update', INodeParameters, RegExp]> = [
		['an empty list Stripe cannot clear (prices)', 'create', createJson({ features: { subscription_update: { enabled: true, products: [{ product: 'prod_A', prices: [] }] } } }), /'features\.subscription_update\.products\[0\]\.prices' is an empty list/],
		['an empty list of conditions on Create, where they are not Emptyable', 'create', createJson({ features: { subscription_update: { enabled: true, schedule_at_period_end: { conditions: [] } } } }), /'features\.subscription_update\.schedule_at_period_end\.conditions' is an empty list/],
		['an empty expand list', 'create', createJson(withInvoices({ expand: [] })), /^Configuration \(JSON\): 'expand' is an empty list/],
		['an empty object, which n8n would drop', 'create', createJson(withInvoices({ login_page: {} })), /^Configuration \(JSON\): 'login_page' is an empty object/],
		['an empty feature', 'update', updateJson({ features: { customer_update: {} } }), /'features\.customer_update' is an empty object/],
		['a list inside a list of prices', 'create', createJson({ features: { subscription_update: { enabled: true, products: [{ product: 'prod_A', prices: [['price_1']] }] } } }), /'features\.subscription_update\.products\[0\]\.prices\[0\]' is a list/],
		['an object in a list of values', 'update', updateJson({ features: { customer_update: { allowed_updates: [{ name: 'email' }] } } }), /'features\.customer_update\.allowed_updates\[0\]' is an object/],
		['a list where one value belongs', 'update', updateJson({ features: { invoice_history: { enabled: [true] } } }), /'features\.invoice_history\.enabled' is a list/],
		['an object where text belongs', 'update', updateJson({ name: { first: 'x' } }), /^Configuration \(JSON\): 'name' is an object/],
		['text where a list belongs', 'update', updateJson({ features: { customer_update: { allowed_updates: 'email' } } }), /'features\.customer_update\.allowed_updates' is 'email', not a list/],
		['an empty entry in a list', 'update', updateJson({ features: { customer_update: { allowed_updates: ['email', ''] } } }), /'features\.customer_update\.allowed_updates\[1\]' is empty/],
		['"" on a parameter Stripe cannot clear', 'update', updateJson({ features: { subscription_cancel: { mode: '' } } }), /'features\.subscription_cancel\.mode' cannot be cleared/],
		['"" on a URL that only Update can clear', 'create', createJson(withInvoices({ business_profile: { privacy_policy_url: '' } })), /'business_profile\.privacy_policy_url' cannot be cleared/],
		[
			'NaN from an expression',
			'create',
			{ inputMode: 'json', configurationJson: '={{ { features: { subscription_pause: { enabled: true, duration: { type: "interval_options", interval_options: [{ interval: "month", interval_count: NaN }] } } } } }}' },
			/'features\.subscription_pause\.duration\.interval_options\[0\]\.interval_count' is NaN/,
		],
		['Infinity from an expression', 'update', { configuration: configurationById(seeded), inputMode: 'json', configurationJson: '={{ { features: { subscription_update: { products: [{ product: "prod_A", prices: ["price_1"], adjustable_quantity: { enabled: true, maximum: Infinity } }] } } } }}' }, /'features\.subscription_update\.products\[0\]\.adjustable_quantity\.maximum' is Infinity/],
		['undefined from an expression', 'update', { configuration: configurationById(seeded), inputMode: 'json', configurationJson: '={{ { name: undefined } }}' }, /^Configuration \(JSON\): 'name' is undefined/],
	];

	it.each(refused)('refuses %s before any request', async (_name, operation, parameters, message) => {
		expectRefused(await runConfiguration(environment, operation, parameters), message);
	});

	it('knows the same parameters and the same Emptyable ones as the sandbox, both read from Stripe’s d.ts', () => {
		/** Every parameter path with whether '' (an empty list included) clears it. */
		const fromNode = (keys: ParamKeys, path = ''): string[] =>
			Object.entries(keys).flatMap(([key, spec]: [string, ParamSpec]) => {
				const where = `${path}${key}`;
				if (spec.kind === 'object') return [`${where} object`, ...fromNode(spec.keys, `${where}.`)];
				if (spec.kind === 'objects') return [`${where} list${spec.emptyable ? ' emptyable' : ''}`, ...fromNode(spec.item, `${where}[].`)];
				if (spec.kind === 'expand') return [`${where} list`];
				return [`${where} ${spec.kind === 'values' ? 'list' : 'value'}${spec.emptyable ? ' emptyable' : ''}`];
			});
		const fromSandbox = (schema: ObjectSchema, path = ''): string[] =>
			Object.entries(schema.properties).flatMap(([key, child]: [string, Schema]) => {
				const where = `${path}${key}`;
				const emptyable = child.emptyable ? ' emptyable' : '';
				if (child.type === 'object') return [`${where} object`, ...fromSandbox(child, `${where}.`)];
				if (child.type === 'array' && child.items.type === 'object') return [`${where} list${emptyable}`, ...fromSandbox(child.items, `${where}[].`)];
				if (child.type === 'array') return [`${where} list${emptyable}`];
				return [`${where} value${emptyable}`];
			});
		expect(fromNode(CONFIGURATION_CREATE_PARAMS).sort()).toEqual(fromSandbox(configurationCreateSchema).sort());
		expect(fromNode(CONFIGURATION_UPDATE_PARAMS).sort()).toEqual(fromSandbox(configurationUpdateSchema).sort());
	});

	it('still sends "" on an Emptyable parameter, and the business URLs clear on Update', async () => {
		const run = await runConfiguration(environment, 'update', updateJson({ name: '', business_profile: { privacy_policy_url: '' } }));
		expect(run.error).toBeUndefined();
		expect(updateBody(run.requests[0])).toEqual({ name: '', business_profile: { privacy_policy_url: '' } });
	});
});

describe('Subscription Cancel: the reasons Stripe needs with a cancellation reason', () => {
	it('refuses Feedback Option IDs without Reasons Offered on Create, where Stripe requires the options', async () => {
		const run = await runConfiguration(
			environment,
			'create',
			createFields({ subscriptionCancel: { enabled: true, cancellationReason: false, cancellationReasonOptions: [], feedbackOptions: 'bfo_1' } }),
		);
		expectRefused(run, /^Features → Subscription Cancel → Feedback Option IDs: are set without Reasons Offered/);
	});

	it('sends Reasons Offered with Ask for a Reason off on Create, options included', async () => {
		const run = await runConfiguration(
			environment,
			'create',
			createFields({ subscriptionCancel: { enabled: true, cancellationReason: false, cancellationReasonOptions: ['other'], feedbackOptions: 'bfo_1' } }),
		);
		expect(run.error).toBeUndefined();
		expect(createBody(run.requests[0]).features.subscription_cancel?.cancellation_reason).toEqual({ enabled: 'false', options: ['other'], feedback_options: ['bfo_1'] });
	});

	it('on Update, turns Ask for a Reason on with Reasons Offered left empty, keeping the reasons Stripe has', async () => {
		environment.sandbox.store.getConfiguration(seeded)!.features.subscription_cancel.cancellation_reason = {
			enabled: false,
			feedback_options: null,
			options: ['too_expensive', 'unused'],
		};
		const run = await runConfiguration(
			environment,
			'update',
			updateFields({}, { subscriptionCancel: { enabled: '', cancellationReason: 'true', cancellationReasonOptions: [], feedbackOptions: '' } }),
		);
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.ConfigurationUpdateParams = { features: { subscription_cancel: { cancellation_reason: { enabled: true } } } };
		expect(updateBody(run.requests[0])).toEqual(onTheWire(expected));
		expect(run.items[0].json).toMatchObject({
			features: { subscription_cancel: { cancellation_reason: { enabled: true, options: ['too_expensive', 'unused'] } } },
		});
	});
});

describe('Subscription Pause: Interval Options needs pause lengths, on Update too', () => {
	const pause = (durationType: string, clearFields: string[] = []) =>
		updateFields({ clearFields }, { subscriptionPause: { enabled: '', durationType, intervalOptions: {} } });

	it('refuses Interval Options without pause lengths on Update', async () => {
		expectRefused(await runConfiguration(environment, 'update', pause('interval_options')), /^Features → Subscription Pause → Pause Lengths: is empty while Duration is Interval Options/);
	});

	it('refuses Interval Options with Pause Lengths under Clear Fields', async () => {
		expectRefused(
			await runConfiguration(environment, 'update', pause('interval_options', ['intervalOptions'])),
			/^Features → Subscription Pause → Pause Lengths: is cleared while Duration is Interval Options/,
		);
	});

	it('refuses Interval Options without pause lengths on Create', async () => {
		const run = await runConfiguration(environment, 'create', createFields({ subscriptionPause: { enabled: true, durationType: 'interval_options', intervalOptions: {} } }));
		expectRefused(run, /^Features → Subscription Pause → Pause Lengths: is empty while Duration is Interval Options/);
	});

	it('clears the pause lengths with Duration: Indefinite', async () => {
		const run = await runConfiguration(environment, 'update', pause('indefinite', ['intervalOptions']));
		expect(run.error).toBeUndefined();
		expect(updateBody(run.requests[0])).toEqual({ features: { subscription_pause: { duration: { type: 'indefinite', interval_options: '' } } } });
	});
});

describe('limits Stripe documents, enforced alike by the node and the sandbox', () => {
	const cancel = (mode: string) => ({ subscriptionCancel: { enabled: true, mode, prorationBehavior: 'create_prorations', cancellationReason: false, cancellationReasonOptions: [] } });

	it('refuses Create Prorations with Mode at Stripe Default on Create: Stripe’s default cancels at period end', async () => {
		const run = await runConfiguration(environment, 'create', createFields(cancel('')));
		expectRefused(run, /^Features → Subscription Cancel → Proration Behavior: Create Prorations needs Mode: Immediately, and Mode is at Stripe Default/);
		// What the node refuses, the sandbox refuses too.
		const json = await runConfiguration(environment, 'create', createJson({ features: { subscription_cancel: { enabled: true, proration_behavior: 'create_prorations' } } }));
		expect(json.requests).toHaveLength(1);
		expect(json.error?.message).toMatch(/can be create_prorations only when features\[subscription_cancel\]\[mode\] is immediately/);
	});

	it('sends Create Prorations with Mode at Keep Current on Update, and Stripe answers for the stored mode', async () => {
		const parameters = updateFields({}, { subscriptionCancel: { enabled: '', mode: '', prorationBehavior: 'create_prorations', cancellationReason: '', cancellationReasonOptions: [] } });
		const atPeriodEnd = await runConfiguration(environment, 'update', parameters);
		expect(atPeriodEnd.requests).toHaveLength(1);
		expect(updateBody(atPeriodEnd.requests[0])).toEqual({ features: { subscription_cancel: { proration_behavior: 'create_prorations' } } });
		expect(atPeriodEnd.error?.message).toMatch(/can be create_prorations only when features\[subscription_cancel\]\[mode\] is immediately/);
		expect(atPeriodEnd.error?.description).toMatch(/Features → Subscription Cancel → Proration Behavior/);

		environment.sandbox.store.getConfiguration(seeded)!.features.subscription_cancel.mode = 'immediately';
		const immediately = await runConfiguration(environment, 'update', parameters);
		expect(immediately.error).toBeUndefined();
		expect(immediately.items[0].json).toMatchObject({ features: { subscription_cancel: { mode: 'immediately', proration_behavior: 'create_prorations' } } });
	});

	const products = (count: number) => ({
		subscriptionUpdate: {
			enabled: true,
			products: { product: Array.from({ length: count }, (_, index) => ({ product: `prod_${index}`, prices: { price: [{ id: `price_p${index}` }] } })) },
		},
	});

	it('sends up to 10 products, which the sandbox accepts, and refuses 11 before any request', async () => {
		const ten = await runConfiguration(environment, 'create', createFields(products(10)));
		expect(ten.error).toBeUndefined();
		expect(createBody(ten.requests[0]).features.subscription_update?.products).toHaveLength(10);

		expectRefused(await runConfiguration(environment, 'create', createFields(products(11))), /^Features → Subscription Update → Products: has 11 products/);
		expectRefused(
			await runConfiguration(environment, 'update', updateFields({}, products(11))),
			/^Features → Subscription Update → Products: has 11 products/,
		);
	});

	it.each([
		['day', 1095],
		['week', 156],
		['month', 36],
		['year', 3],
	])('allows a pause of three years in %ss (%i), which the sandbox accepts, and refuses one more', async (interval, maximum) => {
		const lengths = (count: number) =>
			createFields({ subscriptionPause: { enabled: true, durationType: 'interval_options', intervalOptions: { option: [{ interval, intervalCount: count }] } } });
		const longest = await runConfiguration(environment, 'create', lengths(maximum));
		expect(longest.error).toBeUndefined();
		expect(createBody(longest.requests[0]).features.subscription_pause?.duration?.interval_options).toEqual([{ interval, interval_count: String(maximum) }]);

		expectRefused(
			await runConfiguration(environment, 'create', lengths(maximum + 1)),
			new RegExp(`^Features → Subscription Pause → Pause Lengths \\(entry 1\\) → Count: ${maximum + 1} ${interval}s is longer than three years`),
		);
	});
});

describe('numbers and switches from expressions never become a value the user did not give', () => {
	const pauseCount = (count: unknown) =>
		createFields({ subscriptionPause: { enabled: true, durationType: 'interval_options', intervalOptions: { option: [{ interval: 'month', intervalCount: count }] } } });
	const quantity = (name: string, value: unknown) =>
		createFields({
			subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] }, adjustableQuantity: true, [name]: value }] } },
		});
	const bad = ['={{ NaN }}', '={{ Infinity }}', '={{ false }}', '={{ true }}', '={{ [] }}', '={{ "3 seats" }}', '={{ 1.5 }}'];

	it.each(bad)('refuses Pause Lengths → Count %s', async (count) => {
		expectRefused(await runConfiguration(environment, 'create', pauseCount(count)), /^Features → Subscription Pause → Pause Lengths \(entry 1\) → Count: .* is not a whole number of 1 or more/);
	});

	it.each(bad)('refuses Minimum and Maximum Quantity %s', async (value) => {
		expectRefused(await runConfiguration(environment, 'create', quantity('minimumQuantity', value)), /Products \(entry 1\) → Minimum Quantity: .* is not a whole number of (zero|0) or more/);
		expectRefused(await runConfiguration(environment, 'create', quantity('maximumQuantity', value)), /Products \(entry 1\) → Maximum Quantity: .* is not a whole number of (zero|0) or more/);
	});

	it.each(['={{ NaN }}', '={{ true }}', '={{ [] }}', '={{ "ten" }}', '={{ 2.5 }}'])('refuses a Get Many Limit of %s', async (limit) => {
		expectRefused(await runConfiguration(environment, 'getAll', { returnAll: false, limit }), /^Limit: .* is not a whole number of 1 or more/);
	});

	it('leaves a blank Count and blank quantities out, so Stripe’s defaults apply', async () => {
		const count = await runConfiguration(environment, 'create', pauseCount('={{ "  " }}'));
		expect(count.error).toBeUndefined();
		expect(createBody(count.requests[0]).features.subscription_pause?.duration?.interval_options).toEqual([{ interval: 'month' }]);

		const blank = await runConfiguration(environment, 'create', quantity('maximumQuantity', '={{ " " }}'));
		expect(blank.error).toBeUndefined();
		expect(createBody(blank.requests[0]).features.subscription_update?.products).toEqual([{ product: 'prod_A', prices: ['price_1'], adjustable_quantity: { enabled: 'true' } }]);
	});

	it('reads a Pause Lengths → Interval left empty by an expression as the field’s default, Month', async () => {
		const run = await runConfiguration(
			environment,
			'create',
			createFields({ subscriptionPause: { enabled: true, durationType: 'interval_options', intervalOptions: { option: [{ interval: '={{ "" }}', intervalCount: 2 }] } } }),
		);
		expect(run.error).toBeUndefined();
		expect(createBody(run.requests[0]).features.subscription_pause?.duration?.interval_options).toEqual([{ interval: 'month', interval_count: '2' }]);
	});

	it('Login Page added and left empty by an expression: on Create the option’s default (on), as the editor shows it; on Update, kept', async () => {
		const created = await runConfiguration(environment, 'create', createFields(invoices, { loginPage: '={{ $json.missing }}' }));
		expect(created.error).toBeUndefined();
		expect(createBody(created.requests[0]).login_page).toEqual({ enabled: 'true' });
		const updated = await runConfiguration(environment, 'update', updateFields({ name: 'Kept login', loginPage: '={{ "" }}' }));
		expect(updated.error).toBeUndefined();
		expect(updateBody(updated.requests[0])).not.toHaveProperty('login_page');
	});

	it('reads switches given as text, and refuses what is neither true nor false', async () => {
		// Stripe refuses active=false on the default configuration, so this turns off one of its own.
		const other = environment.sandbox.addConfiguration({ name: 'Old' }).id;
		const active = await runConfiguration(environment, 'update', { ...updateFields({ active: '={{ "false" }}' }), configuration: configurationById(other) });
		expect(active.error).toBeUndefined();
		expect(updateBody(active.requests[0])).toEqual({ active: 'false' });

		const filtered = await runConfiguration(environment, 'getAll', { returnAll: true, filters: { active: '={{ "true" }}' } });
		expect(filtered.error).toBeUndefined();
		expect(filtered.requests[0].query).toEqual({ limit: '100', active: 'true' });

		expectRefused(await runConfiguration(environment, 'create', createFields(invoices, { loginPage: '={{ "yes" }}' })), /^Login Page: 'yes' is not true or false/);
		expectRefused(await runConfiguration(environment, 'getAll', { returnAll: '={{ "yes" }}' }), /^Return All: 'yes' is not true or false/);
		expectRefused(
			await runConfiguration(environment, 'create', createFields({ subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] }, adjustableQuantity: '={{ "maybe" }}' }] } } })),
			/Products \(entry 1\) → Adjustable Quantity: 'maybe' is not true or false/,
		);
	});

	it('refuses a list or an object where one text value belongs, instead of sending [object Object]', async () => {
		expectRefused(await runConfiguration(environment, 'create', createFields(invoices, { name: '={{ { a: 1 } }}' })), /^Name: '\{"a":1\}' is an object, not a single value/);
		expectRefused(
			await runConfiguration(environment, 'create', createFields({ subscriptionCancel: { enabled: true, mode: '={{ ["immediately"] }}' } })),
			/^Features → Subscription Cancel → Mode: '\["immediately"\]' is a list, not a single value/,
		);
		expectRefused(
			await runConfiguration(environment, 'create', createFields({ customerUpdate: { enabled: true, allowedUpdates: '={{ [["email"]] }}' } })),
			/^Features → Customer Update → Allowed Updates: the entry '\["email"\]' is a list, not text/,
		);
	});
});

describe('text and URLs: the form and JSON input check alike, as Stripe would', () => {
	const update = (parameters: INodeParameters) => runConfiguration(environment, 'update', { configuration: configurationById(seeded), ...parameters });
	const json = (body: object) => update({ inputMode: 'json', configurationJson: JSON.stringify(body) });

	it('refuses a URL that is not an http(s) URL in JSON input, as the form does, before any request', async () => {
		expectRefused(await json({ default_return_url: 'javascript:alert(1)' }), /^Configuration \(JSON\) → default_return_url: 'javascript:alert\(1\)' is not a valid URL$/);
		expectRefused(await json({ business_profile: { privacy_policy_url: 'example.com/privacy' } }), /^Configuration \(JSON\) → business_profile\.privacy_policy_url: 'example\.com\/privacy' is not a valid URL$/);
		expectRefused(await json({ business_profile: { terms_of_service_url: 'https://example.com/te rms' } }), /^Configuration \(JSON\) → business_profile\.terms_of_service_url: .+ contains a space at position 23$/);
		expectRefused(await update({ inputMode: 'fields', updateFields: { defaultReturnUrl: 'javascript:alert(1)' } }), /^Default Return URL: 'javascript:alert\(1\)' is not a valid URL$/);
	});

	it('refuses a Business Headline over Stripe’s 60 characters in the form and in JSON, and sends one of 60', async () => {
		expectRefused(await update({ inputMode: 'fields', updateFields: { headline: 'H'.repeat(61) } }), /^Business Headline: is 61 characters long$/);
		expectRefused(await json({ business_profile: { headline: 'H'.repeat(61) } }), /^Configuration \(JSON\) → business_profile\.headline: is 61 characters long$/);
		const run = await update({ inputMode: 'fields', updateFields: { headline: 'H'.repeat(60) } });
		expect(run.error).toBeUndefined();
		expect(updateBody(run.requests[0]).business_profile?.headline).toBe('H'.repeat(60));
	});

	it('refuses a Name over Stripe’s general 5,000 characters in the form and in JSON, naming the limit', async () => {
		const form = await update({ inputMode: 'fields', updateFields: { name: 'n'.repeat(200_000) } });
		expectRefused(form, /^Name: is 200000 characters long$/);
		expect(form.error?.description).toBe('Stripe accepts at most 5000 characters here. Shorten the text.');
		expectRefused(await json({ name: 'n'.repeat(5_001) }), /^Configuration \(JSON\) → name: is 5001 characters long$/);
	});
});

describe('Options → Expand from expressions: Stripe expand paths of a configuration, or a field error', () => {
	const get = (expand: unknown, items: IDataObject[] = [{}]) =>
		runConfiguration(environment, 'get', { configuration: configurationById(seeded), options: { expand } } as INodeParameters, items);

	it.each([
		['={{ "configuration" }}', /^Options → Expand: 'configuration' cannot be expanded here/],
		['={{ "features" }}', /^Options → Expand: 'features' cannot be expanded here/],
		['={{ [{ a: 1 }] }}', /^Options → Expand: '\{"a":1\}' cannot be expanded here/],
		['={{ { a: 1 } }}', /^Options → Expand: '\{"a":1\}' cannot be expanded here/],
		['={{ "Application" }}', /^Options → Expand: 'Application' cannot be expanded here/],
		['={{ "application[0]" }}', /^Options → Expand: 'application\[0\]' cannot be expanded here/],
		['={{ "data.application" }}', /^Options → Expand: 'data\.application' cannot be expanded here/],
	])('refuses %s on Get before any request, and names what can be expanded', async (expand, message) => {
		const run = await get(expand);
		expectRefused(run, message);
		expect(run.error?.description).toMatch(/'application', 'features\.subscription_cancel\.cancellation_reason\.feedback_options'/);
	});

	it('takes a list or comma-separated text, each path once', async () => {
		const run = await get('={{ $json.expand }}', [{ expand: 'application, application' }, { expand: ['application'] }]);
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => request.query)).toEqual([{ expand: ['application'] }, { expand: ['application'] }]);
	});

	it('sends the feedback options of a cancellation reason, the other expandable property', async () => {
		const run = await get('={{ "features.subscription_cancel.cancellation_reason.feedback_options" }}');
		// The sandbox does not model this expansion; what matters here is what Stripe would get.
		expect(run.requests[0].query).toEqual({ expand: ['features.subscription_cancel.cancellation_reason.feedback_options'] });
	});

	it('expands under data. on Get Many, and says so for a path without it', async () => {
		const bare = await runConfiguration(environment, 'getAll', { returnAll: false, limit: 1, options: { expand: '={{ "application" }}' } });
		expectRefused(bare, /^Options → Expand: 'application' cannot be expanded here/);
		expect(bare.error?.description).toMatch(/'data\.application'/);
		const run = await runConfiguration(environment, 'getAll', { returnAll: false, limit: 1, options: { expand: '={{ "data.application" }}' } });
		expect(run.error).toBeUndefined();
		expect(run.requests[0].query).toEqual({ limit: '1', expand: ['data.application'] });
	});

	it('checks expand in JSON input the same way, and refuses it together with Options → Expand', async () => {
		expectRefused(await runConfiguration(environment, 'create', createJson(withInvoices({ expand: [{ a: 1 }] }))), /^Configuration \(JSON\) → expand: '\{"a":1\}' cannot be expanded here/);
		expectRefused(await runConfiguration(environment, 'create', createJson(withInvoices({ expand: ['features'] }))), /^Configuration \(JSON\) → expand: 'features' cannot be expanded here/);
		expectRefused(
			await runConfiguration(environment, 'update', { ...updateJson({ name: 'x', expand: ['application'] }), options: { expand: ['application'] } }),
			/^Options → Expand: is set together with 'expand' in Configuration \(JSON\)/,
		);
		const run = await runConfiguration(environment, 'create', createJson(withInvoices({ expand: ['application'] })));
		expect(run.error).toBeUndefined();
		expect(run.requests[0].path).toBe(CONFIGURATIONS_PATH);
		expect(createBody(run.requests[0]).expand).toEqual(['application']);
	});
});

describe('values from expressions read as the editor shows the field, or refused', () => {
	const fromItem = '={{ $json.v }}';
	const cancel = (cancellationReason: unknown) =>
		createFields({ subscriptionCancel: { enabled: true, cancellationReason, cancellationReasonOptions: ['other'], feedbackOptions: 'bfo_1' } });

	it.each(['true', ' true '])('reads Return All given as the text %p as Return All, for the first page and the pages after it', async (returnAll) => {
		addConfigurations(environment, 129);
		const run = await runConfiguration(environment, 'getAll', { returnAll: fromItem }, [{ v: returnAll }]);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(130);
		expect(run.requests.map((request) => request.query.limit)).toEqual(['100', '100']);
	});

	it.each(['', '  ', null])('reads an empty Ask for a Reason (%p) on Create as its default, No, and sends the reasons set next to it', async (ask) => {
		const run = await runConfiguration(environment, 'create', cancel(fromItem), [{ v: ask }]);
		expect(run.error).toBeUndefined();
		expect(createBody(run.requests[0]).features.subscription_cancel?.cancellation_reason).toEqual({ enabled: 'false', options: ['other'], feedback_options: ['bfo_1'] });
	});

	it.each([
		['Customer Update', { customerUpdate: { enabled: fromItem, allowedUpdates: ['email'] } }],
		['Subscription Cancel', { subscriptionCancel: { enabled: fromItem, mode: 'immediately' } }],
		['Subscription Pause', { subscriptionPause: { enabled: fromItem, durationType: 'indefinite' } }],
		['Subscription Update', { subscriptionUpdate: { enabled: fromItem, products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] } }] } } }],
		['Invoice History', { invoiceHistory: { enabled: fromItem } }],
		['Payment Method Update', { paymentMethodUpdate: { enabled: fromItem, paymentMethodConfiguration: 'pmc_1PgL4a2eZvKYlo2C' } }],
	])('refuses an empty Enabled of %s on Create, which Stripe requires, naming the field', async (feature, features) => {
		for (const value of ['', null]) {
			const run = await runConfiguration(environment, 'create', createFields(features), [{ v: value }]);
			expectRefused(run, new RegExp(`^Features → ${feature} → Enabled: is empty$`));
			expect(run.error?.description).toBe('Stripe needs Enabled of every feature a new configuration gets: give true or false, or remove the feature.');
		}
	});

	it.each([
		['Invoice History', { invoiceHistory: { enabled: fromItem } }],
		['Payment Method Update', { paymentMethodUpdate: { enabled: fromItem, paymentMethodConfiguration: 'pmc_1PgL4a2eZvKYlo2C' } }],
	])('refuses an empty Enabled of %s on Update too, where it has no Keep Current: Stripe needs it whenever the feature is sent', async (feature, features) => {
		const run = await runConfiguration(environment, 'update', updateFields({}, features), [{ v: '' }]);
		expectRefused(run, new RegExp(`^Features → ${feature} → Enabled: is empty$`));
		expect(run.error?.description).toBe('Stripe needs Enabled whenever this feature is sent: give true or false, or remove the feature.');
	});

	it('says what the switch takes on Create, where there is no Keep Current', async () => {
		const enabled = await runConfiguration(environment, 'create', createFields({ customerUpdate: { enabled: fromItem } }), [{ v: 'yes' }]);
		expectRefused(enabled, /^Features → Customer Update → Enabled: 'yes' is not true or false$/);
		expect(enabled.error?.description).toBe('Give true or false.');
		const ask = await runConfiguration(environment, 'create', cancel(fromItem), [{ v: 'yes' }]);
		expectRefused(ask, /^Features → Subscription Cancel → Ask for a Reason: 'yes' is not true or false$/);
		expect(ask.error?.description).toBe('Give true or false.');
		const onUpdate = await runConfiguration(environment, 'update', updateFields({}, { subscriptionCancel: { cancellationReason: fromItem } }), [{ v: 'yes' }]);
		expect(onUpdate.error?.description).toBe('Choose Yes, No or Keep Current.');
	});

	it('names the field by its display name when Clear Fields leaves Stripe without a key it needs', async () => {
		const run = await runConfiguration(environment, 'update', updateFields({ clearFields: ['feedbackOptions'] }));
		expectRefused(run, /^Features → Subscription Cancel → Ask for a Reason: is not set, and Stripe needs it with these changes$/);
	});

	it('refuses Feedback Option IDs, Product ID and Price ID over Stripe’s 5,000 characters before their pattern check', async () => {
		const long = 'a'.repeat(200_000);
		const feedback = await runConfiguration(
			environment,
			'create',
			createFields({ subscriptionCancel: { enabled: true, cancellationReason: true, cancellationReasonOptions: ['other'], feedbackOptions: fromItem } }),
			[{ v: long }],
		);
		expectRefused(feedback, /^Features → Subscription Cancel → Feedback Option IDs: is 200000 characters long$/);
		const product = (productId: unknown, priceId: unknown) =>
			createFields({ subscriptionUpdate: { enabled: true, products: { product: [{ product: productId, prices: { price: [{ id: priceId }] } }] } } });
		expectRefused(await runConfiguration(environment, 'create', product(fromItem, 'price_1'), [{ v: long }]), /^Features → Subscription Update → Products \(entry 1\) → Product ID: is 200000 characters long$/);
		expectRefused(await runConfiguration(environment, 'create', product('prod_A', fromItem), [{ v: `price_${long}` }]), /^Features → Subscription Update → Products \(entry 1\) → Prices: is 200006 characters long$/);
	});

	it.each(['minimumQuantity', 'maximumQuantity'])('refuses a %s too large to send as a whole number (1e21 would go out as 1e+21)', async (name) => {
		const run = await runConfiguration(
			environment,
			'create',
			createFields({ subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] }, adjustableQuantity: true, [name]: fromItem }] } } }),
			[{ v: 1e21 }],
		);
		expectRefused(run, /Products \(entry 1\) → (Minimum|Maximum) Quantity: '1e\+21' is larger than 9007199254740991/);
	});

	it('sends a Maximum Quantity of 9007199254740991, the largest whole number sent exactly, and refuses the next one', async () => {
		const parameters = createFields({
			subscriptionUpdate: { enabled: true, products: { product: [{ product: 'prod_A', prices: { price: [{ id: 'price_1' }] }, adjustableQuantity: true, maximumQuantity: fromItem }] } },
		});
		const largest = await runConfiguration(environment, 'create', parameters, [{ v: Number.MAX_SAFE_INTEGER }]);
		expect(largest.error).toBeUndefined();
		expect(createBody(largest.requests[0]).features.subscription_update?.products).toEqual([
			{ product: 'prod_A', prices: ['price_1'], adjustable_quantity: { enabled: 'true', maximum: '9007199254740991' } },
		]);
		expectRefused(
			await runConfiguration(environment, 'create', parameters, [{ v: Number.MAX_SAFE_INTEGER + 1 }]),
			/Products \(entry 1\) → Maximum Quantity: '9007199254740992' is larger than 9007199254740991/,
		);
	});
});

describe('metadata keys of digits only, which Stripe keeps as keys', () => {
	it('sends a key of digits below 1,000 from Metadata and JSON, and removes one, as the keys they are', async () => {
		const run = await runConfiguration(environment, 'create', createFields(invoices, { metadata: { pair: [{ key: '={{ $json.v }}', value: 'x' }, { key: '0', value: 'y' }] } }), [{ v: ' 42 ' }]);
		expect(run.error).toBeUndefined();
		expect(createBody(run.requests[0]).metadata).toEqual({ 0: 'y', 42: 'x' });
		expect(run.items[0].json.metadata).toEqual({ 0: 'y', 42: 'x' });

		const json = await runConfiguration(environment, 'create', createJson(withInvoices({ metadata: { 7: 'a', 1000: 'b' } })));
		expect(json.error).toBeUndefined();
		expect(json.items[0].json.metadata).toEqual({ 7: 'a', 1000: 'b' });

		environment.sandbox.store.getConfiguration(seeded)!.metadata = { 3: 'old', team: 'a' };
		const removed = await runConfiguration(environment, 'update', updateFields({ metadataKeysToRemove: '={{ $json.v }}' }), [{ v: '3' }]);
		expect(removed.error).toBeUndefined();
		expect(removed.items[0].json.metadata).toEqual({ team: 'a' });
	});
});
