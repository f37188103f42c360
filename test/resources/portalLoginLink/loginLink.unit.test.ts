/**
 * Portal Login Link → Get's hooks against a stub context: buildLoginLinkRequest (preSend) turns
 * the parameters into the configuration request, loginLinkOutput (postReceive) turns Stripe's
 * configuration into the link. No lookup runs here (no customer, or one By Email, which is not
 * read from Stripe); the customer read By ID and the tool variant are proven through n8n and the
 * sandbox in get.test.ts.
 */
import type { IExecuteSingleFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import type Stripe from 'stripe';

import { buildLoginLinkRequest, loginLinkOutput } from '../../../nodes/StripeBillingPortal/resources/portalLoginLink/loginLink';
import { stubContext } from '../../support/stub-context';

const CONFIGURATIONS_PATH = '/v1/billing_portal/configurations';
const LOGIN_PAGE = 'https://billing.stripe.com/p/login/test_6oE9BbaQ42kB0Ag288';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });

/** The request options n8n hands the hook: the operation's routing.request. */
const routed = (): IHttpRequestOptions => ({ method: 'GET', url: CONFIGURATIONS_PATH });

function context(parameters: Record<string, unknown>): IExecuteSingleFunctions {
	return stubContext({ parameters }) as unknown as IExecuteSingleFunctions;
}

function configuration(overrides: Partial<Stripe.BillingPortal.Configuration> = {}): Partial<Stripe.BillingPortal.Configuration> {
	return {
		id: 'bpc_1PgL0c2eZvKYlo2C',
		object: 'billing_portal.configuration',
		active: true,
		is_default: true,
		livemode: false,
		login_page: { enabled: true, url: LOGIN_PAGE },
		...overrides,
	};
}

const answer = (body: unknown): IN8nHttpFullResponse => ({ body: body as IN8nHttpFullResponse['body'], headers: {}, statusCode: 200 });

describe('buildLoginLinkRequest', () => {
	it('with no Configuration asks for the account’s default one', async () => {
		const query: Stripe.BillingPortal.ConfigurationListParams = { is_default: true, limit: 1 };
		await expect(buildLoginLinkRequest.call(context({ customer: '', configuration: '' }), routed())).resolves.toEqual({
			method: 'GET',
			url: CONFIGURATIONS_PATH,
			qs: query,
		});
	});

	it('with a Configuration reads that one by its checked ID', async () => {
		await expect(buildLoginLinkRequest.call(context({ configuration: byId('bpc_1PgL0c2eZvKYlo2C') }), routed())).resolves.toEqual({
			method: 'GET',
			url: `${CONFIGURATIONS_PATH}/bpc_1PgL0c2eZvKYlo2C`,
			qs: {},
		});
	});

	it('refuses a Configuration that is not a configuration ID, before any request', async () => {
		await expect(buildLoginLinkRequest.call(context({ configuration: byId('cus_QXg4jK0yT7oZ3r') }), routed())).rejects.toThrow(/^Configuration: /);
	});

	it('refuses a customer By Email that is not an address, before any request', async () => {
		await expect(buildLoginLinkRequest.call(context({ customer: byEmail('jenny.rosen') }), routed())).rejects.toThrow(/^Customer: /);
	});
});

describe('loginLinkOutput', () => {
	it('gives the login page’s link with the e-mail the preSend found filled in', async () => {
		const run = context({ customer: byEmail('jenny.rosen@example.com') });
		await buildLoginLinkRequest.call(run, routed());
		await expect(loginLinkOutput.call(run, [], answer(configuration()))).resolves.toEqual([
			{
				json: {
					url: `${LOGIN_PAGE}?prefilled_email=jenny.rosen%40example.com`,
					loginPageUrl: LOGIN_PAGE,
					prefilledEmail: 'jenny.rosen@example.com',
					configuration: 'bpc_1PgL0c2eZvKYlo2C',
					isDefault: true,
					loginPageEnabled: true,
					livemode: false,
				},
			},
		]);
	});

	it('takes the first configuration of the default filter’s list, and gives the link without an e-mail when no customer was chosen', async () => {
		const run = context({ customer: '' });
		await buildLoginLinkRequest.call(run, routed());
		const [item] = await loginLinkOutput.call(run, [], answer({ object: 'list', data: [configuration()], has_more: false }));
		expect(item.json).toMatchObject({ url: LOGIN_PAGE, prefilledEmail: null });
	});

	it('says where to turn the login page on when it is off', async () => {
		const run = context({ customer: '' });
		await buildLoginLinkRequest.call(run, routed());
		await expect(loginLinkOutput.call(run, [], answer(configuration({ login_page: { enabled: false, url: null } })))).rejects.toThrow(
			/^Configuration: the login page of 'bpc_1PgL0c2eZvKYlo2C' is turned off/,
		);
	});

	it('says how to set the portal up when the account has no default configuration', async () => {
		const run = context({ customer: '' });
		await buildLoginLinkRequest.call(run, routed());
		await expect(loginLinkOutput.call(run, [], answer({ object: 'list', data: [], has_more: false }))).rejects.toThrow(
			/^Configuration: the account has no default portal configuration in test mode yet/,
		);
	});
});
