/**
 * The account limiters of this process, one per Stripe account, and which endpoint budget a
 * request counts against.
 */
import { createHash } from 'node:crypto';

import type { AccountLimits } from '../shared/rateLimits';
import { AccountLimiter } from './accountLimiter';
import { realClock, type Clock } from './clock';

// The bench and the tests read (and the bench raises) the documented limits and the margin through this module.
export { STRIPE_RATE_LIMITS, documentedLimits, type AccountLimits } from '../shared/rateLimits';
export { LIMIT_MARGIN } from './accountLimiter';

/** A limiter nobody used for this long is dropped, so memory stays flat whatever runs. */
const IDLE_MS = 5 * 60_000;

/**
 * The account a request counts against, as a fingerprint: the Base URL, the key and the
 * connected account. The key itself is never kept: only a hash of it names the limiter.
 */
export function accountFingerprint(baseUrl: string, secretKey: string, connectedAccount?: string): string {
	return createHash('sha256').update(`${baseUrl}\n${secretKey}\n${connectedAccount ?? ''}`).digest('hex').slice(0, 32);
}

/**
 * The limiters of this process, one per account. A node class is loaded once per n8n process,
 * so this map is shared by every execution the process runs; in queue mode each worker has its
 * own, and the budgets' adaptation is what keeps workers together under the account's limit.
 */
const limiters = new Map<string, AccountLimiter>();
let lastSweep = 0;

export function limiterFor(fingerprint: string, live: boolean, limits?: AccountLimits, clock: Clock = realClock): AccountLimiter {
	const now = clock.now();
	if (now - lastSweep > IDLE_MS) {
		lastSweep = now;
		for (const [key, limiter] of limiters) {
			if (limiter.isIdle() && now - limiter.lastUsed > IDLE_MS) limiters.delete(key);
		}
	}
	let limiter = limiters.get(fingerprint);
	// The sweep above runs once in IDLE_MS, so a budget can outlive it by as much again: one idle
	// that long is made afresh here too, and starts slowly as a new one does.
	if (limiter && limiter.isIdle() && now - limiter.lastUsed > IDLE_MS) limiter = undefined;
	if (!limiter) {
		limiter = new AccountLimiter(live, clock, limits);
		limiters.set(fingerprint, limiter);
	} else if (limits) {
		limiter.restate(limits);
	}
	return limiter;
}

/**
 * The words of Stripe's API paths (docs.stripe.com/api): resources and the actions on them.
 * Every other path segment is an object's ID, whatever it looks like: IDs can be all lower case
 * (`cus_abc`), and a merchant chooses some of them (coupons, products). A word missing here
 * makes its endpoint share a budget with its neighbours (slower, never over a limit);
 * test/transport/endpoint-key.test.ts checks that every path this package sends keeps its words.
 */
const STRIPE_PATH_WORDS: ReadonlySet<string> = new Set([
	'v1',
	'v2',
	'accounts',
	'billing_portal',
	'cancel',
	'charges',
	'configurations',
	'coupons',
	'customers',
	'discount',
	'events',
	'invoices',
	'items',
	'login_links',
	'payment_intents',
	'payment_methods',
	'prices',
	'products',
	'promotion_codes',
	'resume',
	'search',
	'sessions',
	'sources',
	'subscription_items',
	'subscriptions',
	'tax_ids',
	'webhook_endpoints',
]);

/**
 * The endpoint a request counts against: its method and path, with object IDs folded, since
 * Stripe counts `GET /v1/customers/cus_1` and `/cus_2` against one limit.
 */
export function endpointKey(method: string, path: string): string {
	const template = path
		.split('?')[0]
		.split('/')
		.map((segment) => (segment === '' || STRIPE_PATH_WORDS.has(segment) ? segment : '{id}'))
		.join('/');
	return `${method.toUpperCase()} ${template}`;
}
