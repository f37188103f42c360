/**
 * The values Stripe accepts in a portal configuration at STRIPE_API_VERSION (the enums of
 * `BillingPortal.ConfigurationCreateParams` in the `stripe` package), with the names users see.
 * Node fields, the body builder and the tests all read them from here.
 */
export { CONFIGURATIONS_PATH } from '../../shared/stripePaths';

/** Create and Update share fields; an untouched field means Stripe's default on one, the current value on the other. */
export type ConfigurationWrite = 'create' | 'update';

export interface NamedValue {
	name: string;
	value: string;
	description?: string;
}

export const CUSTOMER_UPDATE_FIELDS: readonly NamedValue[] = [
	{ name: 'Address', value: 'address' },
	{ name: 'Email', value: 'email' },
	{ name: 'Name', value: 'name' },
	{ name: 'Phone', value: 'phone' },
	{ name: 'Shipping Address', value: 'shipping' },
	{ name: 'Tax IDs', value: 'tax_id' },
];

export const CANCEL_MODES: readonly NamedValue[] = [
	{ name: 'At Period End', value: 'at_period_end', description: 'The subscription ends when the paid period does' },
	{ name: 'Immediately', value: 'immediately', description: 'The subscription ends at once' },
];

export const PRORATION_BEHAVIORS: readonly NamedValue[] = [
	{ name: 'Always Invoice', value: 'always_invoice', description: 'Prorate and invoice the difference at once' },
	{ name: 'Create Prorations', value: 'create_prorations', description: 'Prorate; the difference goes on the next invoice' },
	{ name: 'None', value: 'none', description: 'Do not prorate' },
];

/** A cancellation cannot be invoiced at once (`always_invoice` is an error), and prorates only when immediate. */
export const CANCEL_PRORATION_BEHAVIORS: readonly NamedValue[] = [
	{ name: 'Create Prorations', value: 'create_prorations', description: 'Credit the unused time (only with Mode: Immediately)' },
	{ name: 'None', value: 'none', description: 'Do not prorate' },
];

export const CANCELLATION_REASONS: readonly NamedValue[] = [
	{ name: 'Customer Service', value: 'customer_service' },
	{ name: 'Low Quality', value: 'low_quality' },
	{ name: 'Missing Features', value: 'missing_features' },
	{ name: 'Other', value: 'other' },
	{ name: 'Switched Service', value: 'switched_service' },
	{ name: 'Too Complex', value: 'too_complex' },
	{ name: 'Too Expensive', value: 'too_expensive' },
	{ name: 'Unused', value: 'unused' },
];

export const PAUSE_DURATION_TYPES: readonly NamedValue[] = [
	{ name: 'Indefinite', value: 'indefinite', description: 'The customer resumes the subscription when they choose' },
	{
		name: 'Interval Options',
		value: 'interval_options',
		description: 'The customer picks one of the pause lengths listed under Pause Lengths',
	},
];

export const PAUSE_INTERVALS: readonly NamedValue[] = [
	{ name: 'Day', value: 'day' },
	{ name: 'Month', value: 'month' },
	{ name: 'Week', value: 'week' },
	{ name: 'Year', value: 'year' },
];

/** Pause Length → Interval's default in the editor, and what an empty value from an expression means. */
export const PAUSE_INTERVAL_DEFAULT = 'month';

export const SUBSCRIPTION_UPDATE_ALLOWED: readonly NamedValue[] = [
	{ name: 'Price', value: 'price', description: 'Switch to another price of the listed products' },
	{ name: 'Promotion Code', value: 'promotion_code', description: 'Apply a promotion code' },
	{ name: 'Quantity', value: 'quantity', description: 'Change the quantity' },
];

export const BILLING_CYCLE_ANCHORS: readonly NamedValue[] = [
	{ name: 'Now', value: 'now', description: 'Restart the billing cycle at the moment of the update' },
	{ name: 'Unchanged', value: 'unchanged', description: 'Keep the current billing cycle' },
];

export const SCHEDULE_AT_PERIOD_END_CONDITIONS: readonly NamedValue[] = [
	{
		name: 'Decreasing Item Amount',
		value: 'decreasing_item_amount',
		description: 'Downgrades (a lower amount) take effect at the end of the period',
	},
	{
		name: 'Shortening Interval',
		value: 'shortening_interval',
		description: 'Switching to a shorter billing interval takes effect at the end of the period',
	},
];

export const TRIAL_UPDATE_BEHAVIORS: readonly NamedValue[] = [
	{ name: 'Continue Trial', value: 'continue_trial', description: 'Keep the trial running after the update' },
	{ name: 'End Trial', value: 'end_trial', description: 'End the trial and start billing' },
];

/** Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500. */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;

/**
 * "The maximum duration is three years" (the d.ts on `interval_count`), per interval: 3 × 365
 * days, 3 × 52 weeks, 36 months, 3 years.
 */
export const MAX_PAUSE_COUNT: Readonly<Record<string, number>> = { day: 1095, week: 156, month: 36, year: 3 };

/** "The list of up to 10 products that support subscription updates." */
export const MAX_PRODUCTS = 10;

/**
 * The properties of a portal configuration Stripe can expand: in the d.ts, the fields typed
 * `string | <object>` (`application`, and the feedback options of a cancellation reason). Get Many
 * expands them under `data.`, as on every Stripe list.
 */
export const EXPANDABLE_PATHS: readonly string[] = ['application', 'features.subscription_cancel.cancellation_reason.feedback_options'];

/** What Options → Expand and JSON input may expand: a configuration's expandable properties, under `data.` on Get Many. */
export function expandable(listing: boolean): string[] {
	return EXPANDABLE_PATHS.map((path) => (listing ? `data.${path}` : path));
}

/** `business_profile[headline]`: "The messaging shown to customers in the portal", at most 60 characters in Stripe's API reference. */
export const HEADLINE_MAX_LENGTH = 60;

/**
 * What JSON input may give for each parameter of ConfigurationCreateParams /
 * ConfigurationUpdateParams: one value (text, number or true/false), a list of values, metadata,
 * expand paths, an object of named parameters, or a list of such objects. `emptyable` marks
 * Stripe's `Emptyable<…>`, where '' (and so an empty list) clears the value. The JSON input is
 * checked against it, so a misspelt key, or a value n8n's form encoder would drop or mangle, is
 * named before Stripe sees it.
 */
export type ParamSpec =
	/** `url`: an absolute http(s) URL; `maxLength`: text at most this long (else Stripe's general 5,000). */
	| { kind: 'value'; emptyable: boolean; url?: true; maxLength?: number }
	| { kind: 'values' | 'metadata'; emptyable: boolean }
	| { kind: 'expand' }
	| { kind: 'object'; keys: ParamKeys }
	| { kind: 'objects'; item: ParamKeys; emptyable: boolean };
export type ParamKeys = Readonly<Record<string, ParamSpec>>;

const value = (emptyable = false): ParamSpec => ({ kind: 'value', emptyable });
const url = (emptyable: boolean): ParamSpec => ({ kind: 'value', emptyable, url: true });
const text = (maxLength: number): ParamSpec => ({ kind: 'value', emptyable: true, maxLength });
const values = (emptyable = false): ParamSpec => ({ kind: 'values', emptyable });
const object = (keys: ParamKeys): ParamSpec => ({ kind: 'object', keys });
const objects = (item: ParamKeys, emptyable = false): ParamSpec => ({ kind: 'objects', item, emptyable });

/** Create and Update take the same parameters (Update adds `active`) and differ in which of them are Emptyable. */
function configurationParams(write: ConfigurationWrite): ParamKeys {
	const update = write === 'update';
	const features = object({
		customer_update: object({ allowed_updates: values(true), enabled: value() }),
		invoice_history: object({ enabled: value() }),
		payment_method_update: object({ enabled: value(), payment_method_configuration: value(true) }),
		subscription_cancel: object({
			cancellation_reason: object({ enabled: value(), feedback_options: values(true), options: values(true) }),
			enabled: value(),
			mode: value(),
			proration_behavior: value(),
		}),
		subscription_pause: object({
			duration: object({ interval_options: objects({ interval: value(), interval_count: value() }, true), type: value() }),
			enabled: value(),
		}),
		subscription_update: object({
			billing_cycle_anchor: value(),
			default_allowed_updates: values(true),
			enabled: value(),
			products: objects({ adjustable_quantity: object({ enabled: value(), maximum: value(), minimum: value() }), prices: values(), product: value() }, true),
			proration_behavior: value(),
			// Emptyable on update only.
			schedule_at_period_end: object({ conditions: objects({ type: value() }, update) }),
			trial_update_behavior: value(),
		}),
	});
	const params: Record<string, ParamSpec> = {
		// The two URLs are Emptyable on update only.
		business_profile: object({ headline: text(HEADLINE_MAX_LENGTH), privacy_policy_url: url(update), terms_of_service_url: url(update) }),
		default_return_url: url(true),
		expand: { kind: 'expand' },
		features,
		login_page: object({ enabled: value() }),
		// `MetadataParam` on create, `Emptyable<MetadataParam>` on update.
		metadata: { kind: 'metadata', emptyable: update },
		name: value(true),
	};
	if (update) params.active = value();
	return params;
}

export const CONFIGURATION_CREATE_PARAMS: ParamKeys = configurationParams('create');
export const CONFIGURATION_UPDATE_PARAMS: ParamKeys = configurationParams('update');

/** Stripe Emptyable fields a user can clear on Update, by the node's name for them. */
export const CLEARABLE_FIELDS: ReadonlyArray<{ name: string; value: string; path: string[] }> = [
	{ name: 'Business Headline', value: 'headline', path: ['business_profile', 'headline'] },
	{ name: 'Customer Update → Allowed Updates', value: 'allowedUpdates', path: ['features', 'customer_update', 'allowed_updates'] },
	{ name: 'Default Return URL', value: 'defaultReturnUrl', path: ['default_return_url'] },
	{ name: 'Metadata (All Keys)', value: 'metadata', path: ['metadata'] },
	{ name: 'Name', value: 'name', path: ['name'] },
	{
		name: 'Payment Method Update → Payment Method Configuration',
		value: 'paymentMethodConfiguration',
		path: ['features', 'payment_method_update', 'payment_method_configuration'],
	},
	{ name: 'Privacy Policy URL', value: 'privacyPolicyUrl', path: ['business_profile', 'privacy_policy_url'] },
	{
		name: 'Subscription Cancel → Feedback Option IDs',
		value: 'feedbackOptions',
		path: ['features', 'subscription_cancel', 'cancellation_reason', 'feedback_options'],
	},
	{
		name: 'Subscription Cancel → Reasons Offered',
		value: 'cancellationReasonOptions',
		path: ['features', 'subscription_cancel', 'cancellation_reason', 'options'],
	},
	{
		name: 'Subscription Pause → Pause Lengths',
		value: 'intervalOptions',
		path: ['features', 'subscription_pause', 'duration', 'interval_options'],
	},
	{
		name: 'Subscription Update → Allowed Updates',
		value: 'defaultAllowedUpdates',
		path: ['features', 'subscription_update', 'default_allowed_updates'],
	},
	{ name: 'Subscription Update → Products', value: 'products', path: ['features', 'subscription_update', 'products'] },
	{
		name: 'Subscription Update → Schedule at Period End When',
		value: 'scheduleAtPeriodEnd',
		path: ['features', 'subscription_update', 'schedule_at_period_end', 'conditions'],
	},
	{ name: 'Terms of Service URL', value: 'termsOfServiceUrl', path: ['business_profile', 'terms_of_service_url'] },
];

