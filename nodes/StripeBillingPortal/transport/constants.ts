/**
 * The request pipeline's numbers and names, as data: the Request Settings fields read them
 * for their defaults and descriptions, the pipeline for its behaviour.
 */

export const DEFAULT_RETRIES = 3;
export const MAX_RETRIES = 10;
/**
 * How long one item may keep being rate-limited (429) before it fails. A rate-limited request
 * did nothing, so it is resent until then; minutes, so a burst of executions drains instead of
 * failing.
 */
export const DEFAULT_MAX_WAIT_SECONDS = 180;
export const MAX_MAX_WAIT_SECONDS = 3_600;
/** Per attempt, as Stripe's own SDKs wait (80 s) before retrying with the same key. */
export const DEFAULT_TIMEOUT_SECONDS = 80;
/** n8n's own limit for a request; longer would look like a hung run. */
export const MAX_TIMEOUT_SECONDS = 300;
/** The slowest Max Requests per Second: one request in about 17 minutes; slower overflows the host's timers, which then fire at once. */
export const MIN_REQUESTS_PER_SECOND = 0.001;
/** Stripe keeps idempotency keys of up to 255 characters. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** The collection every operation carries, as error messages name it. */
export const SETTINGS_FIELD = 'Request Settings';
