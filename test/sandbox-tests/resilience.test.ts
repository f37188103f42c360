import * as http from 'http';
import * as qs from 'qs';
import Stripe from 'stripe';

import { sandboxHttp } from '../support/sandbox-http';
import { RateLimiter, SEED_IDS, StripeSandbox } from '../sandbox';

const KEY = 'sk_test_sandbox';
const RETURN_URL = 'https://example.com/account';
const SESSIONS = '/v1/billing_portal/sessions';

let sandbox: StripeSandbox;
let baseUrl: string;
const call = sandboxHttp(() => baseUrl, KEY);

const base = { customer: SEED_IDS.jenny, return_url: RETURN_URL };

const createSession = (body: string | Record<string, unknown>, headers: Record<string, string> = {}) =>
	call('POST', SESSIONS, { body, headers });

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

afterEach(() => {
	expect(sandbox.internalErrors).toEqual([]);
});

describe('recorded response facts', () => {
	it('records the status answered, and none for a dropped socket', async () => {
		await call('GET', '/v1/customers');
		await createSession({ ...base, locale: 'xx' });
		sandbox.queueFault({ kind: 'status', status: 503 });
		await call('GET', '/v1/customers');
		sandbox.queueFault({ kind: 'non-json', status: 502 });
		await call('GET', '/v1/customers');
		sandbox.queueFault({ kind: 'drop' });
		await expect(call('GET', '/v1/customers')).rejects.toThrow();
		expect(sandbox.requests.map((r) => r.status)).toEqual([200, 400, 503, 502, undefined]);
		expect(sandbox.requests.every((r) => r.replayed === undefined)).toBe(true);
	});

	it('records no status when the client is gone before a delayed answer', async () => {
		sandbox.queueFault({ kind: 'delay', ms: 200 });
		await new Promise<void>((resolve) => {
			const req = http.request(`${baseUrl}/v1/customers`, { headers: { Authorization: `Bearer ${KEY}` } });
			req.on('error', () => resolve());
			req.end();
			setTimeout(() => {
				req.destroy();
				resolve();
			}, 50);
		});
		await new Promise((r) => setTimeout(r, 250));
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].status).toBeUndefined();
	});
});

describe('faults: times and drop-after', () => {
	it('applies a fault to the next N matching requests, then handles normally', async () => {
		sandbox.queueFault({ kind: 'status', status: 500, times: 2, path: SESSIONS });
		expect((await call('GET', '/v1/customers')).status).toBe(200);
		expect((await createSession(base)).status).toBe(500);
		expect(sandbox.pendingFaults).toEqual([{ kind: 'status', status: 500, times: 1, path: SESSIONS }]);
		expect((await createSession(base)).status).toBe(500);
		expect(sandbox.pendingFaults).toHaveLength(0);
		expect((await createSession(base)).status).toBe(200);
		expect(sandbox.sessions).toHaveLength(1);
	});

	it('keeps FIFO order across a counted fault', async () => {
		sandbox.queueFault({ kind: 'status', status: 503, times: 2 });
		sandbox.queueFault({ kind: 'status', status: 502 });
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) statuses.push((await call('GET', '/v1/customers')).status);
		expect(statuses).toEqual([503, 503, 502, 200]);
	});

	it('leaves the queued object alone and rejects a bad count', () => {
		const fault = { kind: 'drop' as const, times: 3 };
		sandbox.queueFault(fault);
		expect(() => sandbox.queueFault({ kind: 'drop', times: 0 })).toThrow(/positive integer/);
		expect(() => sandbox.queueFault({ kind: 'drop', times: 1.5 })).toThrow(/positive integer/);
		expect(fault.times).toBe(3);
	});

	it('carries Retry-After and Stripe-Should-Retry on a status fault', async () => {
		sandbox.queueFault({ kind: 'status', status: 503, headers: { 'Retry-After': '2', 'Stripe-Should-Retry': 'true' } });
		const r = await call('GET', '/v1/customers');
		expect(r.status).toBe(503);
		expect(r.headers.get('retry-after')).toBe('2');
		expect(r.headers.get('stripe-should-retry')).toBe('true');
	});

	it('drop-after does the work, then drops the connection without an answer', async () => {
		sandbox.queueFault({ kind: 'drop-after', path: SESSIONS });
		await expect(createSession(base)).rejects.toThrow();
		expect(sandbox.sessions).toHaveLength(1);
		expect(sandbox.requests[0]).toMatchObject({ path: SESSIONS, requestId: '' });
		expect(sandbox.requests[0].status).toBeUndefined();
		// Without an idempotency key the retry is a second, independent request.
		expect((await createSession(base)).status).toBe(200);
		expect(sandbox.sessions).toHaveLength(2);
	});
});

describe('rate limit', () => {
	const TEST_MODE_429 = {
		error: {
			code: 'rate_limit',
			doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
			message:
				'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
			type: 'invalid_request_error',
		},
	};

	const burst = (n: number, path = '/v1/customers') => Promise.all(Array.from({ length: n }, () => call('GET', path)));

	it('accepts N requests in any second and answers the rest with Stripe’s 429, then lets requests through again', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 5 });
		const first = await burst(8);
		expect(first.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
		const limited = first.filter((r) => r.status === 429);
		for (const r of limited) {
			expect(r.json).toEqual(TEST_MODE_429);
			expect(r.headers.get('retry-after')).toBeNull();
			expect(r.headers.get('request-id')).toMatch(/^req_/);
		}
		expect(sandbox.rateLimitStats).toMatchObject({ accepted: 5, limited: 3, maxInAnyWindow: 5 });
		expect(sandbox.rateLimitStats.limitedByReason['global-rate']).toBe(3);
		for (const r of limited) expect(r.headers.get('stripe-rate-limited-reason')).toBe('global-rate');
		expect(sandbox.requests.filter((r) => r.status === 429)).toHaveLength(3);

		await new Promise((r) => setTimeout(r, 1050));
		const later = await burst(5);
		expect(later.every((r) => r.status === 200)).toBe(true);
		expect(sandbox.rateLimitStats).toMatchObject({ accepted: 10, limited: 3, maxInAnyWindow: 5 });
	});

	it('sends Retry-After only when configured, and the live-mode wording for live keys', async () => {
		const live = new StripeSandbox({ secretKeys: ['sk_live_sandbox_0001'], rateLimit: { requestsPerSecond: 1, retryAfterSeconds: 2 } });
		const url = await live.start();
		try {
			const get = () => fetch(`${url}/v1/customers`, { headers: { Authorization: 'Bearer sk_live_sandbox_0001' } });
			expect((await get()).status).toBe(200);
			const r = await get();
			expect(r.status).toBe(429);
			expect(r.headers.get('retry-after')).toBe('2');
			expect(((await r.json()) as any).error.message).toBe(
				'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
			);
		} finally {
			await live.stop();
		}
	});

	it('checks before faults and handlers: a limited request uses up no fault and creates nothing', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 1 });
		expect((await call('GET', '/v1/customers')).status).toBe(200);
		sandbox.queueFault({ kind: 'status', status: 500 });
		const r = await createSession(base, { 'Idempotency-Key': 'limited-1' });
		expect(r.status).toBe(429);
		expect(r.headers.get('idempotency-key')).toBe('limited-1');
		expect(sandbox.sessions).toHaveLength(0);
		expect(sandbox.pendingFaults).toHaveLength(1);
		sandbox.setRateLimit(undefined);
		expect((await call('GET', '/v1/customers')).status).toBe(500);
	});

	it('counts without limiting when no limit is set, and reset() clears the stats and restores the option', async () => {
		await burst(4);
		expect(sandbox.rateLimitStats).toMatchObject({ accepted: 4, limited: 0, maxInAnyWindow: 4 });
		sandbox.setRateLimit({ requestsPerSecond: 2 });
		sandbox.reset();
		expect(sandbox.rateLimitStats).toMatchObject({ accepted: 0, limited: 0, maxInAnyWindow: 0, endpoints: {}, lockTimeouts: 0 });
		expect((await burst(3)).every((r) => r.status === 200)).toBe(true);
		expect(() => sandbox.setRateLimit({ requestsPerSecond: 0 })).toThrow(/positive integer/);
		expect(() => new StripeSandbox({ rateLimit: { requestsPerSecond: 2, retryAfterSeconds: -1 } })).toThrow(/>= 0/);
	});

	it('slides a 1000 ms window over the accepted requests (synthetic clock)', () => {
		const limiter = new RateLimiter({ requestsPerSecond: 3 });
		const at = [0, 100, 200, 300, 999, 1000, 1100, 1150, 1200, 2199, 2200];
		expect(at.map((t) => limiter.admit(t))).toEqual([true, true, true, false, false, true, true, false, true, true, true]);
		expect(limiter.stats).toEqual({ accepted: 8, limited: 3, maxInAnyWindow: 3 });
	});

	it('or, with bucketSeconds, a token bucket: a burst up to its size, then the rate on average (synthetic clock)', () => {
		// 5/s holding 0.4 s: two at once, then one every 200 ms.
		const limiter = new RateLimiter({ requestsPerSecond: 5, bucketSeconds: 0.4 });
		const at = [0, 0, 0, 100, 200, 300, 400, 400, 1000, 1000, 1000, 1000];
		expect(at.map((t) => limiter.admit(t))).toEqual([true, true, false, false, true, false, true, false, true, true, false, false]);
		// It refuses the third of a burst a window would have let through, and after 600 ms idle it has
		// saved two, not three: the average stays at the rate.
		expect(limiter.stats).toEqual({ accepted: 6, limited: 6, maxInAnyWindow: 4 });
		expect(() => new RateLimiter({ requestsPerSecond: 5, bucketSeconds: 0 })).toThrow(/bucketSeconds/);
	});

	it('a bucket in the server: every rate of the limit is one, and the 429s are Stripe’s', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 3, bucketSeconds: 1 });
		const statuses = (await burst(5)).map((r) => r.status).sort();
		expect(statuses).toEqual([200, 200, 200, 429, 429]);
		expect(sandbox.rateLimitStats.limitedByReason['global-rate']).toBe(2);
	});

	it('agrees with a brute-force count over thousands of arrivals, limited or not', () => {
		let seed = 12345;
		const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		for (const limit of [7, undefined]) {
			const limiter = new RateLimiter(limit === undefined ? undefined : { requestsPerSecond: limit });
			const accepted: number[] = [];
			let t = 0;
			for (let i = 0; i < 3000; i++) {
				// Bursts and lulls, so the ring both grows and wraps.
				t += next() < 0.9 ? next() * 3 : next() * 400;
				if (limiter.admit(t)) accepted.push(t);
			}
			let brute = 0;
			for (let i = 0, j = 0; i < accepted.length; i++) {
				while (accepted[j] <= accepted[i] - 1000) j++;
				brute = Math.max(brute, i - j + 1);
			}
			expect(limiter.stats).toEqual({ accepted: accepted.length, limited: 3000 - accepted.length, maxInAnyWindow: brute });
			if (limit !== undefined) expect(brute).toBe(limit);
			else expect(brute).toBeGreaterThan(64);
		}
	});

	it('holds the window exactly over many requests (no more than N in any 1000 ms)', async () => {
		sandbox.setRateLimit({ requestsPerSecond: 50 });
		const statuses: number[] = [];
		for (let round = 0; round < 4; round++) {
			statuses.push(...(await burst(40)).map((r) => r.status));
			await new Promise((r) => setTimeout(r, 100));
		}
		const stats = sandbox.rateLimitStats;
		expect(stats.accepted + stats.limited).toBe(160);
		expect(stats.maxInAnyWindow).toBe(50);
		expect(stats.limited).toBeGreaterThan(0);
		expect(statuses.filter((s) => s === 200)).toHaveLength(stats.accepted);
	});
});

describe('Stripe-Account', () => {
	const noAccess = (masked: string, account: string) =>
		`The provided key '${masked}' does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`;

	it('accepts a connected account only, and rejects any other (unknown or malformed) with Stripe’s 403', async () => {
		sandbox.addConnectedAccount('acct_1Connected000001');
		const ok = await call('GET', '/v1/customers', { headers: { 'Stripe-Account': 'acct_1Connected000001' } });
		expect(ok.status).toBe(200);
		for (const bad of ['acct_1Unknown0000001', 'acct_', 'cus_1Connected000001', 'acct_1 2', 'acct_1Connected-01']) {
			const r = await call('GET', '/v1/customers', { headers: { 'Stripe-Account': bad } });
			expect(r.status).toBe(403);
			expect(r.json.error).toMatchObject({
				type: 'invalid_request_error',
				code: 'account_invalid',
				doc_url: 'https://stripe.com/docs/error-codes/account-invalid',
				message: noAccess('sk_test_***dbox', bad),
			});
			expect(r.headers.get('stripe-account')).toBe(bad);
		}
	});

	it('limits the accounts to connectedAccounts when given, and always allows the platform’s own', async () => {
		const platform = new StripeSandbox({ connectedAccounts: ['acct_1Connected000001'], secretKeys: ['sk_test_platformKey0001'] });
		const url = await platform.start();
		try {
			const get = async (account: string) => {
				const res = await fetch(`${url}/v1/customers`, {
					headers: { Authorization: 'Bearer sk_test_platformKey0001', 'Stripe-Account': account },
				});
				return { status: res.status, json: (await res.json()) as any };
			};
			expect((await get('acct_1Connected000001')).status).toBe(200);
			expect((await get(platform.accountId)).status).toBe(200);
			const unknown = await get('acct_1Stranger0000001');
			expect(unknown.status).toBe(403);
			expect(unknown.json.error.message).toBe(noAccess('sk_test_***********0001', 'acct_1Stranger0000001'));
			expect(platform.mayActFor('acct_1Stranger0000001')).toBe(false);
		} finally {
			await platform.stop();
		}
	});

	it('authenticates before checking the account, and the SDK sees a permission error', async () => {
		const r = await call('GET', '/v1/customers', { key: null, headers: { 'Stripe-Account': 'nope' } });
		expect(r.status).toBe(401);
		const stripe = new Stripe(KEY, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 0, telemetry: false });
		await expect(stripe.customers.list({}, { stripeAccount: 'acct_bad-id' })).rejects.toMatchObject({
			type: 'StripePermissionError',
			statusCode: 403,
			code: 'account_invalid',
		});
	});
});

describe('idempotency', () => {
	const keyed = (key: string, body: string | Record<string, unknown> = base, headers: Record<string, string> = {}) =>
		createSession(body, { 'Idempotency-Key': key, ...headers });

	it('replays the saved answer for the same key and parameters without running the endpoint again', async () => {
		const first = await keyed('key-replay-1');
		expect(first.status).toBe(200);
		expect(first.headers.get('idempotent-replayed')).toBeNull();
		expect(first.headers.get('original-request')).toBe(first.headers.get('request-id'));
		// Same parameters in another order.
		const again = await keyed('key-replay-1', `return_url=${encodeURIComponent(RETURN_URL)}&customer=${SEED_IDS.jenny}`);
		expect(again.status).toBe(200);
		expect(again.json).toEqual(first.json);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
		expect(again.headers.get('original-request')).toBe(first.headers.get('request-id'));
		expect(again.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
		expect(again.headers.get('idempotency-key')).toBe('key-replay-1');
		expect(sandbox.sessions).toHaveLength(1);
		expect(sandbox.requests.map((r) => [r.status, r.replayed])).toEqual([
			[200, undefined],
			[200, true],
		]);
	});

	it('refuses the same key with other parameters or another endpoint with Stripe’s idempotency_error', async () => {
		await keyed('key-mismatch-1');
		const other = await keyed('key-mismatch-1', { ...base, locale: 'de' });
		expect(other.status).toBe(400);
		expect(other.json.error).toMatchObject({
			type: 'idempotency_error',
			message:
				"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'key-mismatch-1' if you meant to execute a different request.",
		});
		const elsewhere = await call('POST', '/v1/billing_portal/configurations', {
			body: { features: { invoice_history: { enabled: true } } },
			headers: { 'Idempotency-Key': 'key-mismatch-1' },
		});
		expect(elsewhere.status).toBe(400);
		expect(elsewhere.json.error.type).toBe('idempotency_error');
		expect(sandbox.sessions).toHaveLength(1);
		// The refusal saved nothing in place of the first result.
		expect((await keyed('key-mismatch-1')).headers.get('idempotent-replayed')).toBe('true');
	});

	it('saves nothing when the request is refused before the endpoint runs, so a fixed retry with the key succeeds', async () => {
		const invalid = await keyed('key-fixed-1', { ...base, locale: 'xx' });
		expect(invalid.status).toBe(400);
		expect(invalid.headers.get('original-request')).toBeNull();
		const unauthenticated = await call('POST', SESSIONS, { key: 'sk_test_wrong_0000', body: base, headers: { 'Idempotency-Key': 'key-fixed-1' } });
		expect(unauthenticated.status).toBe(401);
		sandbox.queueFault({ kind: 'status', status: 500 });
		expect((await keyed('key-fixed-1')).status).toBe(500);
		const fixed = await keyed('key-fixed-1');
		expect(fixed.status).toBe(200);
		expect(fixed.headers.get('idempotent-replayed')).toBeNull();
		expect(sandbox.sessions).toHaveLength(1);
	});

	it('saves and replays errors the endpoint itself answered', async () => {
		const missing = await keyed('key-404-1', { customer: 'cus_DoesNotExist01', return_url: RETURN_URL });
		expect(missing.status).toBe(404);
		sandbox.addCustomer({ id: 'cus_DoesNotExist01' });
		const again = await keyed('key-404-1', { customer: 'cus_DoesNotExist01', return_url: RETURN_URL });
		expect(again.status).toBe(404);
		expect(again.json).toEqual(missing.json);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
	});

	it('drop-after: the work is done, the answer lost, and a retry with the key replays the created session', async () => {
		sandbox.queueFault({ kind: 'drop-after', path: SESSIONS });
		await expect(keyed('key-drop-1')).rejects.toThrow();
		expect(sandbox.sessions).toHaveLength(1);
		const retry = await keyed('key-drop-1');
		expect(retry.status).toBe(200);
		expect(retry.headers.get('idempotent-replayed')).toBe('true');
		expect(retry.json.id).toBe(sandbox.sessions[0].id);
		expect(sandbox.sessions).toHaveLength(1);
	});

	it('scopes keys by mode and Stripe-Account, ignores them on GET, and reset() forgets them', async () => {
		const live = 'sk_live_sandbox_0001';
		const scoped = new StripeSandbox({ secretKeys: [KEY, live], connectedAccounts: ['acct_1Connected000001'] });
		// The connected account's own customer and portal settings: the platform's are not its.
		const shop = scoped.storeFor('acct_1Connected000001');
		shop.addConfiguration({ is_default: true });
		const shopCustomer = shop.addCustomer({ id: 'cus_ConnectedShop01' }).id;
		const url = await scoped.start();
		try {
			const post = async (key: string, headers: Record<string, string> = {}, body: Record<string, unknown> = base) => {
				const res = await fetch(`${url}${SESSIONS}`, {
					method: 'POST',
					headers: {
						Authorization: `Bearer ${key}`,
						'Content-Type': 'application/x-www-form-urlencoded',
						'Idempotency-Key': 'shared-key',
						...headers,
					},
					body: qs.stringify(body),
				});
				await res.text();
				return res.headers.get('idempotent-replayed');
			};
			expect(await post(KEY)).toBeNull();
			expect(await post(KEY)).toBe('true');
			expect(await post(live)).toBeNull();
			const connected = { 'Stripe-Account': 'acct_1Connected000001' };
			expect(await post(KEY, connected, { ...base, customer: shopCustomer })).toBeNull();
			expect(await post(KEY, connected, { ...base, customer: shopCustomer })).toBe('true');
			expect(scoped.sessions).toHaveLength(2);
			expect(scoped.storeFor('acct_1Connected000001').sessions).toHaveLength(1);
			const get = await fetch(`${url}/v1/customers`, { headers: { Authorization: `Bearer ${KEY}`, 'Idempotency-Key': 'shared-key' } });
			expect(get.headers.get('idempotent-replayed')).toBeNull();
			expect(get.headers.get('idempotency-key')).toBeNull();
			scoped.reset();
			expect(await post(KEY)).toBeNull();
		} finally {
			await scoped.stop();
		}
	});

	it('refuses a key longer than 255 characters without saving anything', async () => {
		const long = 'k'.repeat(256);
		const r = await keyed(long);
		expect(r.status).toBe(400);
		expect(r.json.error.type).toBe('invalid_request_error');
		expect(r.json.error.message).toMatch(/255/);
		expect(sandbox.sessions).toHaveLength(0);
		expect((await keyed('k'.repeat(255))).status).toBe(200);
	});

	it('works with the SDK’s own retries: a lost answer is retried with the same key and replayed', async () => {
		sandbox.queueFault({ kind: 'drop-after', path: SESSIONS });
		const stripe = new Stripe(KEY, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 1, telemetry: false });
		const session = await stripe.billingPortal.sessions.create(base);
		expect(session.id).toBe(sandbox.sessions[0].id);
		expect(sandbox.sessions).toHaveLength(1);
		const [lost, retried] = sandbox.requestsTo(SESSIONS);
		expect(retried.headers['idempotency-key']).toBe(lost.headers['idempotency-key']);
		expect(retried).toMatchObject({ status: 200, replayed: true });
	});
});
