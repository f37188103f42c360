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
 *     At most N requests are accepted in any 1000 ms (sliding window, checked on arrival before
 *     faults and everything else); the rest get Stripe's 429 rate_limit body, with Retry-After
 *     only when retryAfterSeconds is set. sandbox.rateLimitStats is { accepted, limited,
 *     maxInAnyWindow }, counted with or without a limit; reset() clears it and restores the option.
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
 *   sandbox.queueFault({ kind: 'redirect', location, status?: 301 | 302 | 307 | 308 })   that status
 *     (default 302), a Location header and no body; nothing is handled.
 *   new StripeSandbox({ connectedAccounts: ['acct_1...'] })   Stripe-Account must name one of these
 *     (default: any well-formed acct_ id), else Stripe's 403 account_invalid. Data is not per account.
 *   record.status is the status answered (undefined when nothing was answered).
 *
 * Layout: server.ts (HTTP, recording, faults, pipeline stages), router.ts (route table),
 * params.ts (schema validation with Stripe's wording), errors.ts, auth.ts (keys, permissions),
 * ratelimit.ts (sliding window), idempotency.ts (saved results), list.ts (pagination, expand),
 * search.ts (search query language), store.ts (data, seed), resources/*.ts (one module per
 * Stripe resource, each exporting RouteDef[]).
 */
export { StripeSandbox, DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, DEFAULT_ACCOUNT_ID } from './server';
export type { Stage, PipelineState } from './server';
export type { RecordedRequest, SandboxOptions, Fault, RedirectStatus, RateLimit, RateLimitStats } from './types';
export { RateLimiter, WINDOW_MS as RATE_LIMIT_WINDOW_MS } from './ratelimit';
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
export { s as schema, req as required, validateParams } from './params';
