/**
 * The key goes only where it must: the credential's own test follows no redirect (n8n would send
 * Authorization on to the host a redirect names), a key is recognised as live however it was
 * pasted (quotes, `Bearer …`), a key whose mode cannot be read is treated as live, and only
 * literal loopback names count as this machine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { testCredential } from '../harness';
import { SEED_IDS, StripeSandbox } from '../sandbox';
import { API_VERSION, CREDENTIAL_TYPE, customerById, runCreateSession, useEnvironment } from '../support/session';

// Short and obviously fake, so nothing in the repository looks like a leaked live key.
const LIVE_KEY = 'sk_live_fake_pasted_key_test';
const TEST_KEY = 'sk_test_pasted_key_test';
const environment = useEnvironment({ secretKeys: [TEST_KEY, LIVE_KEY] });
const customer = customerById(SEED_IDS.jenny);
const CREDENTIAL = "Base URL (in the 'Stripe Billing Portal API' credential)";

/** Not this machine; the name cannot resolve, so nothing is sent even if a check lets it through. */
const REMOTE_PLAIN_HTTP = 'http://stripe-mock.invalid:12111';
const LIVE_REFUSAL = `${CREDENTIAL}: a live key is never sent over plain http:// to stripe-mock.invalid:12111, where it would cross the network unencrypted. Use https:// (normally https://api.stripe.com), or a test key (sk_test_…) for a stripe-mock on another host.`;

describe('a key pasted with quotes or as a header value', () => {
	it.each([
		['in double quotes', `"${LIVE_KEY}"`],
		['in single quotes', `'${LIVE_KEY}'`],
		['in typographic quotes', `“${LIVE_KEY}”`],
		['after Bearer', `Bearer ${LIVE_KEY}`],
		['after bearer, quoted, with a line break', ` bearer "${LIVE_KEY}"\n`],
		['quoted with Bearer inside', `"Bearer ${LIVE_KEY}"`],
	])('is still known as live %s: never sent over plain http to another host', async (_story, secretKey) => {
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], { credentials: { secretKey, baseUrl: REMOTE_PLAIN_HTTP } });
		expect(run.error?.message).toBe(LIVE_REFUSAL);
		expect(JSON.stringify(run.error)).not.toContain(LIVE_KEY);
	});

	it.each([
		['in double quotes', `"${TEST_KEY}"`],
		['after Bearer', `Bearer ${TEST_KEY}`],
		['in quotes after Bearer, with spaces', `  Bearer '${TEST_KEY}'  `],
	])('reaches Stripe as the bare key when pasted %s', async (_story, secretKey) => {
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { secretKey } });
		expect(run.error).toBeUndefined();
		expect(run.requests).toHaveLength(1);
		expect(run.requests[0].headers.authorization).toBe(`Bearer ${TEST_KEY}`);
		expect(run.items[0].json.url).toEqual(expect.any(String));
	});
});

describe('a key whose mode cannot be read', () => {
	it.each([
		['a publishable live key', 'pk_live_fake_pasted_key_test'],
		['a key with text in front of it', `STRIPE_SECRET_KEY=${LIVE_KEY}`],
	])('is treated as live over plain http to another host: %s', async (_story, secretKey) => {
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], { credentials: { secretKey, baseUrl: REMOTE_PLAIN_HTTP } });
		expect(run.error?.message).toBe(
			`${CREDENTIAL}: the Secret Key does not start with sk_test_ or rk_test_, so it may be a live key, and it is never sent over plain http:// to stripe-mock.invalid:12111, where it would cross the network unencrypted. Use https:// (normally https://api.stripe.com), or paste only the test key (sk_test_…) for a stripe-mock on another host.`,
		);
		expect(JSON.stringify(run.error)).not.toContain('fake_pasted');
	});
});

describe('loopback', () => {
	it.each(['stripe.localhost', 'localhost.example.com', '127.0.0.1.nip.io'])('%s is not this machine: a live key is refused over plain http', async (host) => {
		const port = new URL(environment.sandbox.baseUrl).port;
		const run = await runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], {
			credentials: { secretKey: LIVE_KEY, baseUrl: `http://${host}:${port}` },
		});
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toBe(
			`${CREDENTIAL}: a live key is never sent over plain http:// to ${host}:${port}, where it would cross the network unencrypted. Use https:// (normally https://api.stripe.com), or a test key (sk_test_…) for a stripe-mock on another host.`,
		);
	});

	it('127.0.0.1 still is', async () => {
		const run = await runCreateSession(environment, { customer }, [{}], { credentials: { secretKey: LIVE_KEY } });
		expect(run.error).toBeUndefined();
		expect(run.requests[0].headers.authorization).toBe(`Bearer ${LIVE_KEY}`);
	});
});

describe('the credential’s own test', () => {
	/** Another host (another origin: its own port) that would receive whatever a redirect sends. */
	const elsewhere = new StripeSandbox({ secretKeys: [TEST_KEY] });
	let redirecting: Server;
	let redirectingUrl: string;
	const redirectsSeen: string[] = [];

	beforeAll(async () => {
		await elsewhere.start();
		redirecting = createServer((request, response) => {
			redirectsSeen.push(`${request.method} ${request.url}`);
			response.writeHead(302, { Location: `${elsewhere.baseUrl}${request.url}` });
			response.end();
		});
		await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
		redirectingUrl = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await elsewhere.stop();
		redirecting.closeAllConnections();
		await new Promise((resolve) => redirecting.close(resolve));
	});

	it('follows no redirect: the key never reaches the host it names', async () => {
		const result = await testCredential({
			pkg: environment.pkg,
			credentialType: CREDENTIAL_TYPE,
			data: { secretKey: TEST_KEY, baseUrl: redirectingUrl, apiVersion: API_VERSION },
		});
		expect(redirectsSeen).toEqual(['GET /v1/billing_portal/configurations?limit=1']);
		expect(elsewhere.requests).toHaveLength(0);
		expect(result).toEqual({
			status: 'Error',
			message:
				"The Base URL answered with a redirect (HTTP 302), which Stripe never sends; it was not followed, so the key went nowhere else. Set Base URL to https://api.stripe.com, or to your stripe-mock's own address.",
		});
	});

	it('sends a quoted key bare', async () => {
		const result = await testCredential({
			pkg: environment.pkg,
			credentialType: CREDENTIAL_TYPE,
			data: { secretKey: `"Bearer ${TEST_KEY}"`, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION },
		});
		expect(result.status).toBe('OK');
		expect(environment.sandbox.requests.map((request) => request.headers.authorization)).toEqual([`Bearer ${TEST_KEY}`]);
	});
});
