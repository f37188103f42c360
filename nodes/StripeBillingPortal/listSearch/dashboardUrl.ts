/** The Stripe dashboard page of an object, as list results link it. */
export function dashboardUrl(path: string, livemode: boolean): string {
	return `https://dashboard.stripe.com/${livemode ? '' : 'test/'}${path}`;
}
