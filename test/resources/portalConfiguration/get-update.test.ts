/**
 * Portal Configuration → Get and Update: the configuration picked by a validated ID (never a
 * raw value in the URL path), and an update that sends only what the user changed or
 * explicitly cleared.
 */
import type { INodeParameters } from 'n8n-workflow';
import type Stripe from 'stripe';

import { SEED_IDS } from '../../sandbox';
import { CONFIGURATIONS_PATH, configurationById, runConfiguration, updateBody } from '../../support/configuration';
import { onTheWire, useEnvironment } from '../../support/session';

const environment = useEnvironment();
const seeded = SEED_IDS.defaultConfiguration;

describe('Portal Configuration → Get', () => {
	it('gets the configuration chosen By ID, and its login page link', async () => {
		const run = await runConfiguration(environment, 'get', { configuration: configurationById(seeded) });
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => [request.method, request.path])).toEqual([['GET', `${CONFIGURATIONS_PATH}/${seeded}`]]);
		expect(run.items.map((item) => item.json.id)).toEqual([seeded]);
	});

	it('takes the ID from an expression per item, chosen From List the same way, and expands on request', async () => {
		const other = environment.sandbox.addConfiguration({ name: 'Other' }).id;
		const run = await runConfiguration(
			environment,
			'get',
			{ configuration: { __rl: true, mode: 'list', value: '={{ $json.configuration }}' }, options: { expand: ['application'] } },
			[{ configuration: seeded }, { configuration: other }],
		);
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => request.path)).toEqual([`${CONFIGURATIONS_PATH}/${seeded}`, `${CONFIGURATIONS_PATH}/${other}`]);
		expect(run.requests[0].query).toEqual({ expand: ['application'] });
		expect(run.items.map((item) => [item.json.id, item.pairedItem])).toEqual([
			[seeded, { item: 0 }],
			[other, { item: 1 }],
		]);
	});

	it.each(['../customers', 'bpc_123/../../customers', 'bpc_123?expand[]=x', 'bpc_%2e%2e', ' ', 'cus_123'])(
		'refuses %j before any request, so it cannot reach another endpoint',
		async (value) => {
			const run = await runConfiguration(environment, 'get', { configuration: configurationById(`={{ ${JSON.stringify(value)} }}`) });
			expect(run.error?.message).toMatch(/^Configuration: /);
			expect(run.requests).toHaveLength(0);
		},
	);

	it('passes Stripe’s 404 through and names the Configuration field', async () => {
		const run = await runConfiguration(environment, 'get', { configuration: configurationById('bpc_DoesNotExist1') });
		expect(run.error?.message).toMatch(/No such configuration: 'bpc_DoesNotExist1'/);
		expect(run.error?.description).toMatch(/Check the ID in Configuration/);
	});
});

describe('Portal Configuration → Update', () => {
	it('sends only the fields the user set, to the configuration’s own path', async () => {
		const run = await runConfiguration(environment, 'update', {
			configuration: configurationById(seeded),
			inputMode: 'fields',
			updateFields: { name: 'Renamed', defaultReturnUrl: 'https://example.com/new', active: true },
			features: {
				subscriptionCancel: { enabled: '', mode: 'at_period_end', prorationBehavior: '', cancellationReason: '', cancellationReasonOptions: [], feedbackOptions: '' },
			},
		});
		expect(run.error).toBeUndefined();
		const [request] = run.requests;
		expect([request.method, request.path]).toEqual(['POST', `${CONFIGURATIONS_PATH}/${seeded}`]);
		const expected: Stripe.BillingPortal.ConfigurationUpdateParams = {
			active: true,
			name: 'Renamed',
			default_return_url: 'https://example.com/new',
			features: { subscription_cancel: { mode: 'at_period_end' } },
		};
		expect(updateBody(request)).toEqual(onTheWire(expected));
		expect(run.items[0].json).toMatchObject({ id: seeded, name: 'Renamed', default_return_url: 'https://example.com/new' });
		expect(environment.sandbox.getConfiguration(seeded)?.features.subscription_cancel.mode).toBe('at_period_end');
	});

	it('clears exactly the fields listed under Clear Fields, and removes metadata keys', async () => {
		const run = await runConfiguration(environment, 'update', {
			configuration: configurationById(seeded),
			inputMode: 'fields',
			updateFields: {
				clearFields: ['name', 'headline', 'products', 'allowedUpdates'],
				metadata: { pair: [{ key: 'team', value: 'growth' }] },
				metadataKeysToRemove: 'legacy_id, old',
			},
			features: {
				customerUpdate: { enabled: 'true', allowedUpdates: [] },
				subscriptionUpdate: { enabled: 'false', defaultAllowedUpdates: [], prorationBehavior: '', billingCycleAnchor: '', scheduleAtPeriodEnd: [], trialUpdateBehavior: '' },
			},
		});
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.ConfigurationUpdateParams = {
			name: '',
			business_profile: { headline: '' },
			metadata: { team: 'growth', legacy_id: '', old: '' },
			features: {
				customer_update: { enabled: true, allowed_updates: '' },
				subscription_update: { enabled: false, products: '' },
			},
		};
		expect(updateBody(run.requests[0])).toEqual(onTheWire(expected));
	});

	it('turns a configuration off with Active, as Stripe has no delete', async () => {
		const other = environment.sandbox.addConfiguration({ name: 'Old' }).id;
		const run = await runConfiguration(environment, 'update', {
			configuration: configurationById(other),
			inputMode: 'fields',
			updateFields: { active: false },
		});
		expect(run.error).toBeUndefined();
		expect(updateBody(run.requests[0])).toEqual({ active: 'false' });
		expect(environment.sandbox.getConfiguration(other)?.active).toBe(false);
	});

	it('sends JSON input as written, empty strings included', async () => {
		const run = await runConfiguration(environment, 'update', {
			configuration: configurationById(seeded),
			inputMode: 'json',
			configurationJson: '{ "default_return_url": "", "login_page": { "enabled": true }, "features": { "invoice_history": { "enabled": false } } }',
		});
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.ConfigurationUpdateParams = {
			default_return_url: '',
			login_page: { enabled: true },
			features: { invoice_history: { enabled: false } },
		};
		expect(updateBody(run.requests[0])).toEqual(onTheWire(expected));
		expect(run.items[0].json).toMatchObject({ default_return_url: null, login_page: { enabled: true, url: expect.any(String) } });
	});

	describe('refuses bad input before any request', () => {
		const base = { configuration: configurationById(seeded), inputMode: 'fields' };
		const cases: Array<[string, object, RegExp]> = [
			['nothing to update', {}, /^Update Fields: nothing to update/],
			['a field both set and cleared', { updateFields: { name: 'x', clearFields: ['name'] } }, /^Clear Fields: Name is both set and cleared/],
			[
				'a metadata key both set and removed',
				{ updateFields: { metadata: { pair: [{ key: 'team', value: 'x' }] }, metadataKeysToRemove: 'team' } },
				/^Remove Metadata Keys: 'team' is also set under Metadata/,
			],
			[
				'reasons changed with Ask for a Reason on Keep Current',
				{ features: { subscriptionCancel: { enabled: '', cancellationReason: '', cancellationReasonOptions: ['other'] } } },
				/Ask for a Reason: is Keep Current while reasons are set/,
			],
			[
				'a cleared payment method configuration without its feature',
				{ updateFields: { clearFields: ['paymentMethodConfiguration'] } },
				/^Features → Payment Method Update → Enabled: is not set, and Stripe needs it with these changes/,
			],
			[
				'cleared pause lengths without a Duration',
				{ updateFields: { clearFields: ['intervalOptions'] } },
				/^Features → Subscription Pause → Duration: is not set, and Stripe needs it with these changes/,
			],
			[
				'a feature added with nothing in it',
				{ features: { subscriptionPause: { enabled: '', durationType: '', intervalOptions: {} } } },
				/^Features → Subscription Pause: has nothing to change/,
			],
			['an ID that tries another path', { configuration: configurationById('={{ "../customers" }}'), updateFields: { name: 'x' } }, /^Configuration: '..\/customers' is not a valid ID/],
			['an empty JSON object', { inputMode: 'json', configurationJson: '{}' }, /^Configuration \(JSON\): nothing to update/],
		];
		it.each(cases)('%s', async (_name, parameters, message) => {
			const run = await runConfiguration(environment, 'update', { ...base, ...parameters } as INodeParameters);
			expect(run.error?.message).toMatch(message);
			expect(run.requests).toHaveLength(0);
		});
	});
});
