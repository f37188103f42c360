import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../../shared/constants';
import { MERCHANT_CHOSEN_ID_PATTERN, STRIPE_ID_EXAMPLES } from '../../shared/ids';
import { checkHttpUrl, checkStripeId, fieldError, idFromLocator, quoteValue, textValue } from '../../shared/validation';
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
	METADATA_LIMITS,
	PAUSE_DURATION_TYPES,
	PAUSE_INTERVALS,
	PRORATION_BEHAVIORS,
	SCHEDULE_AT_PERIOD_END_CONDITIONS,
	SUBSCRIPTION_UPDATE_ALLOWED,
	TRIAL_UPDATE_BEHAVIORS,
	type ConfigurationWrite,
	type NamedValue,
	type ParamTree,
} from './constants';

type Context = IExecuteSingleFunctions;

/** A list entered as a multi-select, or from an expression as an array or comma-separated text. */
function list(raw: unknown): string[] {
	const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : raw === undefined || raw === null ? [] : [raw];
	return values.map((value) => String(value).trim()).filter((value) => value !== '');
}

function oneOf(context: Context, field: string, value: string, allowed: readonly NamedValue[]): string {
	if (!allowed.some((option) => option.value === value)) {
		throw fieldError(
			context,
			field,
			`'${value}' is not an option`,
			`Choose one of: ${allowed.map((option) => option.value).join(', ')}.`,
		);
	}
	return value;
}

function optionalChoice(context: Context, field: string, raw: unknown, allowed: readonly NamedValue[]): string | undefined {
	const value = textValue(raw);
	return value === undefined ? undefined : oneOf(context, field, value, allowed);
}

function manyOf(context: Context, field: string, raw: unknown, allowed: readonly NamedValue[]): string[] | undefined {
	const values = [...new Set(list(raw))];
	values.forEach((value) => oneOf(context, field, value, allowed));
	return values.length > 0 ? values : undefined;
}

/** A feature switch: a boolean on Create; on Update also '' (keep current). */
function switchValue(context: Context, field: string, raw: unknown): boolean | undefined {
	if (typeof raw === 'boolean') return raw;
	const value = textValue(raw);
	if (value === undefined) return undefined;
	if (value === 'true' || value === 'false') return value === 'true';
	throw fieldError(context, field, `'${value}' is not true or false`, 'Choose Enable, Disable or Keep Current.');
}

function wholeNumber(context: Context, field: string, raw: unknown, minimum: number): number | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < minimum) {
		throw fieldError(context, field, `'${String(raw)}' is not a whole number of ${minimum} or more`, `Enter a whole number, e.g. ${Math.max(minimum, 1)}.`);
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
		if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
		node = node[key] as IDataObject;
	}
	node[path[path.length - 1]] = value as IDataObject[keyof IDataObject];
}

function getPath(body: IDataObject, path: readonly string[]): unknown {
	let node: unknown = body;
	for (const key of path) {
		if (typeof node !== 'object' || node === null) return undefined;
		node = (node as IDataObject)[key];
	}
	return node;
}

/** Drops keys whose value is undefined, so that a group the user left empty sends nothing. */
function compact(object: IDataObject): IDataObject | undefined {
	const entries = Object.entries(object).filter(([, value]) => value !== undefined);
	return entries.length > 0 ? Object.fromEntries(entries) : undefined;
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
	const configuration = textValue(input.paymentMethodConfiguration);
	return compact({
		enabled: switchValue(context, `${field} → Enabled`, input.enabled),
		payment_method_configuration:
			configuration === undefined
				? undefined
				: checkStripeId(context, 'paymentMethodConfiguration', configuration, `${field} → Payment Method Configuration`),
	});
}

function subscriptionCancel(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Subscription Cancel';
	const reasons = manyOf(context, `${field} → Reasons Offered`, input.cancellationReasonOptions, CANCELLATION_REASONS);
	const feedback = list(input.feedbackOptions);
	feedback.forEach((id) => {
		if (!/^[A-Za-z0-9_]+$/.test(id)) {
			throw fieldError(context, `${field} → Feedback Option IDs`, `${quoteValue(id)} is not a feedback option ID`, 'Enter the IDs of your feedback options, separated by commas.');
		}
	});
	const ask = switchValue(context, `${field} → Ask for a Reason`, input.cancellationReason);
	let cancellationReason: IDataObject | undefined;
	if (ask === true && reasons === undefined) {
		throw fieldError(
			context,
			`${field} → Reasons Offered`,
			'is empty while Ask for a Reason is on',
			'Pick the reasons customers choose from, or turn Ask for a Reason off.',
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
	if (proration === 'create_prorations' && mode === 'at_period_end') {
		throw fieldError(
			context,
			`${field} → Proration Behavior`,
			'Create Prorations needs Mode: Immediately',
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

// Stripe caps a pause at three years.
const MAX_PAUSE: Record<string, number> = { day: 1096, week: 156, month: 36, year: 3 };

function subscriptionPause(context: Context, input: FeatureInput, write: ConfigurationWrite): IDataObject | undefined {
	const field = 'Features → Subscription Pause';
	const type = optionalChoice(context, `${field} → Duration`, input.durationType, PAUSE_DURATION_TYPES);
	const entries = ((input.intervalOptions as IDataObject | undefined)?.option as IDataObject[] | undefined) ?? [];
	const intervals = entries.map((entry, index) => {
		const where = `${field} → Pause Lengths (entry ${index + 1})`;
		const interval = oneOf(context, where, textValue(entry.interval) ?? 'month', PAUSE_INTERVALS);
		const count = wholeNumber(context, where, entry.intervalCount, 1) ?? 1;
		if (count > MAX_PAUSE[interval]) {
			throw fieldError(context, where, `${count} ${interval}s is longer than three years`, `Stripe allows pauses of at most three years: at most ${MAX_PAUSE[interval]} ${interval}s.`);
		}
		return { interval, interval_count: count };
	});
	if (intervals.length > 0 && type !== 'interval_options') {
		throw fieldError(
			context,
			`${field} → Pause Lengths`,
			'are set but Duration is not Interval Options',
			'Set Duration to Interval Options, or remove the pause lengths.',
		);
	}
	if (type === 'interval_options' && intervals.length === 0 && write === 'create') {
		throw fieldError(
			context,
			`${field} → Pause Lengths`,
			'is empty while Duration is Interval Options',
			'Add at least one pause length, e.g. 1 month.',
		);
	}
	return compact({
		enabled: switchValue(context, `${field} → Enabled`, input.enabled),
		duration: type === undefined ? undefined : compact({ type, interval_options: intervals.length > 0 ? intervals : undefined }),
	});
}

function products(context: Context, raw: unknown): IDataObject[] | undefined {
	const entries = ((raw as IDataObject | undefined)?.product as IDataObject[] | undefined) ?? [];
	const seen = new Set<string>();
	const result = entries.map((entry, index) => {
		const where = `Features → Subscription Update → Products (entry ${index + 1})`;
		const productText = textValue(entry.product);
		if (productText === undefined) {
			throw fieldError(context, `${where} → Product ID`, 'is empty', 'Enter the product ID (prod_…), or remove the entry.');
		}
		const product = catalogId(context, `${where} → Product ID`, productText, 'product');
		if (seen.has(product)) {
			throw fieldError(context, `${where} → Product ID`, `${quoteValue(product)} is listed twice`, 'List each product once, with all its prices.');
		}
		seen.add(product);
		const priceEntries = ((entry.prices as IDataObject | undefined)?.price as IDataObject[] | undefined) ?? [];
		// An expression may hand over several IDs at once, comma-separated.
		const prices = [...new Set(priceEntries.flatMap((price) => list(price.id)))].map((id) =>
			catalogId(context, `${where} → Prices`, id, 'price'),
		);
		if (prices.length === 0) {
			throw fieldError(context, `${where} → Prices`, 'is empty', 'Add at least one price of the product that customers may switch to.');
		}
		const minimum = wholeNumber(context, `${where} → Minimum Quantity`, entry.minimumQuantity, 0) || undefined;
		const maximum = wholeNumber(context, `${where} → Maximum Quantity`, entry.maximumQuantity, 0) || undefined;
		const adjustable = entry.adjustableQuantity === true || entry.adjustableQuantity === 'true';
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

const FEATURE_BUILDERS: Record<string, { param: string; name: string; build: (context: Context, input: FeatureInput, write: ConfigurationWrite) => IDataObject | undefined }> = {
	customerUpdate: { param: 'customer_update', name: 'Customer Update', build: customerUpdate },
	invoiceHistory: {
		param: 'invoice_history',
		name: 'Invoice History',
		build: (context, input) => compact({ enabled: switchValue(context, 'Features → Invoice History → Enabled', input.enabled) }),
	},
	paymentMethodUpdate: { param: 'payment_method_update', name: 'Payment Method Update', build: paymentMethodUpdate },
	subscriptionCancel: { param: 'subscription_cancel', name: 'Subscription Cancel', build: subscriptionCancel },
	subscriptionPause: { param: 'subscription_pause', name: 'Subscription Pause', build: subscriptionPause },
	subscriptionUpdate: { param: 'subscription_update', name: 'Subscription Update', build: (context, input) => subscriptionUpdate(context, input) },
};

function buildFeatures(context: Context, write: ConfigurationWrite): IDataObject | undefined {
	const groups = (context.getNodeParameter('features', {}) as IDataObject | undefined) ?? {};
	const features: IDataObject = {};
	for (const [group, input] of Object.entries(groups)) {
		const builder = FEATURE_BUILDERS[group];
		if (!builder || input === undefined || input === null) continue;
		const feature = builder.build(context, input as FeatureInput, write);
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

function buildMetadata(context: Context, settings: IDataObject, write: ConfigurationWrite): IDataObject | undefined {
	const pairs = ((settings.metadata as IDataObject | undefined)?.pair as IDataObject[] | undefined) ?? [];
	const metadata: IDataObject = {};
	pairs.forEach((pair, index) => {
		const where = `Metadata (pair ${index + 1})`;
		const key = textValue(pair.key);
		if (key === undefined) throw fieldError(context, where, 'the key is empty', 'Enter a key, or remove the pair.');
		if (key.length > METADATA_LIMITS.keyLength) {
			throw fieldError(context, where, `the key is ${key.length} characters long`, `Stripe allows keys of at most ${METADATA_LIMITS.keyLength} characters.`);
		}
		if (/[[\]]/.test(key)) {
			throw fieldError(context, where, `the key ${quoteValue(key)} contains square brackets`, 'Stripe reads brackets as nesting in its request format; use another key.');
		}
		if (key in metadata) throw fieldError(context, where, `the key ${quoteValue(key)} is listed twice`, 'Give each key once.');
		const value = textValue(pair.value);
		if (value === undefined) {
			throw fieldError(
				context,
				where,
				`the value of ${quoteValue(key)} is empty`,
				write === 'update' ? 'Enter a value. To delete the key, list it under Remove Metadata Keys instead.' : 'Enter a value, or remove the pair.',
			);
		}
		if (value.length > METADATA_LIMITS.valueLength) {
			throw fieldError(context, where, `the value is ${value.length} characters long`, `Stripe allows values of at most ${METADATA_LIMITS.valueLength} characters.`);
		}
		metadata[key] = value;
	});
	for (const key of list(settings.metadataKeysToRemove)) {
		if (key in metadata) {
			throw fieldError(context, 'Remove Metadata Keys', `${quoteValue(key)} is also set under Metadata`, 'Either set the key or remove it, not both.');
		}
		// An empty value is how Stripe deletes one metadata key; the user asked for exactly that.
		metadata[key] = '';
	}
	if (Object.keys(metadata).length > METADATA_LIMITS.keys) {
		throw fieldError(context, 'Metadata', `has ${Object.keys(metadata).length} keys`, `Stripe allows at most ${METADATA_LIMITS.keys} keys.`);
	}
	return Object.keys(metadata).length > 0 ? metadata : undefined;
}

function bodyFromFields(context: Context, write: ConfigurationWrite): IDataObject {
	const settings = (context.getNodeParameter(write === 'create' ? 'additionalFields' : 'updateFields', {}) as IDataObject | undefined) ?? {};
	const url = (name: string, field: string): string | undefined => {
		const value = textValue(settings[name]);
		return value === undefined ? undefined : checkHttpUrl(context, value, field);
	};
	const body: IDataObject = {};
	const set = (key: string, value: unknown) => {
		if (value !== undefined) body[key] = value as IDataObject[keyof IDataObject];
	};
	if (write === 'update' && typeof settings.active === 'boolean') body.active = settings.active;
	set('name', textValue(settings.name));
	set(
		'business_profile',
		compact({
			headline: textValue(settings.headline),
			privacy_policy_url: url('privacyPolicyUrl', 'Privacy Policy URL'),
			terms_of_service_url: url('termsOfServiceUrl', 'Terms of Service URL'),
		}),
	);
	set('default_return_url', url('defaultReturnUrl', 'Default Return URL'));
	if (settings.loginPage !== undefined) body.login_page = { enabled: settings.loginPage === true || settings.loginPage === 'true' };
	set('metadata', buildMetadata(context, settings, write));
	set('features', buildFeatures(context, write));

	for (const value of list(settings.clearFields)) {
		const clearable = CLEARABLE_FIELDS.find((field) => field.value === value);
		if (!clearable) {
			throw fieldError(context, 'Clear Fields', `'${value}' is not a field that can be cleared`, `Choose from: ${CLEARABLE_FIELDS.map((field) => field.value).join(', ')}.`);
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
 * Stripe needs some keys next to their siblings (a cancellation reason's `enabled`, a pause
 * duration's `type`, `enabled` of invoice history and payment method update). Clear Fields can
 * produce a sibling alone; this names the field to set instead of sending a half object.
 */
function checkCompanions(context: Context, body: IDataObject): void {
	const needs: Array<[string[], string, string]> = [
		[['features', 'payment_method_update'], 'enabled', 'Add the Payment Method Update feature with Enabled set'],
		[['features', 'invoice_history'], 'enabled', 'Set Enabled of Invoice History'],
		[['features', 'subscription_cancel', 'cancellation_reason'], 'enabled', 'Set Subscription Cancel → Ask for a Reason to Yes or No'],
		[['features', 'subscription_pause', 'duration'], 'type', 'Set Subscription Pause → Duration'],
	];
	for (const [path, key, fix] of needs) {
		const object = getPath(body, path);
		if (typeof object === 'object' && object !== null && (object as IDataObject)[key] === undefined) {
			throw fieldError(context, `Features → ${path.slice(1).join(' → ')}`, `Stripe needs '${key}' with these changes`, `${fix}.`);
		}
	}
}

function closest(key: string, candidates: string[]): string | undefined {
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

/** Checks JSON input against the parameter tree, naming the first key Stripe would not know. */
function checkParams(context: Context, value: unknown, tree: ParamTree, path: string): void {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw fieldError(context, 'Configuration (JSON)', `${path || 'the JSON'} must be an object`, 'Write it as { "key": value, … } in Stripe’s parameter names.');
	}
	for (const [key, child] of Object.entries(value)) {
		const where = path ? `${path}.${key}` : key;
		const spec = tree[key];
		if (spec === undefined) {
			const suggestion = closest(key, Object.keys(tree));
			throw fieldError(
				context,
				'Configuration (JSON)',
				`'${where}' is not a parameter of a portal configuration`,
				suggestion ? `Did you mean '${path ? `${path}.` : ''}${suggestion}'? ` + `Allowed here: ${Object.keys(tree).join(', ')}.` : `Allowed here: ${Object.keys(tree).join(', ')}.`,
			);
		}
		if (child === null) {
			throw fieldError(context, 'Configuration (JSON)', `'${where}' is null`, 'Leave the key out to keep the value; to clear a field, give it "" (an empty string).');
		}
		if (spec === true || child === '') continue;
		if (Array.isArray(spec)) {
			if (!Array.isArray(child)) {
				throw fieldError(context, 'Configuration (JSON)', `'${where}' must be a list`, 'Write it as [ { … }, … ].');
			}
			child.forEach((entry, index) => checkParams(context, entry, spec[0], `${where}[${index}]`));
		} else {
			checkParams(context, child, spec, where);
		}
	}
}

function bodyFromJson(context: Context, write: ConfigurationWrite): IDataObject {
	const raw = context.getNodeParameter('configurationJson', '{}') as unknown;
	let parsed: unknown = raw;
	if (typeof raw === 'string') {
		try {
			parsed = jsonParse(raw);
		} catch (error) {
			throw fieldError(context, 'Configuration (JSON)', `is not valid JSON (${(error as Error).message})`, 'Check quotes, commas and braces, e.g. { "features": { "invoice_history": { "enabled": true } } }.');
		}
	}
	checkParams(context, parsed, write === 'create' ? CONFIGURATION_CREATE_PARAMS : CONFIGURATION_UPDATE_PARAMS, '');
	return { ...(parsed as IDataObject) };
}

function addExpand(context: Context, target: IDataObject): void {
	const expand = list(context.getNodeParameter('options.expand', []));
	if (expand.length > 0) target.expand = [...new Set(expand)];
}

function configurationBody(context: Context, write: ConfigurationWrite): IDataObject {
	const mode = context.getNodeParameter('inputMode', 'fields') as string;
	const body = mode === 'json' ? bodyFromJson(context, write) : bodyFromFields(context, write);
	if (mode !== 'json') checkCompanions(context, body);
	if (write === 'create' && (typeof body.features !== 'object' || body.features === null || Object.keys(body.features).length === 0)) {
		throw fieldError(
			context,
			mode === 'json' ? 'Configuration (JSON)' : 'Features',
			'no feature is set',
			'Stripe requires features: add at least one (e.g. Invoice History, enabled).',
		);
	}
	if (write === 'update' && Object.keys(body).length === 0) {
		throw fieldError(
			context,
			mode === 'json' ? 'Configuration (JSON)' : 'Update Fields',
			'nothing to update',
			'Add a field under Update Fields or a feature under Features.',
		);
	}
	if (body.expand === undefined) addExpand(context, body);
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
export async function configurationIdInPath(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.url = configurationPath(this);
	const qs: IDataObject = {};
	addExpand(this, qs);
	requestOptions.qs = qs;
	return requestOptions;
}

/** preSend of Portal Configuration → Get Many: filters and the first page's size. */
export async function buildConfigurationListQuery(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const qs: IDataObject = {};
	const returnAll = this.getNodeParameter('returnAll', false) as boolean;
	if (returnAll) {
		qs.limit = STRIPE_MAX_PAGE_SIZE;
	} else {
		const limit = wholeNumber(this, 'Limit', this.getNodeParameter('limit', 50), 1) ?? 50;
		qs.limit = Math.min(limit, STRIPE_MAX_PAGE_SIZE);
	}
	const filters = (this.getNodeParameter('filters', {}) as IDataObject | undefined) ?? {};
	if (typeof filters.active === 'boolean') qs.active = filters.active;
	if (typeof filters.isDefault === 'boolean') qs.is_default = filters.isDefault;
	const cursor = (name: string, field: string): string | undefined => {
		const value = textValue(this.getNodeParameter(`options.${name}`, ''));
		return value === undefined ? undefined : checkStripeId(this, 'configuration', value, field);
	};
	const startingAfter = cursor('startingAfter', 'Starting After');
	const endingBefore = cursor('endingBefore', 'Ending Before');
	if (startingAfter && endingBefore) {
		throw fieldError(this, 'Starting After', 'is set together with Ending Before', 'Stripe pages in one direction at a time: keep one of the two.');
	}
	if (startingAfter) qs.starting_after = startingAfter;
	if (endingBefore) qs.ending_before = endingBefore;
	addExpand(this, qs);
	requestOptions.qs = qs;
	return requestOptions;
}

