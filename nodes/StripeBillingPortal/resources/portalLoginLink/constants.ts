import { PORTAL_SETTINGS_PAGE, dashboardUrl } from '../../shared/dashboard';

/**
 * Constants of the Portal Login Link resource. The only prefill Stripe documents for a portal
 * login link is the e-mail ("Activate the no-code customer portal" → "Prefill customer email");
 * customers can still edit it on the page.
 */
export const PREFILLED_EMAIL_PARAM = 'prefilled_email';

/** Where configurations are read: the default by filter, a chosen one by ID. */
export { CONFIGURATIONS_PATH } from '../../shared/stripePaths';

/** Where a customer picked by ID is read, for the e-mail to fill in. */
export const CUSTOMERS_PATH = '/v1/customers';

/** The dashboard page where the portal, its login page included, is set up. */
export const PORTAL_SETTINGS_URL = { test: dashboardUrl(PORTAL_SETTINGS_PAGE, false), live: dashboardUrl(PORTAL_SETTINGS_PAGE, true) } as const;
