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

/** What to say of one of the refusals only a session meets, to the workflow's author and to an AI agent. */
interface SessionRefusal {
	/** Stripe's message, as Stripe words it. */
	matches: RegExp;
	/** What to change in n8n or in Stripe. */
	user: (message: string) => string;
	/** What an agent, which can change neither, should tell the person it serves. */
	agent: (message: string) => string;
}

const DEFAULT_CONFIGURATION_MISSING = /No configuration provided and your (test|live) mode default configuration has not been created/;
const settingsPage = (message: string): string => dashboardUrl(PORTAL_SETTINGS_PAGE, message.includes('live mode'));

/*
 * Stripe's words for these are not in its reference; they are its answers as integrators quote
 * them from real runs: the update flows on a configuration without plan changes (the default
 * configuration has them off), a confirmation that changes nothing, and a cancel flow for a
 * subscription already set to end.
 */
const SESSION_REFUSALS: SessionRefusal[] = [
	{
		matches: DEFAULT_CONFIGURATION_MISSING,
		user: (message) =>
			`Save your customer portal settings once in the Stripe dashboard (${settingsPage(message)}) to create a default configuration, or choose a Configuration under Additional Fields.`,
		agent: (message) =>
			`The customer portal of this Stripe account is not set up yet, so no link can be made: tell the user that self-service billing is unavailable for now and that the account owner must save the customer portal settings once at ${settingsPage(message)}. Calling again will not help until then.`,
	},
	{
		matches: /subscription update feature in the portal configuration is disabled/i,
		user: () =>
			`The portal configuration this session uses does not let customers switch plans, which the Subscription Update and Subscription Update Confirm flows need. Turn it on (Stripe dashboard → Settings → Billing → Customer portal → Subscriptions → "Customers can switch plans", in the mode of the credential's key, with the products they may switch to; or Portal Configuration → Update → Features → Subscription Update), or choose a Configuration that has it under Additional Fields.`,
		agent: () =>
			'Plan changes are turned off in this Stripe account\'s customer portal, so no link for them can be made: tell the user that changing plans is not available for self-service, and pass the request on to the team. Calling again will not help.',
	},
	{
		matches: /there are no changes to confirm/i,
		user: () =>
			'Item Changes → New Price or New Quantity must differ from what the subscription item has now: Stripe makes no confirmation page for a change that changes nothing. Use a Subscription Update flow to let the customer choose instead.',
		agent: () => 'The subscription already has the price and quantity asked for: tell the user that nothing needs to change. Calling again with the same values will not help.',
	},
	{
		matches: /is already set to be canceled at period end/i,
		user: () =>
			'The subscription is already set to end at the close of its current period, so there is nothing to cancel. Create the session without a Flow instead (the portal then offers to renew it), or check the subscription\'s cancel_at_period_end before choosing the Subscription Cancel flow.',
		agent: () => 'The subscription is already cancelled and ends at the close of its current billing period: tell the user so. Calling again will not help.',
	},
];

function sessionRefusal(stripe: StripeErrorBody | undefined): { refusal: SessionRefusal; message: string } | undefined {
	const message = stripe?.message ?? '';
	const refusal = SESSION_REFUSALS.find(({ matches }) => matches.test(message));
	return refusal && { refusal, message };
}

function sessionHintFor(_httpStatus: number, stripe: StripeErrorBody | undefined): string | undefined {
	const found = sessionRefusal(stripe);
	return found?.refusal.user(found.message);
}

function sessionAgentHintFor(_httpStatus: number, stripe: StripeErrorBody | undefined): string | undefined {
	const found = sessionRefusal(stripe);
	return found?.refusal.agent(found.message);
}

/** How errors of Portal Session requests (and their lookups) name the node's fields. */
export const sessionErrorVocabulary: ErrorVocabulary = { fieldFor: sessionFieldFor, hintFor: sessionHintFor, agentHintFor: sessionAgentHintFor };
