/**
 * Local Stripe API sandbox for tests, demos and benchmarks.
 *
 *   const sandbox = new StripeSandbox();
 *   const baseUrl = await sandbox.start();          // http://127.0.0.1:<port>
 *   ... point the code under test at baseUrl with key 'sk_test_sandbox' ...
 *   expect(sandbox.requests[0].body).toEqual({ customer: 'cus_SandboxJenny01', return_url: '...' });
 *   await sandbox.stop();
 *
 * Layout: server.ts (HTTP, recording, faults, pipeline stages), router.ts (route table),
 * params.ts (schema validation with Stripe's wording), errors.ts, auth.ts (keys, permissions),
 * list.ts (pagination, expand), search.ts (search query language), store.ts (data, seed),
 * resources/*.ts (one module per Stripe resource, each exporting RouteDef[]).
 */
export { StripeSandbox, DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, DEFAULT_ACCOUNT_ID } from './server';
export type { Stage, PipelineState } from './server';
export type { RecordedRequest, SandboxOptions, Fault } from './types';
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
