/**
 * Additional Fields of Portal Session → Create: each one as it reaches Stripe.
 */
import type Stripe from 'stripe';

import { PORTAL_LOCALES } from '../../../nodes/StripeBillingPortal/resources/portalSession/constants';
import { SEED_IDS } from '../../sandbox';
import { DEFAULT_RETURN_URL, customerById, onTheWire, runCreateSession, sessionBody, useEnvironment } from '../../support/session';

// The account the portal is shown on behalf of, connected to the platform.
const environment = useEnvironment({ connectedAccounts: ['acct_1PgKyJ2eZvKYlo2C'] });
const customer = customerById(SEED_IDS.jenny);

describe('additional fields', () => {
	it('uses a configuration picked by ID or From List, and expands it in the output', async () => {
		const configuration = environment.sandbox.addConfiguration({ business_profile: { headline: 'Acme plans' }, default_return_url: DEFAULT_RETURN_URL });
		const run = await runCreateSession(
			environment,
			{ customer, additionalFields: { configuration: { __rl: true, mode: 'id', value: '={{ $json.configuration }}' }, expand: ['configuration'] } },
			[{ configuration: configuration.id }],
		);
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.SessionCreateParams = {
			customer: SEED_IDS.jenny,
			configuration: configuration.id,
			expand: ['configuration'],
		};
		expect(sessionBody(run.requests[0])).toEqual(onTheWire(expected));
		expect(run.requests[0].rawBody).toContain('expand%5B%5D=configuration');
		expect(run.items[0].json.configuration).toMatchObject({ id: configuration.id, object: 'billing_portal.configuration' });

		const fromList = await runCreateSession(environment, {
			customer,
			additionalFields: { configuration: { __rl: true, mode: 'list', value: configuration.id, cachedResultName: 'Acme plans' } },
		});
		expect(sessionBody(fromList.requests[0]).configuration).toBe(configuration.id);
	});

	it('sets every one of the 47 portal locales', async () => {
		const run = await runCreateSession(
			environment,
			{ customer, additionalFields: { locale: '={{ $json.locale }}' } },
			PORTAL_LOCALES.map(({ value }) => ({ locale: value })),
		);
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => sessionBody(request).locale)).toEqual(PORTAL_LOCALES.map(({ value }) => value));
		expect(run.items.map((item) => item.json.locale)).toEqual(PORTAL_LOCALES.map(({ value }) => value));
	});

	it('shows the portal on behalf of a connected account', async () => {
		const run = await runCreateSession(environment, { customer, additionalFields: { onBehalfOf: 'acct_1PgKyJ2eZvKYlo2C' } });
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0])).toEqual(onTheWire({ customer: SEED_IDS.jenny, on_behalf_of: 'acct_1PgKyJ2eZvKYlo2C' }));
		expect(run.requests[0].headers['stripe-account']).toBeUndefined();
	});

	it('lets an expired link offer a login, with or without an end date', async () => {
		const inAWeek = new Date(Date.now() + 7 * 24 * 3600 * 1000);
		inAWeek.setMilliseconds(0);
		const run = await runCreateSession(
			environment,
			{ customer, additionalFields: { loginAfterExpiry: true, loginExpiresAt: '={{ $json.until }}' } },
			[{ until: inAWeek.toISOString() }, { until: '' }, { until: Math.floor(inAWeek.getTime() / 1000) }],
		);
		expect(run.error).toBeUndefined();
		const seconds = Math.floor(inAWeek.getTime() / 1000);
		const expected: Array<Stripe.BillingPortal.SessionCreateParams.AfterExpiration> = [
			{ type: 'customer_login', customer_login: { expires_at: seconds } },
			{ type: 'customer_login' },
			{ type: 'customer_login', customer_login: { expires_at: seconds } },
		];
		expect(run.requests.map((request) => sessionBody(request).after_expiration)).toEqual(
			expected.map((value) => onTheWire({ after_expiration: value }).after_expiration),
		);
	});

	it('takes a date from an n8n DateTime expression', async () => {
		const run = await runCreateSession(environment, {
			customer,
			additionalFields: { loginExpiresAt: '={{ $now.plus(3, "days") }}' },
		});
		expect(run.error).toBeUndefined();
		const expiresAt = Number(sessionBody(run.requests[0]).after_expiration?.customer_login?.expires_at);
		expect(Math.abs(expiresAt - (Date.now() / 1000 + 3 * 24 * 3600))).toBeLessThan(120);
	});

	it('sends no after_expiration when the login is turned off', async () => {
		const run = await runCreateSession(environment, { customer, additionalFields: { loginAfterExpiry: false } });
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0])).not.toHaveProperty('after_expiration');
	});

	it('sends all additional fields together', async () => {
		const configuration = environment.sandbox.addConfiguration({ default_return_url: DEFAULT_RETURN_URL });
		const run = await runCreateSession(environment, {
			customer,
			returnUrl: 'https://example.com/account',
			additionalFields: {
				configuration: { __rl: true, mode: 'id', value: configuration.id },
				expand: ['configuration'],
				locale: 'fr-CA',
				loginAfterExpiry: true,
				onBehalfOf: 'acct_1PgKyJ2eZvKYlo2C',
			},
		});
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.SessionCreateParams = {
			customer: SEED_IDS.jenny,
			return_url: 'https://example.com/account',
			configuration: configuration.id,
			expand: ['configuration'],
			locale: 'fr-CA',
			after_expiration: { type: 'customer_login' },
			on_behalf_of: 'acct_1PgKyJ2eZvKYlo2C',
		};
		expect(sessionBody(run.requests[0])).toEqual(onTheWire(expected));
	});
});
