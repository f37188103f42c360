/**
 * Customer By Email: the node finds the customer with `GET /v1/customers?email=…` (as the session
 * request's own credential, headers and Base URL), then creates the session for that customer.
 * No match, several matches and bad addresses stop the item before any session request, with an
 * error that names the email and says what to change.
 */
import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeParameters,
	INodeProperties,
	NodeParameterValue,
} from 'n8n-workflow';

import { runListSearch } from '../../harness';
import { SEED_IDS, type RecordedRequest } from '../../sandbox';
import {
	NODE_TYPE,
	SECRET_KEY,
	credentialsFor,
	onTheWire,
	runCreateSession,
	sessionBody,
	useEnvironment,
	type SessionRun,
} from '../../support/session';
import { StripeBillingPortal } from '../../../nodes/StripeBillingPortal/StripeBillingPortal.node';
import { MULTIPLE_CUSTOMERS } from '../../../nodes/StripeBillingPortal/resources/portalSession/constants';
import {
	chooseCustomer,
	customerIdFromEmail,
	lookUpCustomersByEmail,
	mostRecentlyCreated,
} from '../../../nodes/StripeBillingPortal/resources/portalSession/customerLookup';
import { isEmailAddress } from '../../../nodes/StripeBillingPortal/shared/email';

const LEAKABLE_KEY = 'sk_test_51EmailLookupSecretKey00000000000000000000000000000000000000';
const PORTAL_ONLY_KEY = 'rk_test_51EmailPortalOnlyRestrictedKey00000000000000000000000000000';
const PORTAL_AND_CUSTOMERS_KEY = 'rk_test_51EmailPortalAndCustomersKey0000000000000000000000000000';

const environment = useEnvironment({
	secretKeys: [SECRET_KEY, LEAKABLE_KEY],
	restrictedKeys: {
		[PORTAL_ONLY_KEY]: ['billing_portal'],
		[PORTAL_AND_CUSTOMERS_KEY]: ['billing_portal', 'customers_read'],
	},
});

const JENNY_EMAIL = 'jenny.rosen@example.com';
const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });
const mostRecent = { multipleCustomers: 'mostRecent' };

const lookups = (run: SessionRun) => run.requests.filter((request) => request.method === 'GET' && request.path === '/v1/customers');
const sessionRequests = (run: SessionRun) => run.requests.filter((request) => request.path === '/v1/billing_portal/sessions');

/** Everything a user or an operator could see of a run, as text. */
function everythingVisible(run: SessionRun): string {
	return JSON.stringify({ items: run.items, error: run.error, runData: run.runData, logs: run.logs });
}

describe('Customer By Email: one customer has the email', () => {
	it('looks the customer up by email in the query string, then creates the session for its ID', async () => {
		const run = await runCreateSession(environment, {
			customer: byEmail(JENNY_EMAIL),
			returnUrl: 'https://example.com/account',
		});

		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
			'GET /v1/customers',
			'POST /v1/billing_portal/sessions',
		]);
		const [lookup, session] = run.requests;
		expect(lookup.query).toEqual({ email: JENNY_EMAIL, limit: '100' });
		expect(lookup.rawBody).toBe('');
		expect(sessionBody(session)).toEqual(onTheWire({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' }));
		// Same wire order as a customer given By ID.
		expect(session.rawBody).toBe(`customer=${SEED_IDS.jenny}&return_url=https%3A%2F%2Fexample.com%2Faccount`);
		expect(run.items.map((item) => [item.json.customer, item.pairedItem])).toEqual([[SEED_IDS.jenny, { item: 0 }]]);
	});

	it('sends the lookup with the session request’s credential, API version and Accept header, without its Content-Type', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL) }, [{}], {
			credentials: { apiVersion: '2025-12-15.clover' },
		});
		expect(run.error).toBeUndefined();
		const [lookup, session] = run.requests;
		expect(lookup.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
		expect(lookup.headers.authorization).toBe(session.headers.authorization);
		expect(lookup.headers['stripe-version']).toBe('2025-12-15.clover');
		expect(lookup.headers['stripe-version']).toBe(session.headers['stripe-version']);
		expect(lookup.headers.accept).toBe(session.headers.accept);
		expect(lookup.headers['content-type']).toBeUndefined();
		expect(session.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
	});

	it('follows the credential’s Base URL, trailing slash and all', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL) }, [{}], {
			credentials: { baseUrl: `${environment.sandbox.baseUrl}/` },
		});
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => request.path)).toEqual(['/v1/customers', '/v1/billing_portal/sessions']);
	});

	it('takes the email from an expression, and keeps a plus sign a plus sign', async () => {
		const billing = environment.sandbox.addCustomer({ email: 'jenny+billing@example.com' });
		const run = await runCreateSession(environment, { customer: byEmail('={{ $json.email }}') }, [
			{ email: '  jenny+billing@example.com\n' },
		]);
		expect(run.error).toBeUndefined();
		expect(lookups(run)[0].query).toEqual({ email: 'jenny+billing@example.com', limit: '100' });
		expect(sessionBody(sessionRequests(run)[0]).customer).toBe(billing.id);
	});

	it('works with a flow: the found customer’s subscription is cancelled through the portal', async () => {
		const run = await runCreateSession(environment, {
			customer: byEmail(JENNY_EMAIL),
			flowType: 'subscription_cancel',
			subscription: { __rl: true, mode: 'id', value: SEED_IDS.jennyPro },
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0])).toEqual(
			onTheWire({
				customer: SEED_IDS.jenny,
				flow_data: {
					type: 'subscription_cancel',
					subscription_cancel: { subscription: SEED_IDS.jennyPro },
					after_completion: { type: 'portal_homepage' },
				},
			}),
		);
		expect(run.items[0].json.flow).toMatchObject({ type: 'subscription_cancel' });
	});

	it('looks up each item’s email and pairs each session with its input item', async () => {
		const items = [
			{ email: 'ana.lima@example.org' },
			{ email: JENNY_EMAIL },
			{ email: 'max.mustermann@example.com' },
		];
		const run = await runCreateSession(environment, { customer: byEmail('={{ $json.email }}') }, items);
		expect(run.error).toBeUndefined();
		expect(lookups(run).map((request) => request.query.email).sort()).toEqual(items.map((item) => item.email).sort());
		expect(sessionRequests(run).map((request) => sessionBody(request).customer).sort()).toEqual(
			[SEED_IDS.ana, SEED_IDS.jenny, SEED_IDS.max].sort(),
		);
		expect(run.items.map((item) => [item.json.customer, item.pairedItem])).toEqual([
			[SEED_IDS.ana, { item: 0 }],
			[SEED_IDS.jenny, { item: 1 }],
			[SEED_IDS.max, { item: 2 }],
		]);
	});

	it('works with a restricted key that may also read customers', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL) }, [{}], {
			credentials: { secretKey: PORTAL_AND_CUSTOMERS_KEY },
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.customer).toBe(SEED_IDS.jenny);
	});
});

describe('Customer By Email: upper and lower case', () => {
	it('tries the lower-cased address once when the address as given, with capitals, matches nobody', async () => {
		const carla = environment.sandbox.addCustomer({ email: 'carla.mendes@example.com' });
		const run = await runCreateSession(environment, { customer: byEmail('Carla.Mendes@Example.com') });
		expect(run.error).toBeUndefined();
		expect(lookups(run).map((request) => request.query)).toEqual([
			{ email: 'Carla.Mendes@Example.com', limit: '100' },
			{ email: 'carla.mendes@example.com', limit: '100' },
		]);
		expect(sessionBody(sessionRequests(run)[0]).customer).toBe(carla.id);
	});

	it('asks once when the address as given matches, capitals included', async () => {
		const dora = environment.sandbox.addCustomer({ email: 'Dora.Silva@Example.com' });
		environment.sandbox.addCustomer({ email: 'dora.silva@example.com' });
		const run = await runCreateSession(environment, { customer: byEmail('Dora.Silva@Example.com') });
		expect(run.error).toBeUndefined();
		expect(lookups(run)).toHaveLength(1);
		expect(sessionBody(sessionRequests(run)[0]).customer).toBe(dora.id);
	});

	it('does not upper-case: a lower-case address does not find a customer stored with capitals', async () => {
		environment.sandbox.addCustomer({ email: 'Erik.Berg@Example.com' });
		const run = await runCreateSession(environment, { customer: byEmail('erik.berg@example.com') });
		expect(run.error?.message).toBe("Customer: no Stripe customer has the email 'erik.berg@example.com'");
		expect(lookups(run)).toHaveLength(1);
	});

	it('names both forms when neither matches', async () => {
		const run = await runCreateSession(environment, { customer: byEmail('Nobody@Example.com') });
		expect(run.error?.message).toBe("Customer: no Stripe customer has the email 'Nobody@Example.com'");
		expect(run.error?.description).toContain("nor its lower-case form 'nobody@example.com'");
		expect(lookups(run)).toHaveLength(2);
		expect(sessionRequests(run)).toHaveLength(0);
	});
});

describe('Customer By Email: no customer, or several', () => {
	it('no customer has the email: an error naming it and what to do, and no session request', async () => {
		const run = await runCreateSession(environment, { customer: byEmail('nobody@example.com') });
		expect(run.error).toMatchObject({ message: "Customer: no Stripe customer has the email 'nobody@example.com'" });
		expect(run.error?.description).toMatch(/Stripe matches emails exactly/);
		expect(run.error?.description).toMatch(/create it first/);
		expect(run.error?.description).toMatch(/By ID or From List/);
		expect(run.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/customers']);
	});

	it('several customers have the email: an error with the count and both ways out, and no session request', async () => {
		for (let index = 0; index < 3; index++) environment.sandbox.addCustomer({ email: 'shared@example.com' });
		const run = await runCreateSession(environment, { customer: byEmail('shared@example.com') });
		expect(run.error).toMatchObject({ message: "Customer: 3 Stripe customers have the email 'shared@example.com'" });
		expect(run.error?.description).toContain("If Several Customers Match to 'Use the Most Recently Created'");
		expect(run.error?.description).toContain('By ID');
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('more than a page of customers have the email: says "more than 100"', async () => {
		for (let index = 0; index < 101; index++) environment.sandbox.addCustomer({ email: 'everyone@example.com' });
		const run = await runCreateSession(environment, { customer: byEmail('everyone@example.com') });
		expect(run.error?.message).toBe("Customer: more than 100 Stripe customers have the email 'everyone@example.com'");
		expect(lookups(run)).toHaveLength(1);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('several, with Use the Most Recently Created: the customer created last', async () => {
		environment.sandbox.addCustomer({ email: 'family@example.com', created: 1_800_000_000 });
		const newest = environment.sandbox.addCustomer({ email: 'family@example.com', created: 1_800_000_300 });
		environment.sandbox.addCustomer({ email: 'family@example.com', created: 1_800_000_100 });
		const run = await runCreateSession(environment, {
			customer: byEmail('family@example.com'),
			additionalFields: mostRecent,
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).customer).toBe(newest.id);
	});

	it('several created in the same second: Stripe’s order decides (it lists the newest first)', async () => {
		const created = 1_800_000_000;
		environment.sandbox.addCustomer({ email: 'twins@example.com', created });
		const listedFirst = environment.sandbox.addCustomer({ email: 'twins@example.com', created });
		const run = await runCreateSession(environment, { customer: byEmail('twins@example.com'), additionalFields: mostRecent });
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).customer).toBe(listedFirst.id);
	});

	it('more than 100, with Use the Most Recently Created: the newest, which is on Stripe’s first page', async () => {
		let newest = environment.sandbox.addCustomer({ email: 'crowd@example.com', created: 1_700_000_000 });
		for (let index = 1; index <= 120; index++) {
			const customer = environment.sandbox.addCustomer({ email: 'crowd@example.com', created: 1_700_000_000 + index });
			if (index === 120) newest = customer;
		}
		const run = await runCreateSession(environment, { customer: byEmail('crowd@example.com'), additionalFields: mostRecent });
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).customer).toBe(newest.id);
	});

	it('one match, with Use the Most Recently Created: that customer, as without the option', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), additionalFields: mostRecent });
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).customer).toBe(SEED_IDS.jenny);
	});
});

describe('Customer By Email: bad input is stopped before any request', () => {
	const cases: Array<{ story: string; parameters: INodeParameters; item: IDataObject; message: string | RegExp; description: RegExp }> = [
		{
			story: 'a name with the address, from an expression',
			parameters: { customer: byEmail('={{ $json.email }}') },
			item: { email: 'Jenny Rosen <jenny.rosen@example.com>' },
			message: "Customer: 'Jenny Rosen <jenny.rosen@example.com>' is not an email address",
			description: /one address like jenny\.rosen@example\.com.*By ID/,
		},
		{
			story: 'an address without a domain',
			parameters: { customer: byEmail('={{ $json.email }}') },
			item: { email: 'jenny.rosen@' },
			message: "Customer: 'jenny.rosen@' is not an email address",
			description: /one address like/,
		},
		{
			story: 'two addresses',
			parameters: { customer: byEmail('={{ $json.email }}') },
			item: { email: 'a@example.com, b@example.com' },
			message: "Customer: 'a@example.com, b@example.com' is not an email address",
			description: /one address like/,
		},
		{
			story: 'an empty email',
			parameters: { customer: byEmail('={{ $json.missing }}') },
			item: {},
			message: 'Customer: the email is empty',
			description: /\{\{ \$json\.email \}\}/,
		},
		{
			story: 'an address longer than Stripe stores',
			parameters: { customer: byEmail('={{ $json.email }}') },
			item: { email: `${'a'.repeat(510)}@example.com` },
			message: 'Customer: the email is 522 characters long',
			description: /at most 512 characters/,
		},
		{
			story: 'a good address with another bad field: the field error, and no lookup either',
			parameters: { customer: byEmail(JENNY_EMAIL), returnUrl: '={{ "example.com/account" }}' },
			item: {},
			message: "Return URL: 'example.com/account' is not a valid URL",
			description: /https:\/\//,
		},
		{
			story: 'an unknown choice for several matches, from an expression',
			parameters: { customer: byEmail(JENNY_EMAIL), additionalFields: { multipleCustomers: '={{ "any" }}' } },
			item: {},
			message: "If Several Customers Match: 'any' is not an option",
			description: /fail, mostRecent/,
		},
	];

	it.each(cases)('$story', async ({ parameters, item, message, description }) => {
		const run = await runCreateSession(environment, parameters, [item]);
		expect(run.error).toMatchObject({ message, context: expect.objectContaining({ itemIndex: 0 }) });
		expect(run.error?.description).toMatch(description);
		expect(run.requests).toHaveLength(0);
	});

	it('a literal that is not an email is refused by the node before anything is sent', async () => {
		const run = await runCreateSession(environment, { customer: byEmail('jenny.rosen') });
		expect(run.error?.message).toBe("Customer: 'jenny.rosen' is not an email address");
		expect(run.error?.description).toMatch(/one address like jenny\.rosen@example\.com/);
		expect(environment.sandbox.requests).toHaveLength(0);
	});
});

describe('Customer By Email: Stripe refuses the lookup, or cannot be reached', () => {
	it('403 for a restricted key that may not read customers: Stripe’s message, said to come from the lookup', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL) }, [{}], {
			credentials: { secretKey: PORTAL_ONLY_KEY },
		});
		expect(run.error).toMatchObject({ name: 'NodeApiError', httpCode: '403' });
		expect(run.error?.message).toMatch(/^The provided key '.*' does not have the required permissions/);
		expect(run.error?.message).toContain('rak_customer_read');
		expect(run.error?.description).toMatch(/^This happened while looking up the Customer by email \('jenny\.rosen@example\.com'\)/);
		expect(run.error?.description).toContain("'Customers: Read'");
		expect(run.error?.description).toContain(`request ID: ${lookups(run)[0].requestId}`);
		expect(sessionRequests(run)).toHaveLength(0);
		expect(everythingVisible(run)).not.toContain(PORTAL_ONLY_KEY);
	});

	it('500 from the lookup, retries off: Stripe’s message and request ID, and no session request', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 500, path: '/v1/customers', method: 'GET' });
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), requestSettings: { retries: 0 } });
		expect(run.error).toMatchObject({ httpCode: '500' });
		expect(run.error?.description).toContain('looking up the Customer by email');
		expect(run.error?.description).toContain(`request ID: ${lookups(run)[0].requestId}`);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('a 200 that is not a customer list (a wrong Base URL): points at the Base URL', async () => {
		environment.sandbox.queueFault({ kind: 'non-json', status: 200, body: '<html>Welcome to nginx!</html>', path: '/v1/customers' });
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL) });
		expect(run.error?.message).toMatch(/^Expected a list of customers from Stripe.*Base URL/);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('a refused connection: names the Base URL', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL) }, [{}], {
			credentials: { secretKey: LEAKABLE_KEY, baseUrl: 'http://127.0.0.1:1' },
		});
		expect(run.error?.message).toBe('Could not reach Stripe at http://127.0.0.1:1: The connection was refused');
		expect(everythingVisible(run)).not.toContain(LEAKABLE_KEY);
	});

	it('a dropped connection during the lookup, retries off', async () => {
		environment.sandbox.queueFault({ kind: 'drop', path: '/v1/customers' });
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), requestSettings: { retries: 0 } }, [{}], { credentials: { secretKey: LEAKABLE_KEY } });
		expect(run.error?.message).toBe(`Could not reach Stripe at ${environment.sandbox.baseUrl}: The connection was closed before Stripe answered`);
		expect(sessionRequests(run)).toHaveLength(0);
		expect(everythingVisible(run)).not.toContain(LEAKABLE_KEY);
	});
});

describe('Customer By Email: Continue On Fail', () => {
	it('turns each bad email into an error item and still creates the others, in order and paired', async () => {
		for (let index = 0; index < 2; index++) environment.sandbox.addCustomer({ email: 'shared@example.com' });
		const run = await runCreateSession(
			environment,
			{ customer: byEmail('={{ $json.email }}') },
			[
				{ email: JENNY_EMAIL },
				{ email: 'nobody@example.com' },
				{ email: 'not an email' },
				{ email: 'shared@example.com' },
				{ email: 'max.mustermann@example.com' },
			],
			{ continueOnFail: true, credentials: { secretKey: LEAKABLE_KEY } },
		);
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.customer ?? item.json.error)).toEqual([
			SEED_IDS.jenny,
			"Customer: no Stripe customer has the email 'nobody@example.com'",
			"Customer: 'not an email' is not an email address",
			"Customer: 2 Stripe customers have the email 'shared@example.com'",
			SEED_IDS.max,
		]);
		expect(run.items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(sessionRequests(run)).toHaveLength(2);
		expect(lookups(run)).toHaveLength(4);
		expect(everythingVisible(run)).not.toContain(LEAKABLE_KEY);
	});

	it('keeps going past a lookup the key is not allowed to make', async () => {
		const run = await runCreateSession(
			environment,
			{ customer: byEmail('={{ $json.email }}') },
			[{ email: JENNY_EMAIL }, { email: 'max.mustermann@example.com' }],
			{ continueOnFail: true, credentials: { secretKey: PORTAL_ONLY_KEY } },
		);
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.error)).toEqual([
			expect.stringMatching(/does not have the required permissions/),
			expect.stringMatching(/does not have the required permissions/),
		]);
		expect(everythingVisible(run)).not.toContain(PORTAL_ONLY_KEY);
	});
});

describe('the subscription list with a customer By Email', () => {
	const search = (customer: INodeParameters, additionalFields: Record<string, NodeParameterValue> = {}) =>
		runListSearch({
			pkg: environment.pkg,
			nodeType: NODE_TYPE,
			method: 'searchSubscriptions',
			credentials: credentialsFor(environment.sandbox),
			parameters: { resource: 'portalSession', operation: 'create', flowType: 'subscription_cancel', customer, additionalFields },
		});
	const asked = () => environment.sandbox.requests.map((request: RecordedRequest) => [request.path, request.query]);

	it('lists the subscriptions of the one customer with that email', async () => {
		const result = await search(byEmail(JENNY_EMAIL));
		expect(result.results.map((item) => item.value)).toEqual([SEED_IDS.jennyPro]);
		expect(asked()).toEqual([
			['/v1/customers', { email: JENNY_EMAIL, limit: '100' }],
			['/v1/subscriptions', { limit: '100', customer: SEED_IDS.jenny }],
		]);
	});

	it('finds the customer with the lower-cased address as the node does', async () => {
		const result = await search(byEmail('Max.Mustermann@Example.com'));
		expect(result.results.map((item) => item.value)).toEqual([SEED_IDS.maxTeam]);
	});

	it('lists everyone’s while the email is an expression or not an address yet, asking nothing about customers', async () => {
		for (const value of ['={{ $json.email }}', 'jenny.rosen@', '']) {
			const result = await search(byEmail(value));
			expect(result.results.map((item) => item.value)).toEqual([SEED_IDS.maxTeam, SEED_IDS.jennyPro]);
		}
		expect(asked().every(([path, query]) => path === '/v1/subscriptions' && JSON.stringify(query) === '{"limit":"100"}')).toBe(true);
	});

	it('lists everyone’s when no customer or several have the email, unless the newest is to be used', async () => {
		environment.sandbox.addCustomer({ email: 'shared@example.com', created: 1_800_000_000 });
		const newest = environment.sandbox.addCustomer({ email: 'shared@example.com', created: 1_800_000_100 });
		const own = environment.sandbox.addSubscription({ customer: newest.id, nickname: 'Newest' });

		const everyone = [own.id, SEED_IDS.maxTeam, SEED_IDS.jennyPro];
		const none = await search(byEmail('nobody@example.com'));
		expect(none.results.map((item) => item.value)).toEqual(everyone);
		const several = await search(byEmail('shared@example.com'));
		expect(several.results.map((item) => item.value)).toEqual(everyone);
		const newestOnly = await search(byEmail('shared@example.com'), mostRecent);
		expect(newestOnly.results.map((item) => item.value)).toEqual([own.id]);
	});

	it('shows Stripe’s message when the key may not read customers', async () => {
		await expect(
			runListSearch({
				pkg: environment.pkg,
				nodeType: NODE_TYPE,
				method: 'searchSubscriptions',
				credentials: credentialsFor(environment.sandbox, { secretKey: PORTAL_ONLY_KEY }),
				parameters: { resource: 'portalSession', operation: 'create', flowType: 'subscription_cancel', customer: byEmail(JENNY_EMAIL) },
			}),
		).rejects.toThrow(/does not have the required permissions/);
	});
});

describe('the By Email mode in the node description', () => {
	const properties = new StripeBillingPortal().description.properties;
	const customer = properties.find((property) => property.name === 'customer') as INodeProperties;
	const additionalFields = properties.find(
		(property) => property.name === 'additionalFields' && property.displayOptions?.show?.resource?.includes('portalSession'),
	) as INodeProperties;

	it('is a fourth mode of the Customer field, after the shared ones, with From List still the default', () => {
		expect(customer.modes?.map((mode) => mode.name)).toEqual(['list', 'id', 'url', 'email']);
		expect(customer.default).toEqual({ mode: 'list', value: '' });
		const email = customer.modes?.find((mode) => mode.name === 'email');
		expect(email).toMatchObject({ displayName: 'By Email', type: 'string', placeholder: 'e.g. jenny.rosen@example.com' });
	});

	it('leaves the shape to the node, which checks it before anything is sent (n8n’s own pattern check can time out under load)', () => {
		const email = customer.modes?.find((mode) => mode.name === 'email');
		expect(email?.validation).toBeUndefined();
		const good = [JENNY_EMAIL, 'jenny+billing@example.com', 'o\'brien@mail.example.co.uk', 'JENNY@EXAMPLE.COM'];
		const bad = ['jenny', 'jenny@', '@example.com', 'jenny@example', 'Jenny <jenny@example.com>', 'a@b.com b@c.com', 'jenny@@example.com', 'jenny@example..com', ' jenny@example.com'];
		for (const value of good) expect({ value, node: isEmailAddress(value) }).toEqual({ value, node: true });
		for (const value of bad) expect({ value, node: isEmailAddress(value) }).toEqual({ value, node: false });
	});

	it('leaves the other pickers’ modes as they were', () => {
		const subscription = properties.find((property) => property.name === 'subscription') as INodeProperties;
		expect(subscription.modes?.map((mode) => mode.name)).toEqual(['list', 'id', 'url']);
		const item = properties.find((property) => property.name === 'subscriptionItem') as INodeProperties;
		expect(item.modes?.map((mode) => mode.name)).toEqual(['list', 'id']);
	});

	it('adds If Several Customers Match to Additional Fields, failing by default', () => {
		const option = (additionalFields.options as INodeProperties[]).find((field) => field.name === 'multipleCustomers');
		expect(option).toMatchObject({ displayName: 'If Several Customers Match', type: 'options', default: 'fail' });
		expect((option?.options as Array<{ name: string; value: string }>).map(({ name, value }) => [name, value])).toEqual([
			['Fail', MULTIPLE_CUSTOMERS.fail],
			['Use the Most Recently Created', MULTIPLE_CUSTOMERS.mostRecent],
		]);
	});
});

describe('the lookup’s rules, without a network', () => {
	it('tries the lower-cased form only after the exact one found nobody', async () => {
		const asked: string[] = [];
		const found = await lookUpCustomersByEmail('Jo@Example.com', async (email) => {
			asked.push(email);
			return { data: email === 'jo@example.com' ? [{ id: 'cus_Jo', created: 1 }] : [], has_more: false };
		});
		expect(asked).toEqual(['Jo@Example.com', 'jo@example.com']);
		expect(found).toEqual({ email: 'jo@example.com', triedLowerCase: true, customers: [{ id: 'cus_Jo', created: 1 }], hasMore: false });
	});

	it('picks the highest created, the first listed on a tie', () => {
		expect(mostRecentlyCreated([{ id: 'cus_A', created: 5 }, { id: 'cus_B', created: 9 }, { id: 'cus_C', created: 9 }])?.id).toBe('cus_B');
		expect(mostRecentlyCreated([])).toBeUndefined();
	});

	it('chooses one customer, none, or several', () => {
		const result = (ids: string[], hasMore = false) => ({
			email: 'x@example.com',
			triedLowerCase: false,
			customers: ids.map((id, index) => ({ id, created: 100 - index })),
			hasMore,
		});
		expect(chooseCustomer(result([]), 'mostRecent')).toEqual({ kind: 'none' });
		expect(chooseCustomer(result(['cus_A']), 'fail')).toEqual({ kind: 'found', id: 'cus_A' });
		expect(chooseCustomer(result(['cus_A'], true), 'fail')).toEqual({ kind: 'several', count: 1, moreThanCount: true });
		expect(chooseCustomer(result(['cus_A', 'cus_B']), 'fail')).toEqual({ kind: 'several', count: 2, moreThanCount: false });
		expect(chooseCustomer(result(['cus_A', 'cus_B']), 'mostRecent')).toEqual({ kind: 'found', id: 'cus_A' });
	});

	it('sends the lookup with every header of the session request except Content-Type and Idempotency-Key, and the item’s Timeout, not the 300 s n8n put on the session request', async () => {
		const sent: Array<[string, IHttpRequestOptions]> = [];
		const context = {
			getNode: () => ({ name: 'Stripe Billing Portal', type: NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: {} }),
			getItemIndex: () => 0,
			getNodeParameter: (name: string, fallback: unknown) => (name === 'requestSettings' ? { timeout: 12.345 } : fallback),
			getContext: () => ({}),
			getExecutionCancelSignal: () => undefined,
			getExecutionId: () => '1',
			getCredentials: async () => ({ secretKey: 'sk_test_unit' }),
			helpers: {
				httpRequestWithAuthentication: async (credentialType: string, options: IHttpRequestOptions) => {
					sent.push([credentialType, options]);
					return { statusCode: 200, headers: {}, body: { object: 'list', data: [{ id: 'cus_Found01', created: 1 }], has_more: false } };
				},
			},
		} as unknown as IExecuteSingleFunctions;
		const sessionRequest: IHttpRequestOptions = {
			method: 'POST',
			baseURL: 'https://api.stripe.com',
			url: '/v1/billing_portal/sessions',
			headers: {
				Accept: 'application/json',
				'content-type': 'application/x-www-form-urlencoded',
				'Stripe-Account': 'acct_1PgKyJ2eZvKYlo2C',
				'Idempotency-Key': 'n8n-0123456789abcdef',
			},
			body: { return_url: 'https://example.com' },
			qs: {},
			// What n8n's routing sets on every request before the node's preSend runs.
			timeout: 300_000,
			ignoreHttpStatusErrors: true,
		};

		await expect(customerIdFromEmail(context, sessionRequest, JENNY_EMAIL)).resolves.toBe('cus_Found01');
		expect(sent).toHaveLength(1);
		const [credentialType, lookup] = sent[0];
		expect(credentialType).toBe('stripeBillingPortalApi');
		expect(lookup).toEqual({
			method: 'GET',
			baseURL: 'https://api.stripe.com',
			url: '/v1/customers',
			qs: { email: JENNY_EMAIL, limit: 100 },
			headers: { Accept: 'application/json', 'Stripe-Account': 'acct_1PgKyJ2eZvKYlo2C' },
			timeout: 12_345,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			// The attempt's own signal: n8n aborts the request with it when the attempt's Timeout is up.
			abortSignal: expect.any(AbortSignal),
		});
		// The session request itself is left as it was.
		expect(sessionRequest.method).toBe('POST');
		expect(sessionRequest.headers?.['Idempotency-Key']).toBe('n8n-0123456789abcdef');
		expect(sessionRequest.body).toEqual({ return_url: 'https://example.com' });
	});
});
