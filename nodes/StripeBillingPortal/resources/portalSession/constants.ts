/** Constants of the Portal Session resource: one source for its fields, body builder, lookups and tests. */

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

/** The values of Customer Type, checked when a workflow's JSON or an expression sets it. */
export const CUSTOMER_TYPES = [{ value: 'customer' }, { value: 'customerAccount' }] as const;

/** The values of a discount entry's Type (Confirm Subscription Update → Discounts). */
export const DISCOUNT_TYPES = [{ value: 'coupon' }, { value: 'promotionCode' }] as const;

export const AFTER_COMPLETION_TYPES = ['portal_homepage', 'redirect', 'hosted_confirmation'] as const;
export type AfterCompletionType = (typeof AFTER_COMPLETION_TYPES)[number];

/** What a session's answer can expand: its configuration (the rest are IDs of the caller's own objects). */
export const SESSION_EXPANDABLE: ReadonlyArray<{ name: string; value: string }> = [{ name: 'Configuration', value: 'configuration' }];

/** Stripe caps `flow_data[after_completion][hosted_confirmation][custom_message]` at this length. */
export const HOSTED_CONFIRMATION_MAX_LENGTH = 500;

/** Values of Subscription Source. */
export const SUBSCRIPTION_SOURCES = {
	pick: 'pick',
	onlyCurrent: 'onlyCurrent',
	mostRecentCurrent: 'mostRecentCurrent',
} as const;
export type SubscriptionSource = (typeof SUBSCRIPTION_SOURCES)[keyof typeof SUBSCRIPTION_SOURCES];
export type SubscriptionLookupSource = Exclude<SubscriptionSource, 'pick'>;

/**
 * Statuses the node calls "current": those of a subscription a customer can still cancel,
 * pause or change in the portal. Left out: `canceled` and `incomplete_expired`, which have ended for good, and `incomplete`,
 * whose first invoice was never paid: Stripe lets such a subscription change nothing but its
 * metadata and default payment source until then, and expires it after 23 hours. This is the
 * node's rule: Stripe's deep-link guide does not list the statuses each flow accepts.
 */
export const CURRENT_SUBSCRIPTION_STATUSES = ['active', 'past_due', 'paused', 'trialing', 'unpaid'] as const;

/** "active, past due, paused, trialing or unpaid", as the field description and errors say it. */
export const CURRENT_STATUSES_TEXT = (() => {
	const words = CURRENT_SUBSCRIPTION_STATUSES.map((status) => status.replace(/_/g, ' '));
	return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
})();

/** The options of Subscription Source; names and values shared by the field and the errors. */
export const SUBSCRIPTION_SOURCE_OPTIONS = [
	{
		name: 'Pick Below',
		value: SUBSCRIPTION_SOURCES.pick,
		description: 'Choose the subscription in the Subscription field',
	},
	{
		name: 'The Customer’s Most Recently Created Current Subscription',
		value: SUBSCRIPTION_SOURCES.mostRecentCurrent,
		description:
			'Look up the customer’s subscriptions when the node runs and use the current one created last; fail if there is none',
	},
	{
		name: 'The Customer’s Only Current Subscription',
		value: SUBSCRIPTION_SOURCES.onlyCurrent,
		description:
			'Look up the customer’s subscriptions when the node runs and use the one current subscription; fail if there is none or several',
	},
];


/** Values of Additional Fields → If Several Customers Match. */
export const MULTIPLE_CUSTOMERS = { fail: 'fail', mostRecent: 'mostRecent' } as const;
export type MultipleCustomersChoice = (typeof MULTIPLE_CUSTOMERS)[keyof typeof MULTIPLE_CUSTOMERS];

/** The tool-variant-only switch that lets a session link reach an AI model (toolSafety.ts). */
export const SESSION_LINK_TO_MODEL = 'sessionLinkToModel';
export const SESSION_LINK_TO_MODEL_NAME = 'Give Session Link to the Model';
