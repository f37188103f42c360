/**
 * The Stripe Billing Portal API credential, tested the way n8n's "Test" button does: its test
 * request through n8n-core's RoutingNode with the credential's authentication applied.
 */
import { StripeSandbox } from '../sandbox';
import { loadPackage, testCredential, type LoadedPackage } from '../harness';
import { API_VERSION, CREDENTIAL_TYPE, PACKAGE_DIR } from '../support/session';

const SECRET_KEY = 'sk_test_51CredentialTestKey000000000000000000000000000000000000000';
const LIVE_KEY = 'sk_live_fake_credential_test';
const PORTAL_ONLY_KEY = 'rk_test_51PortalOnly000000000000000000000000000000000000000000000';
const CUSTOMERS_ONLY_KEY = 'rk_test_51CustomersOnly0000000000000000000000000000000000000000000';

let sandbox: StripeSandbox;
let pkg: LoadedPackage;

beforeAll(async () => {
	sandbox = new StripeSandbox({
		secretKeys: [SECRET_KEY, LIVE_KEY],
		restrictedKeys: { [PORTAL_ONLY_KEY]: ['billing_portal'], [CUSTOMERS_ONLY_KEY]: ['customers_read'] },
	});
	await sandbox.start();
	pkg = await loadPackage(PACKAGE_DIR);
});
beforeEach(() => sandbox.reset());
afterAll(async () => sandbox.stop());

const check = (secretKey: string, extra: Record<string, string> = {}) =>
	testCredential({ pkg, credentialType: CREDENTIAL_TYPE, data: { secretKey, baseUrl: sandbox.baseUrl, apiVersion: API_VERSION, ...extra } });

describe('credential test', () => {
	it.each([
		['a test secret key', SECRET_KEY],
		['a live secret key', LIVE_KEY],
		['a restricted key with only the Customer portal permission', PORTAL_ONLY_KEY],
	])('passes for %s, asking only for one portal configuration', async (_story, key) => {
		await expect(check(key)).resolves.toMatchObject({ status: 'OK' });
		expect(sandbox.requests).toHaveLength(1);
		const [request] = sandbox.requests;
		expect(request.method).toBe('GET');
		expect(request.path).toBe('/v1/billing_portal/configurations');
		expect(request.query).toEqual({ limit: '1' });
		expect(request.headers.authorization).toBe(`Bearer ${key}`);
		expect(request.headers['stripe-version']).toBe(API_VERSION);
	});

	it('fails with a clear message for a wrong key', async () => {
		const result = await check('sk_test_51NotAKeyOfThisAccount00000000000000000000000000000000000000');
		expect(result).toEqual({
			status: 'Error',
			message: 'Stripe rejected the key: check that it is a current sk_ or rk_ key of this account.',
		});
	});

	it('fails with the permission to grant for a restricted key without Customer portal access', async () => {
		const result = await check(CUSTOMERS_ONLY_KEY);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/lacks the “Customer portal” permission: grant “Customer portal: Write”/);
	});

	it('sends the version the package is tested against when API Version is left at its default', async () => {
		await expect(
			testCredential({ pkg, credentialType: CREDENTIAL_TYPE, data: { secretKey: SECRET_KEY, baseUrl: sandbox.baseUrl } }),
		).resolves.toMatchObject({ status: 'OK' });
		expect(sandbox.requests[0].headers['stripe-version']).toBe(API_VERSION);
	});
});
