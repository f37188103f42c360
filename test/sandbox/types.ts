import type { IncomingHttpHeaders } from 'http';

import type { WebhookOptions } from './webhooks/hub';

/** One request as the sandbox received it (recorded before the rate limit, any fault, auth or validation). */
export interface RecordedRequest {
	method: string;
	/** Path exactly as received (not normalized), without the query string. */
	path: string;
	/** qs-decoded query string. */
	query: Record<string, unknown>;
	headers: IncomingHttpHeaders;
	rawBody: string;
	/** qs-decoded form body, the way Stripe decodes it ({} when the body is not form-encoded). */
	body: Record<string, unknown>;
	/** The Request-Id header the sandbox answered with ('' when it sent none: dropped socket, non-JSON fault). */
	requestId: string;
	/**
	 * The HTTP status the sandbox answered with; undefined while the request is still being
	 * handled (a delay fault, an object lock's hold) or when no answer was written (dropped socket,
	 * stall, client gone).
	 * A drop-mid-body fault records the status line it sent, with `truncated: true`.
	 */
	status?: number;
	/** True when the answer was replayed from the idempotency store (the handler did not run again). */
	replayed?: boolean;
	/** The limiter that refused the request with a 429 (its Stripe-Rate-Limited-Reason); undefined when none did. */
	limitedReason?: RateLimitedReason;
	/** True when only part of the answer's body was sent before the socket was destroyed (drop-mid-body). */
	truncated?: boolean;
	/**
	 * When the whole request had arrived, in `performance.now()` milliseconds: the moment the
	 * rate limiter counts it, so throttle tests measure spacing where Stripe would.
	 */
	receivedAt: number;
}

export interface SandboxOptions {
	/** Accepted full-access keys; default ['sk_test_sandbox']. sk_live_* keys act in live mode. */
	secretKeys?: string[];
	/**
	 * Restricted keys and their permissions. A permission is either a Stripe name such as
	 * 'rak_customer_read' / 'rak_billing_portal_write', or a shorthand:
	 * 'billing_portal' (read+write on /v1/billing_portal/*), 'billing_portal_read', 'billing_portal_write',
	 * 'customers' / 'customers_read' / 'customers_write' (also without the s). A write permission implies read.
	 */
	restrictedKeys?: Record<string, string[]>;
	/** Account id used in messages; default 'acct_1Sandbox0000000'. */
	accountId?: string;
	/**
	 * Accounts connected to the platform (more with addConnectedAccount): the keys may act for them
	 * through the Stripe-Account header (besides accountId itself), and on_behalf_of and
	 * customer_account may name them. Default: none. Each keeps its own objects, empty at first.
	 */
	connectedAccounts?: string[];
	/** Port to listen on (127.0.0.1); default 0 = ephemeral. */
	port?: number;
	/** Answer requests beyond these limits with Stripe's 429 (default: no limit). reset() comes back to it. */
	rateLimit?: RateLimit;
	/** Object locks, for lock_timeout tests (default: none). reset() comes back to it. */
	objectLocks?: ObjectLocks;
	/** Webhook endpoints and deliveries (loopback URLs, retry gaps, timeout). reset() comes back to it. */
	webhooks?: WebhookOptions;
}

/**
 * Stripe's limiters (docs.stripe.com/rate-limits). Each budget is per mode (test and live keys
 * count apart) and shared by every request the instance serves, whatever Stripe-Account they name.
 * Rates are sliding 1000 ms windows over the accepted requests, or token buckets with
 * bucketSeconds; all counts are positive integers.
 */
export interface RateLimit {
	/** Global rate: at most this many requests in any 1000 ms per mode (test mode, and live mode unless livePerSecond is set). */
	requestsPerSecond: number;
	/** Global rate for live-mode keys (sk_live_, rk_live_); default requestsPerSecond. */
	livePerSecond?: number;
	/** Per-endpoint rate (method + path template: `GET /v1/customers/{id}` is one endpoint for every ID); default none. */
	endpointPerSecond?: number;
	/** Per-endpoint rate of search endpoints (`GET /v1/customers/search`); default endpointPerSecond. */
	searchPerSecond?: number;
	/**
	 * Global concurrency: at most this many requests in flight at once per mode; default none. A
	 * request is in flight until answered, dropped or abandoned by its client, and a delayed one until
	 * it has been handled, whether or not its client still waits.
	 */
	concurrency?: number;
	/** Per-endpoint concurrency: at most this many requests to one endpoint in flight at once per mode; default none. */
	endpointConcurrency?: number;
	/**
	 * When set, every rate is a token bucket (as Stripe's engineers describe their limiter) that
	 * refills at the rate and holds this many seconds of it, at least one request: 0.4 at 5/s holds
	 * 2. Unset (the default), a rate is the stricter sliding window: at most N in any 1000 ms.
	 */
	bucketSeconds?: number;
	/** When set, limiter 429s carry `Retry-After: <this>`; Stripe's own 429s are not known to send one. */
	retryAfterSeconds?: number;
}

/** The values of the `Stripe-Rate-Limited-Reason` header Stripe documents for a limiter's 429. */
export type RateLimitedReason = 'global-rate' | 'global-concurrency' | 'endpoint-rate' | 'endpoint-concurrency' | 'resource-specific';

/** Counts over one sliding 1000 ms window. */
export interface WindowStats {
	/** Requests let through (every request when no limit is set). */
	accepted: number;
	/** Requests answered with a limiter's 429. */
	limited: number;
	/** The most accepted requests that fell in any 1000 ms span so far. */
	maxInAnyWindow: number;
}

/** All requests in both modes; counted with or without limits. */
export interface RateLimitStats extends WindowStats {
	/** Limiter 429s by their Stripe-Rate-Limited-Reason (every reason present; they add up to `limited`). */
	limitedByReason: Record<RateLimitedReason, number>;
	/**
	 * Per endpoint, e.g. 'GET /v1/billing_portal/configurations/{id}': its accepted requests, its
	 * limiter 429s whatever the reason, and its busiest 1000 ms. Only endpoints that were called;
	 * paths the sandbox does not serve are in no endpoint.
	 */
	endpoints: Record<string, WindowStats>;
	/** Accepted requests not yet answered, dropped or abandoned by the client. */
	inFlight: number;
	/** The most requests in flight at once so far. */
	peakInFlight: number;
	/** lock_timeout 429s (objectLocks); not a limiter, so not in `limited`. */
	lockTimeouts: number;
}

export interface ObjectLocks {
	/**
	 * How long (ms, > 0) a POST that changes an existing object (a path with an ID, such as
	 * `POST /v1/billing_portal/configurations/{id}`) holds that object's lock: its answer comes
	 * after this long, and another POST to the object meanwhile gets the lock_timeout 429.
	 */
	holdMs: number;
}

interface FaultFilter {
	/** Only requests with this path match. Exact match, or a prefix match when it ends with '*'. */
	path?: string;
	/** Only requests with this method match (case-insensitive). */
	method?: string;
	/** How many matching requests get the fault (a positive integer); default 1. */
	times?: number;
}

export type Fault = FaultFilter &
	(
		| {
				/**
				 * Answer with this status (any of 200-599) and JSON body instead of handling the request.
				 * The body is sent as given, error or not: a 200 list page, `{ data: [null, 1, 'x'] }`,
				 * a 200 carrying `{ error: {...} }`, `null`.
				 */
				kind: 'status';
				status: number;
				/** JSON body; default (when left out): a Stripe-style error object fitting the status. */
				body?: unknown;
				/** Extra or overriding response headers (e.g. Retry-After, Stripe-Should-Retry). */
				headers?: Record<string, string>;
		  }
		| {
				/** The same as 'status', for answers that are not errors: the body is required, the status defaults to 200. */
				kind: 'body';
				body: unknown;
				/** Default 200. */
				status?: number;
				headers?: Record<string, string>;
		  }
		| {
				kind: 'non-json';
				/** Default 502. */
				status?: number;
				/** Default: an nginx "502 Bad Gateway" HTML page. */
				body?: string;
				/** Default 'text/html'. */
				contentType?: string;
		  }
		| { kind: 'drop' }
		| {
				/**
				 * Handle the request normally (objects created, idempotent result saved), then destroy
				 * the socket without answering: the lost response only an idempotency key makes safe to retry.
				 */
				kind: 'drop-after';
		  }
		| {
				/**
				 * Start the endpoint, so the result is saved under the request's idempotency key, then
				 * fail with this 5xx (default 500) and a Stripe api_error, creating nothing. Stripe
				 * answers every later request with that key and the same parameters with the saved
				 * failure (docs.stripe.com/api/idempotent_requests: "including 500 errors").
				 */
				kind: 'fail-after-start';
				status?: number;
		  }
		| {
				/**
				 * Wait, then handle the request normally (for client timeout tests): Stripe slow to start.
				 * Its Idempotency-Key is in progress from its arrival (another request with it gets the 409
				 * idempotency_key_in_use), and it is handled even if the client has gone meanwhile, as
				 * Stripe carries out what it has received: a resend with the key then gets the saved answer.
				 */
				kind: 'delay';
				ms: number;
		  }
		| {
				/**
				 * Handle the request at once (objects created, idempotent result saved) and answer after
				 * `ms`: a slow Stripe. Until then another request with its Idempotency-Key gets the 409
				 * idempotency_key_in_use.
				 */
				kind: 'slow';
				ms: number;
		  }
		| {
				/**
				 * Handle the request normally (objects created, idempotent result saved), write the status
				 * line and headers (Content-Length of the whole body) and only part of the body, then
				 * destroy the socket: the client sees a truncated, aborted response.
				 */
				kind: 'drop-mid-body';
				/** How many bytes of the body to send (a positive integer; capped at its length - 1); default half of it. */
				bytes?: number;
		  }
		| {
				/**
				 * Accept the request and never answer (nothing is handled) until the client closes the
				 * socket or the sandbox stops; the record's status stays undefined. Stripe is still working
				 * on it, so its Idempotency-Key stays in progress (the 409 idempotency_key_in_use to every
				 * other request with it) until reset(), whether or not the client waits.
				 */
				kind: 'stall';
		  }
		| {
				/**
				 * Handle the request normally (objects created, idempotent result saved), write the status
				 * line and headers (Content-Length of the whole body), then one byte of the body every
				 * `everyMs`: a connection that is never idle long enough for a socket idle timeout, yet
				 * takes minutes to answer. Ends when the body is sent, the client closes or the sandbox stops.
				 */
				kind: 'trickle';
				/** Milliseconds between bytes (> 0); default 1000. */
				everyMs?: number;
		  }
		| {
				/** Answer with a redirect to `location` and no body (nothing is handled). */
				kind: 'redirect';
				/** Default 302. */
				status?: RedirectStatus;
				location: string;
		  }
	);

export type RedirectStatus = 301 | 302 | 307 | 308;

export type PlainObject = Record<string, unknown>;
