/** POST /v1/billing_portal/sessions (sessions cannot be retrieved or listed). */
import type Stripe from 'stripe';

import { errors, type StripeApiError } from '../errors';
import { randomString, newId, nowSeconds } from '../ids';
import { resolveExpand } from '../list';
import { expandSchema, req, s } from '../params';
import type { RequestContext, RouteDef } from '../router';
import type { PortalConfiguration, PortalSession } from '../store';
import { renderConfiguration } from './billingPortalConfigurations';

type Params = Stripe.BillingPortal.SessionCreateParams;
type FlowData = Stripe.BillingPortal.SessionCreateParams.FlowData;
type Flow = Stripe.BillingPortal.Session.Flow;

/** `auto` and the 46 language tags of `Stripe.BillingPortal.SessionCreateParams.Locale`. */
export const PORTAL_LOCALES = [
	'auto', 'bg', 'cs', 'da', 'de', 'el', 'en', 'en-AU', 'en-CA', 'en-GB', 'en-IE', 'en-IN', 'en-NZ', 'en-SG',
	'es', 'es-419', 'et', 'fi', 'fil', 'fr', 'fr-CA', 'hr', 'hu', 'id', 'it', 'ja', 'ko', 'lt', 'lv', 'ms', 'mt',
	'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
] as const;

export const FLOW_TYPES = [
	'payment_method_update',
	'subscription_cancel',
	'subscription_update',
	'subscription_update_confirm',
	'subscription_pause',
	'customer_update',
] as const;

/** Flow types that carry a same-named hash with the subscription. */
const FLOW_OBJECTS = [
	'subscription_cancel',
	'subscription_pause',
	'subscription_update',
	'subscription_update_confirm',
] as const;

/** Which configuration feature each flow needs. */
const FLOW_FEATURE: Record<string, keyof PortalConfiguration['features']> = {
	payment_method_update: 'payment_method_update',
	subscription_cancel: 'subscription_cancel',
	subscription_pause: 'subscription_pause',
	subscription_update: 'subscription_update',
	subscription_update_confirm: 'subscription_update',
	customer_update: 'customer_update',
};

const AFTER_COMPLETION_TYPES = ['portal_homepage', 'redirect', 'hosted_confirmation'] as const;

const subscriptionRef = () => ({ subscription: req(s.string()) });

/** The full shape of `Stripe.BillingPortal.SessionCreateParams`; no field is Emptyable. */
export const sessionCreateSchema = s.object({
	after_expiration: s.object({
		type: req(s.enum(['customer_login'])),
		customer_login: s.object({ expires_at: s.integer() }),
	}),
	configuration: s.string(),
	customer: s.string(),
	customer_account: s.string(),
	expand: expandSchema,
	flow_data: s.object({
		type: req(s.enum(FLOW_TYPES)),
		after_completion: s.object({
			type: req(s.enum(AFTER_COMPLETION_TYPES)),
			hosted_confirmation: s.object({ custom_message: s.string({ maxLength: 500 }) }),
			redirect: s.object({ return_url: req(s.url()) }),
		}),
		subscription_cancel: s.object({
			...subscriptionRef(),
			retention: s.object({
				type: req(s.enum(['coupon_offer'])),
				coupon_offer: req(s.object({ coupon: req(s.string()) })),
			}),
		}),
		subscription_pause: s.object(subscriptionRef()),
		subscription_update: s.object(subscriptionRef()),
		subscription_update_confirm: s.object({
			...subscriptionRef(),
			items: req(
				s.array(s.object({ id: req(s.string()), price: s.string(), quantity: s.integer({ min: 0 }) })),
			),
			discounts: s.array(s.object({ coupon: s.string(), promotion_code: s.string() })),
		}),
	}),
	locale: s.enum(PORTAL_LOCALES),
	on_behalf_of: s.string(),
	return_url: s.url(),
});

const EXPANDABLE = ['configuration', 'configuration.application'];

function noSuch(noun: string, id: string, param: string): StripeApiError {
	return errors.resourceMissing(noun, id, param);
}

/** Cross-field rules of flow_data that the schema cannot express. */
function checkFlowShape(flow: FlowData): void {
	const type = flow.type;
	for (const key of FLOW_OBJECTS)
		if (flow[key] !== undefined && key !== type)
			throw errors.invalidRequest(
				`You passed flow_data[${key}], but flow_data[type] is ${type}. Only pass flow_data[${key}] when flow_data[type] is ${key}.`,
				`flow_data[${key}]`,
			);
	if ((FLOW_OBJECTS as readonly string[]).includes(type) && flow[type as (typeof FLOW_OBJECTS)[number]] === undefined)
		throw errors.missingParam(`flow_data[${type}]`);

	const confirm = flow.subscription_update_confirm;
	if (type === 'subscription_update_confirm' && confirm) {
		const base = 'flow_data[subscription_update_confirm]';
		if (confirm.items.length !== 1)
			throw errors.invalidRequest(`${base}[items] must contain exactly one item.`, `${base}[items]`);
		confirm.discounts?.forEach((d, i) => {
			if (d.coupon !== undefined && d.promotion_code !== undefined)
				throw errors.exclusive([`${base}[discounts][${i}][coupon]`, `${base}[discounts][${i}][promotion_code]`]);
			if (d.coupon === undefined && d.promotion_code === undefined)
				throw errors.missingParam(`${base}[discounts][${i}][coupon]`);
		});
	}

	const ac = flow.after_completion;
	if (ac) {
		const base = 'flow_data[after_completion]';
		if (ac.type === 'redirect' && !ac.redirect) throw errors.missingParam(`${base}[redirect]`);
		if (ac.redirect && ac.type !== 'redirect')
			throw errors.invalidRequest(
				`You passed ${base}[redirect], but ${base}[type] is ${ac.type}. Only pass ${base}[redirect] when ${base}[type] is redirect.`,
				`${base}[redirect]`,
			);
		if (ac.hosted_confirmation && ac.type !== 'hosted_confirmation')
			throw errors.invalidRequest(
				`You passed ${base}[hosted_confirmation], but ${base}[type] is ${ac.type}. Only pass ${base}[hosted_confirmation] when ${base}[type] is hosted_confirmation.`,
				`${base}[hosted_confirmation]`,
			);
	}
}

/**
 * Looks up what a flow references, in the account the request acts for: the subscription (the
 * session's customer's own), the item (that subscription's own), the price (allowed by the
 * configuration), the coupon and promotion code; and checks the configuration has the feature.
 * A missing object is Stripe's 404 resource_missing; one of another customer or subscription
 * is a 400 naming the field (the sandbox's wording: Stripe's for these is not published).
 */
function checkFlowReferences(flow: FlowData, configuration: PortalConfiguration, ctx: RequestContext, customer?: string): void {
	const feature = FLOW_FEATURE[flow.type];
	// Stripe's words for the update flows, as integrators quote its answer (no param); the other flows' are the sandbox's own.
	if (feature === 'subscription_update' && !configuration.features[feature].enabled)
		throw errors.invalidRequest('This subscription cannot be updated because the subscription update feature in the portal configuration is disabled.');
	if (feature && !configuration.features[feature].enabled)
		throw errors.invalidRequest(
			`Flow type ${flow.type} cannot be used with configuration ${configuration.id}: features[${feature}][enabled] is false. Enable the feature on the configuration or use another flow type.`,
			'flow_data[type]',
		);
	const { store } = ctx;
	for (const key of FLOW_OBJECTS) {
		const obj = flow[key];
		if (!obj) continue;
		const param = `flow_data[${key}][subscription]`;
		const subscription = store.getSubscription(obj.subscription);
		if (!subscription) throw noSuch('subscription', obj.subscription, param);
		if (customer !== undefined && subscription.customer !== customer)
			throw errors.invalidRequest(
				`The subscription ${subscription.id} does not belong to the customer ${customer}. Pass a subscription of that customer.`,
				param,
			);
		// Stripe's answer to a cancel flow for a subscription already ending (cancel_at_period_end, or a
		// cancel_at), as integrators quote it from real runs; no param is known.
		if (key === 'subscription_cancel' && (subscription.cancel_at_period_end || subscription.cancel_at !== null))
			throw errors.invalidRequest(`The subscription ${subscription.id} is already set to be canceled at period end.`);
		// Stripe, of subscription_update_confirm's items: "subscriptions with multiple items are not updatable".
		if (key === 'subscription_update_confirm' && subscription.items.data.length > 1)
			throw errors.invalidRequest(
				`The subscription ${subscription.id} has multiple items, and subscriptions with multiple items cannot be updated in the customer portal. Use a subscription with a single item.`,
				param,
			);
	}
	const coupon = flow.subscription_cancel?.retention?.coupon_offer.coupon;
	if (coupon !== undefined && !store.getCoupon(coupon))
		throw noSuch('coupon', coupon, 'flow_data[subscription_cancel][retention][coupon_offer][coupon]');
	const confirm = flow.subscription_update_confirm;
	if (!confirm) return;
	const base = 'flow_data[subscription_update_confirm]';
	const products = configuration.features.subscription_update.products ?? [];
	confirm.items.forEach((item, i) => {
		const found = store.findSubscriptionItem(item.id);
		if (!found) throw noSuch('subscription item', item.id, `${base}[items][${i}][id]`);
		if (found.subscription.id !== confirm.subscription)
			throw errors.invalidRequest(
				`The subscription item ${item.id} does not belong to the subscription ${confirm.subscription}. Pass an item of that subscription.`,
				`${base}[items][${i}][id]`,
			);
		if (item.price === undefined) return;
		if (!store.getPrice(item.price)) throw noSuch('price', item.price, `${base}[items][${i}][price]`);
		// Stripe: the price "must also be included in the configuration's features.subscription_update.products".
		if (!products.some((p) => p.prices.includes(item.price as string)))
			throw errors.invalidRequest(
				`The price ${item.price} is not one of the prices in features[subscription_update][products] of configuration ${configuration.id}.`,
				`${base}[items][${i}][price]`,
			);
	});
	confirm.discounts?.forEach((d, i) => {
		if (d.coupon !== undefined && !store.getCoupon(d.coupon)) throw noSuch('coupon', d.coupon, `${base}[discounts][${i}][coupon]`);
		if (d.promotion_code !== undefined && !store.getPromotionCode(d.promotion_code))
			throw noSuch('promotion code', d.promotion_code, `${base}[discounts][${i}][promotion_code]`);
	});
	// Stripe's answer to a confirmation that changes nothing (the same price and quantity), as
	// integrators quote it; no code or param is known. A discount alone is not held to it here:
	// whether Stripe counts it as a change is not known.
	const changesNothing = confirm.items.every((item) => {
		const current = store.findSubscriptionItem(item.id)?.item;
		return (item.price ?? current?.price.id) === current?.price.id && (item.quantity ?? current?.quantity) === current?.quantity;
	});
	if (changesNothing && !confirm.discounts?.length)
		throw errors.invalidRequest('Cannot update the subscription because there are no changes to confirm.');
}

/** flow_data as Stripe echoes it in `flow`: every type-specific key present, null unless used. */
function renderFlow(flow: FlowData): Flow {
	const ac = flow.after_completion;
	const acType = ac?.type ?? 'portal_homepage';
	const cancel = flow.subscription_cancel;
	const confirm = flow.subscription_update_confirm;
	return {
		after_completion: {
			hosted_confirmation:
				acType === 'hosted_confirmation'
					? { custom_message: ac?.hosted_confirmation?.custom_message ?? null }
					: null,
			redirect: acType === 'redirect' && ac?.redirect ? { return_url: ac.redirect.return_url } : null,
			type: acType,
		},
		customer_update: flow.type === 'customer_update' ? {} : null,
		subscription_cancel: cancel
			? {
					retention: cancel.retention
						? { coupon_offer: { coupon: cancel.retention.coupon_offer.coupon }, type: cancel.retention.type }
						: null,
					subscription: cancel.subscription,
				}
			: null,
		subscription_pause: flow.subscription_pause ? { subscription: flow.subscription_pause.subscription } : null,
		subscription_update: flow.subscription_update ? { subscription: flow.subscription_update.subscription } : null,
		subscription_update_confirm: confirm
			? {
					discounts: confirm.discounts
						? confirm.discounts.map((d) => ({ coupon: d.coupon ?? null, promotion_code: d.promotion_code ?? null }))
						: null,
					items: confirm.items.map((item) => ({
						id: item.id,
						price: item.price ?? null,
						...(item.quantity !== undefined ? { quantity: item.quantity } : {}),
					})),
					subscription: confirm.subscription,
				}
			: null,
		type: flow.type,
	};
}

function defaultConfigurationMissing(livemode: boolean): StripeApiError {
	const mode = livemode ? 'live' : 'test';
	return errors.invalidRequest(
		`No configuration provided and your ${mode} mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in ${mode} mode at https://dashboard.stripe.com/${livemode ? '' : 'test/'}settings/billing/portal.`,
	);
}

function createSession(ctx: RequestContext): PortalSession {
	const p = ctx.params as unknown as Params;

	if (p.customer !== undefined && p.customer_account !== undefined)
		throw errors.exclusive(['customer', 'customer_account']);
	if (p.customer === undefined && p.customer_account === undefined) throw errors.missingParam('customer');
	if (p.flow_data) checkFlowShape(p.flow_data);
	const { paths } = resolveExpand(p.expand, EXPANDABLE, 'object');

	if (p.customer !== undefined && ctx.store.getDeletedCustomer(p.customer))
		throw errors.deletedResource('customer', p.customer, 'customer');
	if (p.customer !== undefined && !ctx.store.getCustomer(p.customer))
		throw noSuch('customer', p.customer, 'customer');
	if (p.customer_account !== undefined && !ctx.isConnectedAccount(p.customer_account))
		throw noSuch('account', p.customer_account, 'customer_account');
	if (p.on_behalf_of !== undefined && !ctx.isConnectedAccount(p.on_behalf_of))
		throw noSuch('account', p.on_behalf_of, 'on_behalf_of');

	let configuration: PortalConfiguration | undefined;
	if (p.configuration !== undefined) {
		configuration = ctx.store.getConfiguration(p.configuration);
		if (!configuration) throw noSuch('configuration', p.configuration, 'configuration');
		if (!configuration.active)
			throw errors.invalidRequest(
				`The configuration ${configuration.id} is not active. Activate it or provide an active configuration.`,
				'configuration',
			);
	} else {
		configuration = ctx.store.getDefaultConfiguration();
		if (!configuration) throw defaultConfigurationMissing(ctx.livemode);
	}
	if (p.flow_data) checkFlowReferences(p.flow_data, configuration, ctx, p.customer);

	const returnUrl = p.return_url ?? configuration.default_return_url;
	if (returnUrl === null)
		throw errors.missingParam(
			'return_url',
			`The configuration ${configuration.id} has no default_return_url, so a return_url is required.`,
		);

	const session: PortalSession = {
		id: newId.session(),
		object: 'billing_portal.session',
		after_expiration: p.after_expiration
			? {
					customer_login: { expires_at: p.after_expiration.customer_login?.expires_at ?? null },
					type: p.after_expiration.type,
				}
			: null,
		configuration: paths.has('configuration') ? renderConfiguration(configuration, ctx) : configuration.id,
		created: nowSeconds(),
		// Sessions for an Accounts v2 customer_account carry no cus_ id here.
		customer: p.customer ?? (null as unknown as string),
		customer_account: p.customer_account ?? null,
		flow: p.flow_data ? renderFlow(p.flow_data) : null,
		livemode: ctx.livemode,
		locale: p.locale ?? null,
		on_behalf_of: p.on_behalf_of ?? null,
		return_url: returnUrl,
		url: `https://billing.stripe.com/p/session/${ctx.livemode ? '' : 'test_'}${randomString(64)}`,
	};
	ctx.store.addSession(structuredClone(session));
	return session;
}

export const sessionRoutes: RouteDef[] = [
	{
		method: 'POST',
		path: '/v1/billing_portal/sessions',
		permission: { resource: 'billing_portal', access: 'write' },
		params: sessionCreateSchema,
		handle: createSession,
	},
];
