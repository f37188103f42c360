/**
 * Features → …: one builder per feature of the form, each turning its group into the feature's
 * part of the body and refusing combinations Stripe would refuse, with the field named.
 */
import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { MERCHANT_CHOSEN_ID_PATTERN, STRIPE_ID_EXAMPLES } from '../../shared/ids';
import { isPlainObject } from '../../shared/values';
import {
	booleanValue,
	checkStripeId,
	checkTextLength,
	fieldError,
	manyOf,
	oneOf,
	optionalChoice,
	optionalWholeNumber,
	quoteValue,
	singleText,
	textList,
} from '../../shared/validation';
import { compact, groupEntries, own } from './bodyTree';
import {
	BILLING_CYCLE_ANCHORS,
	CANCELLATION_REASONS,
	CANCEL_MODES,
	CANCEL_PRORATION_BEHAVIORS,
	CUSTOMER_UPDATE_FIELDS,
	MAX_PAUSE_COUNT,
	MAX_PRODUCTS,
	PAUSE_DURATION_TYPES,
	PAUSE_INTERVAL_DEFAULT,
	PAUSE_INTERVALS,
	PRORATION_BEHAVIORS,
	SCHEDULE_AT_PERIOD_END_CONDITIONS,
	SUBSCRIPTION_UPDATE_ALLOWED,
	TRIAL_UPDATE_BEHAVIORS,
	type ConfigurationWrite,
} from './constants';

type Context = IExecuteSingleFunctions;

/**
 * Enabled of a feature. On Create it is a boolean switch and Stripe needs it in every feature
 * (the editor's default, on, would switch a feature on for customers: an empty value from an
 * expression is refused, not read as on). On Update, Customer Update, Subscription Cancel, Pause
 * and Update have Keep Current (''); Invoice History and Payment Method Update stay booleans,
 * which Stripe needs whenever the feature is sent.
 */
function enabledValue(context: Context, feature: string, raw: unknown, write: ConfigurationWrite, alwaysSent = false): boolean | undefined {
	const field = `Features → ${feature} → Enabled`;
	const boolean = write === 'create' || alwaysSent;
	const value = booleanValue(context, field, raw, boolean ? 'Give true or false.' : 'Choose Enable, Disable or Keep Current.');
	if (value === undefined && boolean) {
		throw fieldError(
			context,
			field,
			'is empty',
			write === 'create'
				? 'Stripe needs Enabled of every feature a new configuration gets: give true or false, or remove the feature.'
				: 'Stripe needs Enabled whenever this feature is sent: give true or false, or remove the feature.',
		);
	}
	return value;
}

/**
 * Product and price IDs: Stripe's own (prod_…, price_…) or, for products and legacy plans,
 * an ID the merchant chose. The usual mix-up, a product where a price belongs or the other way
 * round, gets its own message.
 */
function catalogId(context: Context, field: string, value: string, kind: 'product' | 'price'): string {
	const other = kind === 'product' ? 'price' : 'product';
	if (value.startsWith(other === 'price' ? 'price_' : 'prod_')) {
		throw fieldError(
			context,
			field,
			`${quoteValue(value)} is a ${other} ID, not a ${kind} ID`,
			kind === 'product'
				? 'Enter the product (prod_…) here and its prices under Prices.'
				: 'Enter the prices (price_…) of the product here; the product ID goes in Product ID.',
		);
	}
	checkTextLength(
		context,
		value,
		field,
		kind === 'product' ? 'Enter one product ID, e.g. prod_QXg5sNq4wA1b2C.' : `Enter price IDs such as ${STRIPE_ID_EXAMPLES.price}, separated by commas.`,
	);
	if (!MERCHANT_CHOSEN_ID_PATTERN.test(value)) {
		throw fieldError(
			context,
			field,
			`${quoteValue(value)} is not a valid ${kind} ID`,
			kind === 'product'
				? 'Enter a product ID such as prod_QXg5sNq4wA1b2C (IDs contain only letters, digits, - and _).'
				: `Enter a price ID such as ${STRIPE_ID_EXAMPLES.price}.`,
		);
	}
	return value;
}

type FeatureInput = Record<string, unknown>;

function customerUpdate(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Customer Update';
	return compact({
		enabled: enabledValue(context, 'Customer Update', input.enabled, write),
		allowed_updates: manyOf(context, `${field} → Allowed Updates`, input.allowedUpdates, CUSTOMER_UPDATE_FIELDS),
	});
}

function paymentMethodUpdate(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Payment Method Update';
	const configurationField = `${field} → Payment Method Configuration`;
	const configuration = singleText(context, configurationField, input.paymentMethodConfiguration);
	return compact({
		enabled: enabledValue(context, 'Payment Method Update', input.enabled, write, true),
		payment_method_configuration:
			configuration === undefined ? undefined : checkStripeId(context, 'paymentMethodConfiguration', configuration, configurationField),
	});
}

function subscriptionCancel(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Subscription Cancel';
	const reasons = manyOf(context, `${field} → Reasons Offered`, input.cancellationReasonOptions, CANCELLATION_REASONS);
	const feedback = textList(context, `${field} → Feedback Option IDs`, input.feedbackOptions);
	feedback.forEach((id) => {
		checkTextLength(context, id, `${field} → Feedback Option IDs`, 'Enter the IDs of your feedback options, separated by commas.');
		if (!/^[A-Za-z0-9_]+$/.test(id)) {
			throw fieldError(context, `${field} → Feedback Option IDs`, `${quoteValue(id)} is not a feedback option ID`, 'Enter the IDs of your feedback options, separated by commas.');
		}
	});
	// On Create a boolean whose editor default is off: empty from an expression reads as that
	// default, No (so reasons set next to it are sent, not dropped). On Update '' is Keep Current.
	const askRaw = booleanValue(
		context,
		`${field} → Ask for a Reason`,
		input.cancellationReason,
		write === 'create' ? 'Give true or false.' : 'Choose Yes, No or Keep Current.',
	);
	const ask = write === 'create' ? (askRaw ?? false) : askRaw;
	let cancellationReason: IDataObject | undefined;
	// On Update, Yes with Reasons Offered left empty keeps the reasons Stripe has stored.
	if (write === 'create' && ask === true && reasons === undefined) {
		throw fieldError(
			context,
			`${field} → Reasons Offered`,
			'is empty while Ask for a Reason is on',
			'Pick the reasons customers choose from, or turn Ask for a Reason off.',
		);
	}
	// Create requires `options` in every cancellation_reason it gets.
	if (write === 'create' && reasons === undefined && feedback.length > 0) {
		throw fieldError(
			context,
			`${field} → Feedback Option IDs`,
			'are set without Reasons Offered',
			'Stripe needs the reasons offered with them: turn Ask for a Reason on and pick Reasons Offered, or remove the feedback option IDs.',
		);
	}
	// Only Update has Keep Current; on Create the switch is a boolean.
	if (write === 'update' && ask === undefined && (reasons || feedback.length > 0)) {
		throw fieldError(
			context,
			`${field} → Ask for a Reason`,
			'is Keep Current while reasons are set',
			'Stripe changes the reasons only together with this switch: set Ask for a Reason to Yes or No.',
		);
	}
	if (ask !== undefined && (ask || reasons || feedback.length > 0 || write === 'update')) {
		cancellationReason = compact({
			enabled: ask,
			options: reasons,
			feedback_options: feedback.length > 0 ? feedback : undefined,
		});
	}
	const mode = optionalChoice(context, `${field} → Mode`, input.mode, CANCEL_MODES);
	const proration = optionalChoice(context, `${field} → Proration Behavior`, input.prorationBehavior, CANCEL_PRORATION_BEHAVIORS);
	// "create_prorations, which is only compatible with mode=immediately". On Create an unset Mode
	// is Stripe's default, at period end; on Update, Keep Current is a mode only Stripe knows.
	if (proration === 'create_prorations' && mode !== 'immediately' && (mode !== undefined || write === 'create')) {
		throw fieldError(
			context,
			`${field} → Proration Behavior`,
			mode === undefined ? 'Create Prorations needs Mode: Immediately, and Mode is at Stripe Default (at period end)' : 'Create Prorations needs Mode: Immediately',
			'A cancellation at the end of the period leaves no unused time to credit: set Mode to Immediately, or Proration Behavior to None.',
		);
	}
	return compact({
		enabled: enabledValue(context, 'Subscription Cancel', input.enabled, write),
		mode,
		proration_behavior: proration,
		cancellation_reason: cancellationReason,
	});
}

function subscriptionPause(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Subscription Pause';
	const type = optionalChoice(context, `${field} → Duration`, input.durationType, PAUSE_DURATION_TYPES);
	const intervals = groupEntries(input.intervalOptions, 'option').map((entry, index) => {
		const where = `${field} → Pause Lengths (entry ${index + 1})`;
		// Empty from an expression is the field's own default, Month, as the editor shows it.
		const interval = oneOf(context, `${where} → Interval`, singleText(context, `${where} → Interval`, entry.interval) ?? PAUSE_INTERVAL_DEFAULT, PAUSE_INTERVALS);
		// Left empty, Stripe's default of 1 applies.
		const count = optionalWholeNumber(context, entry.intervalCount, `${where} → Count`, { minimum: 1, example: 1 });
		const maximum = own(MAX_PAUSE_COUNT, interval) as number;
		if (count !== undefined && count > maximum) {
			throw fieldError(context, `${where} → Count`, `${count} ${interval}s is longer than three years`, `Stripe allows pauses of at most three years: at most ${maximum} ${interval}s.`);
		}
		return compact({ interval, interval_count: count }) as IDataObject;
	});
	if (intervals.length > 0 && type !== 'interval_options') {
		throw fieldError(
			context,
			`${field} → Pause Lengths`,
			'are set but Duration is not Interval Options',
			'Set Duration to Interval Options, or remove the pause lengths.',
		);
	}
	// Duration: Interval Options without pause lengths is refused in checkFieldRules, after Clear Fields.
	return compact({
		enabled: enabledValue(context, 'Subscription Pause', input.enabled, write),
		duration: type === undefined ? undefined : compact({ type, interval_options: intervals.length > 0 ? intervals : undefined }),
	});
}

function products(context: Context, raw: unknown): IDataObject[] | undefined {
	const entries = groupEntries(raw, 'product');
	if (entries.length > MAX_PRODUCTS) {
		throw fieldError(
			context,
			'Features → Subscription Update → Products',
			`has ${entries.length} products`,
			`Stripe allows up to ${MAX_PRODUCTS} products that customers may switch between: remove ${entries.length - MAX_PRODUCTS}.`,
		);
	}
	const seen = new Set<string>();
	const result = entries.map((entry, index) => {
		const where = `Features → Subscription Update → Products (entry ${index + 1})`;
		const productText = singleText(context, `${where} → Product ID`, entry.product);
		if (productText === undefined) {
			throw fieldError(context, `${where} → Product ID`, 'is empty', 'Enter the product ID (prod_…), or remove the entry.');
		}
		const product = catalogId(context, `${where} → Product ID`, productText, 'product');
		if (seen.has(product)) {
			throw fieldError(context, `${where} → Product ID`, `${quoteValue(product)} is listed twice`, 'List each product once, with all its prices.');
		}
		seen.add(product);
		// An expression may hand over several IDs at once, as a list or comma-separated.
		const prices = [...new Set(groupEntries(entry.prices, 'price').flatMap((price) => textList(context, `${where} → Prices`, price.id)))].map((id) =>
			catalogId(context, `${where} → Prices`, id, 'price'),
		);
		if (prices.length === 0) {
			throw fieldError(context, `${where} → Prices`, 'is empty', 'Add at least one price of the product that customers may switch to.');
		}
		// 0 is the fields' "not set" (no maximum, Stripe's minimum).
		const quantity = (name: string, field: string) => optionalWholeNumber(context, entry[name], `${where} → ${field}`, { minimum: 0, example: 1 }) || undefined;
		const minimum = quantity('minimumQuantity', 'Minimum Quantity');
		const maximum = quantity('maximumQuantity', 'Maximum Quantity');
		const adjustable = booleanValue(context, `${where} → Adjustable Quantity`, entry.adjustableQuantity) === true;
		if (!adjustable && (minimum !== undefined || maximum !== undefined)) {
			throw fieldError(context, `${where} → Minimum/Maximum Quantity`, 'are set while Adjustable Quantity is off', 'Turn Adjustable Quantity on, or set both to 0.');
		}
		if (minimum !== undefined && maximum !== undefined && maximum < minimum) {
			throw fieldError(context, `${where} → Maximum Quantity`, `${maximum} is below the minimum ${minimum}`, 'Make the maximum at least the minimum.');
		}
		return compact({
			product,
			prices,
			adjustable_quantity: adjustable ? compact({ enabled: true, minimum, maximum }) : undefined,
		}) as IDataObject;
	});
	return result.length > 0 ? result : undefined;
}

function subscriptionUpdate(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Subscription Update';
	const conditions = manyOf(context, `${field} → Schedule at Period End When`, input.scheduleAtPeriodEnd, SCHEDULE_AT_PERIOD_END_CONDITIONS);
	return compact({
		enabled: enabledValue(context, 'Subscription Update', input.enabled, write),
		default_allowed_updates: manyOf(context, `${field} → Allowed Updates`, input.defaultAllowedUpdates, SUBSCRIPTION_UPDATE_ALLOWED),
		products: products(context, input.products),
		proration_behavior: optionalChoice(context, `${field} → Proration Behavior`, input.prorationBehavior, PRORATION_BEHAVIORS),
		billing_cycle_anchor: optionalChoice(context, `${field} → Billing Cycle Anchor`, input.billingCycleAnchor, BILLING_CYCLE_ANCHORS),
		schedule_at_period_end: conditions ? { conditions: conditions.map((type) => ({ type })) } : undefined,
		trial_update_behavior: optionalChoice(context, `${field} → Trial Update Behavior`, input.trialUpdateBehavior, TRIAL_UPDATE_BEHAVIORS),
	});
}

type FeatureBuilder = (context: Context, input: FeatureInput, write: ConfigurationWrite) => IDataObject | undefined;

const FEATURE_BUILDERS: Readonly<Record<string, { param: string; name: string; build: FeatureBuilder }>> = {
	customerUpdate: { param: 'customer_update', name: 'Customer Update', build: customerUpdate },
	invoiceHistory: {
		param: 'invoice_history',
		name: 'Invoice History',
		build: (context, input, write) => compact({ enabled: enabledValue(context, 'Invoice History', input.enabled, write, true) }),
	},
	paymentMethodUpdate: { param: 'payment_method_update', name: 'Payment Method Update', build: paymentMethodUpdate },
	subscriptionCancel: { param: 'subscription_cancel', name: 'Subscription Cancel', build: subscriptionCancel },
	subscriptionPause: { param: 'subscription_pause', name: 'Subscription Pause', build: subscriptionPause },
	subscriptionUpdate: { param: 'subscription_update', name: 'Subscription Update', build: subscriptionUpdate },
};

export function buildFeatures(context: Context, write: ConfigurationWrite): IDataObject | undefined {
	const groups = context.getNodeParameter('features', {}) as unknown;
	const features: IDataObject = {};
	for (const [group, input] of Object.entries(isPlainObject(groups) ? groups : {})) {
		const builder = own(FEATURE_BUILDERS, group);
		if (!builder || !isPlainObject(input)) continue;
		const feature = builder.build(context, input, write);
		if (feature === undefined) {
			throw fieldError(
				context,
				`Features → ${builder.name}`,
				'has nothing to change',
				'Set Enabled or another of its fields, or remove the feature.',
			);
		}
		features[builder.param] = feature;
	}
	return Object.keys(features).length > 0 ? features : undefined;
}
