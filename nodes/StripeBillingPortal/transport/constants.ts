/**
 * The request pipeline's numbers and names, as data: the Request Settings fields read them
 * for their defaults and descriptions, the pipeline for its behaviour.
 */

/** Stripe's limits are 25 requests/s in test mode and 100/s in live mode; these leave room for other traffic. */
export const AUTO_REQUESTS_PER_SECOND = { test: 20, live: 80 } as const;
export const DEFAULT_RETRIES = 3;
export const MAX_RETRIES = 10;
/** Per attempt, as Stripe's own SDKs wait (80 s) before retrying with the same key. */
export const DEFAULT_TIMEOUT_SECONDS = 80;
/** n8n's own limit for a request; longer would look like a hung run. */
export const MAX_TIMEOUT_SECONDS = 300;
/** Stripe keeps idempotency keys of up to 255 characters. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** The collection every operation carries, as error messages name it. */
export const SETTINGS_FIELD = 'Request Settings';
