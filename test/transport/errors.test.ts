/**
 * Stripe error mapping as one stage: the postReceive check a resource gets from the transport,
 * with the resource's words for its fields, and the wording of errors retries could not cure.
 */
import type { IN8nHttpFullResponse, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { configurationErrorVocabulary } from '../../nodes/StripeBillingPortal/resources/portalConfiguration/fieldNames';
import { sessionErrorVocabulary } from '../../nodes/StripeBillingPortal/resources/portalSession/fieldNames';
import { connectionError } from '../../nodes/StripeBillingPortal/transport/connection';
import {
	isStripeErrorCheck,
	noteRetries,
	rateLimitedError,
	stripeApiError,
	stripeErrorCheck,
} from '../../nodes/StripeBillingPortal/transport/errors';
import type { ErrorVocabulary } from '../../nodes/StripeBillingPortal/transport/answers';
import { STUB_NODE, stubContext } from '../support/stub-context';

const items: INodeExecutionData[] = [{ json: { id: 'bps_1' } }];

async function check(vocabulary: ErrorVocabulary, response: Partial<IN8nHttpFullResponse>) {
	const hook = stripeErrorCheck(vocabulary);
	const full = { statusCode: 200, statusMessage: 'OK', headers: {}, body: {}, ...response } as IN8nHttpFullResponse;
	try {
		return { items: await hook.call(stubContext({ itemIndex: 2 }), items, full) };
	} catch (error) {
		return { error: error as NodeApiError };
	}
}

describe('stripeErrorCheck', () => {
	it('hands a 2xx JSON object on unchanged', async () => {
		expect(await check(sessionErrorVocabulary, { body: { id: 'bps_1' } })).toEqual({ items });
	});

	it('turns an error answer into Stripe’s message with a hint in the resource’s words', async () => {
		const { error } = await check(sessionErrorVocabulary, {
			statusCode: 404,
			headers: { 'request-id': 'req_9' },
			body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'configuration', message: "No such configuration: 'bpc_1'" } },
		});
		expect(error?.message).toBe("No such configuration: 'bpc_1'");
		expect(error?.description).toContain('in Additional Fields → Configuration:');
		expect(error?.description).toContain('request ID: req_9');
		expect(error?.httpCode).toBe('404');
	});

	it('names the key inside the JSON field when the body came from JSON', async () => {
		const { error } = await check(configurationErrorVocabulary(true), {
			statusCode: 400,
			body: { error: { type: 'invalid_request_error', param: 'features[invoice_history][enabled]', message: 'Invalid boolean' } },
		});
		expect(error?.description).toContain("Check 'features[invoice_history][enabled]' in Configuration (JSON).");
	});

	it('asks the resource for its own hints first', async () => {
		const { error } = await check(sessionErrorVocabulary, {
			statusCode: 400,
			body: { error: { message: 'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.' } },
		});
		expect(error?.description).toContain('choose a Configuration under Additional Fields');
	});

	it('refuses a 2xx that is not a JSON object, pointing at the Base URL', async () => {
		const { error } = await check(sessionErrorVocabulary, { body: '<html>captive portal</html>' });
		expect(error?.message).toMatch(/^Expected a JSON object from Stripe but got text\. Check the Base URL/);
	});

	it('is recognisable, so the description test can find it on every operation', () => {
		expect(isStripeErrorCheck(stripeErrorCheck(sessionErrorVocabulary))).toBe(true);
		expect(isStripeErrorCheck(async () => items)).toBe(false);
	});
});

describe('errors after retries', () => {
	const limited = stripeApiError(STUB_NODE, { httpStatus: 429, requestId: 'req_1', stripe: { code: 'rate_limit', message: 'Too many requests.' } });

	it('says what to change when rate-limited to the end', () => {
		const outcome = { retriesMade: 0, retriesAllowed: 3, exhausted: true, rateLimited: { waitedMs: 180_400, attempts: 57, maxWaitSeconds: 180 } };
		const error = rateLimitedError(stubContext(), limited, outcome);
		expect(error.message).toBe(
			'Stripe rate limit: still rate-limited after 57 attempts over 180 s (Too many requests). Other traffic on this Stripe account, or many executions at once, use up its limit: raise Request Settings → Max Wait for Rate Limits (was 180 s), or run fewer executions at the same time. In queue mode, set the credential\'s Processes Sharing the Account to the number of workers.',
		);
	});

	it('names the lock, not the account’s limit, for a lock timeout that stayed', () => {
		const lock = stripeApiError(STUB_NODE, { httpStatus: 429, stripe: { code: 'lock_timeout', message: 'This object cannot be accessed right now.' } });
		const error = rateLimitedError(stubContext(), lock, { retriesMade: 0, retriesAllowed: 3, exhausted: true, rateLimited: { waitedMs: 5_000, attempts: 9, maxWaitSeconds: 5 } });
		expect(error.message).toMatch(/^Stripe rate limit: still rate-limited after 9 attempts over 5 s \(This object cannot be accessed right now\)\. Another request kept changing the same object/);
	});

	it('notes the retries made on an error they did not cure', () => {
		const error = noteRetries(stripeApiError(STUB_NODE, { httpStatus: 500 }), { retriesMade: 2, retriesAllowed: 3, exhausted: false });
		expect(error.description).toMatch(/Retried 2 times with backoff; Request Settings → Retries sets how often\.$/);
	});

	it('describes a connection failure by where it went, carrying nothing of the request', () => {
		const error = connectionError(STUB_NODE, 'http://127.0.0.1:9', { code: 'ECONNREFUSED', config: { headers: { Authorization: 'Bearer sk_test_secret' } } });
		expect(error.message).toBe('Could not reach Stripe at http://127.0.0.1:9: The connection was refused');
		expect(JSON.stringify(error)).not.toContain('sk_test_secret');
	});
});
