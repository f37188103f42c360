/**
 * The Stripe API version this package is built and tested against. It is the version
 * pinned by the `stripe` npm package 23.x; a test keeps the two in step.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export const STRIPE_DEFAULT_BASE_URL = 'https://api.stripe.com';

export const CREDENTIAL_TYPE = 'stripeBillingPortalApi';

/** Stripe's largest list page; list operations ask for what they still need, up to this. */
export const STRIPE_MAX_PAGE_SIZE = 100;

/** Locales the customer portal accepts at STRIPE_API_VERSION, with the names users see. */
export const PORTAL_LOCALES: ReadonlyArray<{ value: string; name: string }> = [
	{ value: 'auto', name: 'Auto (Browser Language)' },
	{ value: 'bg', name: 'Bulgarian' },
	{ value: 'zh', name: 'Chinese (Simplified)' },
	{ value: 'zh-HK', name: 'Chinese (Traditional, Hong Kong)' },
	{ value: 'zh-TW', name: 'Chinese (Traditional, Taiwan)' },
	{ value: 'hr', name: 'Croatian' },
	{ value: 'cs', name: 'Czech' },
	{ value: 'da', name: 'Danish' },
	{ value: 'nl', name: 'Dutch' },
	{ value: 'en', name: 'English' },
	{ value: 'en-AU', name: 'English (Australia)' },
	{ value: 'en-CA', name: 'English (Canada)' },
	{ value: 'en-IN', name: 'English (India)' },
	{ value: 'en-IE', name: 'English (Ireland)' },
	{ value: 'en-NZ', name: 'English (New Zealand)' },
	{ value: 'en-SG', name: 'English (Singapore)' },
	{ value: 'en-GB', name: 'English (United Kingdom)' },
	{ value: 'et', name: 'Estonian' },
	{ value: 'fil', name: 'Filipino' },
	{ value: 'fi', name: 'Finnish' },
	{ value: 'fr', name: 'French' },
	{ value: 'fr-CA', name: 'French (Canada)' },
	{ value: 'de', name: 'German' },
	{ value: 'el', name: 'Greek' },
	{ value: 'hu', name: 'Hungarian' },
	{ value: 'id', name: 'Indonesian' },
	{ value: 'it', name: 'Italian' },
	{ value: 'ja', name: 'Japanese' },
	{ value: 'ko', name: 'Korean' },
	{ value: 'lv', name: 'Latvian' },
	{ value: 'lt', name: 'Lithuanian' },
	{ value: 'ms', name: 'Malay' },
	{ value: 'mt', name: 'Maltese' },
	{ value: 'nb', name: 'Norwegian Bokmål' },
	{ value: 'pl', name: 'Polish' },
	{ value: 'pt', name: 'Portuguese' },
	{ value: 'pt-BR', name: 'Portuguese (Brazil)' },
	{ value: 'ro', name: 'Romanian' },
	{ value: 'ru', name: 'Russian' },
	{ value: 'sk', name: 'Slovak' },
	{ value: 'sl', name: 'Slovenian' },
	{ value: 'es', name: 'Spanish' },
	{ value: 'es-419', name: 'Spanish (Latin America)' },
	{ value: 'sv', name: 'Swedish' },
	{ value: 'th', name: 'Thai' },
	{ value: 'tr', name: 'Turkish' },
	{ value: 'vi', name: 'Vietnamese' },
];

/** The `flow_data[type]` values, and which of them need a subscription. */
export const FLOW_TYPES = {
	customer_update: {
		name: 'Update Customer Details',
		description: 'Open the form to update billing details such as address and email',
		needsSubscription: false,
	},
	payment_method_update: {
		name: 'Update Payment Method',
		description: 'Open the form to add a payment method and make it the default',
		needsSubscription: false,
	},
	subscription_cancel: {
		name: 'Cancel Subscription',
		description: 'Open the cancellation page of one subscription, optionally with a retention offer',
		needsSubscription: true,
	},
	subscription_pause: {
		name: 'Pause Subscription',
		description: 'Open the page to pause payment collection on one subscription',
		needsSubscription: true,
	},
	subscription_update: {
		name: 'Update Subscription',
		description: 'Open the plan picker for one subscription',
		needsSubscription: true,
	},
	subscription_update_confirm: {
		name: 'Confirm Subscription Update',
		description: 'Show a prepared change of price or quantity for the customer to confirm',
		needsSubscription: true,
	},
} as const;

export type FlowType = keyof typeof FLOW_TYPES;

export const AFTER_COMPLETION_TYPES = ['portal_homepage', 'redirect', 'hosted_confirmation'] as const;
export type AfterCompletionType = (typeof AFTER_COMPLETION_TYPES)[number];

/** Stripe caps `flow_data[after_completion][hosted_confirmation][custom_message]` at this length. */
export const HOSTED_CONFIRMATION_MAX_LENGTH = 500;
