/**
 * The Stripe API version this package is built and tested against. It is the version
 * pinned by the `stripe` npm package 23.x; a test keeps the two in step.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export const STRIPE_DEFAULT_BASE_URL = 'https://api.stripe.com';

export const CREDENTIAL_TYPE = 'stripeBillingPortalApi';

/** The node's type name; n8n prefixes it with the package's name (and names its tool variant `…Tool`). */
export const NODE_TYPE_NAME = 'stripeBillingPortal';

/** Stripe's largest list page; list operations ask for what they still need, up to this. */
export const STRIPE_MAX_PAGE_SIZE = 100;
