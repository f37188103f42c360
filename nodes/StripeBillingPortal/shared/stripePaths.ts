/**
 * Stripe paths that several rooms send to: the credential's test request, the resources and the
 * list searches. A path only one resource uses stays in that resource's constants.
 */

/** Where portal configurations live: listed and created here, read and updated under their ID. */
export const CONFIGURATIONS_PATH = '/v1/billing_portal/configurations';
