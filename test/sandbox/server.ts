import * as http from 'http';
import type { AddressInfo } from 'net';

import Stripe from 'stripe';


import { extractKey, isLive, KeyRing, maskKey, type ResolvedKey } from './auth';
import { defaultFaultError, errors, StripeApiError, stripeErrorBody, type StripeErrorBody } from './errors';
import { decodeForm, mediaType } from './form';
import { IdempotencyStore, type NewKey, type SavedResult } from './idempotency';
import { newId, nowSeconds } from './ids';
import { validateParams } from './params';
import { checkObjectLocks, LockTable } from './locks';
import { LoopWatch } from './loopWatch';
import { ApiLimiter, checkRateLimit, RATE_LIMITED_REASON_HEADER, type LimiterRequest } from './ratelimit';
import { ROUTES } from './resources';
import { endpointName, isSearchEndpoint, Router, type RouteDef, type RouteMatch } from './router';
import {
	SandboxStore,
	type Customer,
	type DeepPartial,
	type PortalConfiguration,
	type PortalSession,
	type Price,
	type Product,
	type Coupon,
	type PromotionCode,
	type Subscription,
	type SubscriptionSeed,
} from './store';
import type {
	Fault,
	ObjectLocks,
	PlainObject,
	RateLimit,
	RateLimitedReason,
	RateLimitStats,
	RecordedRequest,
	SandboxOptions,
} from './types';
import { webhookEndpointRoutes } from './webhooks/endpoints';
import { previousAttributes, WebhookHub } from './webhooks/hub';
import { PortalPlayer } from './webhooks/portal';

/**
 * The version the `stripe` package pins, used when a request sends no Stripe-Version: the one
 * place the tests, the demo and the bench read the API version from (a test keeps the node's
 * STRIPE_API_VERSION equal to it).
 */
export const DEFAULT_API_VERSION = Stripe.API_VERSION;
export const DEFAULT_SECRET_KEY = 'sk_test_sandbox';
export const DEFAULT_ACCOUNT_ID = 'acct_1Sandbox0000000';

/** `YYYY-MM-DD` or `YYYY-MM-DD.name`, optionally followed by beta flags (`; feature_beta=v1`). */
const API_VERSION_RE = /^(\d{4}-\d{2}-\d{2}(?:\.[a-z]+)?)((?:;\s*[a-z0-9_]+=v\d+)*)$/;
const FORM = 'application/x-www-form-urlencoded';

/**
 * The dated API versions before named releases began, from Stripe's changelog ("Previous
 * versions", docs.stripe.com/changelog); Stripe refuses a date that is none of its versions.
 */
const DATED_VERSIONS = new Set(
	(
		'2024-06-20 2024-04-10 2023-10-16 2023-08-16 2022-11-15 2022-08-01 2020-08-27 2020-03-02 2019-12-03 ' +
		'2019-11-05 2019-10-17 2019-10-08 2019-09-09 2019-08-14 2019-05-16 2019-03-14 2019-02-19 2019-02-11 ' +
		'2018-11-08 2018-10-31 2018-09-24 2018-09-06 2018-08-23 2018-07-27 2018-05-21 2018-02-28 2018-02-06 ' +
		'2018-02-05 2018-01-23 2017-12-14 2017-08-15 2017-06-05 2017-05-25 2017-04-06 2017-02-14 2017-01-27 ' +
		'2016-10-19 2016-07-06 2016-06-15 2016-03-07 2016-02-29 2016-02-23 2016-02-22 2016-02-19 2016-02-03 ' +
		'2015-10-16 2015-10-12 2015-10-01 2015-09-23 2015-09-08 2015-09-03 2015-08-19 2015-08-07 2015-07-28 ' +
		'2015-07-13 2015-07-07 2015-06-15 2015-04-07 2015-03-24 2015-02-18 2015-02-16 2015-02-10 2015-01-26 ' +
		'2015-01-11 2014-12-22 2014-12-17 2014-12-08 2014-11-20 2014-11-05 2014-10-07 2014-09-08 2014-08-20 ' +
		'2014-08-04 2014-07-26 2014-07-22 2014-06-17 2014-06-13 2014-05-19 2014-03-28 2014-03-13 2014-01-31 ' +
		'2013-12-03 2013-10-29 2013-08-13 2013-08-12 2013-07-05 2013-02-13 2013-02-11 2012-11-07 2012-10-26 ' +
		'2012-09-24 2012-07-09 2012-06-18 2012-03-25 2012-02-23 2011-09-15 2011-08-01 2011-06-28 2011-06-21'
	).split(' '),
);

/**
 * Named releases and the first day of each (Stripe's changelog; monthly releases keep the name
 * until the next major one). Endive's first day is not known here: it follows 2026-08-26.dahlia,
 * the last Dahlia release seen, so that day bounds it.
 */
const RELEASES: ReadonlyArray<[name: string, from: string]> = [
	['acacia', '2024-09-30'],
	['basil', '2025-03-31'],
	['clover', '2025-09-30'],
	['dahlia', '2026-03-25'],
	['endive', '2026-08-27'],
];

/**
 * Whether Stripe could know this version: a dated one from its list, or a named release whose
 * name is the one in use on its date, no later than the newest version the sandbox speaks
 * (the monthly release dates themselves are not modelled).
 */
function isKnownVersion(version: string): boolean {
	const [date, name] = version.split('.');
	if (name === undefined) return DATED_VERSIONS.has(date);
	if (date > DEFAULT_API_VERSION.split('.')[0]) return false;
	const release = [...RELEASES].reverse().find(([, from]) => from <= date);
	return release !== undefined && release[0] === name;
}
const ACCOUNT_ID_RE = /^acct_[A-Za-z0-9]+$/;

const NGINX_502 =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

interface SandboxResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
	/** An object lock the handling took: the outcome is delivered after `ms`, when the lock is released. */
	hold?: { ms: number; release: () => void };
}

/** Per-request state shared by the pipeline stages. */
export interface PipelineState {
	record: RecordedRequest;
	apiVersion: string;
	key?: ResolvedKey;
	match?: RouteMatch;
}

/**
 * A pipeline stage runs before the route handler; it may throw a StripeApiError to answer
 * instead of the handler (auth, Stripe-Account, version, content type, routing, permissions, ...).
 * The rate limit is checked before any of them, ahead of queued faults; the idempotency store
 * is consulted after the last of them, before parameter validation.
 */
export type Stage = (state: PipelineState, sandbox: StripeSandbox) => void;

function firstHeader(v: string | string[] | undefined): string | undefined {
	return Array.isArray(v) ? v[0] : v;
}

const REDIRECT_STATUSES: readonly number[] = [301, 302, 307, 308];

/** Throws for a fault that could not be answered as described. */
function checkFault(fault: Fault): void {
	switch (fault.kind) {
		case 'status':
		case 'body':
			if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599))
				throw new Error(`Fault status must be an integer from 200 to 599, got ${fault.status}`);
			return;
		case 'redirect':
			if (fault.status !== undefined && !REDIRECT_STATUSES.includes(fault.status))
				throw new Error(`Redirect status must be one of ${REDIRECT_STATUSES.join(', ')}, got ${fault.status}`);
			if (typeof fault.location !== 'string' || fault.location === '')
				throw new Error('Redirect location must be a non-empty string');
			return;
		case 'drop-mid-body':
			if (fault.bytes !== undefined && !(Number.isInteger(fault.bytes) && fault.bytes >= 1))
				throw new Error(`drop-mid-body bytes must be a positive integer, got ${fault.bytes}`);
			return;
		case 'delay':
		case 'slow':
			if (!(Number.isFinite(fault.ms) && fault.ms >= 0)) throw new Error(`${fault.kind} ms must be a number >= 0, got ${fault.ms}`);
			return;
		case 'fail-after-start':
			if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 500 && fault.status <= 599))
				throw new Error(`fail-after-start status must be an integer from 500 to 599, got ${fault.status}`);
			return;
		case 'trickle':
			if (fault.everyMs !== undefined && !(Number.isFinite(fault.everyMs) && fault.everyMs > 0))
				throw new Error(`Trickle everyMs must be a number > 0, got ${fault.everyMs}`);
			return;
		default:
			return;
	}
}

/** The parameters a request is validated and keyed on: a POST's body over its query string. */
function paramsOf(record: RecordedRequest): PlainObject {
	return record.method === 'POST' ? { ...record.query, ...record.body } : record.query;
}

/** The request's Stripe-Version when well-formed, else the default (for answers given before the version stage). */
function requestedVersion(record: RecordedRequest): string {
	const m = API_VERSION_RE.exec(firstHeader(record.headers['stripe-version'])?.trim() ?? '');
	return m ? m[1] : DEFAULT_API_VERSION;
}

/**
 * A local stand-in for api.stripe.com on 127.0.0.1. Each instance has its own data, keys,
 * recorded requests and fault queue; several can run at once.
 */
export class StripeSandbox {
	/** Every request received, in arrival order (cleared in place by reset()). */
	readonly requests: RecordedRequest[] = [];
	/** Unexpected exceptions thrown inside the sandbox (answered with a 500); should stay empty. */
	readonly internalErrors: Error[] = [];
	readonly accountId: string;
	/** The platform account's objects (what requests without Stripe-Account see). */
	readonly store = new SandboxStore();
	/** Each connected account's own objects: a request sees them only with its Stripe-Account. */
	private readonly accountStores = new Map<string, SandboxStore>();

	private readonly keys: KeyRing;
	private readonly router = new Router(ROUTES);
	private readonly faults: Fault[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly options: SandboxOptions;
	private readonly limiter: ApiLimiter;

	private readonly loop = new LoopWatch();
	private readonly locks: LockTable;
	/** In-flight releases of the responses not yet answered, so send() can free the slot at once. */
	private readonly releases = new WeakMap<http.ServerResponse, () => void>();
	private readonly idempotency = new IdempotencyStore();
	private server?: http.Server;
	private url?: string;
	/** Webhook endpoints, events and their signed deliveries. */
	readonly webhooks: WebhookHub;
	/** Plays a customer's actions in the portal (changes objects, emits events). */
	readonly portal: PortalPlayer;

	/** Stages in order; exposed so later features can insert their own. */
	readonly stages: Stage[] = [
		(st, sb) => {
			st.key = sb.keys.authenticate(st.record.headers);
		},
		(st, sb) => {
			const account = firstHeader(st.record.headers['stripe-account']);
			if (account !== undefined && st.key && !sb.mayActFor(account))
				throw errors.accountInvalid(maskKey(st.key.key), account);
		},
		(st) => {
			const version = firstHeader(st.record.headers['stripe-version']);
			if (version === undefined) return;
			const m = API_VERSION_RE.exec(version.trim());
			if (!m || !isKnownVersion(m[1])) throw errors.invalidApiVersion(version);
			st.apiVersion = m[1];
		},
		(st) => {
			const ct = mediaType(st.record.headers['content-type']);
			if (st.record.method === 'POST' && st.record.rawBody !== '' && ct !== '' && ct !== FORM)
				throw errors.invalidContentType();
		},
		(st, sb) => {
			st.match = sb.router.match(st.record.method, st.record.path);
			if (!st.match) throw errors.unrecognizedUrl(st.record.method, st.record.path);
		},
		(st, sb) => {
			if (st.key && st.match) sb.keys.authorize(st.key, st.match.route.permission, sb.accountId);
		},
	];

	constructor(options: SandboxOptions = {}) {
		this.options = options;
		this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
		this.keys = new KeyRing(options.secretKeys ?? [DEFAULT_SECRET_KEY], options.restrictedKeys ?? {});
		this.limiter = new ApiLimiter(options.rateLimit && { ...options.rateLimit });
		this.locks = new LockTable(options.objectLocks && { ...options.objectLocks });
		this.webhooks = new WebhookHub(DEFAULT_API_VERSION, options.webhooks);
		this.portal = new PortalPlayer(this.store, this.webhooks);
		for (const route of webhookEndpointRoutes(this.webhooks)) this.router.add(route);
		for (const account of options.connectedAccounts ?? []) this.addConnectedAccount(account);
	}

	// Lifecycle

	/** Starts listening on 127.0.0.1; resolves to the base URL, e.g. 'http://127.0.0.1:54321'. */
	async start(): Promise<string> {
		if (this.server && this.url) return this.url;
		this.webhooks.restart();
		const server = http.createServer((req, res) => this.onRequest(req, res));
		this.loop.start();
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.options.port ?? 0, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		return this.url;
	}

	/** Closes the server and every open socket. */
	async stop(): Promise<void> {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.webhooks.stop();
		this.loop.stop();
		// Answers waiting on a lock were in those timers: their locks go with them.
		this.locks.clear();
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		this.url = undefined;
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	get baseUrl(): string {
		if (!this.url) throw new Error('StripeSandbox is not started: await sandbox.start() first');
		return this.url;
	}

	get port(): number {
		return Number(new URL(this.baseUrl).port);
	}

	/** Options for `new Stripe(key, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 0 })`. */
	stripeClientConfig(): { host: string; port: number; protocol: 'http' } {
		return { host: '127.0.0.1', port: this.port, protocol: 'http' };
	}

	/**
	 * Clears recorded requests, queued faults, internal errors, saved idempotent results,
	 * rate-limit stats and held object locks, puts the rate limit and object locks back to the
	 * constructor's, and re-seeds the default data.
	 */
	reset(): void {
		this.requests.length = 0;
		this.faults.length = 0;
		this.internalErrors.length = 0;
		this.idempotency.clear();
		this.limiter.clear();
		this.limiter.limit = this.options.rateLimit && { ...this.options.rateLimit };
		this.locks.clear();
		this.locks.options = this.options.objectLocks && { ...this.options.objectLocks };
		this.webhooks.clear();
		this.webhooks.options = { ...this.options.webhooks };
		this.portal.clear();
		this.store.seed();
		this.accountStores.clear();
		for (const account of this.options.connectedAccounts ?? []) this.addConnectedAccount(account);
	}

	// Rate limit

	/** Limits (or, with undefined, stops limiting) the requests from now on; windows and stats carry on. */
	setRateLimit(limit: RateLimit | undefined): void {
		checkRateLimit(limit);
		this.limiter.limit = limit && { ...limit };
	}

	/**
	 * Accepted and limited requests since start or reset() (overall, by reason and per endpoint),
	 * the busiest 1000 ms, requests in flight and their peak, and lock timeouts.
	 */
	get rateLimitStats(): RateLimitStats {
		return { ...this.limiter.stats, lockTimeouts: this.locks.timeouts };
	}

	/** Object locks from now on (undefined: none); locks held now stay until their requests finish. */
	setObjectLocks(locks: ObjectLocks | undefined): void {
		checkObjectLocks(locks);
		this.locks.options = locks && { ...locks };
	}

	// Data

	/**
	 * Connects an account to the platform (idempotent): Stripe-Account, on_behalf_of and
	 * customer_account may then name it. Its store starts empty; returns it, for seeding.
	 */
	addConnectedAccount(account: string): SandboxStore {
		if (!ACCOUNT_ID_RE.test(account) || account === this.accountId)
			throw new Error(`A connected account is an acct_ ID other than the platform's own, got ${account}`);
		let store = this.accountStores.get(account);
		if (!store) {
			store = new SandboxStore({ seed: false });
			this.accountStores.set(account, store);
		}
		return store;
	}

	/** Whether the account is connected to the platform. */
	isConnectedAccount(account: string): boolean {
		return this.accountStores.has(account);
	}

	/** The objects a request with this Stripe-Account sees (the platform's without one, or with its own ID). */
	storeFor(account?: string): SandboxStore {
		if (account === undefined || account === this.accountId) return this.store;
		const store = this.accountStores.get(account);
		if (!store) throw new Error(`${account} is not connected: addConnectedAccount('${account}') first`);
		return store;
	}

	addCustomer(partial: Partial<Customer> = {}): Customer {
		return this.store.addCustomer(partial);
	}

	/** Adds a subscription with one item (price and item IDs generated unless given). */
	addSubscription(seed: SubscriptionSeed): Subscription {
		return this.store.addSubscription(seed);
	}

	addProduct(partial: Partial<Product> = {}): Product {
		return this.store.addProduct(partial);
	}

	/** Adds a price of an existing product. */
	addPrice(partial: Partial<Price> & { product: string }): Price {
		return this.store.addPrice(partial);
	}

	addCoupon(partial: Partial<Coupon> = {}): Coupon {
		return this.store.addCoupon(partial);
	}

	/** Adds a promotion code of an existing coupon. */
	addPromotionCode(partial: Partial<PromotionCode> & { coupon: string }): PromotionCode {
		return this.store.addPromotionCode(partial);
	}

	/** Adds a configuration (not the default unless `is_default: true`); features default to all enabled. */
	addConfiguration(partial: DeepPartial<PortalConfiguration> = {}): PortalConfiguration {
		return this.store.addConfiguration(partial);
	}

	/**
	 * Adds `count` configurations with ascending `created` (one second apart, the last one now), so
	 * the list order is fixed: the last one added comes first. `template` may be a function of the
	 * index, e.g. `(i) => ({ name: 'Portal ' + i })`. Returned in the order added (oldest first).
	 */
	addConfigurations(
		count: number,
		template: DeepPartial<PortalConfiguration> | ((index: number) => DeepPartial<PortalConfiguration>) = {},
	): PortalConfiguration[] {
		return this.store.addConfigurations(count, template);
	}

	/** Deletes the default configuration, so session create without `configuration` fails as on a fresh account. */
	removeDefaultConfiguration(): void {
		this.store.removeDefaultConfiguration();
	}

	/**
	 * Deletes a customer of the platform as DELETE /v1/customers/{id} does: gone from lists, its ID
	 * read as Stripe's deleted stub, its live subscriptions canceled, a session for it refused.
	 */
	deleteCustomer(id: string): Stripe.DeletedCustomer {
		const deleted = this.store.deleteCustomer(id);
		if (!deleted) throw new Error(`No customer ${id} in the sandbox to delete`);
		return deleted;
	}

	/** The customer, or undefined when there is none or it was deleted. */
	getCustomer(id: string): Customer | undefined {
		const c = this.store.getCustomer(id);
		return c && structuredClone(c);
	}

	getConfiguration(id: string): PortalConfiguration | undefined {
		const c = this.store.getConfiguration(id);
		return c && structuredClone(c);
	}

	/** Every configuration, newest first as the list endpoint orders them (copies). */
	listConfigurations(): PortalConfiguration[] {
		return structuredClone(this.store.listConfigurations());
	}

	/** Portal sessions created so far, in order. */
	get sessions(): readonly PortalSession[] {
		return this.store.sessions;
	}

	// Recorded requests

	/** Requests whose path equals `path` (and method, if given). */
	requestsTo(path: string, method?: string): RecordedRequest[] {
		return this.requests.filter((r) => r.path === path && (method === undefined || r.method === method.toUpperCase()));
	}

	get lastRequest(): RecordedRequest | undefined {
		return this.requests[this.requests.length - 1];
	}

	// Faults

	/**
	 * The next request matching the fault's filter (the next `times` ones, default 1) gets the
	 * fault instead of normal handling. Faults are tried in the order queued.
	 */
	queueFault(fault: Fault): void {
		if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1))
			throw new Error(`Fault times must be a positive integer, got ${fault.times}`);
		checkFault(fault);
		// A copy, so counting down `times` never changes the caller's object.
		this.faults.push({ ...fault });
	}

	/** Faults queued and not yet used up; `times` shows the uses left. */
	get pendingFaults(): readonly Fault[] {
		return this.faults;
	}

	/** Adds a route (e.g. from a test-only resource module). */
	addRoute(route: RouteDef): void {
		this.router.add(route);
	}

	/** Whether a Stripe-Account header with this value gets past the Connect check: the platform itself or a connected account. */
	mayActFor(account: string): boolean {
		return account === this.accountId || this.accountStores.has(account);
	}

	// Request handling

	private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
		// Stamped once the headers are read, as a server in its own process would.
		const receivedAt = this.loop.arrivedBy(performance.now());
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('error', () => undefined);
		req.on('end', () => {
			let record: RecordedRequest | undefined;
			try {
				record = this.record(req, receivedAt, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
				this.process(record, req, res);
			} catch (e) {
				this.internalErrors.push(e as Error);
				if (!res.headersSent) {
					res.statusCode = 500;
					res.end();
					if (record) record.status = 500;
				}
			}
		});
	}

	private record(req: http.IncomingMessage, receivedAt: number, rawBody: string): RecordedRequest {
		const rawUrl = req.url ?? '/';
		const q = rawUrl.indexOf('?');
		const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
		const ct = mediaType(req.headers['content-type']);
		const record: RecordedRequest = {
			method: (req.method ?? 'GET').toUpperCase(),
			path,
			query: q === -1 ? {} : decodeForm(rawUrl.slice(q + 1)),
			headers: req.headers,
			rawBody,
			body: rawBody !== '' && (ct === '' || ct === FORM) ? decodeForm(rawBody) : {},
			requestId: '',
			receivedAt,
		};
		this.requests.push(record);
		return record;
	}

	private process(record: RecordedRequest, req: http.IncomingMessage, res: http.ServerResponse): void {
		// First, as Stripe's limiters run before its idempotency layer: a limited request uses up
		// no fault, reaches no handler and leaves nothing in the idempotency store.
		const admission = this.limiter.admit(record.receivedAt, this.limiterRequest(record));
		if ('reason' in admission) return this.send(res, record, this.rateLimited(record, admission.reason));
		// In flight until answered (send() releases at once), dropped, or abandoned by the client.
		this.releases.set(res, admission.release);
		res.once('close', admission.release);
		const fault = this.takeFault(record);
		if (!fault) return this.answer(res, record);
		switch (fault.kind) {
			case 'drop':
				req.socket.destroy();
				return;
			case 'drop-after': {
				const r = this.dispatch(record);
				// The client never sees this Request-Id; '' keeps the field's meaning (what was sent).
				record.requestId = '';
				this.afterHold(r, () => req.socket.destroy());
				return;
			}
			case 'non-json': {
				const body = fault.body ?? NGINX_502;
				this.send(res, record, {
					status: fault.status ?? 502,
					headers: { 'Content-Type': fault.contentType ?? 'text/html', Server: 'nginx' },
					body,
				});
				return;
			}
			case 'status':
			case 'body': {
				record.requestId = newId.request();
				const status = fault.status ?? 200;
				const headers = { ...this.baseHeaders(record, requestedVersion(record)), ...(fault.headers ?? {}) };
				this.send(res, record, this.json(status, fault.body === undefined ? defaultFaultError(status) : fault.body, headers));
				return;
			}
			case 'fail-after-start':
				this.send(res, record, this.dispatch(record, fault.status ?? 500));
				return;
			case 'delay': {
				// Stripe has the request from now on: its key is taken while it waits, and it is carried
				// out even when the client has gone meanwhile (send() then writes nothing), so a resend
				// under the key gets the saved answer. Until then it is in flight for the concurrency
				// limiters too, which count what Stripe is working on, whoever still waits for it.
				const releaseKey = this.takeKey(record);
				res.off('close', admission.release);
				this.later(fault.ms, () => {
					releaseKey?.();
					const r = this.dispatch(record);
					this.afterHold(r, () => {
						this.send(res, record, r);
						admission.release();
					});
				});
				return;
			}
			case 'drop-mid-body': {
				const r = this.dispatch(record);
				this.afterHold(r, () => this.sendTruncated(res, record, r, fault.bytes));
				return;
			}
			case 'slow':
				this.answer(res, record, fault.ms);
				return;
			case 'stall':
				// Nothing is written: the client closing the socket or stop() ends the exchange. Stripe is
				// still working on the request all the while, so its key stays taken until reset().
				this.takeKey(record);
				return;
			case 'trickle': {
				const r = this.dispatch(record);
				this.afterHold(r, () => this.sendTrickling(res, record, r, fault.everyMs ?? 1000));
				return;
			}
			case 'redirect':
				this.send(res, record, { status: fault.status ?? 302, headers: { Server: 'nginx', Location: fault.location }, body: '' });
				return;
		}
	}

	/** Normal handling, answered once any object lock it took has been held for its time. */
	private answer(res: http.ServerResponse, record: RecordedRequest, slowMs?: number): void {
		const r = this.dispatch(record, undefined, slowMs);
		this.afterHold(r, () => this.send(res, record, r));
	}

	/** Runs `then` at once, or when the response's object lock has been held for its time (released first). */
	private afterHold(r: SandboxResponse, then: () => void): void {
		const hold = r.hold;
		if (!hold) return then();
		this.later(hold.ms, () => {
			hold.release();
			then();
		});
	}

	/**
	 * Takes the request's Idempotency-Key as Stripe does when it starts on a request it has not
	 * answered yet: until the returned release, another request with the key gets the 409
	 * idempotency_key_in_use. Nothing is taken for a request that carries no key, that a stage
	 * would refuse (those never reach Stripe's idempotency layer), or whose key is already saved
	 * or taken: it meets that when it is handled.
	 */
	private takeKey(record: RecordedRequest): (() => void) | undefined {
		const state: PipelineState = { record, apiVersion: DEFAULT_API_VERSION };
		try {
			for (const stage of this.stages) stage(state, this);
			const found = this.idempotency.lookup(record, state.key as ResolvedKey, this.accountId, paramsOf(record));
			return found && 'fresh' in found ? this.idempotency.take(found.fresh) : undefined;
		} catch (e) {
			if (e instanceof StripeApiError) return undefined;
			throw e;
		}
	}

	/** Runs `fn` after `ms`, unless stop() comes first. */
	private later(ms: number, fn: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		this.timers.add(timer);
	}

	private takeFault(record: RecordedRequest): Fault | undefined {
		const i = this.faults.findIndex(
			(f) =>
				(f.method === undefined || f.method.toUpperCase() === record.method) &&
				(f.path === undefined ||
					(f.path.endsWith('*') ? record.path.startsWith(f.path.slice(0, -1)) : record.path === f.path)),
		);
		if (i === -1) return undefined;
		const fault = this.faults[i];
		// Counting down on the queued copy keeps the fault's place in the FIFO for its later uses.
		if (fault.times !== undefined && fault.times > 1) {
			fault.times--;
			return fault;
		}
		this.faults.splice(i, 1);
		return fault;
	}

	/** Mode and endpoint, from the key and path alone (the limiters run before authentication and routing). */
	private limiterRequest(record: RecordedRequest): LimiterRequest {
		const key = extractKey(record.headers);
		const route = this.router.match(record.method, record.path)?.route;
		return {
			live: key !== undefined && isLive(key),
			endpoint: route && endpointName(route),
			search: route !== undefined && isSearchEndpoint(route),
		};
	}

	private rateLimited(record: RecordedRequest, reason: RateLimitedReason): SandboxResponse {
		record.requestId = newId.request();
		record.limitedReason = reason;
		const key = extractKey(record.headers);
		const headers = this.baseHeaders(record, requestedVersion(record));
		headers[RATE_LIMITED_REASON_HEADER] = reason;
		const retryAfter = this.limiter.limit?.retryAfterSeconds;
		if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
		return this.json(429, errors.rateLimited(key !== undefined && isLive(key)).body, headers);
	}

	/**
	 * With objectLocks, a POST to a path with an object ID takes that object's lock (per mode) or
	 * throws Stripe's lock_timeout 429 when another request holds it.
	 */
	private takeObjectLock(record: RecordedRequest, match: RouteMatch, key: ResolvedKey): SandboxResponse['hold'] {
		const options = this.locks.options;
		const object = Object.values(match.pathParams)[0];
		if (!options || record.method !== 'POST' || object === undefined) return undefined;
		const release = this.locks.take(`${key.livemode ? 'live' : 'test'} ${object}`);
		if (!release) throw errors.lockTimeout();
		return { ms: options.holdMs, release };
	}

	/**
	 * Normal handling: stages, idempotency, parameter validation, object lock, route handler. A
	 * result is saved under the request's idempotency key only once the handler has been called, so
	 * refusals by a stage, by validation or by a held lock leave the key free, as Stripe documents.
	 */
	/** An object lock's hold and a slow answer together: answered after the longer, the lock released then. */
	private joinHolds(hold: SandboxResponse['hold'], ms: number): NonNullable<SandboxResponse['hold']> {
		return { ms: Math.max(ms, hold?.ms ?? 0), release: hold?.release ?? (() => undefined) };
	}

	private dispatch(record: RecordedRequest, failAfterStart?: number, slowMs?: number): SandboxResponse {
		record.requestId = newId.request();
		const state: PipelineState = { record, apiVersion: DEFAULT_API_VERSION };
		let newKey: NewKey | undefined;
		let started = false;
		let hold: SandboxResponse['hold'];
		let response: SandboxResponse;
		try {
			for (const stage of this.stages) stage(state, this);
			const { route, pathParams } = state.match as RouteMatch;
			const key = state.key as ResolvedKey;
			const merged = paramsOf(record);
			const found = this.idempotency.lookup(record, key, this.accountId, merged);
			if (found && 'saved' in found) return this.replay(record, found.saved);
			newKey = found?.fresh;
			const params = validateParams(route.params, merged);
			hold = this.takeObjectLock(record, state.match as RouteMatch, key);
			started = true;
			if (failAfterStart !== undefined) throw new StripeApiError(failAfterStart, defaultFaultError(failAfterStart));
			const before = this.snapshotForEvents(route, pathParams);
			const body = route.handle({
				request: record,
				key,
				livemode: key.livemode,
				apiVersion: state.apiVersion,
				accountId: this.accountId,
				store: this.storeFor(firstHeader(record.headers['stripe-account'])),
				isConnectedAccount: (account) => this.isConnectedAccount(account),
				pathParams,
				params,
			});
			this.emitApiEvents(route, record, key, before, body);
			response = this.json(200, body, this.baseHeaders(record, state.apiVersion));
		} catch (e) {
			response = this.errorResponse(e, state);
		}
		if (hold) response.hold = hold;
		if (slowMs !== undefined) response.hold = this.joinHolds(response.hold, slowMs);
		if (newKey && started) {
			// Real answers to keyed POSTs name the request whose result is saved; replays repeat it.
			response.headers['Original-Request'] = record.requestId;
			const answeredLater = response.hold !== undefined;
			this.idempotency.save(
				newKey,
				{ status: response.status, headers: { ...response.headers }, body: response.body, requestId: record.requestId },
				answeredLater,
			);
			if (answeredLater) {
				// Until it is answered the request is still running, as far as its key is concerned.
				const key = newKey;
				const release = (response.hold as NonNullable<SandboxResponse['hold']>).release;
				(response.hold as NonNullable<SandboxResponse['hold']>).release = () => {
					release();
					this.idempotency.finish(key);
				};
			}
		}
		return response;
	}

	/** What an update route is about to change, for its event's previous_attributes. */
	private snapshotForEvents(route: RouteDef, pathParams: Record<string, string>): unknown {
		if (endpointName(route) === 'POST /v1/billing_portal/configurations/{id}')
			return structuredClone(this.store.getConfiguration(pathParams.id));
		return undefined;
	}

	/**
	 * The events Stripe emits for the API requests the sandbox serves, caused by this request
	 * (`request.id` is its Request-Id). Replayed idempotent answers cause none: they never get here.
	 */
	private emitApiEvents(route: RouteDef, record: RecordedRequest, key: ResolvedKey, before: unknown, body: unknown): void {
		const account = firstHeader(record.headers['stripe-account']);
		const options = {
			livemode: key.livemode,
			account: account !== undefined && account !== this.accountId ? account : undefined,
			request: { id: record.requestId, idempotency_key: firstHeader(record.headers['idempotency-key']) ?? null },
		};
		switch (endpointName(route)) {
			case 'POST /v1/billing_portal/sessions':
				this.webhooks.emit('billing_portal.session.created', body as object, undefined, options);
				return;
			case 'POST /v1/billing_portal/configurations':
				this.webhooks.emit('billing_portal.configuration.created', body as object, undefined, options);
				return;
			case 'POST /v1/billing_portal/configurations/{id}': {
				// The stored object and the answer differ in livemode (rendered per key): compare like with like.
				const was = { ...(before as object), livemode: (body as { livemode?: boolean }).livemode };
				const previous = previousAttributes(was, body);
				if (previous) this.webhooks.emit('billing_portal.configuration.updated', body as object, previous, options);
				return;
			}
			default:
				return;
		}
	}

	/** The saved answer again: same status, body and headers, but this request's Request-Id. */
	private replay(record: RecordedRequest, saved: SavedResult): SandboxResponse {
		record.replayed = true;
		return {
			status: saved.status,
			headers: { ...saved.headers, 'Request-Id': record.requestId, 'Idempotent-Replayed': 'true' },
			body: saved.body,
		};
	}

	private errorResponse(e: unknown, state: PipelineState): SandboxResponse {
		const { record } = state;
		let status = 500;
		let body: StripeErrorBody;
		let extra: Record<string, string> = {};
		if (e instanceof StripeApiError) {
			status = e.status;
			body = { error: { ...e.body.error } };
			extra = e.headers;
		} else {
			this.internalErrors.push(e as Error);
			body = stripeErrorBody({ type: 'api_error', message: `Sandbox internal error: ${(e as Error).message}` });
		}
		if (state.key && body.error.request_log_url === undefined) {
			const { type, ...rest } = body.error;
			body = {
				error: {
					...rest,
					request_log_url: `https://dashboard.stripe.com/${state.key.livemode ? '' : 'test/'}logs/${record.requestId}?t=${nowSeconds()}`,
					type,
				},
			};
		}
		return this.json(status, body, { ...this.baseHeaders(record, state.apiVersion), ...extra });
	}

	private baseHeaders(record: RecordedRequest, apiVersion: string): Record<string, string> {
		const headers: Record<string, string> = {
			Server: 'nginx',
			'Cache-Control': 'no-cache, no-store',
			'Access-Control-Allow-Credentials': 'true',
			'Access-Control-Allow-Methods': 'GET, HEAD, PUT, PATCH, POST, DELETE',
			'Access-Control-Allow-Origin': '*',
			'Access-Control-Expose-Headers':
				'Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required',
			'Access-Control-Max-Age': '300',
			'Request-Id': record.requestId,
			'Stripe-Version': apiVersion,
		};
		const idempotencyKey = firstHeader(record.headers['idempotency-key']);
		if (record.method === 'POST' && idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
		const account = firstHeader(record.headers['stripe-account']);
		if (account !== undefined) headers['Stripe-Account'] = account;
		return headers;
	}

	private json(status: number, body: unknown, headers: Record<string, string>): SandboxResponse {
		return {
			status,
			headers: { ...headers, 'Content-Type': 'application/json' },
			body: `${JSON.stringify(body, null, 2)}\n`,
		};
	}

	private send(res: http.ServerResponse, record: RecordedRequest, r: SandboxResponse): void {
		if (res.destroyed || res.headersSent) return;
		res.writeHead(r.status, { ...r.headers, 'Content-Length': String(Buffer.byteLength(r.body)) });
		res.end(r.body);
		record.status = r.status;
		this.releases.get(res)?.();
	}

	/**
	 * Status line, headers with the Content-Length of the whole body, the first `bytes` of the body
	 * (default half), then the socket destroyed once those bytes are flushed.
	 */
	private sendTrickling(res: http.ServerResponse, record: RecordedRequest, r: SandboxResponse, everyMs: number): void {
		if (res.destroyed || res.headersSent) return;
		const body = Buffer.from(r.body, 'utf8');
		res.writeHead(r.status, { ...r.headers, 'Content-Length': String(body.length) });
		record.status = r.status;
		let sent = 0;
		const next = () => {
			if (res.destroyed) return;
			res.write(body.subarray(sent, sent + 1));
			sent++;
			if (sent < body.length) this.later(everyMs, next);
			else res.end();
		};
		res.flushHeaders();
		this.later(everyMs, next);
	}

	private sendTruncated(res: http.ServerResponse, record: RecordedRequest, r: SandboxResponse, bytes?: number): void {
		if (res.destroyed || res.headersSent) return;
		const body = Buffer.from(r.body, 'utf8');
		const sent = Math.max(1, Math.min(bytes ?? Math.floor(body.length / 2), body.length - 1));
		res.writeHead(r.status, { ...r.headers, 'Content-Length': String(body.length) });
		record.status = r.status;
		record.truncated = true;
		res.write(body.subarray(0, sent), () => res.socket?.destroy());
	}
}
