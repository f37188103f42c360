/**
 * Portal Configuration's preSend hooks (Create, Update, Get, Get Many) against a stub context: the
 * parameters as n8n hands them over → the request options each passes on. The engine stories in
 * create.test.ts, get-update.test.ts, get-many.test.ts and input-checks.test.ts prove the same
 * through n8n and the sandbox.
 */
import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import type Stripe from 'stripe';

import {
	buildConfigurationCreateBody,
	buildConfigurationGetRequest,
	buildConfigurationListQuery,
	buildConfigurationUpdateRequest,
} from '../../../nodes/StripeBillingPortal/resources/portalConfiguration/body';
import { stubContext } from '../../support/stub-context';

const CONFIGURATIONS_PATH = '/v1/billing_portal/configurations';
const CONFIGURATION_ID = 'bpc_1PgL0c2eZvKYlo2C';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

type Hook = (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

/** Runs a hook as n8n does: bound to the item's context, on the operation's routing.request. */
async function run(hook: Hook, method: 'GET' | 'POST', parameters: Record<string, unknown>): Promise<IHttpRequestOptions> {
	const context = stubContext({ parameters }) as unknown as IExecuteSingleFunctions;
	return await hook.call(context, { method, url: CONFIGURATIONS_PATH });
}

describe('buildConfigurationCreateBody', () => {
	it('builds the body from the form: features, business profile and metadata, nothing left empty', async () => {
		const expected: Stripe.BillingPortal.ConfigurationCreateParams = {
			name: 'Support portal',
			business_profile: { headline: 'Acme billing' },
			metadata: { team: 'support' },
			features: {
				customer_update: { enabled: true, allowed_updates: ['email', 'address'] },
				invoice_history: { enabled: true },
			},
		};
		await expect(
			run(buildConfigurationCreateBody, 'POST', {
				inputMode: 'fields',
				features: { customerUpdate: { enabled: true, allowedUpdates: ['email', 'address'] }, invoiceHistory: { enabled: true } },
				additionalFields: { name: 'Support portal', headline: ' Acme billing ', privacyPolicyUrl: '', metadata: { pair: [{ key: 'team', value: 'support' }] } },
			}),
		).resolves.toEqual({ method: 'POST', url: CONFIGURATIONS_PATH, body: expected });
	});

	it('takes the body from JSON input as written, with Options → Expand added', async () => {
		const expected: Stripe.BillingPortal.ConfigurationCreateParams = {
			features: { subscription_pause: { enabled: true, duration: { type: 'interval_options', interval_options: [{ interval: 'month', interval_count: 2 }] } } },
			default_return_url: 'https://example.com/account',
			expand: ['application'],
		};
		await expect(
			run(buildConfigurationCreateBody, 'POST', {
				inputMode: 'json',
				configurationJson: JSON.stringify({
					features: { subscription_pause: { enabled: true, duration: { type: 'interval_options', interval_options: [{ interval: 'month', interval_count: 2 }] } } },
					default_return_url: 'https://example.com/account',
				}),
				options: { expand: ['application'] },
			}),
		).resolves.toEqual({ method: 'POST', url: CONFIGURATIONS_PATH, body: expected });
	});

	it('refuses a misspelt JSON key before anything is sent, and suggests the parameter', async () => {
		await expect(run(buildConfigurationCreateBody, 'POST', { inputMode: 'json', configurationJson: '{ "featurs": {} }' })).rejects.toMatchObject({
			message: "Configuration (JSON): 'featurs' is not a parameter of a portal configuration",
			description: expect.stringMatching(/^Did you mean 'features'\? Allowed here: /),
		});
	});
});

describe('buildConfigurationUpdateRequest', () => {
	it('puts the validated ID in the path and sends only what changes, a cleared field as ""', async () => {
		const expected: Stripe.BillingPortal.ConfigurationUpdateParams = {
			active: false,
			name: '',
			features: { invoice_history: { enabled: false } },
		};
		await expect(
			run(buildConfigurationUpdateRequest, 'POST', {
				inputMode: 'fields',
				configuration: byId(CONFIGURATION_ID),
				updateFields: { active: false, clearFields: ['name'] },
				features: { invoiceHistory: { enabled: false } },
			}),
		).resolves.toEqual({ method: 'POST', url: `${CONFIGURATIONS_PATH}/${CONFIGURATION_ID}`, body: expected });
	});

	it('refuses an update with nothing to change', async () => {
		await expect(
			run(buildConfigurationUpdateRequest, 'POST', { inputMode: 'fields', configuration: byId(CONFIGURATION_ID), updateFields: {}, features: {} }),
		).rejects.toMatchObject({ message: 'Update Fields: nothing to update' });
	});
});

describe('buildConfigurationGetRequest', () => {
	it('puts the validated ID in the path and the expansions in the query', async () => {
		const expected: Stripe.BillingPortal.ConfigurationRetrieveParams = { expand: ['application'] };
		await expect(run(buildConfigurationGetRequest, 'GET', { configuration: byId(CONFIGURATION_ID), options: { expand: ['application'] } })).resolves.toEqual({
			method: 'GET',
			url: `${CONFIGURATIONS_PATH}/${CONFIGURATION_ID}`,
			qs: expected,
		});
	});

	it('refuses a path in place of an ID, so nothing but bpc_… reaches the URL', async () => {
		await expect(run(buildConfigurationGetRequest, 'GET', { configuration: byId('../customers') })).rejects.toMatchObject({
			message: "Configuration: '../customers' is not a valid ID",
		});
	});
});

describe('buildConfigurationListQuery', () => {
	it('sends the filters, the cursor and a first page no larger than the limit', async () => {
		const expected: Stripe.BillingPortal.ConfigurationListParams = { limit: 10, active: true, starting_after: CONFIGURATION_ID };
		await expect(
			run(buildConfigurationListQuery, 'GET', { returnAll: false, limit: 10, filters: { active: true }, options: { startingAfter: CONFIGURATION_ID } }),
		).resolves.toEqual({ method: 'GET', url: CONFIGURATIONS_PATH, qs: expected });
	});

	it('asks for Stripe’s largest page when Return All is on, and expands the listed objects (data.…)', async () => {
		const expected: Stripe.BillingPortal.ConfigurationListParams = { limit: 100, is_default: false, expand: ['data.application'] };
		await expect(
			run(buildConfigurationListQuery, 'GET', { returnAll: true, filters: { isDefault: 'false' }, options: { expand: ['data.application'] } }),
		).resolves.toEqual({ method: 'GET', url: CONFIGURATIONS_PATH, qs: expected });
	});

	it('refuses paging both ways at once', async () => {
		await expect(
			run(buildConfigurationListQuery, 'GET', { options: { startingAfter: CONFIGURATION_ID, endingBefore: 'bpc_1PgL0c2eZvKYlo2D' } }),
		).rejects.toMatchObject({ message: 'Starting After: is set together with Ending Before' });
	});
});
