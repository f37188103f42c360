/**
 * The credential's Base URL, checked where every request gets its key: node requests, lookups,
 * the editor's list searches and the credential's own test all refuse a Base URL that would
 * send the key somewhere it must not go, before anything is sent.
 */
import { runListSearch, testCredential } from '../harness';
import { SEED_IDS, StripeSandbox } from '../sandbox';
import { API_VERSION, CREDENTIAL_TYPE, NODE_TYPE, customerById, runCreateSession, useEnvironment } from '../support/session';

// Short and obviously fake, so nothing in the repository looks like a leaked live key.
const LIVE_KEY = 'sk_live_fake_base_url_test';
const RESTRICTED_LIVE_KEY = 'rk_live_fake_base_url_test';
const environment = useEnvironment({ secretKeys: ['sk_test_sandbox', LIVE_KEY, RESTRICTED_LIVE_KEY] });
const customer = customerById(SEED_IDS.jenny);
const CREDENTIAL = "Base URL (in the 'Stripe Billing Portal API' credential)";

/** A host that is not this machine; nothing is ever sent there, the check comes first. */
const REMOTE_PLAIN_HTTP = 'http://api.stripe.com';

describe('a live key over plain http', () => {
	it.each([LIVE_KEY, RESTRICTED_LIVE_KEY])('%s is never sent to another host: refused before any request', async (secretKey) => {
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { secretKey, baseUrl: REMOTE_PLAIN_HTTP } });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toBe(
			`${CREDENTIAL}: a live key is never sent over plain http:// to api.stripe.com, where it would cross the network unencrypted. Use https:// (normally https://api.stripe.com), or a test key (sk_test_…) for a stripe-mock on another host.`,
		);
		expect(JSON.stringify(run.error)).not.toContain(secretKey);
	});

	it('is not retried: no attempt can change the credential', async () => {
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 5 } }, [{}], {
			credentials: { secretKey: LIVE_KEY, baseUrl: REMOTE_PLAIN_HTTP },
		});
		expect(run.error?.description ?? '').not.toMatch(/Retried/);
	});

	it('is allowed to this machine (a local sandbox or stripe-mock)', async () => {
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { secretKey: LIVE_KEY } });
		expect(run.error).toBeUndefined();
		expect(run.requests[0].headers.authorization).toBe(`Bearer ${LIVE_KEY}`);
	});

	it('a test key may go over http to another host, e.g. a stripe-mock container (refused here only by the network)', async () => {
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], {
			credentials: { baseUrl: 'http://stripe-mock.invalid:12111' },
		});
		expect(run.error?.message).toMatch(/^Could not reach Stripe at http:\/\/stripe-mock\.invalid:12111: /);
	});
});

describe('a Base URL that would send requests to the wrong place', () => {
	it.each([
		['a query', (base: string) => `${base}?x=1`, /has a query \(\?…\) or fragment \(#…\)/],
		['a fragment', (base: string) => `${base}#top`, /has a query \(\?…\) or fragment \(#…\)/],
		['a user name and password', (base: string) => base.replace('http://', 'http://user:secret@'), /carries a user name or password/],
		['another scheme', () => 'ftp://127.0.0.1:1', /is not an http\(s\) address/],
		['no URL at all', () => 'api stripe com', /is not a URL/],
	])('with %s is refused before any request', async (_story, baseUrlFor, problem) => {
		const baseUrl = baseUrlFor(environment.sandbox.baseUrl);
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { baseUrl } });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message.startsWith(`${CREDENTIAL}: `)).toBe(true);
		expect(run.error?.message).toMatch(problem);
		expect(run.error?.message).not.toContain('secret@');
	});

	it('is refused for the lookups a session needs, too', async () => {
		const run = await runCreateSession(environment, { customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' } }, [{}], {
			credentials: { baseUrl: `${environment.sandbox.baseUrl}?x=1` },
		});
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(/^Base URL .*has a query/);
	});

	it('is refused by the editor’s list searches', async () => {
		const search = runListSearch({
			pkg: environment.pkg,
			nodeType: NODE_TYPE,
			method: 'searchCustomers',
			credentials: { type: CREDENTIAL_TYPE, data: { secretKey: LIVE_KEY, baseUrl: REMOTE_PLAIN_HTTP, apiVersion: API_VERSION } },
			parameters: { resource: 'portalSession', operation: 'create' },
		});
		await expect(search).rejects.toThrow(/^Base URL \(in the 'Stripe Billing Portal API' credential\): a live key is never sent over plain http/);
	});
});

describe('the credential’s own test', () => {
	const elsewhere = new StripeSandbox({ secretKeys: [LIVE_KEY] });
	beforeAll(async () => {
		await elsewhere.start();
	});
	afterAll(async () => {
		await elsewhere.stop();
	});

	it('fails with the same message for a live key over plain http, sending nothing', async () => {
		const result = await testCredential({
			pkg: environment.pkg,
			credentialType: CREDENTIAL_TYPE,
			data: { secretKey: LIVE_KEY, baseUrl: REMOTE_PLAIN_HTTP, apiVersion: API_VERSION },
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/a live key is never sent over plain http:\/\/ to api\.stripe\.com/);
	});

	it('fails for a Base URL with a query, sending nothing', async () => {
		const result = await testCredential({
			pkg: environment.pkg,
			credentialType: CREDENTIAL_TYPE,
			data: { secretKey: 'sk_test_sandbox', baseUrl: `${elsewhere.baseUrl}?debug=1`, apiVersion: API_VERSION },
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/has a query/);
		expect(elsewhere.requests).toHaveLength(0);
	});
});

describe('the API Version', () => {
	const VERSION_FIELD = "API Version (in the 'Stripe Billing Portal API' credential)";

	it.each([
		['a paragraph pasted by mistake', 'x'.repeat(5_000)],
		['a key', 'sk_test_sandbox'],
		['a header line', `${API_VERSION}\r\nX-Evil: 1`],
		['a date in another form', '30/04/2025'],
	])('%s is refused before any request, quoted short, not sent to Stripe to be quoted back', async (_name, apiVersion) => {
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 3 } }, [{}], { credentials: { apiVersion } });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(new RegExp(`^${VERSION_FIELD.replace(/[()']/g, '\\$&')}: [^]* is not a Stripe API version\\. Enter one such as ${API_VERSION.replace('.', '\\.')}`));
		expect(run.error?.message.length).toBeLessThan(300);
		expect(run.error?.description ?? '').not.toMatch(/Retried/);
	});

	it.each([API_VERSION, '2024-06-20', `${API_VERSION}; embedded_connect_beta=v2`, '', '  '])('%p is sent (empty: the tested version)', async (apiVersion) => {
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { apiVersion } });
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => request.headers['stripe-version'])).toEqual([apiVersion.trim() || API_VERSION]);
	});

	it('refuses a wrong one in the credential test too, sending nothing', async () => {
		const result = await testCredential({
			pkg: environment.pkg,
			credentialType: CREDENTIAL_TYPE,
			data: { secretKey: 'sk_test_sandbox', baseUrl: environment.sandbox.baseUrl, apiVersion: 'latest' },
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/'latest' is not a Stripe API version/);
	});
});
