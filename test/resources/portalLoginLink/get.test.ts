/**
 * Portal Login Link → Get: the portal's lasting login link, with the customer's e-mail filled in
 * (Stripe's `prefilled_email`), from the default configuration or a chosen one. Each story: the
 * parameters → what Stripe received → the item the next node gets.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { SEED_IDS } from '../../sandbox';
import { runStripeNode, useEnvironment, type SessionRun } from '../../support/session';

const environment = useEnvironment();
const LOGIN_PAGE_URL = 'https://billing.stripe.com/p/login/test_SandboxDefaultLogin01';
const CONFIGURATIONS = '/v1/billing_portal/configurations';

const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

async function getLoginLink(parameters: INodeParameters = {}, items: IDataObject[] = [{}]): Promise<SessionRun> {
	return await runStripeNode(environment, { resource: 'portalLoginLink', operation: 'get', ...parameters }, items);
}

beforeEach(() => {
	const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
	if (configuration) configuration.login_page = { enabled: true, url: LOGIN_PAGE_URL };
});

describe('the default configuration’s login link', () => {
	it('without a customer: the plain link, read through the is_default filter', async () => {
		const run = await getLoginLink();
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${CONFIGURATIONS}`]);
		expect(run.requests[0].query).toEqual({ is_default: 'true', limit: '1' });
		expect(run.items).toEqual([
			{
				json: {
					url: LOGIN_PAGE_URL,
					loginPageUrl: LOGIN_PAGE_URL,
					prefilledEmail: null,
					configuration: SEED_IDS.defaultConfiguration,
					isDefault: true,
					loginPageEnabled: true,
					livemode: false,
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('By Email from an expression: the address filled in and encoded, with no customer lookup', async () => {
		const run = await getLoginLink({ customer: byEmail('={{ $json.email }}') }, [{ email: 'jenny+billing@example.com' }, { email: 'max.mustermann@example.com' }]);
		expect(run.error).toBeUndefined();
		// Only the configuration is read (at least once), never a customer.
		expect(new Set(run.requests.map((request) => `${request.method} ${request.path}`))).toEqual(new Set([`GET ${CONFIGURATIONS}`]));
		expect(run.items.map((item) => item.json.url)).toEqual([
			`${LOGIN_PAGE_URL}?prefilled_email=jenny%2Bbilling%40example.com`,
			`${LOGIN_PAGE_URL}?prefilled_email=max.mustermann%40example.com`,
		]);
		expect(run.items.map((item) => item.json.prefilledEmail)).toEqual(['jenny+billing@example.com', 'max.mustermann@example.com']);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('a customer picked By ID: their e-mail read from Stripe first', async () => {
		const run = await getLoginLink({ customer: byId(SEED_IDS.jenny) });
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
			`GET /v1/customers/${SEED_IDS.jenny}`,
			`GET ${CONFIGURATIONS}`,
		]);
		expect(run.items[0].json).toMatchObject({ url: `${LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`, prefilledEmail: 'jenny.rosen@example.com' });
	});

	it('a customer picked By URL (their dashboard link)', async () => {
		const run = await getLoginLink({ customer: { __rl: true, mode: 'url', value: `https://dashboard.stripe.com/test/customers/${SEED_IDS.max}` } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.prefilledEmail).toBe('max.mustermann@example.com');
	});
});

describe('a chosen configuration', () => {
	it('is read by its ID', async () => {
		const configuration = environment.sandbox.addConfiguration({ name: 'Support', login_page: { enabled: true, url: 'https://billing.stripe.com/p/login/test_Support01' } });
		const run = await getLoginLink({ configuration: byId(configuration.id), customer: byEmail('jenny.rosen@example.com') });
		expect(run.error).toBeUndefined();
		expect(run.requests[0].path).toBe(`${CONFIGURATIONS}/${configuration.id}`);
		expect(run.items[0].json).toMatchObject({
			url: 'https://billing.stripe.com/p/login/test_Support01?prefilled_email=jenny.rosen%40example.com',
			configuration: configuration.id,
			isDefault: false,
		});
	});

	it('whose login page is off: an error that says where to turn it on', async () => {
		const configuration = environment.sandbox.addConfiguration({ name: 'No login page' });
		const run = await getLoginLink({ configuration: byId(configuration.id) });
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toBe(`Configuration: the login page of '${configuration.id}' is turned off, so it has no lasting link`);
		expect(run.error?.description).toMatch(/^Turn it on with Portal Configuration → Update → Login Page: On/);
	});

	it('that does not exist: Stripe’s message, naming the field', async () => {
		const run = await getLoginLink({ configuration: byId('bpc_1DoesNotExist000') });
		expect(run.error?.message).toBe("No such configuration: 'bpc_1DoesNotExist000'");
		expect(run.error?.description).toContain('Check the ID in Configuration');
	});
});

describe('what stops a login link', () => {
	it('no default configuration yet (portal settings never saved in test mode)', async () => {
		const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
		if (configuration) configuration.is_default = false;
		const run = await getLoginLink();
		expect(run.error?.message).toBe('Configuration: the account has no default portal configuration in test mode yet');
		expect(run.error?.description).toContain('https://dashboard.stripe.com/test/settings/billing/portal');
	});

	it('a customer without an e-mail address', async () => {
		const customer = environment.sandbox.addCustomer({ email: null, name: 'No Mail' });
		const run = await getLoginLink({ customer: byId(customer.id) });
		expect(run.requests.map((request) => request.path)).toEqual([`/v1/customers/${customer.id}`]);
		expect(run.error?.message).toBe(`Customer: customer ${customer.id} has no e-mail address in Stripe`);
	});

	it('a customer deleted in Stripe: says so, and the configuration is never read', async () => {
		const customer = environment.sandbox.addCustomer({ email: 'gone@example.com', name: 'Gone' });
		environment.sandbox.deleteCustomer(customer.id);
		const run = await getLoginLink({ customer: byId(customer.id) });
		expect(run.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([`GET /v1/customers/${customer.id} 200`]);
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toBe(`Customer: customer ${customer.id} has been deleted`);
		expect(run.error?.description).toBe('Choose a customer that still exists, or leave Customer empty for the link without an e-mail.');
	});

	it.each([
		['an address with a name around it', byEmail('={{ "Jenny <jenny.rosen@example.com>" }}'), /^Customer: .* is not an email address$/],
		['a customer ID that tries to leave the path', byId('={{ "cus_1/../../v1/charges" }}'), /^Customer: .* is not a valid ID$/],
		['a configuration ID of the wrong shape', undefined, /^Configuration: 'cus_123' is not a valid ID$/],
	])('%s: refused before any request', async (_story, customer, message) => {
		const run = await getLoginLink(customer ? { customer } : { configuration: byId('={{ "cus_123" }}') });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(message);
	});
});
