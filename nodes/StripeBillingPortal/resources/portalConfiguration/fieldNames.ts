import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { quoteValue } from '../../shared/quote';
import type { ErrorVocabulary } from '../../transport/answers';

const CONFIGURATION_FIELDS_BY_PARAM: Array<[RegExp, string]> = [
	[/^business_profile\[headline\]$/, 'Business Headline'],
	[/^business_profile\[privacy_policy_url\]$/, 'Privacy Policy URL'],
	[/^business_profile\[terms_of_service_url\]$/, 'Terms of Service URL'],
	[/^default_return_url$/, 'Default Return URL'],
	[/^login_page/, 'Login Page'],
	[/^metadata/, 'Metadata'],
	[/^name$/, 'Name'],
	[/^active$/, 'Active'],
	[/^expand/, 'Options → Expand'],
	[/^(id|configuration)$/, 'Configuration'],
];

/** The node's names for the parts of `features[…]`. */
const FEATURE_PARTS: Record<string, string> = {
	customer_update: 'Customer Update',
	invoice_history: 'Invoice History',
	payment_method_update: 'Payment Method Update',
	subscription_cancel: 'Subscription Cancel',
	subscription_pause: 'Subscription Pause',
	subscription_update: 'Subscription Update',
	allowed_updates: 'Allowed Updates',
	default_allowed_updates: 'Allowed Updates',
	enabled: 'Enabled',
	payment_method_configuration: 'Payment Method Configuration',
	mode: 'Mode',
	proration_behavior: 'Proration Behavior',
	cancellation_reason: 'Ask for a Reason',
	options: 'Reasons Offered',
	feedback_options: 'Feedback Option IDs',
	duration: 'Duration',
	interval_options: 'Pause Lengths',
	interval: 'Interval',
	interval_count: 'Count',
	products: 'Products',
	product: 'Product ID',
	prices: 'Prices',
	adjustable_quantity: 'Adjustable Quantity',
	minimum: 'Minimum Quantity',
	maximum: 'Maximum Quantity',
	billing_cycle_anchor: 'Billing Cycle Anchor',
	schedule_at_period_end: 'Schedule at Period End When',
	conditions: 'Schedule at Period End When',
	trial_update_behavior: 'Trial Update Behavior',
};

/** `features[subscription_update][products][1][prices]` → "Features → Subscription Update → Products (entry 2) → Prices". */
function featureField(param: string): string | undefined {
	const parts = param.match(/[^[\]]+/g) ?? [];
	if (parts[0] !== 'features') return undefined;
	const names: string[] = ['Features'];
	for (const part of parts.slice(1)) {
		if (/^\d+$/.test(part)) {
			names[names.length - 1] += ` (entry ${Number(part) + 1})`;
		} else if (part === 'type' && names[names.length - 1] === 'Duration') {
			continue;
		} else {
			// Own keys only: a param part such as 'constructor' must not find Object's.
			const name = Object.hasOwn(FEATURE_PARTS, part) ? FEATURE_PARTS[part] : part;
			if (name !== names[names.length - 1]) names.push(name);
		}
	}
	return names.join(' → ');
}

/** The node's name for a parameter of a configuration body built from the form's fields. */
export function configurationFieldFor(param: string): string | undefined {
	return featureField(param) ?? CONFIGURATION_FIELDS_BY_PARAM.find(([pattern]) => pattern.test(param))?.[1];
}

/** A body typed as JSON: the failing parameter is a key inside that field. */
function jsonFieldFor(param: string): string {
	return `${quoteValue(param)} in Configuration (JSON)`;
}

export function configurationErrorVocabulary(jsonInput: boolean): ErrorVocabulary {
	return jsonInput ? { fieldFor: jsonFieldFor, jsonInput: true } : { fieldFor: configurationFieldFor };
}

/** The vocabulary for the current item: Create and Update take the body as fields or as JSON. */
export function configurationErrorVocabularyFor(context: IExecuteSingleFunctions): ErrorVocabulary {
	return configurationErrorVocabulary(context.getNodeParameter('inputMode', 'fields') === 'json');
}
