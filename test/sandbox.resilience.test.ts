import * as http from 'http';
import * as qs from 'qs';

import { SEED_IDS, StripeSandbox } from './sandbox';

const KEY = 'sk_test_sandbox';
const RETURN_URL = 'https://example.com/account';
const SESSIONS = '/v1/billing_portal/sessions';

interface CallOptions {
	key?: string | null;
	body?: string | Record<string, unknown>;
	headers?: Record<string, string>;
}

interface CallResult {
	status: number;
	headers: Headers;
	/** Parsed body; `any` because the tests read Stripe-shaped JSON field by field. */
	json: any;
}

let sandbox: StripeSandbox;
let baseUrl: string;

async function call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
	const headers: Record<string, string> = { ...(opts.headers ?? {}) };
	const key = opts.key === undefined ? KEY : opts.key;
	if (key !== null) headers.Authorization = `Bearer ${key}`;
	let body: string | undefined;
	if (opts.body !== undefined) {
		body = typeof opts.body === 'string' ? opts.body : qs.stringify(opts.body);
		headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
	}
	const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, json };
}

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
