/**
 * The sandbox keeps Stripe's idempotency contract (docs.stripe.com/api/idempotent_requests): the
 * first answer to a key is saved once the endpoint has begun, 500s included, and given again to
 * every request with the key and the same parameters; other parameters under the key are an
 * idempotency_error; answers refused before the endpoint began (validation) save nothing.
 */
import { sandboxHttp } from '../support/sandbox-http';
import { SEED_IDS, StripeSandbox } from '../sandbox';

const KEY = 'sk_test_sandbox';
const CONFIGURATIONS = '/v1/billing_portal/configurations';

let sandbox: StripeSandbox;
let baseUrl: string;
const call = sandboxHttp(() => baseUrl, KEY);

const configuration = (name: string) => ({ name, features: { invoice_history: { enabled: 'true' } } });
const made = () => sandbox.listConfigurations().filter((c) => c.id !== SEED_IDS.defaultConfiguration);

beforeAll(async () => {
	sandbox = new StripeSandbox();
	baseUrl = await sandbox.start();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.reset();
});

describe('Stripe’s idempotency contract', () => {
	it('a key seen before gets the first answer, marked Idempotent-Replayed, and nothing is made again', async () => {
		const first = await call('POST', CONFIGURATIONS, { body: configuration('A'), headers: { 'Idempotency-Key': 'k-1' } });
		const again = await call('POST', CONFIGURATIONS, { body: configuration('A'), headers: { 'Idempotency-Key': 'k-1' } });
		expect(first.status).toBe(200);
		expect(again.status).toBe(200);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
		expect(again.json.id).toBe(first.json.id);
		expect(made()).toHaveLength(1);
	});

	it('other parameters under the key: 400 idempotency_error, nothing made', async () => {
		await call('POST', CONFIGURATIONS, { body: configuration('A'), headers: { 'Idempotency-Key': 'k-2' } });
		const other = await call('POST', CONFIGURATIONS, { body: configuration('B'), headers: { 'Idempotency-Key': 'k-2' } });
		expect(other.status).toBe(400);
		expect(other.json.error).toMatchObject({ type: 'idempotency_error' });
		expect(made()).toHaveLength(1);
	});

	it('a request refused by validation saves nothing: the corrected request under the key runs', async () => {
		const refused = await call('POST', CONFIGURATIONS, {
			body: { ...configuration('A'), business_profile: { headline: 'h'.repeat(61) } },
			headers: { 'Idempotency-Key': 'k-3' },
		});
		expect(refused.status).toBe(400);
		const corrected = await call('POST', CONFIGURATIONS, { body: configuration('A'), headers: { 'Idempotency-Key': 'k-3' } });
		expect(corrected.status).toBe(200);
		expect(corrected.headers.get('idempotent-replayed')).toBeNull();
	});

	it('fail-after-start: the 500 is saved and replayed to the key, while another key runs', async () => {
		sandbox.queueFault({ kind: 'fail-after-start', method: 'POST', path: CONFIGURATIONS });
		const failed = await call('POST', CONFIGURATIONS, { body: configuration('A'), headers: { 'Idempotency-Key': 'k-4' } });
		expect(failed.status).toBe(500);
		expect(failed.json.error).toMatchObject({ type: 'api_error' });
		expect(failed.headers.get('idempotent-replayed')).toBeNull();

		const replayed = await call('POST', CONFIGURATIONS, { body: configuration('A'), headers: { 'Idempotency-Key': 'k-4' } });
		expect(replayed.status).toBe(500);
		expect(replayed.headers.get('idempotent-replayed')).toBe('true');
		expect(replayed.json).toEqual(failed.json);

		const otherKey = await call('POST', CONFIGURATIONS, { body: configuration('A'), headers: { 'Idempotency-Key': 'k-5' } });
		expect(otherKey.status).toBe(200);
		expect(made()).toHaveLength(1);
		expect(sandbox.internalErrors).toEqual([]);
	});

	it('fail-after-start refuses a status that is not a 5xx', () => {
		expect(() => sandbox.queueFault({ kind: 'fail-after-start', status: 404 })).toThrow(/from 500 to 599/);
	});
});
