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
 *     (accepted, not yet answered, dropped or abandoned; a delayed one until it has been handled,
 *     client or not). Budgets are per mode and shared whatever
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
 *     the socket (status stays undefined); stop() still closes at once. The request's
 *     Idempotency-Key stays in progress until reset(): Stripe is still working on it.
 *   sandbox.queueFault({ kind: 'delay', ms })   handle after ms, then answer. The key is in progress
 *     from arrival, and the request is handled even when its client has gone by then.
 *   sandbox.queueFault({ kind: 'trickle', everyMs?: ms })   handle normally, send the status line and
 *     headers, then one byte of the body every `everyMs` (default 1000): never idle, slow to finish.
 *   sandbox.queueFault({ kind: 'redirect', location, status?: 301 | 302 | 307 | 308 })   that status
 *     (default 302), a Location header and no body; nothing is handled.
 *   new StripeSandbox({ connectedAccounts: ['acct_1...'] }) / sandbox.addConnectedAccount('acct_1...')
 *     The accounts connected to the platform (default: none). Stripe-Account must name one of them
 *     (or the platform itself), else Stripe's 403 account_invalid; on_behalf_of and customer_account
 *     must name one, else 404 "No such account". Each has its own store, empty at first
 *     (addConnectedAccount returns it, for seeding; storeFor(account) finds it): a request sees
 *     only the objects of the account it acts for, so one that forgets Stripe-Account finds none.
 *   Session create looks up what it references, as Stripe does: the customer, the flow's
 *     subscription (the customer's own), subscription item (the subscription's own), price (allowed
 *     by the configuration), coupon and promotion code; configurations' products and prices (each
 *     price of its product). addProduct / addPrice / addCoupon / addPromotionCode seed them; the
 *     seed has SEED_IDS.proProduct with proMonthly (Jenny's Pro plan) and proYearly, SEED_IDS.coupon
 *     and SEED_IDS.promotionCode.
 *   sandbox.deleteCustomer(id) / DELETE /v1/customers/{id}   deletes a customer as Stripe does: it
 *     leaves lists and searches, GET /v1/customers/{id} answers 200 { id, object: 'customer',
 *     deleted: true }, its subscriptions that have not ended are canceled, and a session for it
 *     is a 400 resource_missing "No such customer".
 *   Stripe-Version must be one Stripe has: a dated version of its changelog, or a named release
 *   on a date of that release (no later than DEFAULT_API_VERSION), else 400 "Invalid Stripe API version".
 *   sandbox.queueFault({ kind: 'slow', ms })   handle at once (objects created, result saved) and
 *     answer after ms: meanwhile the request is in progress, and another with its Idempotency-Key
 *     gets Stripe's 409 idempotency_key_in_use (as during an object lock's hold, a delay or a stall).
 *   record.status is the status answered (undefined when nothing was answered).
 *
 * Webhooks (sandbox.webhooks, sandbox.portal; test/sandbox/webhooks/):
 *   POST/GET/DELETE /v1/webhook_endpoints[/{id}] as Stripe serves them: `secret` in the create
 *     answer only, metadata, enabled_events checked against the stripe package's list, api_version,
 *     16 endpoints per mode, loopback/private URLs refused unless { webhooks: { allowLocalUrls: true } }.
 *   Events for API requests the sandbox serves (billing_portal.session.created,
 *     billing_portal.configuration.created/.updated) and for sandbox.portal.<action>(...) (cancel,
 *     withdrawCancellation, switchPlan, pause, resume, updatePaymentMethod, updateBillingDetails,
 *     addTaxId, verifyTaxId, removeTaxId) are POSTed signed (`Stripe-Signature: t=,v1=`) to each
 *     subscribed endpoint, retried after { webhooks: { retryDelaysMs } } on non-2xx.
 *   sandbox.webhooks.settled() waits for deliveries; .attempts records each (payload, signature,
 *     status); .pause()/.flush({ reverse, times }) reorder and duplicate; .redeliver(eventId);
 *     .rollSecret(endpointId) signs with two v1 values; .post(url, payload, signature) sends forged
 *     or replayed bytes.
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
export { SEED_IDS, buildCustomer, buildConfiguration, buildSubscription, portalProduct } from './store';
export { SandboxStore } from './store';
export type {
	Customer,
	Coupon,
	PortalConfiguration,
	PortalSession,
	Price,
	Product,
	PromotionCode,
	DeepPartial,
	Subscription,
	SubscriptionSeed,
} from './store';
export { PORTAL_LOCALES, FLOW_TYPES, sessionCreateSchema } from './resources/billingPortalSessions';
export { configurationCreateSchema, configurationUpdateSchema } from './resources/billingPortalConfigurations';
export { decodeForm, STRIPE_QS_OPTIONS } from './form';
export { maskKey } from './auth';
export type { RouteDef, RequestContext } from './router';
export { WebhookHub, MAX_WEBHOOK_ENDPOINTS, previousAttributes, isLocalHost } from './webhooks/hub';
export type { WebhookOptions, SandboxEvent, DeliveryAttempt, EmitOptions, FlushOptions } from './webhooks/hub';
export { PortalPlayer } from './webhooks/portal';
export type { CancelOptions, SwitchPlanOptions, PauseOptions, CardOptions, BillingDetails, ActionOptions, CancellationFeedback } from './webhooks/portal';
export { webhookEndpointRoutes, webhookErrors } from './webhooks/endpoints';
export { signatureHeader, hmacHex, newSigningSecret } from './webhooks/signature';
export { ENABLED_EVENT_TYPES, WEBHOOK_API_VERSIONS } from './webhooks/eventTypes';
export { endpointName } from './router';
export { s as schema, req as required, validateParams } from './params';
