import type { IncomingHttpHeaders } from 'http';

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
	 * handled (a delay fault) or when no answer was written (dropped socket, stall, client gone).
	 * A drop-mid-body fault records the status line it sent, with `truncated: true`.
	 */
	status?: number;
	/** True when the answer was replayed from the idempotency store (the handler did not run again). */
	replayed?: boolean;
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
	 * Accounts the keys may act for through the Stripe-Account header (besides accountId itself).
	 * Default: any well-formed `acct_` id. Only access is checked: data is not kept per account.
	 */
	connectedAccounts?: string[];
	/** Port to listen on (127.0.0.1); default 0 = ephemeral. */
	port?: number;
	/** Answer requests beyond this rate with Stripe's 429 (default: no limit). reset() comes back to it. */
	rateLimit?: RateLimit;
}

export interface RateLimit {
	/** At most this many requests are accepted in any 1000 ms; a positive integer. */
	requestsPerSecond: number;
	/** When set, 429 answers carry `Retry-After: <this>`; Stripe's own 429s are not known to send one. */
	retryAfterSeconds?: number;
}

export interface RateLimitStats {
	/** Requests let through (every request when no limit is set). */
	accepted: number;
	/** Requests answered with the rate-limit 429. */
	limited: number;
	/** The most accepted requests that fell in any 1000 ms span so far. */
	maxInAnyWindow: number;
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
				/** Wait, then handle the request normally (for client timeout tests). */
				kind: 'delay';
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
				 * socket or the sandbox stops; the record's status stays undefined.
				 */
				kind: 'stall';
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
