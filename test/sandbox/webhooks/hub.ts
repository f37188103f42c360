/**
 * Webhook endpoints and event delivery, as Stripe does them (docs.stripe.com/webhooks):
 * every event goes to each enabled endpoint of its mode subscribed to its type (or `*`), as JSON,
 * signed with the endpoint's secret(s); a non-2xx answer, a redirect, a dropped connection or no
 * answer within the timeout is retried. Stripe retries for hours (test mode) or days (live mode);
 * here the gaps are `retryDelaysMs` so tests end in milliseconds.
 *
 * Delivery is at least once and in no promised order: `pause()` holds deliveries, `flush()` sends
 * them (reversed, duplicated) and `redeliver()` repeats one, as Stripe may.
 */
import type Stripe from 'stripe';

import { newId, nowSeconds, randomString } from '../ids';
import { newSigningSecret, signatureHeader } from './signature';

/** Stripe documents at most 16 webhook endpoints per account (per mode). */
export const MAX_WEBHOOK_ENDPOINTS = 16;

export interface WebhookOptions {
	/**
	 * Accept endpoint URLs on loopback and private addresses (localhost, 127.0.0.0/8, ::1, 10/8,
	 * 172.16/12, 192.168/16, *.local, *.localhost). Stripe refuses them; tests need them to reach
	 * a local n8n. Default false.
	 */
	allowLocalUrls?: boolean;
	/** Default 16 (MAX_WEBHOOK_ENDPOINTS). */
	maxEndpoints?: number;
	/** Gaps between attempts; the number of attempts is one more than its length. Default [50, 100, 200]. */
	retryDelaysMs?: number[];
	/** An attempt without an answer within this time fails and is retried. Default 10 000 (Stripe: about 30 s). */
	timeoutMs?: number;
}

/** An endpoint as stored: the API object without `secret`, plus what only the sandbox knows. */
interface StoredEndpoint {
	endpoint: Stripe.WebhookEndpoint;
	/** The current secret first; rolled secrets stay until `expiresAt` (ms since epoch). */
	secrets: Array<{ secret: string; expiresAt?: number }>;
	connect: boolean;
}

/** An event as the sandbox builds it; its `api_version` is set per endpoint when delivered. */
export interface SandboxEvent {
	id: string;
	object: 'event';
	account?: string;
	api_version: string | null;
	created: number;
	data: { object: object; previous_attributes?: object };
	livemode: boolean;
	pending_webhooks: number;
	request: { id: string | null; idempotency_key: string | null };
	type: string;
}

export interface EmitOptions {
	livemode?: boolean;
	/** The API request that caused it; null for automatic events (Stripe's `request.id: null`). */
	request?: { id: string | null; idempotency_key: string | null };
	/** A connected account: the event then goes to Connect endpoints only, with `account` set. */
	account?: string;
	created?: number;
}

export interface DeliveryAttempt {
	endpointId: string;
	url: string;
	eventId: string;
	eventType: string;
	/** 1 for the first attempt of a delivery; retries count up. */
	attempt: number;
	/** Exactly the bytes sent, and the header, so tests can replay or tamper with them. */
	payload: string;
	signature: string;
	timestamp: number;
	/** The status answered; undefined when none came (error says why). */
	status?: number;
	error?: string;
	responseBody?: string;
	durationMs?: number;
}

interface QueuedDelivery {
	stored: StoredEndpoint;
	event: SandboxEvent;
}

export interface FlushOptions {
	/** Send the held deliveries newest first. */
	reverse?: boolean;
	/** Send each held delivery this many times (same event, each attempt signed anew). Default 1. */
	times?: number;
}

const LOCAL_HOST_RE = /(^localhost$)|(\.localhost$)|(\.local$)|(^0\.0\.0\.0$)|(^127\.)|(^10\.)|(^192\.168\.)|(^172\.(1[6-9]|2\d|3[01])\.)|(^169\.254\.)|(^\[?::1\]?$)|(^\[?f[cd][0-9a-f]{2}:)/i;

export function isLocalHost(hostname: string): boolean {
	return LOCAL_HOST_RE.test(hostname);
}

/** The subset of Stripe's object an event's `previous_attributes` holds: old values of what changed. */
export function previousAttributes(before: unknown, after: unknown): Record<string, unknown> | undefined {
	if (!isObject(before) || !isObject(after)) return undefined;
	const out: Record<string, unknown> = {};
	for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
		const b = before[key];
		const a = after[key];
		if (JSON.stringify(b) === JSON.stringify(a)) continue;
		// Nested hashes list only their changed keys; lists and scalars are given whole, as Stripe does.
		const nested = isObject(b) && isObject(a) && !('object' in b && (b as { object: unknown }).object === 'list') ? previousAttributes(b, a) : undefined;
		out[key] = nested ?? (b === undefined ? null : structuredClone(b));
	}
	return Object.keys(out).length > 0 ? out : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class WebhookHub {
	/** Every event emitted, oldest first. */
	readonly events: SandboxEvent[] = [];
	/** Every delivery attempt, in the order started. */
	readonly attempts: DeliveryAttempt[] = [];
	/** The account's default API version, used for endpoints created without `api_version`. */
	defaultApiVersion: string;
	options: WebhookOptions;

	private readonly endpoints = new Map<string, StoredEndpoint>();
	private readonly held: QueuedDelivery[] = [];
	private paused = false;
	private pending = 0;
	private waiters: Array<() => void> = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly aborts = new Set<AbortController>();
	private stopped = false;

	constructor(defaultApiVersion: string, options: WebhookOptions = {}) {
		this.defaultApiVersion = defaultApiVersion;
		this.options = { ...options };
	}

	get maxEndpoints(): number {
		return this.options.maxEndpoints ?? MAX_WEBHOOK_ENDPOINTS;
	}

	// Endpoints

	/** Creates an endpoint; the answer is the only place its secret appears, as at Stripe. */
	createEndpoint(params: {
		url: string;
		enabled_events: string[];
		api_version?: string;
		connect?: boolean;
		description?: string | null;
		metadata?: Record<string, string>;
		livemode: boolean;
	}): Stripe.WebhookEndpoint {
		const secret = newSigningSecret();
		const endpoint: Stripe.WebhookEndpoint = {
			id: `we_1${randomString(23)}`,
			object: 'webhook_endpoint',
			api_version: params.api_version ?? null,
			application: null,
			created: nowSeconds(),
			description: params.description ?? null,
			enabled_events: [...params.enabled_events],
			livemode: params.livemode,
			metadata: { ...(params.metadata ?? {}) },
			status: 'enabled',
			url: params.url,
		};
		this.endpoints.set(endpoint.id, { endpoint, secrets: [{ secret }], connect: params.connect ?? false });
		return { ...structuredClone(endpoint), secret };
	}

	/** The endpoint without its secret, or undefined (also for one of the other mode). */
	getEndpoint(id: string, livemode?: boolean): Stripe.WebhookEndpoint | undefined {
		const stored = this.endpoints.get(id);
		if (!stored || (livemode !== undefined && stored.endpoint.livemode !== livemode)) return undefined;
		return structuredClone(stored.endpoint);
	}

	/** Newest first, as the list endpoint orders them; both modes unless one is given. */
	listEndpoints(livemode?: boolean): Stripe.WebhookEndpoint[] {
		return [...this.endpoints.values()]
			.map((s, i) => ({ s, i }))
			.filter(({ s }) => livemode === undefined || s.endpoint.livemode === livemode)
			.sort((a, b) => b.s.endpoint.created - a.s.endpoint.created || b.i - a.i)
			.map(({ s }) => structuredClone(s.endpoint));
	}

	updateEndpoint(id: string, patch: (endpoint: Stripe.WebhookEndpoint) => void): Stripe.WebhookEndpoint | undefined {
		const stored = this.endpoints.get(id);
		if (!stored) return undefined;
		patch(stored.endpoint);
		return structuredClone(stored.endpoint);
	}

	deleteEndpoint(id: string): boolean {
		return this.endpoints.delete(id);
	}

	/**
	 * What the dashboard's "Roll secret" does: a new secret, with the old one still signing
	 * (a second v1) until `expiresInMs` has passed (0: at once). Returns the new secret.
	 */
	rollSecret(id: string, expiresInMs = 24 * 3600 * 1000): string {
		const stored = this.mustGet(id);
		const secret = newSigningSecret();
		const expiresAt = Date.now() + expiresInMs;
		stored.secrets = [{ secret }, ...stored.secrets.map((s) => ({ ...s, expiresAt: Math.min(s.expiresAt ?? Infinity, expiresAt) }))];
		return secret;
	}

	/** The secrets that sign now, current first (test-side knowledge; Stripe shows them in the dashboard). */
	secretsOf(id: string): string[] {
		const now = Date.now();
		return this.mustGet(id)
			.secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > now)
			.map((s) => s.secret);
	}

	// Events

	/**
	 * Records an event and delivers it to every subscribed endpoint (or holds it while paused).
	 * Returns the event as recorded (its `api_version` is the account default; each endpoint gets
	 * its own).
	 */
	emit(type: string, object: object, previous: object | undefined, options: EmitOptions = {}): SandboxEvent {
		const event: SandboxEvent = {
			id: `evt_1${randomString(23)}`,
			object: 'event',
			...(options.account !== undefined ? { account: options.account } : {}),
			api_version: this.defaultApiVersion,
			created: options.created ?? nowSeconds(),
			data: { object: structuredClone(object), ...(previous ? { previous_attributes: structuredClone(previous) } : {}) },
			livemode: options.livemode ?? false,
			pending_webhooks: 0,
			request: options.request ?? { id: newId.request(), idempotency_key: null },
			type,
		};
		const targets = [...this.endpoints.values()].filter((s) => this.subscribed(s, event));
		event.pending_webhooks = targets.length;
		this.events.push(event);
		for (const stored of targets) {
			if (this.paused) this.held.push({ stored, event });
			else this.deliver(stored, event, 1);
		}
		return event;
	}

	/** Holds deliveries from now on until flush(). */
	pause(): void {
		this.paused = true;
	}

	/** Sends the held deliveries (and stops holding). */
	flush(options: FlushOptions = {}): void {
		this.paused = false;
		const queued = this.held.splice(0);
		if (options.reverse) queued.reverse();
		for (const q of queued) for (let i = 0; i < (options.times ?? 1); i++) this.deliver(q.stored, q.event, 1);
	}

	/** Drops the held deliveries unsent (the events stay recorded) and stops holding. */
	clearHeld(): void {
		this.held.length = 0;
		this.paused = false;
	}

	/** Delivers an event again to its endpoints (or one of them), as Stripe's at-least-once may. */
	redeliver(eventId: string, endpointId?: string): void {
		const event = this.events.find((e) => e.id === eventId);
		if (!event) throw new Error(`No event ${eventId}`);
		for (const stored of this.endpoints.values())
			if ((endpointId === undefined || stored.endpoint.id === endpointId) && this.subscribed(stored, event))
				this.deliver(stored, event, 1);
	}

	/**
	 * Posts bytes of the caller's choosing to a URL as a delivery would be posted: for forged,
	 * replayed, truncated or re-encoded deliveries. Returns the status (undefined on a network error).
	 */
	async post(url: string, payload: string, signature: string | undefined): Promise<{ status?: number; body?: string; error?: string }> {
		const headers: Record<string, string> = {
			'Content-Type': 'application/json; charset=utf-8',
			'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
			'Cache-Control': 'no-cache',
			Accept: '*/*; q=0.5, application/xml',
		};
		if (signature !== undefined) headers['Stripe-Signature'] = signature;
		const abort = new AbortController();
		this.aborts.add(abort);
		const timer = setTimeout(() => abort.abort(), this.options.timeoutMs ?? 10_000);
		try {
			const res = await fetch(url, { method: 'POST', headers, body: payload, redirect: 'manual', signal: abort.signal });
			return { status: res.status, body: await res.text() };
		} catch (e) {
			return { error: (e as Error).message };
		} finally {
			clearTimeout(timer);
			this.aborts.delete(abort);
		}
	}

	/** The payload and header an endpoint would get for an event now (for tests that forge or replay). */
	signedDelivery(endpointId: string, eventId: string, timestamp = nowSeconds()): { payload: string; signature: string } {
		const stored = this.mustGet(endpointId);
		const event = this.events.find((e) => e.id === eventId);
		if (!event) throw new Error(`No event ${eventId}`);
		const payload = this.payloadFor(stored, event);
		return { payload, signature: signatureHeader(payload, this.secretsOf(endpointId), timestamp) };
	}

	/** Resolves once no delivery is in flight or waiting for a retry (held ones do not count). */
	settled(): Promise<void> {
		if (this.pending === 0) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	/** Attempts to one endpoint, or for one event. */
	attemptsTo(endpointId: string): DeliveryAttempt[] {
		return this.attempts.filter((a) => a.endpointId === endpointId);
	}

	/** Forgets endpoints, events and attempts and stops holding; in-flight deliveries are abandoned. */
	clear(): void {
		this.cancelTimers();
		this.endpoints.clear();
		this.events.length = 0;
		this.attempts.length = 0;
		this.held.length = 0;
		this.paused = false;
	}

	/** Stops every timer and in-flight delivery for good (the sandbox is stopping). */
	stop(): void {
		this.stopped = true;
		this.cancelTimers();
	}

	/** Lets a stopped hub deliver again (the sandbox was started again). */
	restart(): void {
		this.stopped = false;
	}

	private cancelTimers(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		for (const a of this.aborts) a.abort();
		this.aborts.clear();
		this.pending = 0;
		this.wake();
	}

	private mustGet(id: string): StoredEndpoint {
		const stored = this.endpoints.get(id);
		if (!stored) throw new Error(`No webhook endpoint ${id}`);
		return stored;
	}

	private subscribed(stored: StoredEndpoint, event: SandboxEvent): boolean {
		const e = stored.endpoint;
		return (
			e.status === 'enabled' &&
			e.livemode === event.livemode &&
			stored.connect === (event.account !== undefined) &&
			(e.enabled_events.includes('*') || e.enabled_events.includes(event.type))
		);
	}

	private payloadFor(stored: StoredEndpoint, event: SandboxEvent): string {
		// Stripe renders each event at the endpoint's API version (the account default when it has none).
		return JSON.stringify({ ...event, api_version: stored.endpoint.api_version ?? this.defaultApiVersion }, null, 2);
	}

	private deliver(stored: StoredEndpoint, event: SandboxEvent, attempt: number): void {
		if (this.stopped) return;
		this.pending++;
		void this.attemptOnce(stored, event, attempt).finally(() => {
			this.pending = Math.max(0, this.pending - 1);
			this.wake();
		});
	}

	private async attemptOnce(stored: StoredEndpoint, event: SandboxEvent, attempt: number): Promise<void> {
		// An endpoint deleted or disabled meanwhile gets no more attempts.
		if (this.endpoints.get(stored.endpoint.id) !== stored || stored.endpoint.status !== 'enabled') return;
		const timestamp = nowSeconds();
		const payload = this.payloadFor(stored, event);
		const signature = signatureHeader(payload, this.secretsOf(stored.endpoint.id), timestamp);
		const record: DeliveryAttempt = {
			endpointId: stored.endpoint.id,
			url: stored.endpoint.url,
			eventId: event.id,
			eventType: event.type,
			attempt,
			payload,
			signature,
			timestamp,
		};
		this.attempts.push(record);
		const started = performance.now();
		const result = await this.post(stored.endpoint.url, payload, signature);
		record.durationMs = performance.now() - started;
		record.status = result.status;
		record.error = result.error;
		record.responseBody = result.body;
		const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
		const delays = this.options.retryDelaysMs ?? [50, 100, 200];
		if (ok || attempt > delays.length || this.stopped) return;
		this.pending++;
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			this.pending = Math.max(0, this.pending - 1);
			this.deliver(stored, event, attempt + 1);
			this.wake();
		}, delays[attempt - 1]);
		this.timers.add(timer);
	}

	private wake(): void {
		if (this.pending > 0) return;
		const waiters = this.waiters;
		this.waiters = [];
		for (const w of waiters) w();
	}
}
