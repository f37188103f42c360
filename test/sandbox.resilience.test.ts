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
