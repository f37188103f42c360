/** A page of the Stripe dashboard: test mode's pages sit under `test/`, live mode's at the root. */
export function dashboardUrl(path: string, livemode: boolean): string {
	return `https://dashboard.stripe.com/${livemode ? '' : 'test/'}${path}`;
}

/** The dashboard page where the customer portal, its login page and its default configuration are set up. */
export const PORTAL_SETTINGS_PAGE = 'settings/billing/portal';
