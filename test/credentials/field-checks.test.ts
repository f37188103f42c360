/**
 * The credential's fields, checked in its authenticate step: node runs and the credential's Test
 * button read them alike, and one that cannot be used is refused there, naming the field and the
 * fix, before anything is sent. The Secret Key is never repeated.
 */
import type { IDataObject } from 'n8n-workflow';

import { testCredential } from '../harness';
import { SEED_IDS } from '../sandbox';
import { API_VERSION, CREDENTIAL_TYPE, SECRET_KEY, customerById, runCreateSession, useEnvironment } from '../support/session';

const environment = useEnvironment();
const customer = customerById(SEED_IDS.jenny);
const BASE_URL_FIELD = "Base URL (in the 'Stripe Billing Portal API' credential)";
const KEY_FIELD = "Secret Key (in the 'Stripe Billing Portal API' credential)";
const KEY_FIX = 'Paste a secret key (sk_test_… or sk_live_…) or a restricted key (rk_test_… or rk_live_…) from the Stripe dashboard under Developers → API keys.';

const run = async (credentials: IDataObject) => await runCreateSession(environment, { customer, requestSettings: { retries: 2 } }, [{}], { credentials });
const testButton = async (fields: IDataObject) =>
	await testCredential({
		pkg: environment.pkg,
		credentialType: CREDENTIAL_TYPE,
		data: { secretKey: SECRET_KEY, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION, ...fields } as never,
	});

describe('a Base URL pasted with spaces around it', () => {
	it('is the URL the checks read, for node runs and the Test button alike', async () => {
		const baseUrl = `  ${environment.sandbox.baseUrl}/ \n`;
		const result = await run({ baseUrl });
		expect(result.error).toBeUndefined();
		expect(result.requests.map((request) => request.path)).toEqual(['/v1/billing_portal/sessions']);
		await expect(testButton({ baseUrl })).resolves.toMatchObject({ status: 'OK' });
		expect(environment.sandbox.requests.map((request) => request.path)).toEqual(['/v1/billing_portal/sessions', '/v1/billing_portal/configurations']);
	});
});

describe('a Base URL that would send requests to another path', () => {
	it.each([
		['ending in /v1', '/v1', /ends in \/v1, which every request path already starts with \(requests would ask for \/v1 twice\)\. Leave out \/v1, e\.g\. https:\/\/api\.stripe\.com\.$/],
		['ending in /v1/', '/V1/', /ends in \/v1, .*Leave out \/v1/],
		['with a backslash', '\\', /contains a backslash \(\\\)\. Use forward slashes only, e\.g\. https:\/\/api\.stripe\.com\.$/],
	])('%s is refused before any request, in node runs and by the Test button', async (_story, suffix, problem) => {
		const baseUrl = `${environment.sandbox.baseUrl}${suffix}`;
		const result = await run({ baseUrl });
		expect(result.requests).toHaveLength(0);
		expect(result.error?.message.startsWith(`${BASE_URL_FIELD}: `)).toBe(true);
		expect(result.error?.message).toMatch(problem);
		expect(result.error?.description ?? '').not.toMatch(/Retried/);
		const tested = await testButton({ baseUrl });
		expect(tested.status).toBe('Error');
		expect(tested.message).toMatch(problem);
		expect(environment.sandbox.requests).toHaveLength(0);
	});
});

describe('a Secret Key Stripe would refuse', () => {
	const long = `sk_test_${'a'.repeat(200_000)}`;
	it.each([
		['empty', '', `${KEY_FIELD}: the key is empty. ${KEY_FIX}`],
		['only spaces', '  \n ', `${KEY_FIELD}: the key is empty. ${KEY_FIX}`],
		['empty quotes', '""', `${KEY_FIELD}: the key is empty. ${KEY_FIX}`],
		['a publishable key', 'pk_test_51FieldChecksPublishable', `${KEY_FIELD}: this is a publishable key (pk_…), which is meant for browsers and cannot manage billing. ${KEY_FIX}`],
		['a publishable live key', 'pk_live_51FieldChecksPublishable', `${KEY_FIELD}: this is a publishable key (pk_…), which is meant for browsers and cannot manage billing. ${KEY_FIX}`],
		[
			'200,000 characters long',
			long,
			`${KEY_FIELD}: the key is 200,008 characters long; Stripe's keys are a few hundred at most (more than 1,000 is refused), so the field holds more than a key. ${KEY_FIX}`,
		],
	])('%s is refused before any request, in node runs and by the Test button, never repeated', async (_story, secretKey, message) => {
		const result = await run({ secretKey });
		expect(result.requests).toHaveLength(0);
		expect(result.error?.message).toBe(message);
		expect(result.error?.description ?? '').not.toMatch(/Retried/);
		const tested = await testButton({ secretKey });
		expect(tested).toEqual({ status: 'Error', message });
		expect(environment.sandbox.requests).toHaveLength(0);
		if (secretKey.trim().length > 3) expect(JSON.stringify([result.error, tested])).not.toContain(secretKey.slice(0, 12));
	});
});

describe('a Secret Key at the length limit', () => {
	it('of exactly 1,000 characters is sent, for Stripe to judge; one of 1,001 is refused before any request', async () => {
		const atLimit = `sk_test_${'a'.repeat(992)}`;
		const sent = await run({ secretKey: atLimit });
		expect(sent.requests).toHaveLength(1);
		expect(sent.error?.message ?? '').not.toContain(KEY_FIELD);
		const over = await run({ secretKey: `${atLimit}a` });
		expect(over.requests).toHaveLength(0);
		expect(over.error?.message).toBe(
			`${KEY_FIELD}: the key is 1,001 characters long; Stripe's keys are a few hundred at most (more than 1,000 is refused), so the field holds more than a key. ${KEY_FIX}`,
		);
	});
});

describe('the rate-limit fields', () => {
	it.each([
		[{ processesSharingAccount: 1.5 }, /^Stripe Billing Portal API credential → Processes Sharing the Account: '1\.5' is not a whole number from 1 to 1000\./],
		[{ processesSharingAccount: 0 }, /Processes Sharing the Account: '0' is not a whole number/],
		[{ processesSharingAccount: -1 }, /Processes Sharing the Account: '-1' is not a whole number/],
		[{ processesSharingAccount: 'abc' }, /Processes Sharing the Account: 'abc' is not a whole number/],
		[{ processesSharingAccount: 1e21 }, /Processes Sharing the Account: '1e\+21' is not a whole number/],
		[{ customRateLimits: 'yes' }, /Custom Rate Limits: 'yes' is neither on nor off/],
		[{ customRateLimits: true, testRequestsPerSecond: 0.5 }, /^Stripe Billing Portal API credential → Test Mode Requests per Second: '0\.5' is not a number of requests per second from 1 to 10000\./],
		[{ customRateLimits: true, testRequestsPerSecond: 'abc' }, /Test Mode Requests per Second: 'abc' is not a number/],
		[{ customRateLimits: 'true', liveRequestsPerSecond: 1e21 }, /Live Mode Requests per Second: '1e\+21' is not a number/],
		[{ customRateLimits: true, endpointRequestsPerSecond: [5] }, /Requests per Second per Endpoint: '\[5\]' is not a number/],
	])('%j fails the Test button with the message node runs give, sending nothing', async (fields, message) => {
		const result = await run(fields);
		expect(result.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(message);
		const tested = await testButton(fields);
		expect(tested.status).toBe('Error');
		expect(tested.message).toBe(result.error?.message);
		expect(environment.sandbox.requests).toHaveLength(0);
	});

	it('a stated limit that is off (Custom Rate Limits off) is not checked, by either', async () => {
		const fields = { customRateLimits: false, testRequestsPerSecond: 'abc', processesSharingAccount: '3' };
		expect((await run(fields)).error).toBeUndefined();
		await expect(testButton(fields)).resolves.toMatchObject({ status: 'OK' });
		// Checked as node runs check it: 1.5 processes is refused even though the Test button passed before.
		expect((await testButton({ processesSharingAccount: 1.5 })).status).toBe('Error');
	});
});
