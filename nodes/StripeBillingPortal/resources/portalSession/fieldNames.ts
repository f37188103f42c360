import { PORTAL_SETTINGS_PAGE, dashboardUrl } from '../../shared/dashboard';
import type { ErrorVocabulary, StripeErrorBody } from '../../transport/answers';

/**
 * Stripe names the failing request parameter (`param`); users know the node's field names.
 * Ordered most specific first.
 */
const SESSION_FIELDS_BY_PARAM: Array<[RegExp, string]> = [
	[/^flow_data\[subscription_update_confirm\]\[items\]\[\d+\]\[id\]$/, 'Subscription Item'],
	[/^flow_data\[subscription_update_confirm\]\[items\]\[\d+\]\[price\]$/, 'Item Changes → New Price'],
	[/^flow_data\[subscription_update_confirm\]\[items\]\[\d+\]\[quantity\]$/, 'Item Changes → New Quantity'],
	[/^flow_data\[subscription_update_confirm\]\[discounts\]/, 'Discounts'],
	[/^flow_data\[subscription_cancel\]\[retention\]/, 'Retention Coupon'],
	[/^flow_data\[\w+\]\[subscription\]$/, 'Subscription'],
	[/^flow_data\[after_completion\]\[redirect\]/, 'Redirect URL'],
	[/^flow_data\[after_completion\]\[hosted_confirmation\]/, 'Confirmation Message'],
	[/^flow_data\[after_completion\]/, 'After Completion'],
	[/^flow_data/, 'Flow'],
	[/^customer$/, 'Customer'],
	[/^customer_account$/, 'Customer Account'],
	[/^return_url$/, 'Return URL'],
	[/^configuration$/, 'Additional Fields → Configuration'],
	[/^locale$/, 'Additional Fields → Locale'],
	[/^on_behalf_of$/, 'Additional Fields → On Behalf Of'],
	[/^after_expiration/, 'Additional Fields → Login After Expiry / Login Available Until'],
	[/^expand/, 'Additional Fields → Expand'],
];

function sessionFieldFor(param: string): string | undefined {
	return SESSION_FIELDS_BY_PARAM.find(([pattern]) => pattern.test(param))?.[1];
}

/** The one error only a session meets: the account has no default portal configuration yet. */
function sessionHintFor(_httpStatus: number, stripe: StripeErrorBody | undefined): string | undefined {
	const message = stripe?.message ?? '';
	if (/No configuration provided and your (test|live) mode default configuration has not been created/.test(message)) {
		const settings = dashboardUrl(PORTAL_SETTINGS_PAGE, message.includes('live mode'));
		return `Save your customer portal settings once in the Stripe dashboard (${settings}) to create a default configuration, or choose a Configuration under Additional Fields.`;
	}
	return undefined;
}

/** The same for an AI agent, which cannot save dashboard settings but can tell the person it serves. */
function sessionAgentHintFor(_httpStatus: number, stripe: StripeErrorBody | undefined): string | undefined {
	const message = stripe?.message ?? '';
	if (/No configuration provided and your (test|live) mode default configuration has not been created/.test(message)) {
		const settings = dashboardUrl(PORTAL_SETTINGS_PAGE, message.includes('live mode'));
		return `The customer portal of this Stripe account is not set up yet, so no link can be made: tell the user that self-service billing is unavailable for now and that the account owner must save the customer portal settings once at ${settings}. Calling again will not help until then.`;
	}
	return undefined;
}

/** How errors of Portal Session requests (and their lookups) name the node's fields. */
export const sessionErrorVocabulary: ErrorVocabulary = { fieldFor: sessionFieldFor, hintFor: sessionHintFor, agentHintFor: sessionAgentHintFor };
