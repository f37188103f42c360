/**
 * Which endpoint budget a request counts against. Stripe counts every ID of one operation
 * against one limit (`GET /v1/customers/{id}`), so every ID folds into the path's template,
 * whatever it looks like; and however many paths come by, an account's limiter keeps a bounded
 * number of endpoint budgets.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { AccountLimiter } from '../../nodes/StripeBillingPortal/transport/accountLimiter';
import { endpointKey } from '../../nodes/StripeBillingPortal/transport/limiter';
import type { Clock } from '../../nodes/StripeBillingPortal/transport/clock';

class FakeClock implements Clock {
	time = 10_000;

	now = () => this.time;

	sleep = async (ms: number) => {
		this.time += ms;
	};
}

describe('IDs fold into the path template', () => {
	it.each([
		['all lower case, as an expression can give them', 'GET', '/v1/billing_portal/configurations/bpc_abcdefghijklmnop', 'GET /v1/billing_portal/configurations/{id}'],
		['all lower case, on update', 'POST', '/v1/billing_portal/configurations/bpc_lowercase', 'POST /v1/billing_portal/configurations/{id}'],
		['with capitals and digits', 'GET', '/v1/customers/cus_NffrFeUfNV2Hib', 'GET /v1/customers/{id}'],
		['a subscription', 'GET', '/v1/subscriptions/sub_abc', 'GET /v1/subscriptions/{id}'],
		['without a prefix (merchant-chosen IDs such as coupons)', 'GET', '/v1/coupons/summer', 'GET /v1/coupons/{id}'],
		['one segment of several', 'GET', '/v1/customers/cus_abc/tax_ids/txi_abc', 'GET /v1/customers/{id}/tax_ids/{id}'],
		['a webhook endpoint', 'DELETE', '/v1/webhook_endpoints/we_abc', 'DELETE /v1/webhook_endpoints/{id}'],
	])('%s', (_story, method, path, key) => {
		expect(endpointKey(method, path)).toBe(key);
	});

	it('leaves the words of Stripe’s paths as they are', () => {
		expect(endpointKey('GET', '/v1/customers/search?query=x')).toBe('GET /v1/customers/search');
		expect(endpointKey('POST', '/v1/billing_portal/sessions')).toBe('POST /v1/billing_portal/sessions');
		expect(endpointKey('GET', '/v1/subscription_items')).toBe('GET /v1/subscription_items');
	});

	it('reads a long segment in linear time', () => {
		const started = performance.now();
		expect(endpointKey('GET', `/v1/customers/a_${'1'.repeat(200_000)}-`)).toBe('GET /v1/customers/{id}');
		expect(performance.now() - started).toBeLessThan(1_000);
	});

	/**
	 * Every path this package sends, as written in its source (interpolations stand for IDs):
	 * a path word missing from the limiter's list would fold into {id} and share a budget.
	 */
	it('keeps every path word of every request this package sends', () => {
		const root = join(__dirname, '..', '..', 'nodes');
		const files: string[] = [];
		const walk = (dir: string) => {
			for (const name of readdirSync(dir)) {
				const path = join(dir, name);
				if (statSync(path).isDirectory()) walk(path);
				else if (name.endsWith('.ts')) files.push(path);
			}
		};
		walk(root);
		const paths = new Map<string, string>();
		for (const file of files) {
			for (const match of readFileSync(file, 'utf8').matchAll(/['`](\/v[12]\/[^'`?]*)/g)) {
				paths.set(match[1], relative(root, file));
			}
		}
		expect(paths.size).toBeGreaterThanOrEqual(6);
		for (const [path, file] of paths) {
			const template = path.replace(/\$\{[^}]*\}/g, '{id}');
			expect({ file, key: endpointKey('GET', template.replace(/\{id\}/g, 'xyz_abc')) }).toEqual({ file, key: `GET ${template}` });
		}
	});
});

describe('the endpoint budgets an account keeps', () => {
	it('one budget for a thousand lower-case IDs of one operation', async () => {
		const limiter = new AccountLimiter(false, new FakeClock());
		for (let index = 0; index < 1_000; index++) {
			const ticket = await limiter.take(endpointKey('GET', `/v1/billing_portal/configurations/bpc_${index.toString(26).replace(/\d/g, (digit) => 'qrstuvwxyz'[Number(digit)])}`));
			limiter.settle(ticket, { kind: 'answered' });
		}
		expect(Object.keys(limiter.state().endpoints)).toEqual(['GET /v1/billing_portal/configurations/{id}']);
	});

	it('at most 64, however many distinct endpoints come by, and never one with a request in flight', async () => {
		const limiter = new AccountLimiter(false, new FakeClock());
		const busy = await limiter.take('GET /v1/customers');
		for (let index = 0; index < 1_000; index++) {
			const ticket = await limiter.take(`GET /v1/unknown_${index}`);
			limiter.settle(ticket, { kind: 'answered' });
		}
		const endpoints = Object.keys(limiter.state().endpoints);
		expect(endpoints.length).toBeLessThanOrEqual(64);
		expect(endpoints).toContain('GET /v1/customers');
		expect(endpoints).toContain('GET /v1/unknown_999');
		limiter.settle(busy, { kind: 'answered' });
		expect(limiter.state().inFlight).toBe(0);
	});
});
