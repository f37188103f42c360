/**
 * /v1/billing_portal/configurations: list, retrieve, create and update (Stripe has no delete).
 *
 * The create and update schemas follow `Stripe.BillingPortal.ConfigurationCreateParams` and
 * `ConfigurationUpdateParams` of stripe@23.1.0 (API version 2026-10-28.endive) field by field:
 * required markers, enums, integers, and `''` accepted only where the type says `Emptyable<…>`.
 */
import type Stripe from 'stripe';

import { errors } from '../errors';
import { newId, nowSeconds, randomString } from '../ids';
import { listParams, listPage, resolveExpand, type ListParams } from '../list';
import { expandSchema, req, s, type ObjectSchema, type Schema } from '../params';
import type { RequestContext, RouteDef } from '../router';
import { portalProduct, type PortalConfiguration, type SandboxStore } from '../store';

type CreateParams = Stripe.BillingPortal.ConfigurationCreateParams;
type UpdateParams = Stripe.BillingPortal.ConfigurationUpdateParams;
/** Create's features are assignable to update's (update only relaxes required markers and adds Emptyable). */
type FeaturesParams = NonNullable<UpdateParams['features']>;
type Features = PortalConfiguration['features'];
type Emptyable<T> = T | '' | null;

const PORTAL_READ = { resource: 'billing_portal', access: 'read' } as const;
const PORTAL_WRITE = { resource: 'billing_portal', access: 'write' } as const;

/** `application` is null on configurations created by the account itself, and stays null when expanded. */
const EXPANDABLE = ['application'];

// Enum values in the order the d.ts lists them, which is the order the error message lists them in.
const ALLOWED_UPDATES = ['address', 'email', 'name', 'phone', 'shipping', 'tax_id'] as const;
const CANCELLATION_REASONS = [
	'customer_service',
	'low_quality',
	'missing_features',
	'other',
	'switched_service',
	'too_complex',
	'too_expensive',
	'unused',
] as const;
const CANCEL_MODES = ['at_period_end', 'immediately'] as const;
const PRORATION_BEHAVIORS = ['always_invoice', 'create_prorations', 'none'] as const;
const PAUSE_DURATION_TYPES = ['indefinite', 'interval_options'] as const;
const PAUSE_INTERVALS = ['day', 'month', 'week', 'year'] as const;
const BILLING_CYCLE_ANCHORS = ['now', 'unchanged'] as const;
const DEFAULT_ALLOWED_UPDATES = ['price', 'promotion_code', 'quantity'] as const;
const SCHEDULE_CONDITIONS = ['decreasing_item_amount', 'shortening_interval'] as const;
const TRIAL_UPDATE_BEHAVIORS = ['continue_trial', 'end_trial'] as const;

/** "The maximum duration is three years" (pause interval_count doc), per interval unit. */
const MAX_PAUSE_COUNT: Record<string, number> = {
	// 3 × 365 days and 3 × 52 weeks are a reading: the d.ts only says "three years". The node's
	// MAX_PAUSE_COUNT (resources/portalConfiguration/constants.ts) reads it the same way.
	day: 1095,
	week: 156,
	month: 36,
	year: 3,
};

const EMPTYABLE = { emptyable: true } as const;

/**
 * Stripe's documented metadata limits (https://docs.stripe.com/api/metadata, linked from the d.ts):
 * keys up to 40 characters, values up to 500. An empty value unsets its key, on create as on update.
 */
function metadataSchema(emptyable: boolean): Schema {
	return s.hash(s.string({ maxLength: 500, emptyable: true }), { maxKeyLength: 40, emptyable });
}

/** The features hash; `create` adds the required markers that update drops. */
function featuresSchema(create: boolean): ObjectSchema {
	const onCreate = <T extends Schema>(schema: T): T => (create ? req(schema) : schema);
	return s.object({
		customer_update: s.object({
			allowed_updates: s.array(s.enum(ALLOWED_UPDATES), EMPTYABLE),
			enabled: onCreate(s.boolean()),
		}),
		invoice_history: s.object({ enabled: req(s.boolean()) }),
		payment_method_update: s.object({
			enabled: req(s.boolean()),
			payment_method_configuration: s.string(EMPTYABLE),
		}),
		subscription_cancel: s.object({
			cancellation_reason: s.object({
				enabled: req(s.boolean()),
				feedback_options: s.array(s.string(), EMPTYABLE),
				options: onCreate(s.array(s.enum(CANCELLATION_REASONS), EMPTYABLE)),
			}),
			enabled: onCreate(s.boolean()),
			mode: s.enum(CANCEL_MODES),
			proration_behavior: s.enum(PRORATION_BEHAVIORS),
		}),
		subscription_pause: s.object({
			duration: s.object({
				interval_options: s.array(
					s.object({
						interval: req(s.enum(PAUSE_INTERVALS)),
						// min 1 is the sandbox's own: the d.ts gives a default of 1 and a maximum, no minimum.
						interval_count: s.integer({ min: 1 }),
					}),
					EMPTYABLE,
				),
				type: req(s.enum(PAUSE_DURATION_TYPES)),
			}),
			enabled: s.boolean(),
		}),
		subscription_update: s.object({
			billing_cycle_anchor: s.enum(BILLING_CYCLE_ANCHORS),
			default_allowed_updates: s.array(s.enum(DEFAULT_ALLOWED_UPDATES), EMPTYABLE),
			enabled: onCreate(s.boolean()),
			// "The list of up to 10 products".
			products: s.array(
				s.object({
					adjustable_quantity: s.object({
						enabled: req(s.boolean()),
						maximum: s.integer(),
						minimum: s.integer(),
					}),
					prices: req(s.array(s.string())),
					product: req(s.string()),
				}),
				{ emptyable: true, maxItems: 10 },
			),
			proration_behavior: s.enum(PRORATION_BEHAVIORS),
			// Emptyable on update only, as in the d.ts.
			schedule_at_period_end: s.object({
				conditions: s.array(s.object({ type: req(s.enum(SCHEDULE_CONDITIONS)) }), create ? {} : EMPTYABLE),
			}),
			trial_update_behavior: s.enum(TRIAL_UPDATE_BEHAVIORS),
		}),
	});
}

/**
 * `business_profile[headline]` is at most 60 characters: Stripe's API reference says so, the d.ts
 * does not. The two URLs are Emptyable on update only.
 */
function businessProfileSchema(create: boolean): ObjectSchema {
	const urlOpts = create ? {} : EMPTYABLE;
	return s.object({
		headline: s.string({ maxLength: 60, emptyable: true }),
		privacy_policy_url: s.url(urlOpts),
		terms_of_service_url: s.url(urlOpts),
	});
}

/** `Stripe.BillingPortal.ConfigurationCreateParams`, in the d.ts's order. */
export const configurationCreateSchema = s.object({
	features: req(featuresSchema(true)),
	business_profile: businessProfileSchema(true),
	default_return_url: s.url(EMPTYABLE),
	expand: expandSchema,
	login_page: s.object({ enabled: req(s.boolean()) }),
	metadata: metadataSchema(false),
	name: s.string(EMPTYABLE),
});

/** `Stripe.BillingPortal.ConfigurationUpdateParams`, in the d.ts's order. */
export const configurationUpdateSchema = s.object({
	active: s.boolean(),
	business_profile: businessProfileSchema(false),
	default_return_url: s.url(EMPTYABLE),
	expand: expandSchema,
	features: featuresSchema(false),
	login_page: s.object({ enabled: req(s.boolean()) }),
	metadata: metadataSchema(true),
	name: s.string(EMPTYABLE),
});

export function renderConfiguration(c: PortalConfiguration, ctx: RequestContext): PortalConfiguration {
	return { ...c, livemode: ctx.livemode };
}

function textOrNull(v: Emptyable<string> | undefined): string | null {
	return v === undefined || v === '' || v === null ? null : v;
}

function listOrEmpty<T>(v: Emptyable<T[]>): T[] {
	return Array.isArray(v) ? [...v] : [];
}

function loginUrl(livemode: boolean): string {
	return `https://billing.stripe.com/p/login/${livemode ? '' : 'test_'}${randomString(24)}`;
}

/**
 * The features of a configuration created without them: every feature disabled.
 * From the d.ts: pause duration "Defaults to interval_options with a single one-month option",
 * subscription_update proration_behavior "Defaults to … none" and trial_update_behavior to end_trial.
 * Not verifiable from the d.ts, chosen to fit the types: subscription_cancel mode at_period_end and
 * proration_behavior none, empty allowed/default_allowed updates, products and conditions,
 * feedback_options null, payment_method_configuration null, and billing_cycle_anchor null (the
 * type is nullable and the d.ts calls `unchanged` the default without saying which one an unset
 * anchor reads as).
 */
function disabledFeatures(): Features {
	return {
		customer_update: { allowed_updates: [], enabled: false },
		invoice_history: { enabled: false },
		payment_method_update: { enabled: false, payment_method_configuration: null },
		subscription_cancel: {
			cancellation_reason: { enabled: false, feedback_options: null, options: [] },
			enabled: false,
			mode: 'at_period_end',
			proration_behavior: 'none',
		},
		subscription_pause: {
			duration: { interval_options: [{ interval: 'month', interval_count: 1 }], type: 'interval_options' },
			enabled: false,
		},
		subscription_update: {
			billing_cycle_anchor: null,
			default_allowed_updates: [],
			enabled: false,
			products: [],
			proration_behavior: 'none',
			schedule_at_period_end: { conditions: [] },
			trial_update_behavior: 'end_trial',
		},
	};
}

type ProductParam = Exclude<NonNullable<NonNullable<FeaturesParams['subscription_update']>['products']>, '' | null>[number];

function renderProduct(p: ProductParam): NonNullable<Features['subscription_update']['products']>[number] {
	return portalProduct(p.product, p.prices, p.adjustable_quantity);
}

/**
 * Writes the sent features over `f` (in place): scalars replace, arrays replace whole, `''` clears.
 * A cleared feedback_options goes back to null, the value it has when never set.
 */
function applyFeatures(f: Features, p: FeaturesParams | undefined): void {
	if (!p) return;
	const cu = p.customer_update;
	if (cu) {
		if (cu.allowed_updates !== undefined) f.customer_update.allowed_updates = listOrEmpty(cu.allowed_updates);
		if (cu.enabled !== undefined) f.customer_update.enabled = cu.enabled;
	}
	if (p.invoice_history) f.invoice_history.enabled = p.invoice_history.enabled;
	const pm = p.payment_method_update;
	if (pm) {
		f.payment_method_update.enabled = pm.enabled;
		if (pm.payment_method_configuration !== undefined)
			f.payment_method_update.payment_method_configuration = textOrNull(pm.payment_method_configuration);
	}
	const cancel = p.subscription_cancel;
	if (cancel) {
		const target = f.subscription_cancel;
		const reason = cancel.cancellation_reason;
		if (reason) {
			target.cancellation_reason.enabled = reason.enabled;
			if (reason.feedback_options !== undefined)
				target.cancellation_reason.feedback_options =
					reason.feedback_options === '' || reason.feedback_options === null ? null : [...reason.feedback_options];
			if (reason.options !== undefined) target.cancellation_reason.options = listOrEmpty(reason.options);
		}
		if (cancel.enabled !== undefined) target.enabled = cancel.enabled;
		if (cancel.mode !== undefined) target.mode = cancel.mode;
		if (cancel.proration_behavior !== undefined) target.proration_behavior = cancel.proration_behavior;
	}
	const pause = p.subscription_pause;
	if (pause) {
		// A sent duration replaces the stored one whole: its `type` is required, so the hash is one
		// setting, and options left over from another type would describe nothing (the sandbox's reading).
		const duration = pause.duration;
		if (duration)
			f.subscription_pause.duration = {
				interval_options: listOrEmpty(duration.interval_options ?? null).map((o) => ({
					interval: o.interval,
					interval_count: o.interval_count ?? 1,
				})),
				type: duration.type,
			};
		if (pause.enabled !== undefined) f.subscription_pause.enabled = pause.enabled;
	}
	const update = p.subscription_update;
	if (update) {
		const target = f.subscription_update;
		if (update.billing_cycle_anchor !== undefined) target.billing_cycle_anchor = update.billing_cycle_anchor;
		if (update.default_allowed_updates !== undefined)
			target.default_allowed_updates = listOrEmpty(update.default_allowed_updates);
		if (update.enabled !== undefined) target.enabled = update.enabled;
		if (update.products !== undefined) target.products = listOrEmpty(update.products).map(renderProduct);
		if (update.proration_behavior !== undefined) target.proration_behavior = update.proration_behavior;
		const conditions = update.schedule_at_period_end?.conditions;
		if (conditions !== undefined)
			target.schedule_at_period_end.conditions = listOrEmpty(conditions).map((c) => ({ type: c.type }));
		if (update.trial_update_behavior !== undefined) target.trial_update_behavior = update.trial_update_behavior;
	}
}

/** Rules the d.ts states in its docs about the sent features. The messages are the sandbox's own. */
function checkFeatureParams(p: FeaturesParams | undefined): void {
	const cancelBase = 'features[subscription_cancel]';
	// "Passing `always_invoice` will result in an error."
	if (p?.subscription_cancel?.proration_behavior === 'always_invoice')
		throw errors.invalidRequest(
			`${cancelBase}[proration_behavior] cannot be always_invoice: canceling subscriptions either creates prorations (create_prorations) or does not (none).`,
			`${cancelBase}[proration_behavior]`,
		);
	const duration = p?.subscription_pause?.duration;
	if (!duration) return;
	const base = 'features[subscription_pause][duration]';
	// "Required when `type` is `interval_options`"; reading '' (no options) as missing is the sandbox's own.
	if (duration.type === 'interval_options' && (duration.interval_options === undefined || duration.interval_options === ''))
		throw errors.missingParam(`${base}[interval_options]`, `It is required when ${base}[type] is interval_options.`);
	listOrEmpty(duration.interval_options ?? null).forEach((o, i) => {
		const max = MAX_PAUSE_COUNT[o.interval];
		if (o.interval_count !== undefined && o.interval_count > max)
			throw errors.invalidRequest(
				`A pause can last at most three years: ${base}[interval_options][${i}][interval_count] must be at most ${max} when the interval is ${o.interval}.`,
				`${base}[interval_options][${i}][interval_count]`,
			);
	});
}

/**
 * The products and prices a subscription_update feature names exist in the account, and each
 * price is one of its product's: Stripe's 404 resource_missing, or a 400 naming the price (the
 * sandbox's wording).
 */
function checkProductReferences(p: FeaturesParams | undefined, store: SandboxStore): void {
	const products = p?.subscription_update?.products;
	if (products === undefined) return;
	listOrEmpty(products).forEach((entry, i) => {
		const base = `features[subscription_update][products][${i}]`;
		if (!store.getProduct(entry.product)) throw errors.resourceMissing('product', entry.product, `${base}[product]`);
		entry.prices.forEach((priceId, j) => {
			const price = store.getPrice(priceId);
			if (!price) throw errors.resourceMissing('price', priceId, `${base}[prices][${j}]`);
			if (price.product !== entry.product)
				throw errors.invalidRequest(
					`The price ${priceId} belongs to the product ${price.product}, not ${entry.product}. List each price under its own product.`,
					`${base}[prices][${j}]`,
				);
		});
	});
}

/**
 * "create_prorations, which is only compatible with mode=immediately": checked on the resulting
 * configuration when a request sends either of the two, so an update that changes only one of
 * them is held to it as well, and one that sends neither is not blocked by a pair seeded in a test.
 */
function checkCancelCombination(f: Features, p: FeaturesParams | undefined): void {
	const sent = p?.subscription_cancel;
	if (!sent || (sent.mode === undefined && sent.proration_behavior === undefined)) return;
	const cancel = f.subscription_cancel;
	if (cancel.proration_behavior !== 'create_prorations' || cancel.mode === 'immediately') return;
	const sentMode = sent.mode !== undefined && sent.proration_behavior === undefined;
	throw errors.invalidRequest(
		'features[subscription_cancel][proration_behavior] can be create_prorations only when features[subscription_cancel][mode] is immediately.',
		`features[subscription_cancel][${sentMode ? 'mode' : 'proration_behavior'}]`,
	);
}

function applyMetadata(current: Record<string, string>, p: Emptyable<Stripe.MetadataParam> | undefined): Record<string, string> {
	if (p === undefined) return current;
	if (p === '' || p === null) return {};
	const out = { ...current };
	for (const [k, v] of Object.entries(p)) {
		if (v === '' || v === null) delete out[k];
		else out[k] = String(v);
	}
	return out;
}

function createConfiguration(ctx: RequestContext): PortalConfiguration {
	const p = ctx.params as unknown as CreateParams;
	resolveExpand(p.expand, EXPANDABLE, 'object');
	checkFeatureParams(p.features);
	checkProductReferences(p.features, ctx.store);
	const features = disabledFeatures();
	applyFeatures(features, p.features);
	checkCancelCombination(features, p.features);

	const now = nowSeconds();
	const loginEnabled = p.login_page?.enabled ?? false;
	const configuration: PortalConfiguration = {
		id: newId.configuration(),
		object: 'billing_portal.configuration',
		active: true,
		application: null,
		business_profile: {
			headline: textOrNull(p.business_profile?.headline),
			privacy_policy_url: p.business_profile?.privacy_policy_url ?? null,
			terms_of_service_url: p.business_profile?.terms_of_service_url ?? null,
		},
		created: now,
		default_return_url: textOrNull(p.default_return_url),
		features,
		is_default: false,
		livemode: ctx.livemode,
		login_page: { enabled: loginEnabled, url: loginEnabled ? loginUrl(ctx.livemode) : null },
		metadata: applyMetadata({}, p.metadata),
		name: textOrNull(p.name),
		updated: now,
	};
	ctx.store.saveConfiguration(configuration);
	return renderConfiguration(configuration, ctx);
}

function updateConfiguration(ctx: RequestContext): PortalConfiguration {
	const p = ctx.params as unknown as UpdateParams;
	resolveExpand(p.expand, EXPANDABLE, 'object');
	checkFeatureParams(p.features);
	const existing = ctx.store.getConfiguration(ctx.pathParams.id);
	if (!existing) throw errors.resourceMissing('configuration', ctx.pathParams.id, 'id');
	// Stripe's answer, verbatim as a user quoted it (lukasaron/terraform-provider-stripe#95, 2025):
	// 400 invalid_request_error with no code or param. So the default configuration, the one a
	// session without `configuration` uses, is never inactive.
	if (p.active === false && existing.is_default)
		throw errors.invalidRequest('You cannot set `active: false` on your default PortalConfiguration.');
	checkProductReferences(p.features, ctx.store);

	const c = structuredClone(existing);
	applyFeatures(c.features, p.features);
	checkCancelCombination(c.features, p.features);
	if (p.active !== undefined) c.active = p.active;
	const bp = p.business_profile;
	if (bp) {
		if (bp.headline !== undefined) c.business_profile.headline = textOrNull(bp.headline);
		if (bp.privacy_policy_url !== undefined) c.business_profile.privacy_policy_url = textOrNull(bp.privacy_policy_url);
		if (bp.terms_of_service_url !== undefined)
			c.business_profile.terms_of_service_url = textOrNull(bp.terms_of_service_url);
	}
	if (p.default_return_url !== undefined) c.default_return_url = textOrNull(p.default_return_url);
	// The login URL is durable: kept while enabled, deactivated (null) on disable, a new one on re-enable.
	if (p.login_page !== undefined) {
		const wasEnabled = c.login_page.enabled && c.login_page.url !== null;
		c.login_page = p.login_page.enabled
			? { enabled: true, url: wasEnabled ? c.login_page.url : loginUrl(ctx.livemode) }
			: { enabled: false, url: null };
	}
	c.metadata = applyMetadata(c.metadata ?? {}, p.metadata);
	if (p.name !== undefined) c.name = textOrNull(p.name);
	// Any successful update counts as one, even with nothing sent (the sandbox's choice).
	c.updated = Math.max(nowSeconds(), c.created);
	ctx.store.saveConfiguration(c);
	return renderConfiguration(c, ctx);
}

export const configurationRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: '/v1/billing_portal/configurations',
		permission: PORTAL_READ,
		params: s.object({ ...listParams, active: s.boolean(), is_default: s.boolean() }),
		handle(ctx) {
			const p = ctx.params as ListParams & { active?: boolean; is_default?: boolean };
			resolveExpand(p.expand, EXPANDABLE, 'list');
			const all = ctx.store
				.listConfigurations()
				.filter(
					(c) =>
						(p.active === undefined || c.active === p.active) &&
						(p.is_default === undefined || c.is_default === p.is_default),
				);
			return listPage(all, p, 'configuration', '/v1/billing_portal/configurations', (c) => renderConfiguration(c, ctx));
		},
	},
	{
		method: 'POST',
		path: '/v1/billing_portal/configurations',
		permission: PORTAL_WRITE,
		params: configurationCreateSchema,
		handle: createConfiguration,
	},
	{
		method: 'GET',
		path: '/v1/billing_portal/configurations/:id',
		permission: PORTAL_READ,
		params: s.object({ expand: expandSchema }),
		handle(ctx) {
			resolveExpand((ctx.params as ListParams).expand, EXPANDABLE, 'object');
			const configuration = ctx.store.getConfiguration(ctx.pathParams.id);
			if (!configuration) throw errors.resourceMissing('configuration', ctx.pathParams.id, 'id');
			return renderConfiguration(configuration, ctx);
		},
	},
	{
		method: 'POST',
		path: '/v1/billing_portal/configurations/:id',
		permission: PORTAL_WRITE,
		params: configurationUpdateSchema,
		handle: updateConfiguration,
	},
];
