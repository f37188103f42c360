/**
 * Portal Session → Create, the everyday story: items come in with a customer, the node sends one
 * form-encoded request per item to Stripe, and the next node gets one session per item.
 */
import { SEED_IDS } from '../../sandbox';
import {
	API_VERSION,
	SECRET_KEY,
	customerById,
	onTheWire,
	runCreateSession,
	sessionBody,
	useEnvironment,
} from '../../support/session';

// The Accounts v2 customer account the stories use, connected to the platform.
const environment = useEnvironment({ connectedAccounts: ['acct_1PgKyJ2eZvKYlo2C'] });

describe('Portal Session → Create', () => {
	it('sends one form-encoded POST with Stripe’s headers and returns the session', async () => {
		const run = await runCreateSession(environment, {
			customer: customerById(SEED_IDS.jenny),
			returnUrl: 'https://example.com/account',
		});

		expect(run.error).toBeUndefined();
		expect(run.requests).toHaveLength(1);
		const [request] = run.requests;
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/v1/billing_portal/sessions');
		expect(request.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
		expect(request.headers['stripe-version']).toBe(API_VERSION);
		expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
		expect(request.rawBody).toBe('customer=cus_SandboxJenny01&return_url=https%3A%2F%2Fexample.com%2Faccount');
		expect(sessionBody(request)).toEqual(
			onTheWire({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' }),
		);

		expect(run.items).toHaveLength(1);
		const session = run.items[0].json;
		expect(session).toMatchObject({
			object: 'billing_portal.session',
			customer: SEED_IDS.jenny,
			return_url: 'https://example.com/account',
			configuration: SEED_IDS.defaultConfiguration,
			flow: null,
			livemode: false,
		});
		expect(session.id).toMatch(/^bps_/);
		expect(session.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\/test_/);
		expect(typeof session.created).toBe('number');
	});

	it('evaluates expressions per item and pairs each session with its input item', async () => {
		const carl = environment.sandbox.addCustomer({ email: 'carl@example.com' });
		const items = [
			{ customerId: SEED_IDS.jenny, page: 'billing' },
			{ customerId: SEED_IDS.max, page: 'plans' },
			{ customerId: carl.id, page: 'invoices' },
		];
		const run = await runCreateSession(
			environment,
			{
				customer: customerById('={{ $json.customerId }}'),
				returnUrl: '=https://example.com/{{ $json.page }}',
			},
			items,
		);

		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => sessionBody(request))).toEqual(
			items.map((item) => onTheWire({ customer: item.customerId, return_url: `https://example.com/${item.page}` })),
		);
		expect(run.items.map((item) => [item.json.customer, item.json.return_url, item.pairedItem])).toEqual([
			[SEED_IDS.jenny, 'https://example.com/billing', { item: 0 }],
			[SEED_IDS.max, 'https://example.com/plans', { item: 1 }],
			[carl.id, 'https://example.com/invoices', { item: 2 }],
		]);
		const urls = run.items.map((item) => item.json.url);
		expect(new Set(urls).size).toBe(3);
	});

	it('takes the customer from a Stripe dashboard link, test or live, with or without an account', async () => {
		const links = [
			`https://dashboard.stripe.com/test/customers/${SEED_IDS.jenny}`,
			`https://dashboard.stripe.com/customers/${SEED_IDS.max}?tab=subscriptions`,
			`https://dashboard.stripe.com/acct_1PgKyJ2eZvKYlo2C/test/customers/${SEED_IDS.ana}`,
		];
		const run = await runCreateSession(
			environment,
			{ customer: { __rl: true, mode: 'url', value: '={{ $json.link }}' } },
			links.map((link) => ({ link })),
		);
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => sessionBody(request).customer)).toEqual([
			SEED_IDS.jenny,
			SEED_IDS.max,
			SEED_IDS.ana,
		]);
	});

	it('uses a customer picked From List as its ID', async () => {
		const run = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'list', value: SEED_IDS.ana, cachedResultName: 'Ana Lima' },
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0])).toEqual(onTheWire({ customer: SEED_IDS.ana }));
	});

	it('creates the session for an Accounts v2 customer account instead of a customer', async () => {
		const run = await runCreateSession(environment, {
			customerType: 'customerAccount',
			customerAccount: 'acct_1PgKyJ2eZvKYlo2C',
			customer: customerById(SEED_IDS.jenny),
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0])).toEqual(onTheWire({ customer_account: 'acct_1PgKyJ2eZvKYlo2C' }));
		expect(run.items[0].json.customer_account).toBe('acct_1PgKyJ2eZvKYlo2C');
	});

	it('sends nothing for fields left empty, and trims pasted values', async () => {
		const run = await runCreateSession(environment, {
			customer: customerById('={{ $json.pasted }}'),
			returnUrl: '   ',
			flowType: 'none',
			additionalFields: { onBehalfOf: '', configuration: { __rl: true, mode: 'list', value: '' }, expand: [] },
		}, [{ pasted: `  ${SEED_IDS.jenny}\n` }]);
		expect(run.error).toBeUndefined();
		expect(run.requests[0].rawBody).toBe(`customer=${SEED_IDS.jenny}`);
	});

	it('follows the credential: its API version, a Base URL with a trailing slash, a key with a stray newline', async () => {
		const run = await runCreateSession(
			environment,
			{ customer: customerById(SEED_IDS.jenny) },
			[{}],
			{ credentials: { apiVersion: '2025-12-15.clover', baseUrl: `${environment.sandbox.baseUrl}/`, secretKey: `${SECRET_KEY}\n` } },
		);
		expect(run.error).toBeUndefined();
		expect(run.requests[0].path).toBe('/v1/billing_portal/sessions');
		expect(run.requests[0].headers['stripe-version']).toBe('2025-12-15.clover');
		expect(run.requests[0].headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
	});

	it('falls back to the tested API version when the credential’s is emptied', async () => {
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.jenny) }, [{}], {
			credentials: { apiVersion: '' },
		});
		expect(run.error).toBeUndefined();
		expect(run.requests[0].headers['stripe-version']).toBe(API_VERSION);
	});
});
