import * as http from 'http';

import { sandboxHttp } from '../support/sandbox-http';
import { SEED_IDS, StripeSandbox } from '../sandbox';

const KEY = 'sk_test_sandbox';
const RETURN_URL = 'https://example.com/account';
const SESSIONS = '/v1/billing_portal/sessions';
const CONFIGURATIONS = '/v1/billing_portal/configurations';

let sandbox: StripeSandbox;
let baseUrl: string;
const call = sandboxHttp(() => baseUrl, KEY);

const base = { customer: SEED_IDS.jenny, return_url: RETURN_URL };

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

interface RawOutcome {
	/** Status line received, if any. */
	status?: number;
	headers?: http.IncomingHttpHeaders;
	/** Body bytes received before the end or the abort. */
	received: Buffer;
	/** Whether the whole message arrived (`IncomingMessage.complete`). */
	complete: boolean;
	/** The error the response or the request emitted, if any. */
	error?: NodeJS.ErrnoException;
}

/**
 * One request with node's own http client (no retries, no redirects followed), settled with
 * whatever arrived: status line, headers, body bytes, and the error if the socket was cut.
 * `abortAfterMs` makes the client give up and close the socket.
 */
function rawRequest(
	url: string,
	opts: { method?: string; body?: string; headers?: Record<string, string>; abortAfterMs?: number } = {},
): Promise<RawOutcome> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let settled = false;
		const outcome: RawOutcome = { received: Buffer.alloc(0), complete: false };
		const settle = (error?: NodeJS.ErrnoException) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			outcome.received = Buffer.concat(chunks);
			if (error) outcome.error = error;
			resolve(outcome);
		};
		const headers: Record<string, string> = { Authorization: `Bearer ${KEY}`, ...(opts.headers ?? {}) };
		if (opts.body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
		const req = http.request(url, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
			outcome.status = res.statusCode;
			outcome.headers = res.headers;
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('error', (e) => settle(e));
			res.on('close', () => {
				outcome.complete = res.complete;
				// 'close' can come before 'error' for an aborted message; let the error arrive first.
				setImmediate(() => settle());
			});
		});
		req.on('error', (e) => settle(e));
		const timer = setTimeout(() => {
			req.destroy();
			settle();
		}, opts.abortAfterMs ?? 5000);
		req.end(opts.body);
	});
}

const sessionBody = new URLSearchParams(base).toString();

describe('drop-mid-body', () => {
	it('handles the request, sends the status line, headers and half the body, then cuts the connection', async () => {
		sandbox.queueFault({ kind: 'drop-mid-body', path: SESSIONS });
		const r = await rawRequest(`${baseUrl}${SESSIONS}`, {
			method: 'POST',
			body: sessionBody,
			headers: { 'Idempotency-Key': 'mid-body-1' },
		});
		expect(r.status).toBe(200);
		expect(r.headers?.['content-type']).toBe('application/json');
		expect(r.headers?.['request-id']).toMatch(/^req_/);
		const length = Number(r.headers?.['content-length']);
		expect(r.received.length).toBe(Math.floor(length / 2));
		expect(r.complete).toBe(false);
		// node's client reports the cut as an aborted response ("aborted", ECONNRESET).
		expect(r.error).toMatchObject({ message: 'aborted', code: 'ECONNRESET' });
		expect(() => JSON.parse(r.received.toString('utf8'))).toThrow();

		// The work was done and its result saved under the key: the retry replays it.
		expect(sandbox.sessions).toHaveLength(1);
		expect(sandbox.requests[0]).toMatchObject({ status: 200, truncated: true, requestId: r.headers?.['request-id'] });
		const retry = await call('POST', SESSIONS, { body: base, headers: { 'Idempotency-Key': 'mid-body-1' } });
		expect(retry.status).toBe(200);
		expect(retry.headers.get('idempotent-replayed')).toBe('true');
		expect(retry.json.id).toBe(sandbox.sessions[0].id);
		expect(retry.text.startsWith(r.received.toString('utf8'))).toBe(true);
		expect(Buffer.byteLength(retry.text)).toBe(length);
		expect(sandbox.sessions).toHaveLength(1);
	});

	it('sends exactly `bytes` of the body when given, and fetch fails reading the body', async () => {
		sandbox.queueFault({ kind: 'drop-mid-body', bytes: 7 });
		const r = await rawRequest(`${baseUrl}/v1/customers`);
		expect(r.status).toBe(200);
		expect(r.received.toString('utf8')).toBe('{\n  "ob');
		expect(r.complete).toBe(false);

		sandbox.queueFault({ kind: 'drop-mid-body' });
		await expect(call('GET', '/v1/customers')).rejects.toThrow();
		expect(sandbox.requests.map((q) => [q.status, q.truncated])).toEqual([
			[200, true],
			[200, true],
		]);
	});

	it('truncates error answers too, and refuses a bad byte count', async () => {
		sandbox.queueFault({ kind: 'drop-mid-body' });
		const r = await rawRequest(`${baseUrl}/v1/customers/cus_DoesNotExist01`);
		expect(r.status).toBe(404);
		expect(r.complete).toBe(false);
		expect(r.received.length).toBeLessThan(Number(r.headers?.['content-length']));
		expect(() => sandbox.queueFault({ kind: 'drop-mid-body', bytes: 0 })).toThrow(/positive integer/);
		expect(() => sandbox.queueFault({ kind: 'drop-mid-body', bytes: 2.5 })).toThrow(/positive integer/);
	});
});

describe('stall', () => {
	it('answers nothing and handles nothing until the client gives up', async () => {
		sandbox.queueFault({ kind: 'stall', path: SESSIONS });
		const started = performance.now();
		const r = await rawRequest(`${baseUrl}${SESSIONS}`, { method: 'POST', body: sessionBody, abortAfterMs: 300 });
		expect(performance.now() - started).toBeGreaterThanOrEqual(290);
		expect(r.status).toBeUndefined();
		expect(sandbox.sessions).toHaveLength(0);
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].status).toBeUndefined();
		expect(sandbox.requests[0].requestId).toBe('');
		// The next request is handled normally.
		expect((await call('POST', SESSIONS, { body: base })).status).toBe(200);
	});

	it('stop() closes a stalled connection at once', async () => {
		const other = new StripeSandbox();
		const url = await other.start();
		other.queueFault({ kind: 'stall' });
		const pending = rawRequest(`${url}/v1/customers`, { abortAfterMs: 10_000 });
		// Wait until the sandbox has the request, so stop() meets an open, unanswered exchange.
		for (let i = 0; i < 100 && other.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
		expect(other.requests).toHaveLength(1);
		const started = performance.now();
		await other.stop();
		const r = await pending;
		expect(performance.now() - started).toBeLessThan(1000);
		expect(r.status).toBeUndefined();
		expect(r.error).toBeDefined();
		expect(other.requests[0].status).toBeUndefined();
	});
});

describe('redirect', () => {
	let second: StripeSandbox;
	let secondUrl: string;

	beforeAll(async () => {
		second = new StripeSandbox();
		secondUrl = await second.start();
	});

	afterAll(async () => {
		await second.stop();
	});

	beforeEach(() => {
		second.reset();
	});

	it('answers 302 with Location and no body by default, handling nothing', async () => {
		sandbox.queueFault({ kind: 'redirect', location: `${secondUrl}${SESSIONS}`, path: SESSIONS });
		const r = await rawRequest(`${baseUrl}${SESSIONS}`, { method: 'POST', body: sessionBody });
		expect(r.status).toBe(302);
		expect(r.headers?.location).toBe(`${secondUrl}${SESSIONS}`);
		expect(r.headers?.['content-length']).toBe('0');
		expect(r.received.length).toBe(0);
		expect(r.complete).toBe(true);
		expect(sandbox.sessions).toHaveLength(0);
		expect(sandbox.requests[0]).toMatchObject({ status: 302, requestId: '' });
		expect(second.requests).toHaveLength(0);
	});

	it.each([301, 302, 307, 308] as const)('answers %i when asked', async (status) => {
		sandbox.queueFault({ kind: 'redirect', status, location: `${secondUrl}/v1/customers` });
		const r = await call('GET', '/v1/customers').catch(() => undefined);
		// fetch follows redirects by default: the second sandbox sees where a following client lands.
		expect(r?.status).toBeDefined();
		expect(sandbox.requests[0].status).toBe(status);
		expect(second.requests).toHaveLength(1);
		expect(second.requests[0].path).toBe('/v1/customers');
	});

	it('refuses statuses that are not redirects, and an empty location', () => {
		expect(() => sandbox.queueFault({ kind: 'redirect', status: 303 as 302, location: secondUrl })).toThrow(/301, 302, 307, 308/);
		expect(() => sandbox.queueFault({ kind: 'redirect', location: '' })).toThrow(/location/);
		expect(sandbox.pendingFaults).toHaveLength(0);
	});
});

describe('status and body faults with 200 answers', () => {
	const page = (id: string) => ({
		object: 'list',
		data: [{ id, object: 'billing_portal.configuration' }],
		has_more: true,
		url: CONFIGURATIONS,
	});

	it('serves the same list page again and again (a cursor that never moves)', async () => {
		sandbox.queueFault({ kind: 'status', status: 200, body: page('bpc_Repeat000001'), times: 3, path: CONFIGURATIONS });
		const answers = [];
		for (let i = 0; i < 3; i++)
			answers.push(await call('GET', CONFIGURATIONS, { query: i === 0 ? { limit: 1 } : { limit: 1, starting_after: 'bpc_Repeat000001' } }));
		for (const r of answers) {
			expect(r.status).toBe(200);
			expect(r.json).toEqual(page('bpc_Repeat000001'));
			expect(r.headers.get('request-id')).toMatch(/^req_/);
			expect(r.headers.get('content-type')).toBe('application/json');
		}
		// The fault is used up: the real list comes next.
		const real = await call('GET', CONFIGURATIONS);
		expect(real.json.data.map((c: { id: string }) => c.id)).toContain(SEED_IDS.defaultConfiguration);
	});

	it('sends a data array of odd items as given', async () => {
		sandbox.queueFault({ kind: 'status', status: 200, body: { object: 'list', data: [null, 1, 'x'], has_more: false, url: CONFIGURATIONS } });
		const r = await call('GET', CONFIGURATIONS);
		expect(r.status).toBe(200);
		expect(r.json.data).toEqual([null, 1, 'x']);
	});

	it('sends a 200 that carries an error object', async () => {
		const error = { error: { type: 'api_error', message: 'Something went wrong.' } };
		sandbox.queueFault({ kind: 'status', status: 200, body: error, path: SESSIONS });
		const r = await call('POST', SESSIONS, { body: base });
		expect(r.status).toBe(200);
		expect(r.json).toEqual(error);
		expect(sandbox.sessions).toHaveLength(0);
	});

	it('kind "body" is the same with status 200 by default; null and other JSON values are sent as they are', async () => {
		sandbox.queueFault({ kind: 'body', body: null });
		sandbox.queueFault({ kind: 'body', body: 'just a string', headers: { 'Stripe-Should-Retry': 'false' } });
		sandbox.queueFault({ kind: 'body', status: 201, body: [] });
		const [a, b, c] = [await call('GET', '/v1/customers'), await call('GET', '/v1/customers'), await call('GET', '/v1/customers')];
		expect([a.status, a.text.trim()]).toEqual([200, 'null']);
		expect([b.status, b.json, b.headers.get('stripe-should-retry')]).toEqual([200, 'just a string', 'false']);
		expect([c.status, c.json]).toEqual([201, []]);
		expect(sandbox.requests.map((q) => q.status)).toEqual([200, 200, 201]);
	});

	it('still defaults to a Stripe-style error body when no body is given, and refuses impossible statuses', async () => {
		sandbox.queueFault({ kind: 'status', status: 503 });
		expect((await call('GET', '/v1/customers')).json.error.type).toBe('api_error');
		expect(() => sandbox.queueFault({ kind: 'status', status: 199 })).toThrow(/200 to 599/);
		expect(() => sandbox.queueFault({ kind: 'body', status: 600, body: {} })).toThrow(/200 to 599/);
		expect(() => sandbox.queueFault({ kind: 'delay', ms: -1 })).toThrow(/>= 0/);
	});
});
