/**
 * Retry decisions and backoff, and the retry loop driven by a stub attempt: which failures are
 * retried, how long each pause is, when the loop gives up and what it reports. No network and
 * no real waiting: the loop gets a pacer on a clock that never moves and a sleep that records.
 */
import { NodeApiError } from 'n8n-workflow';

import { AccountLimiter } from '../../nodes/StripeBillingPortal/transport/accountLimiter';
import { failureOf, isRetryable, pacedWithRetries, retryDelayMs, type Failure } from '../../nodes/StripeBillingPortal/transport/retry';
import { findConnectionErrorCode } from '../../nodes/StripeBillingPortal/transport/connection';
import { stripeApiError, type RetryOutcome } from '../../nodes/StripeBillingPortal/transport/errors';
import { STUB_NODE, stubContext } from '../support/stub-context';

describe('isRetryable', () => {
	it.each<[string, Failure, boolean]>([
		['429 rate limit', { httpStatus: 429 }, true],
		['500', { httpStatus: 500 }, true],
		['503', { httpStatus: 503 }, true],
		['409 lock timeout', { httpStatus: 409, code: 'lock_timeout' }, true],
		['409 idempotency in flight', { httpStatus: 409, type: 'idempotency_error' }, true],
		['409 idempotency key in use, as Stripe answers it', { httpStatus: 409, type: 'invalid_request_error', code: 'idempotency_key_in_use' }, true],
		['409 with Stripe-Should-Retry: true', { httpStatus: 409, shouldRetryHeader: true }, true],
		['409 other', { httpStatus: 409, code: 'resource_already_exists' }, false],
		['500 with Stripe-Should-Retry: false', { httpStatus: 500, shouldRetryHeader: false }, false],
		['400', { httpStatus: 400 }, false],
		['401', { httpStatus: 401 }, false],
		['404', { httpStatus: 404 }, false],
		['connection reset', { connectionCode: 'ECONNRESET' }, true],
		['timeout', { connectionCode: 'ETIMEDOUT' }, true],
		['DNS retry', { connectionCode: 'EAI_AGAIN' }, true],
		['refused (a wrong Base URL)', { connectionCode: 'ECONNREFUSED' }, false],
		['unknown host', { connectionCode: 'ENOTFOUND' }, false],
		['nothing known', {}, false],
	])('%s', (_title, failure, retryable) => {
		expect(isRetryable(failure)).toBe(retryable);
	});
});

describe('retryDelayMs', () => {
	it('doubles from 0.5 s, scaled by 50–100 %', () => {
		expect([1, 2, 3, 4].map((retry) => retryDelayMs(retry, {}, () => 1))).toEqual([500, 1_000, 2_000, 4_000]);
		expect([1, 2, 3, 4].map((retry) => retryDelayMs(retry, {}, () => 0))).toEqual([250, 500, 1_000, 2_000]);
	});
	it('stops growing at 8 s', () => {
		expect(retryDelayMs(10, {}, () => 1)).toBe(8_000);
	});
	it('never waits less than Stripe’s Retry-After', () => {
		expect(retryDelayMs(1, { retryAfterSeconds: 3 }, () => 0)).toBe(3_000);
		expect(retryDelayMs(5, { retryAfterSeconds: 1 }, () => 1)).toBe(8_000);
	});
});

describe('failureOf', () => {
	it('reads Stripe’s answer from an error made of it, and the system code from anything else', () => {
		const answer = stripeApiError(STUB_NODE, { httpStatus: 409, stripe: { code: 'lock_timeout', type: 'invalid_request_error' }, shouldRetryHeader: true });
		expect(failureOf(answer, findConnectionErrorCode)).toEqual({
			httpStatus: 409,
			code: 'lock_timeout',
			type: 'invalid_request_error',
			retryAfterSeconds: undefined,
			shouldRetryHeader: true,
		});
		expect(failureOf({ cause: { code: 'ECONNRESET' } }, findConnectionErrorCode)).toEqual({ connectionCode: 'ECONNRESET' });
	});
});

describe('pacedWithRetries', () => {
	const stripeAnswer = (httpStatus: number, extra: { retryAfterSeconds?: number } = {}) =>
		stripeApiError(STUB_NODE, { httpStatus, stripe: { message: `HTTP ${httpStatus}` }, ...extra });

	function loop(retries: number) {
		const context = stubContext();
		const sleeps: number[] = [];
		let clock = 0;
		const run = async <T>(attempts: Array<() => T>) => {
			let call = 0;
			let outcome: RetryOutcome | undefined;
			try {
				const value = await pacedWithRetries(
					{
						context,
						settings: { retries, timeoutSeconds: 80, maxWaitSeconds: 60 },
						limiter: new AccountLimiter(false, {
							now: () => clock,
							sleep: async (ms) => {
								clock += ms;
							},
						}),
						endpoint: 'POST /v1/billing_portal/sessions',
						now: () => clock,
						connectionCode: findConnectionErrorCode,
						sleep: async (ms) => {
							sleeps.push(ms);
							clock += ms;
						},
					},
					async () => attempts[Math.min(call++, attempts.length - 1)](),
					(error, ended) => {
						outcome = ended;
						return error;
					},
				);
				return { value, calls: call, sleeps, outcome };
			} catch (error) {
				return { error, calls: call, sleeps, outcome };
			}
		};
		return run;
	}

	const fail = (error: unknown) => () => {
		throw error;
	};

	it('retries what Stripe may answer differently next time, then returns the answer', async () => {
		const result = await loop(3)([fail(stripeAnswer(500)), fail(stripeAnswer(502)), () => 'ok']);
		expect(result).toMatchObject({ value: 'ok', calls: 3 });
		expect(result.sleeps).toHaveLength(2);
		expect(result.sleeps[0]).toBeGreaterThanOrEqual(250);
		expect(result.sleeps[0]).toBeLessThanOrEqual(500);
		expect(result.sleeps[1]).toBeGreaterThanOrEqual(500);
		expect(result.sleeps[1]).toBeLessThanOrEqual(1_000);
	});

	it('resends a rate-limited request until Max Wait for Rate Limits, without using up Retries', async () => {
		const limited = () => stripeAnswer(429, {});
		const result = await loop(0)([fail(limited())]);
		const waited = result.sleeps.reduce((sum, ms) => sum + ms, 0);
		expect(result.calls).toBeGreaterThan(10);
		expect(waited).toBeLessThanOrEqual(60_000);
		expect(waited).toBeGreaterThan(50_000);
		expect(result.outcome).toMatchObject({ retriesMade: 0, exhausted: true, rateLimited: { attempts: result.calls, maxWaitSeconds: 60 } });
		// Short pauses (the lowered budget already spaces the resends), growing to at most 1 s.
		expect(result.sleeps[0]).toBeLessThanOrEqual(250);
		expect(Math.max(...result.sleeps)).toBeLessThanOrEqual(1_000);
	});

	it('a 429 among other failures still leaves the counted retries to the others', async () => {
		const result = await loop(1)([fail(stripeAnswer(429)), fail(stripeAnswer(429)), fail(stripeAnswer(500)), () => 'ok']);
		expect(result).toMatchObject({ value: 'ok', calls: 4 });
	});

	it('gives up after the allowed retries and says they ran out', async () => {
		const result = await loop(2)([fail(stripeAnswer(503))]);
		expect(result.calls).toBe(3);
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.outcome).toEqual({ retriesMade: 2, retriesAllowed: 2, exhausted: true, rateLimited: undefined });
	});

	it('does not retry an answer no retry can change', async () => {
		const result = await loop(3)([fail(stripeAnswer(400))]);
		expect(result.calls).toBe(1);
		expect(result.sleeps).toEqual([]);
		expect(result.outcome).toMatchObject({ retriesMade: 0, exhausted: false });
	});

	it('does not wait for a Retry-After longer than the patience left', async () => {
		const result = await loop(3)([fail(stripeAnswer(429, { retryAfterSeconds: 61 }))]);
		expect(result.calls).toBe(1);
		expect(result.outcome?.rateLimited).toEqual({ waitedMs: 0, attempts: 1, maxWaitSeconds: 60 });
	});

	it('does not wait for a Retry-After over a minute on other failures', async () => {
		const result = await loop(3)([fail(stripeAnswer(503, { retryAfterSeconds: 61 }))]);
		expect(result.calls).toBe(1);
	});

	it('retries a dropped connection but not a refused one', async () => {
		const reset = await loop(1)([fail({ code: 'ECONNRESET' }), () => 'ok']);
		expect(reset).toMatchObject({ value: 'ok', calls: 2 });
		const refused = await loop(3)([fail({ code: 'ECONNREFUSED' })]);
		expect(refused.calls).toBe(1);
	});

	it('retries answers handed back instead of thrown, and lets the caller decide at the end', async () => {
		const context = stubContext();
		let clock = 0;
		const answers = [{ status: 500 }, { status: 500 }];
		let call = 0;
		const given: Array<{ status: number; outcome: RetryOutcome }> = [];
		const value = await pacedWithRetries(
			{
				context,
				settings: { retries: 1, timeoutSeconds: 80, maxWaitSeconds: 60 },
				connectionCode: findConnectionErrorCode,
				limiter: new AccountLimiter(false, {
					now: () => clock,
					sleep: async (ms) => {
						clock += ms;
					},
				}),
				endpoint: 'GET /v1/customers',
				sleep: async () => undefined,
			},
			async () => answers[call++],
			(error) => error,
			{
				failure: (answer) => (answer.status >= 400 ? { httpStatus: answer.status } : undefined),
				giveUp: (answer, outcome) => {
					given.push({ status: answer.status, outcome });
					return answer;
				},
			},
		);
		expect(value).toEqual({ status: 500 });
		expect(call).toBe(2);
		expect(given).toEqual([{ status: 500, outcome: { retriesMade: 1, retriesAllowed: 1, exhausted: true, rateLimited: undefined } }]);
	});
});
