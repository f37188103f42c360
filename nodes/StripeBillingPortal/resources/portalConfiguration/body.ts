import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../../shared/constants';
import { MERCHANT_CHOSEN_ID_PATTERN, STRIPE_ID_EXAMPLES } from '../../shared/ids';
import { isPlainObject } from '../../shared/values';
import { checkHttpUrl, checkStripeId, expandPaths, fieldError, idFromLocator, optionalWholeNumber, quoteValue, textValue } from '../../shared/validation';
import {
	BILLING_CYCLE_ANCHORS,
	CANCELLATION_REASONS,
	CANCEL_MODES,
	CANCEL_PRORATION_BEHAVIORS,
	CLEARABLE_FIELDS,
	CONFIGURATIONS_PATH,
	CONFIGURATION_CREATE_PARAMS,
	CONFIGURATION_UPDATE_PARAMS,
	CUSTOMER_UPDATE_FIELDS,
	EXPANDABLE_PATHS,
	MAX_PAUSE_COUNT,
	MAX_PRODUCTS,
	METADATA_LIMITS,
	PAUSE_DURATION_TYPES,
	PAUSE_INTERVALS,
	PRORATION_BEHAVIORS,
	SCHEDULE_AT_PERIOD_END_CONDITIONS,
	SUBSCRIPTION_UPDATE_ALLOWED,
	TRIAL_UPDATE_BEHAVIORS,
	type ConfigurationWrite,
	type NamedValue,
	type ParamKeys,
	type ParamSpec,
} from './constants';

type Context = IExecuteSingleFunctions;

/** The field that holds JSON input. */
const JSON_FIELD = 'Configuration (JSON)';

/**
 * The value a map keyed by user input holds for `key`, only when the map has it as its own: a
 * plain `map[key]` would find `toString`, `constructor` or `__proto__` on every object.
 */
function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
	return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Writes `key` as an own property, whatever its name (`__proto__` included, which `=` would not write). */
function define(target: IDataObject, key: string, value: unknown): void {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** How an error message names a value that has the wrong kind. */
function describeValue(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object' && value !== null) return 'an object';
	if (typeof value === 'boolean') return `the boolean ${String(value)}`;
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	if (value === undefined) return 'undefined';
	return quoteValue(value);
}

/**
 * A single-value field as trimmed text, undefined when empty. A list or an object from an
 * expression is refused here: String() would send it as '[object Object]'.
 */
function singleText(context: Context, field: string, raw: unknown): string | undefined {
	if (typeof raw === 'object' && raw !== null) {
		throw fieldError(context, field, `${quoteValue(raw)} is ${describeValue(raw)}, not a single value`, 'An expression here must give one value (text), not a list or an object.');
	}
	return textValue(raw);
}

/**
 * A list entered as a multi-select, or from an expression as a list or comma-separated text.
 * Each entry must be text or a number: an object or a nested list would reach Stripe as
 * '[object Object]' or as bracketed sub-keys, and true/false is no entry of any list here.
 */
function list(context: Context, field: string, raw: unknown): string[] {
	if (raw === undefined || raw === null) return [];
	if (isPlainObject(raw)) {
		throw fieldError(context, field, `${quoteValue(raw)} is an object, not a list`, 'An expression here must give a list, e.g. ["a", "b"], or comma-separated text, e.g. a, b.');
	}
	const entries: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
	return entries.flatMap((entry) => {
		if (typeof entry === 'number' && Number.isFinite(entry)) return [String(entry)];
		if (typeof entry !== 'string') {
			throw fieldError(context, field, `the entry ${quoteValue(entry)} is ${describeValue(entry)}, not text`, 'An expression here must give a list of texts, e.g. ["a", "b"], or comma-separated text, e.g. a, b.');
		}
		const text = entry.trim();
		return text === '' ? [] : [text];
	});
}

function oneOf(context: Context, field: string, value: string, allowed: readonly NamedValue[]): string {
	if (!allowed.some((option) => option.value === value)) {
		throw fieldError(
			context,
			field,
			`${quoteValue(value)} is not an option`,
			`Choose one of: ${allowed.map((option) => option.value).join(', ')}.`,
		);
	}
	return value;
}

function optionalChoice(context: Context, field: string, raw: unknown, allowed: readonly NamedValue[]): string | undefined {
	const value = singleText(context, field, raw);
	return value === undefined ? undefined : oneOf(context, field, value, allowed);
}

function manyOf(context: Context, field: string, raw: unknown, allowed: readonly NamedValue[]): string[] | undefined {
	const values = [...new Set(list(context, field, raw))];
	values.forEach((value) => oneOf(context, field, value, allowed));
	return values.length > 0 ? values : undefined;
}

/**
 * A yes/no field: true or false, or the text 'true'/'false' an expression or an options field
 * gives; undefined when empty (Keep Current). Anything else is refused, never read as false.
 */
function booleanValue(context: Context, field: string, raw: unknown, fix = 'Give true or false.'): boolean | undefined {
	if (typeof raw === 'boolean') return raw;
	if (typeof raw === 'object' && raw !== null) throw fieldError(context, field, `${quoteValue(raw)} is not true or false`, fix);
	const value = textValue(raw);
	if (value === undefined) return undefined;
	if (value === 'true' || value === 'false') return value === 'true';
	throw fieldError(context, field, `${quoteValue(value)} is not true or false`, fix);
}

/** A feature switch: a boolean on Create; on Update also '' (keep current). */
function switchValue(context: Context, field: string, raw: unknown): boolean | undefined {
	return booleanValue(context, field, raw, 'Choose Enable, Disable or Keep Current.');
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

function setPath(body: IDataObject, path: readonly string[], value: unknown): void {
	let node = body;
	for (const key of path.slice(0, -1)) {
		if (!isPlainObject(own(node, key))) define(node, key, {});
		node = own(node, key) as IDataObject;
	}
	define(node, path[path.length - 1], value);
}

function getPath(body: IDataObject, path: readonly string[]): unknown {
	let node: unknown = body;
	for (const key of path) {
		if (!isPlainObject(node)) return undefined;
		node = own(node, key);
	}
	return node;
}

/** Drops keys whose value is undefined, so that a group the user left empty sends nothing. */
function compact(object: IDataObject): IDataObject | undefined {
	const entries = Object.entries(object).filter(([, value]) => value !== undefined);
	return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The entries of a repeatable group (fixedCollection with multipleValues): `{ [name]: [ … ] }`. */
function groupEntries(raw: unknown, name: string): IDataObject[] {
	const entries = isPlainObject(raw) ? own(raw, name) : undefined;
	return Array.isArray(entries) ? entries.filter(isPlainObject).map((entry) => entry as IDataObject) : [];
}

/**
 * Keys n8n's request code cannot carry in a body (found by sending each of Object.prototype's
 * names): __proto__, constructor and prototype are dropped without a word, and a toString key
 * makes the request fail before it leaves.
 */
const UNSENDABLE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', 'toString']);

/**
 * Stripe's rules for a metadata key, for every map of keys the node sends (Metadata, Remove
 * Metadata Keys, metadata in JSON): not empty, at most 40 characters, no square brackets (the
 * request format reads them as nesting, so `metadata[a[b]]` is not the key `a[b]`), and none of
 * the few names n8n cannot send.
 */
function checkMetadataKey(context: Context, field: string, key: string, at = ''): string {
	if (key.trim() === '') throw fieldError(context, field, `${at}a key is empty`, 'Enter a key, or remove the entry.');
	if (UNSENDABLE_KEYS.has(key)) {
		throw fieldError(
			context,
			field,
			`${at}the key ${quoteValue(key)} cannot be sent through n8n`,
			'n8n drops the keys __proto__, constructor and prototype from a request and fails on toString: use another key, e.g. with a prefix.',
		);
	}
	if (key.length > METADATA_LIMITS.keyLength) {
		throw fieldError(context, field, `${at}the key ${quoteValue(key)} is ${key.length} characters long`, `Stripe allows keys of at most ${METADATA_LIMITS.keyLength} characters.`);
	}
	if (/[[\]]/.test(key)) {
		throw fieldError(context, field, `${at}the key ${quoteValue(key)} contains square brackets`, 'Stripe reads brackets as nesting in its request format; use another key.');
	}
	return key;
}

/** A metadata key as a field or an expression gives it: text or a number, trimmed; undefined when empty. */
function metadataKeyFrom(context: Context, field: string, raw: unknown): string | undefined {
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw !== 'string') {
		throw fieldError(context, field, `the key ${quoteValue(raw)} is ${describeValue(raw)}, not text`, 'Enter the key as text, e.g. team; an expression must give text, not a list or an object.');
	}
	const key = raw.trim();
	return key === '' ? undefined : checkMetadataKey(context, field, key);
}

/**
 * A metadata value: text of at most 500 characters, or a finite number, which Stripe turns into
 * text ("While you can send values as numbers, they will be returned as strings"). true/false, a
 * list or an object is refused: Stripe's MetadataParam has no such values, and n8n would send an
 * object as bracketed sub-keys.
 */
function checkMetadataValue(context: Context, field: string, key: string, raw: unknown, at = ''): string {
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	if (typeof raw !== 'string') {
		throw fieldError(
			context,
			field,
			`${at}the value of ${quoteValue(key)} is ${describeValue(raw)}, not text`,
			'Stripe keeps metadata values as text: give text (or a number), e.g. "true" in quotes or {{ String($json.flag) }}, not true/false, a list or an object.',
		);
	}
	if (raw.length > METADATA_LIMITS.valueLength) {
		throw fieldError(context, field, `${at}the value of ${quoteValue(key)} is ${raw.length} characters long`, `Stripe allows values of at most ${METADATA_LIMITS.valueLength} characters.`);
	}
	return raw;
}

function checkMetadataCount(context: Context, field: string, count: number): void {
	if (count > METADATA_LIMITS.keys) {
		throw fieldError(context, field, `has ${count} keys`, `Stripe allows at most ${METADATA_LIMITS.keys} keys.`);
	}
}

/** What Options → Expand and JSON input may expand: a configuration's expandable properties, under `data.` on Get Many. */
function expandable(listing: boolean): string[] {
	return EXPANDABLE_PATHS.map((path) => (listing ? `data.${path}` : path));
}

type FeatureInput = Record<string, unknown>;

function customerUpdate(context: Context, input: FeatureInput): IDataObject | undefined {
	const field = 'Features → Customer Update';
	return compact({
		enabled: switchValue(context, `${field} → Enabled`, input.enabled),
		allowed_updates: manyOf(context, `${field} → Allowed Updates`, input.allowedUpdates, CUSTOMER_UPDATE_FIELDS),
	});
}

function paymentMethodUpdate(context: Context, input: FeatureInput): IDataObject | undefined {
	const field = 'Features → Payment Method Update';
	const configurationField = `${field} → Payment Method Configuration`;
	const configuration = singleText(context, configurationField, input.paymentMethodConfiguration);
	return compact({
		enabled: switchValue(context, `${field} → Enabled`, input.enabled),
		payment_method_configuration:
			configuration === undefined ? undefined : checkStripeId(context, 'paymentMethodConfiguration', configuration, configurationField),
	});
}

function subscriptionCancel(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Subscription Cancel';
	const reasons = manyOf(context, `${field} → Reasons Offered`, input.cancellationReasonOptions, CANCELLATION_REASONS);
	const feedback = list(context, `${field} → Feedback Option IDs`, input.feedbackOptions);
	feedback.forEach((id) => {
		if (!/^[A-Za-z0-9_]+$/.test(id)) {
			throw fieldError(context, `${field} → Feedback Option IDs`, `${quoteValue(id)} is not a feedback option ID`, 'Enter the IDs of your feedback options, separated by commas.');
		}
	});
	const ask = switchValue(context, `${field} → Ask for a Reason`, input.cancellationReason);
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
		enabled: switchValue(context, `${field} → Enabled`, input.enabled),
		mode,
		proration_behavior: proration,
		cancellation_reason: cancellationReason,
	});
}

function subscriptionPause(context: Context, input: FeatureInput): IDataObject | undefined {
	const field = 'Features → Subscription Pause';
	const type = optionalChoice(context, `${field} → Duration`, input.durationType, PAUSE_DURATION_TYPES);
	const intervals = groupEntries(input.intervalOptions, 'option').map((entry, index) => {
		const where = `${field} → Pause Lengths (entry ${index + 1})`;
		const interval = oneOf(context, `${where} → Interval`, singleText(context, `${where} → Interval`, entry.interval) ?? 'month', PAUSE_INTERVALS);
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
		enabled: switchValue(context, `${field} → Enabled`, input.enabled),
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
		const prices = [...new Set(groupEntries(entry.prices, 'price').flatMap((price) => list(context, `${where} → Prices`, price.id)))].map((id) =>
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

function subscriptionUpdate(context: Context, input: FeatureInput): IDataObject | undefined {
	const field = 'Features → Subscription Update';
	const conditions = manyOf(context, `${field} → Schedule at Period End When`, input.scheduleAtPeriodEnd, SCHEDULE_AT_PERIOD_END_CONDITIONS);
	return compact({
		enabled: switchValue(context, `${field} → Enabled`, input.enabled),
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
		build: (context, input) => compact({ enabled: switchValue(context, 'Features → Invoice History → Enabled', input.enabled) }),
	},
	paymentMethodUpdate: { param: 'payment_method_update', name: 'Payment Method Update', build: paymentMethodUpdate },
	subscriptionCancel: { param: 'subscription_cancel', name: 'Subscription Cancel', build: subscriptionCancel },
	subscriptionPause: { param: 'subscription_pause', name: 'Subscription Pause', build: (context, input) => subscriptionPause(context, input) },
	subscriptionUpdate: { param: 'subscription_update', name: 'Subscription Update', build: (context, input) => subscriptionUpdate(context, input) },
};

function buildFeatures(context: Context, write: ConfigurationWrite): IDataObject | undefined {
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

/** Remove Metadata Keys: comma-separated text, or a list of keys from an expression. */
function keysToRemove(context: Context, raw: unknown): string[] {
	const field = 'Remove Metadata Keys';
	if (raw === undefined || raw === null) return [];
	const entries: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
	return entries.map((entry) => metadataKeyFrom(context, field, entry)).filter((key): key is string => key !== undefined);
}

function buildMetadata(context: Context, settings: IDataObject, write: ConfigurationWrite): IDataObject | undefined {
	// A Map, so that no key can collide with an object's inherited properties.
	const metadata = new Map<string, string>();
	groupEntries(settings.metadata, 'pair').forEach((pair, index) => {
		const where = `Metadata (pair ${index + 1})`;
		const key = metadataKeyFrom(context, where, pair.key);
		if (key === undefined) throw fieldError(context, where, 'the key is empty', 'Enter a key, or remove the pair.');
		if (metadata.has(key)) throw fieldError(context, where, `the key ${quoteValue(key)} is listed twice`, 'Give each key once.');
		const raw = typeof pair.value === 'string' ? pair.value.trim() : pair.value;
		if (raw === undefined || raw === null || raw === '') {
			throw fieldError(
				context,
				where,
				`the value of ${quoteValue(key)} is empty`,
				write === 'update' ? 'Enter a value. To delete the key, list it under Remove Metadata Keys instead.' : 'Enter a value, or remove the pair.',
			);
		}
		metadata.set(key, checkMetadataValue(context, where, key, raw));
	});
	for (const key of keysToRemove(context, settings.metadataKeysToRemove)) {
		if (metadata.get(key) === '') continue;
		if (metadata.has(key)) {
			throw fieldError(context, 'Remove Metadata Keys', `${quoteValue(key)} is also set under Metadata`, 'Either set the key or remove it, not both.');
		}
		// An empty value is how Stripe deletes one metadata key; the user asked for exactly that.
		metadata.set(key, '');
	}
	checkMetadataCount(context, 'Metadata', metadata.size);
	if (metadata.size === 0) return undefined;
	const body: IDataObject = {};
	metadata.forEach((value, key) => define(body, key, value));
	return body;
}

function bodyFromFields(context: Context, write: ConfigurationWrite): IDataObject {
	const raw = context.getNodeParameter(write === 'create' ? 'additionalFields' : 'updateFields', {}) as unknown;
	const settings: IDataObject = isPlainObject(raw) ? (raw as IDataObject) : {};
	const text = (name: string, field: string) => singleText(context, field, settings[name]);
	const url = (name: string, field: string): string | undefined => {
		const value = text(name, field);
		return value === undefined ? undefined : checkHttpUrl(context, value, field);
	};
	const body: IDataObject = {};
	const set = (key: string, value: unknown) => {
		if (value !== undefined) body[key] = value as IDataObject[keyof IDataObject];
	};
	if (write === 'update') set('active', booleanValue(context, 'Active', settings.active));
	set('name', text('name', 'Name'));
	set(
		'business_profile',
		compact({
			headline: text('headline', 'Business Headline'),
			privacy_policy_url: url('privacyPolicyUrl', 'Privacy Policy URL'),
			terms_of_service_url: url('termsOfServiceUrl', 'Terms of Service URL'),
		}),
	);
	set('default_return_url', url('defaultReturnUrl', 'Default Return URL'));
	const loginPage = booleanValue(context, 'Login Page', settings.loginPage);
	if (loginPage !== undefined) body.login_page = { enabled: loginPage };
	set('metadata', buildMetadata(context, settings, write));
	set('features', buildFeatures(context, write));

	for (const value of list(context, 'Clear Fields', settings.clearFields)) {
		const clearable = CLEARABLE_FIELDS.find((field) => field.value === value);
		if (!clearable) {
			throw fieldError(context, 'Clear Fields', `${quoteValue(value)} is not a field that can be cleared`, `Choose from: ${CLEARABLE_FIELDS.map((field) => field.value).join(', ')}.`);
		}
		if (getPath(body, clearable.path) !== undefined) {
			throw fieldError(context, 'Clear Fields', `${clearable.name} is both set and cleared`, 'Either give it a value or clear it, not both.');
		}
		// '' is Stripe's "unset" for this Emptyable field; the user asked for exactly that.
		setPath(body, clearable.path, '');
	}
	return body;
}

/**
 * Rules over the whole body built from fields, Clear Fields included. Stripe needs some keys next
 * to their siblings (a cancellation reason's `enabled`, a pause duration's `type`, `enabled` of
 * invoice history and payment method update): Clear Fields can produce a sibling alone; this
 * names the field to set instead of sending a half object. And a pause duration of Interval
 * Options needs its pause lengths ("Required when `type` is `interval_options`"), on Create and
 * Update alike.
 */
function checkFieldRules(context: Context, body: IDataObject): void {
	const needs: Array<[string[], string, string]> = [
		[['features', 'payment_method_update'], 'enabled', 'Add the Payment Method Update feature with Enabled set'],
		[['features', 'invoice_history'], 'enabled', 'Set Enabled of Invoice History'],
		[['features', 'subscription_cancel', 'cancellation_reason'], 'enabled', 'Set Subscription Cancel → Ask for a Reason to Yes or No'],
		[['features', 'subscription_pause', 'duration'], 'type', 'Set Subscription Pause → Duration'],
	];
	for (const [path, key, fix] of needs) {
		const object = getPath(body, path);
		if (isPlainObject(object) && own(object, key) === undefined) {
			throw fieldError(context, `Features → ${path.slice(1).join(' → ')}`, `Stripe needs '${key}' with these changes`, `${fix}.`);
		}
	}
	const duration = getPath(body, ['features', 'subscription_pause', 'duration']);
	if (isPlainObject(duration) && duration.type === 'interval_options' && (duration.interval_options === undefined || duration.interval_options === '')) {
		throw fieldError(
			context,
			'Features → Subscription Pause → Pause Lengths',
			duration.interval_options === '' ? 'is cleared while Duration is Interval Options' : 'is empty while Duration is Interval Options',
			duration.interval_options === ''
				? 'Stripe needs the pause lengths customers pick from with Interval Options: take Pause Lengths off Clear Fields and add at least one, or set Duration to Indefinite.'
				: 'Stripe needs the pause lengths customers pick from with Interval Options: add at least one, e.g. 1 month, or set Duration to Indefinite.',
		);
	}
}

/**
 * Longer keys get no spelling suggestion: the edit distance costs the key's length times each
 * candidate's, and a key this far beyond Stripe's longest (about 30 characters) is no typo.
 */
const SUGGESTED_KEY_MAX_LENGTH = 64;

function closest(key: string, candidates: string[]): string | undefined {
	if (key.length > SUGGESTED_KEY_MAX_LENGTH) return undefined;
	const distance = (a: string, b: string): number => {
		const row = Array.from({ length: b.length + 1 }, (_, index) => index);
		for (let i = 1; i <= a.length; i++) {
			let previous = row[0];
			row[0] = i;
			for (let j = 1; j <= b.length; j++) {
				const current = row[j];
				row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
				previous = current;
			}
		}
		return row[b.length];
	};
	const ranked = candidates.map((candidate) => ({ candidate, score: distance(key, candidate) })).sort((a, b) => a.score - b.score);
	return ranked[0] && ranked[0].score <= Math.max(2, Math.floor(key.length / 3)) ? ranked[0].candidate : undefined;
}

/**
 * JSON input, checked against the parameter tree and returned as the body to send. Keys Stripe
 * does not know are named; so is every value n8n's form encoder would drop or mangle: null and
 * undefined, {} and [] (dropped), NaN and Infinity, a list or object where one value belongs
 * (sent as bracketed sub-keys). An empty list goes out as '' where Stripe's type is
 * `Emptyable<…>` (Stripe's "clear"), and is refused elsewhere. Metadata follows the same rules as
 * the Metadata field.
 */
function jsonObject(context: Context, raw: unknown, keys: ParamKeys, path: string): IDataObject {
	if (!isPlainObject(raw)) {
		throw fieldError(context, JSON_FIELD, `${path ? quoteValue(path) : 'the JSON'} must be an object`, 'Write it as { "key": value, … } in Stripe’s parameter names.');
	}
	const entries = Object.entries(raw);
	if (entries.length === 0 && path) {
		throw fieldError(context, JSON_FIELD, `${quoteValue(path)} is an empty object`, 'n8n sends nothing for {}: give its parameters, or leave the key out.');
	}
	const body: IDataObject = {};
	for (const [key, child] of entries) {
		const where = path ? `${path}.${key}` : key;
		const spec = own(keys, key);
		if (spec === undefined) {
			const allowed = `Allowed here: ${Object.keys(keys).join(', ')}.`;
			const suggestion = closest(key, Object.keys(keys));
			throw fieldError(
				context,
				JSON_FIELD,
				`${quoteValue(where)} is not a parameter of a portal configuration`,
				suggestion ? `Did you mean '${path ? `${path}.` : ''}${suggestion}'? ${allowed}` : allowed,
			);
		}
		define(body, key, jsonValue(context, child, spec, where));
	}
	return body;
}

function jsonValue(context: Context, raw: unknown, spec: ParamSpec, where: string): unknown {
	const refuse = (problem: string, fix: string) => fieldError(context, JSON_FIELD, `${quoteValue(where)} ${problem}`, fix);
	if (raw === null) throw refuse('is null', 'Leave the key out to keep the value; to clear a field, give it "" (an empty string).');
	if (raw === undefined) throw refuse('is undefined', 'Leave the key out, or give it a value.');
	const emptyable = spec.kind !== 'expand' && spec.kind !== 'object' && spec.emptyable;
	if (raw === '') {
		if (emptyable) return '';
		throw refuse('cannot be cleared', 'Stripe has no empty value for it: leave the key out, or give it a value.');
	}
	const emptyList = () => {
		// n8n's encoder sends nothing for []; Stripe reads '' as the empty list.
		if (emptyable) return '';
		throw refuse('is an empty list', 'Stripe cannot clear this list and n8n sends nothing for []: leave the key out, or list at least one entry.');
	};
	switch (spec.kind) {
		case 'value':
			if (typeof raw === 'string' || typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw))) return raw;
			throw refuse(`is ${describeValue(raw)}`, 'Give one value here (text, a number or true/false): n8n would send a list or an object as bracketed sub-keys, and NaN or Infinity as text.');
		case 'values':
			if (!Array.isArray(raw)) throw refuse(`is ${describeValue(raw)}, not a list`, 'Write it as [ "…", … ].');
			if (raw.length === 0) return emptyList();
			return raw.map((entry, index) => {
				if (typeof entry === 'string' ? entry.trim() !== '' : typeof entry === 'number' && Number.isFinite(entry)) return entry;
				throw fieldError(context, JSON_FIELD, `${quoteValue(`${where}[${index}]`)} is ${entry === '' ? 'empty' : describeValue(entry)}`, `Each entry of ${quoteValue(where)} is one value, e.g. [ "a", "b" ].`);
			});
		case 'objects':
			if (!Array.isArray(raw)) throw refuse(`is ${describeValue(raw)}, not a list`, 'Write it as [ { … }, … ].');
			if (raw.length === 0) return emptyList();
			return raw.map((entry, index) => jsonObject(context, entry, spec.item, `${where}[${index}]`));
		case 'object':
			return jsonObject(context, raw, spec.keys, where);
		case 'metadata':
			return jsonMetadata(context, raw, where, spec.emptyable);
		case 'expand':
			if (!Array.isArray(raw)) throw refuse(`is ${describeValue(raw)}, not a list`, 'Write it as [ "application" ].');
			if (raw.length === 0) return emptyList();
			return expandPaths(context, raw, `${JSON_FIELD} → ${where}`, expandable(false));
	}
}

function jsonMetadata(context: Context, raw: unknown, where: string, emptyable: boolean): IDataObject {
	const at = `${quoteValue(where)}: `;
	if (!isPlainObject(raw)) {
		throw fieldError(context, JSON_FIELD, `${quoteValue(where)} is ${describeValue(raw)}`, 'Write it as { "key": "value", … }.');
	}
	const entries = Object.entries(raw);
	if (entries.length === 0) {
		throw fieldError(
			context,
			JSON_FIELD,
			`${quoteValue(where)} is an empty object`,
			emptyable ? 'n8n sends nothing for {}: to delete every key give "" (an empty string); to keep them, leave the key out.' : 'n8n sends nothing for {}: leave the key out, or give key-value pairs.',
		);
	}
	checkMetadataCount(context, JSON_FIELD, entries.length);
	const metadata: IDataObject = {};
	for (const [key, value] of entries) {
		checkMetadataKey(context, JSON_FIELD, key, at);
		if (value === null || value === undefined) {
			throw fieldError(context, JSON_FIELD, `${at}the value of ${quoteValue(key)} is ${String(value)}`, 'Give the value as text; to delete the key, give it "" (an empty string).');
		}
		// '' deletes the key: "Individual keys can be unset by posting an empty value to them."
		define(metadata, key, value === '' ? '' : checkMetadataValue(context, JSON_FIELD, key, value, at));
	}
	return metadata;
}

function bodyFromJson(context: Context, write: ConfigurationWrite): IDataObject {
	const raw = context.getNodeParameter('configurationJson', '{}') as unknown;
	let parsed: unknown = raw;
	if (typeof raw === 'string') {
		try {
			parsed = jsonParse(raw);
		} catch (error) {
			throw fieldError(context, JSON_FIELD, `is not valid JSON (${(error as Error).message})`, 'Check quotes, commas and braces, e.g. { "features": { "invoice_history": { "enabled": true } } }.');
		}
	}
	return jsonObject(context, parsed, write === 'create' ? CONFIGURATION_CREATE_PARAMS : CONFIGURATION_UPDATE_PARAMS, '');
}

/** Options → Expand of the current item; Get Many expands under `data.`. */
function optionsExpand(context: Context, listing: boolean): string[] {
	return expandPaths(context, context.getNodeParameter('options.expand', []), 'Options → Expand', expandable(listing)) ?? [];
}

function configurationBody(context: Context, write: ConfigurationWrite): IDataObject {
	const mode = context.getNodeParameter('inputMode', 'fields') as string;
	const body = mode === 'json' ? bodyFromJson(context, write) : bodyFromFields(context, write);
	if (mode !== 'json') checkFieldRules(context, body);
	if (write === 'create' && (!isPlainObject(body.features) || Object.keys(body.features).length === 0)) {
		throw fieldError(
			context,
			mode === 'json' ? JSON_FIELD : 'Features',
			'no feature is set',
			'Stripe requires features: add at least one (e.g. Invoice History, enabled).',
		);
	}
	if (write === 'update' && Object.keys(body).length === 0) {
		throw fieldError(
			context,
			mode === 'json' ? JSON_FIELD : 'Update Fields',
			'nothing to update',
			'Add a field under Update Fields or a feature under Features.',
		);
	}
	const expand = optionsExpand(context, false);
	if (expand.length > 0) {
		if (own(body, 'expand') !== undefined) {
			throw fieldError(context, 'Options → Expand', `is set together with 'expand' in ${JSON_FIELD}`, 'Give the expansions in one place: remove Options → Expand, or the expand key of the JSON.');
		}
		body.expand = expand;
	}
	return body;
}

/** The configuration ID for the URL path: validated, so nothing but `bpc_…` reaches the path. */
function configurationPath(context: Context): string {
	const id = idFromLocator(context, 'configuration', 'configuration', 'Configuration', { required: true }) as string;
	return `${CONFIGURATIONS_PATH}/${encodeURIComponent(id)}`;
}

/** preSend of Portal Configuration → Create. */
export async function buildConfigurationCreateBody(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.body = configurationBody(this, 'create');
	return requestOptions;
}

/** preSend of Portal Configuration → Update. */
export async function buildConfigurationUpdateRequest(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const url = configurationPath(this);
	requestOptions.body = configurationBody(this, 'update');
	requestOptions.url = url;
	return requestOptions;
}

/** preSend of Portal Configuration → Get. */
export async function buildConfigurationGetRequest(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.url = configurationPath(this);
	const qs: IDataObject = {};
	const expand = optionsExpand(this, false);
	if (expand.length > 0) qs.expand = expand;
	requestOptions.qs = qs;
	return requestOptions;
}

/** preSend of Portal Configuration → Get Many: filters and the first page's size. */
export async function buildConfigurationListQuery(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const qs: IDataObject = {};
	// The transport's paging reads Return All as the boolean true only: anything else is refused here.
	const returnAll = booleanValue(this, 'Return All', this.getNodeParameter('returnAll', false)) ?? false;
	if (returnAll) {
		qs.limit = STRIPE_MAX_PAGE_SIZE;
	} else {
		const limit = optionalWholeNumber(this, this.getNodeParameter('limit', 50), 'Limit', { minimum: 1, example: 50 }) ?? 50;
		qs.limit = Math.min(limit, STRIPE_MAX_PAGE_SIZE);
	}
	const filters = this.getNodeParameter('filters', {}) as unknown;
	if (isPlainObject(filters)) {
		const active = booleanValue(this, 'Filters → Active', filters.active);
		const isDefault = booleanValue(this, 'Filters → Is Default', filters.isDefault);
		if (active !== undefined) qs.active = active;
		if (isDefault !== undefined) qs.is_default = isDefault;
	}
	const cursor = (name: string, field: string): string | undefined => {
		const value = singleText(this, field, this.getNodeParameter(`options.${name}`, ''));
		return value === undefined ? undefined : checkStripeId(this, 'configuration', value, field);
	};
	const startingAfter = cursor('startingAfter', 'Starting After');
	const endingBefore = cursor('endingBefore', 'Ending Before');
	if (startingAfter && endingBefore) {
		throw fieldError(this, 'Starting After', 'is set together with Ending Before', 'Stripe pages in one direction at a time: keep one of the two.');
	}
	if (startingAfter) qs.starting_after = startingAfter;
	if (endingBefore) qs.ending_before = endingBefore;
	const expand = optionsExpand(this, true);
	if (expand.length > 0) qs.expand = expand;
	requestOptions.qs = qs;
	return requestOptions;
}
