/**
 * Local Stripe API sandbox for tests, demos and benchmarks.
 *
 *   const sandbox = new StripeSandbox();
 *   const baseUrl = await sandbox.start();          // http://127.0.0.1:<port>
 *   ... point the code under test at baseUrl with key 'sk_test_sandbox' ...
 *   expect(sandbox.requests[0].body).toEqual({ customer: 'cus_SandboxJenny01', return_url: '...' });
 *   await sandbox.stop();
 *
 * Resilience (for throttle, retry, idempotency and Connect tests):
 *
 *   new StripeSandbox({ rateLimit: { requestsPerSecond: 25, retryAfterSeconds: 1 } })
 *   sandbox.setRateLimit({ requestsPerSecond: 5 }) / sandbox.setRateLimit(undefined)
 *     At most N requests per mode are accepted in any 1000 ms (sliding window, checked on arrival
 *     before faults and everything else); the rest get Stripe's 429 rate_limit body with
 *     `Stripe-Rate-Limited-Reason: global-rate`, and Retry-After only when retryAfterSeconds is set.
 *     sandbox.rateLimitStats is { accepted, limited, maxInAnyWindow, ... }, counted with or without
 *     a limit; reset() clears it and restores the option.
 *   Stripe's other limiters (docs.stripe.com/rate-limits), each optional, in the same option:
 *     { requestsPerSecond: 25, livePerSecond: 100, endpointPerSecond: 25, searchPerSecond: 20,
 *       concurrency: 10, endpointConcurrency: 5 }   (STRIPE_DOCUMENTED_RATE_LIMIT: the documented rates)
 *     requestsPerSecond is the global rate of test mode, and of live mode (sk_live_, rk_live_)
 *     unless livePerSecond is set. endpointPerSecond limits each endpoint, method + path template
 *     (`GET /v1/customers/{id}` is one endpoint for every ID); searchPerSecond the search endpoints
 *     (default endpointPerSecond). concurrency / endpointConcurrency cap the requests in flight
 *     (accepted, not yet answered, dropped or abandoned). Budgets are per mode and shared whatever
 *     Stripe-Account says; paths the sandbox does not serve meet only the global limiters. A
 *     refused request occupies no budget. Its 429 names the first limiter it is over, in this
 *     order, in `Stripe-Rate-Limited-Reason`: global-rate, endpoint-rate, global-concurrency,
 *     endpoint-concurrency ('resource-specific' is in the type; no limiter here gives it).
 *     rateLimitStats also has limitedByReason { [reason]: n }, endpoints { ['GET /v1/...']: {
 *     accepted, limited, maxInAnyWindow } }, inFlight, peakInFlight and lockTimeouts.
 *   { requestsPerSecond: 5, bucketSeconds: 0.4 }: every rate a token bucket instead of a sliding
 *     window, as Stripe's engineers describe their limiter (stripe.com/blog/rate-limiters): it
 *     refills at the rate and holds bucketSeconds of it (here 2 requests). The window is the
 *     stricter reading and the default; see TokenBucket in ratelimit.ts for where they differ.
 *   new StripeSandbox({ objectLocks: { holdMs: 200 } }) / sandbox.setObjectLocks(...)
 *     A POST to a path with an object ID (POST /v1/billing_portal/configurations/{id}) holds that
 *     object's lock for holdMs and is answered then; another POST to the object meanwhile gets a
 *     429 with Stripe's lock_timeout body at once, without Stripe-Rate-Limited-Reason (a lock,
 *     not a limiter), and saves no idempotent result. reset() frees locks and restores the option.
 *   Idempotency-Key on POSTs behaves as at Stripe: the first result is saved once the endpoint
 *     runs (refusals before that save nothing); the same key and parameters replay it with
 *     `Idempotent-Replayed: true` and `record.replayed`, without running the handler again;
 *     other parameters get a 400 idempotency_error. Scoped per mode and Stripe-Account; reset() forgets.
 *   sandbox.queueFault({ kind: 'drop-after' })   handle normally, then drop the socket unanswered
 *   sandbox.queueFault({ kind: 'status', status: 500, times: 2 })   the next 2 matching requests
 *   sandbox.queueFault({ kind: 'status', status: 200, body: {...} })   any status 200-599 with any JSON
 *     body, sent as given (a list page that repeats, `data: [null, 1, 'x']`, a 200 carrying an error,
 *     null); without a body, a Stripe-style error fitting the status. { kind: 'body', body, status? }
 *     is the same with status 200 by default.
 *   sandbox.queueFault({ kind: 'drop-mid-body', bytes?: n })   handle normally (objects created,
 *     idempotent result saved), send the status line, headers (Content-Length of the whole body) and
 *     the first n bytes of the body (default half), then destroy the socket: the client sees an
 *     aborted response. The record keeps that status, with `truncated: true`.
 *   sandbox.queueFault({ kind: 'stall' })   handle nothing, answer nothing until the client closes
 *     the socket (status stays undefined); stop() still closes at once.
 *   sandbox.queueFault({ kind: 'trickle', everyMs?: ms })   handle normally, send the status line and
 *     headers, then one byte of the body every `everyMs` (default 1000): never idle, slow to finish.
 *   sandbox.queueFault({ kind: 'redirect', location, status?: 301 | 302 | 307 | 308 })   that status
 *     (default 302), a Location header and no body; nothing is handled.
 *   new StripeSandbox({ connectedAccounts: ['acct_1...'] })   Stripe-Account must name one of these
 *     (default: any well-formed acct_ id), else Stripe's 403 account_invalid. Data is not per account.
 *   record.status is the status answered (undefined when nothing was answered).
 *
 * Layout: server.ts (HTTP, recording, faults, pipeline stages), router.ts (route table,
 * endpoint names), params.ts (schema validation with Stripe's wording), errors.ts, auth.ts (keys,
 * permissions), ratelimit.ts (sliding windows, the limiters), locks.ts (object locks),
 * idempotency.ts (saved results), list.ts (pagination, expand), search.ts (search query language),
 * store.ts (data, seed), resources/*.ts (one module per Stripe resource, each exporting RouteDef[]).
 */
export { StripeSandbox, DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, DEFAULT_ACCOUNT_ID } from './server';
export type { Stage, PipelineState } from './server';
export type {
	RecordedRequest,
	SandboxOptions,
	Fault,
	RedirectStatus,
	RateLimit,
	RateLimitStats,
	RateLimitedReason,
	WindowStats,
	ObjectLocks,
} from './types';
export {
	ApiLimiter,
	RateLimiter,
	SlidingWindow,
	TokenBucket,
	RATE_LIMITED_REASON_HEADER,
	STRIPE_DOCUMENTED_RATE_LIMIT,
	WINDOW_MS as RATE_LIMIT_WINDOW_MS,
} from './ratelimit';
export type { LimiterRequest, Admission } from './ratelimit';
export { MAX_IDEMPOTENCY_KEY_LENGTH, canonicalJson } from './idempotency';
export { stripeError, stripeErrorBody, StripeApiError, errors as stripeErrors, defaultFaultError } from './errors';
export type { StripeErrorBody, StripeErrorFields, StripeErrorType } from './errors';
export { SEED_IDS, buildCustomer, buildConfiguration, buildSubscription } from './store';
export type { Customer, PortalConfiguration, PortalSession, DeepPartial, Subscription, SubscriptionSeed } from './store';
export { PORTAL_LOCALES, FLOW_TYPES, sessionCreateSchema } from './resources/billingPortalSessions';
export { configurationCreateSchema, configurationUpdateSchema } from './resources/billingPortalConfigurations';
export { decodeForm, STRIPE_QS_OPTIONS } from './form';
export { maskKey } from './auth';
export type { RouteDef, RequestContext } from './router';
export { endpointName } from './router';
export { s as schema, req as required, validateParams } from './params';
