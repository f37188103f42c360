/**
 * In-memory data of one sandbox instance (no module-level state): customers, portal
 * configurations and the portal sessions created through the API.
 */
import type Stripe from 'stripe';

import { newId, nowSeconds, randomString } from './ids';
import { isPlainObject } from './params';

export type Customer = Stripe.Customer;
export type PortalConfiguration = Stripe.BillingPortal.Configuration;
export type PortalSession = Stripe.BillingPortal.Session;

/**
 * The part of a subscription the portal's flows and the node's pickers read. Stripe's full
 * object has some sixty more fields; none of them matters to a portal session.
 */
export interface Subscription {
	id: string;
	object: 'subscription';
	cancel_at: number | null;
	cancel_at_period_end: boolean;
	canceled_at: number | null;
	cancellation_details: Stripe.Subscription.CancellationDetails | null;
	created: number;
	currency: string;
	customer: string;
	default_payment_method: string | null;
	description: string | null;
	ended_at: number | null;
	items: {
		object: 'list';
		data: Array<{
			id: string;
			object: 'subscription_item';
			created: number;
			/** Where Stripe keeps the billing period since 2025-03-31.basil. */
			current_period_end: number;
			current_period_start: number;
			price: {
				id: string;
				object: 'price';
				active: boolean;
				currency: string;
				nickname: string | null;
				product: string;
				recurring: { interval: 'day' | 'week' | 'month' | 'year'; interval_count: number };
				unit_amount: number | null;
			};
			quantity: number;
			subscription: string;
		}>;
		has_more: boolean;
		url: string;
	};
	livemode: boolean;
	metadata: Record<string, string>;
	pause_collection: Stripe.Subscription.PauseCollection | null;
	schedule: string | null;
	status: Stripe.Subscription.Status;
}

export interface SubscriptionSeed {
	id?: string;
	customer: string;
	status?: Stripe.Subscription.Status;
	created?: number;
	nickname?: string | null;
	unitAmount?: number;
	currency?: string;
	interval?: 'day' | 'week' | 'month' | 'year';
	quantity?: number;
	itemId?: string;
	priceId?: string;
	productId?: string;
	/** More items after the first (each with a price of its own): Stripe's portal cannot update such a subscription. */
	extraItemIds?: string[];
	/** Set to end at the end of the current period (the portal's own cancellation does this). */
	cancelAtPeriodEnd?: boolean;
}

export function buildSubscription(seed: SubscriptionSeed): Subscription {
	const id = seed.id ?? newId.subscription();
	const created = seed.created ?? nowSeconds();
	const currency = seed.currency ?? 'eur';
	const interval = seed.interval ?? 'month';
	const period = currentPeriod(created, interval);
	const item = (itemId: string, price: { id: string; nickname: string | null; product: string; unitAmount: number; quantity: number }): Subscription['items']['data'][number] => ({
		id: itemId,
		object: 'subscription_item',
		created,
		current_period_end: period.end,
		current_period_start: period.start,
		price: {
			id: price.id,
			object: 'price',
			active: true,
			currency,
			nickname: price.nickname,
			product: price.product,
			recurring: { interval, interval_count: 1 },
			unit_amount: price.unitAmount,
		},
		quantity: price.quantity,
		subscription: id,
	});
	const canceledAt = seed.status === 'canceled' ? created + 86400 : null;
	return {
		id,
		object: 'subscription',
		cancel_at: seed.cancelAtPeriodEnd ? period.end : null,
		cancel_at_period_end: seed.cancelAtPeriodEnd ?? false,
		canceled_at: canceledAt,
		cancellation_details:
			seed.status === 'canceled'
				? { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' }
				: { comment: null, feedback: null, feedback_option: null, reason: null },
		created,
		currency,
		customer: seed.customer,
		default_payment_method: null,
		description: null,
		ended_at: canceledAt,
		items: {
			object: 'list',
			data: [
				item(seed.itemId ?? newId.subscriptionItem(), {
					id: seed.priceId ?? newId.price(),
					nickname: seed.nickname ?? null,
					product: seed.productId ?? newId.product(),
					unitAmount: seed.unitAmount ?? 1900,
					quantity: seed.quantity ?? 1,
				}),
				...(seed.extraItemIds ?? []).map((itemId) => item(itemId, { id: newId.price(), nickname: null, product: newId.product(), unitAmount: 900, quantity: 1 })),
			],
			has_more: false,
			url: `/v1/subscription_items?subscription=${id}`,
		},
		livemode: false,
		metadata: {},
		pause_collection: null,
		schedule: null,
		status: seed.status ?? 'active',
	};
}

const INTERVAL_SECONDS = { day: 86400, week: 7 * 86400, month: 30 * 86400, year: 365 * 86400 } as const;

/** The billing period holding now (periods of fixed length from `created`; calendar months are not modelled). */
function currentPeriod(created: number, interval: keyof typeof INTERVAL_SECONDS): { start: number; end: number } {
	const length = INTERVAL_SECONDS[interval];
	const elapsed = Math.max(0, nowSeconds() - created);
	const start = created + Math.floor(elapsed / length) * length;
	return { start, end: start + length };
}

type PortalProduct = NonNullable<PortalConfiguration['features']['subscription_update']['products']>[number];

/**
 * A product a configuration offers, as Stripe renders it: adjustable_quantity when not sent is
 * disabled, with no maximum and a minimum of 1 (the minimum is the sandbox's choice; the d.ts only
 * types it as a number).
 */
export function portalProduct(product: string, prices: readonly string[], quantity?: { enabled?: boolean; maximum?: number | null; minimum?: number }): PortalProduct {
	return {
		adjustable_quantity: { enabled: quantity?.enabled ?? false, maximum: quantity?.maximum ?? null, minimum: quantity?.minimum ?? 1 },
		prices: [...prices],
		product,
	};
}

/** The part of a product the portal reads: configurations name products, subscriptions' prices belong to one. */
export interface Product {
	id: string;
	object: 'product';
	active: boolean;
	created: number;
	name: string;
}

/** The part of a price the portal reads: the product it belongs to. */
export interface Price {
	id: string;
	object: 'price';
	active: boolean;
	currency: string;
	product: string;
	unit_amount: number | null;
}

/** A coupon (its ID is the code its creator chose, with no prefix). */
export interface Coupon {
	id: string;
	object: 'coupon';
	percent_off: number | null;
	valid: boolean;
}

export interface PromotionCode {
	id: string;
	object: 'promotion_code';
	active: boolean;
	code: string;
	coupon: string;
}

export type DeepPartial<T> = T extends readonly unknown[]
	? T
	: T extends object
		? { [K in keyof T]?: DeepPartial<T[K]> }
		: T;

/** Fixed timestamps keep seeded objects deterministic (2026-01-01T00:00:00Z onward). */
const SEED_EPOCH = 1767225600;

export const SEED_IDS = {
	defaultConfiguration: 'bpc_SandboxDefaultConfig0001',
	jenny: 'cus_SandboxJenny01',
	max: 'cus_SandboxMaxMu01',
	ana: 'cus_SandboxAnaLi01',
	jennyPro: 'sub_SandboxJennyPro01',
	jennyProItem: 'si_SandboxJennyPro01',
	jennyOld: 'sub_SandboxJennyOld01',
	maxTeam: 'sub_SandboxMaxTeam01',
	/** Jenny's Pro plan: its product, its monthly price (her subscription's) and a yearly one. */
	proProduct: 'prod_SandboxPro01',
	proMonthly: 'price_SandboxProMonthly01',
	proYearly: 'price_SandboxProYearly01',
	/** The retention offer the examples name (support-ticket-cancel-link.json). */
	coupon: 'STAY20',
	promotionCode: 'promo_SandboxSave1001',
} as const;

function deepMerge<T>(base: T, patch: unknown): T {
	if (!isPlainObject(patch) || !isPlainObject(base)) return (patch === undefined ? base : patch) as T;
	const out: Record<string, unknown> = { ...base };
	for (const [k, v] of Object.entries(patch)) {
		if (v === undefined) continue;
		out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
	}
	return out as T;
}

function clone<T>(v: T): T {
	return structuredClone(v);
}

export function buildCustomer(partial: Partial<Customer> = {}): Customer {
	const base: Customer = {
		id: partial.id ?? newId.customer(),
		object: 'customer',
		address: null,
		balance: 0,
		created: nowSeconds(),
		currency: null,
		customer_account: null,
		default_source: null,
		delinquent: false,
		description: null,
		discount: null,
		email: null,
		invoice_prefix: newId.invoicePrefix(),
		invoice_settings: {
			custom_fields: null,
			default_payment_method: null,
			footer: null,
			rendering_options: null,
		},
		livemode: false,
		metadata: {},
		name: null,
		next_invoice_sequence: 1,
		phone: null,
		preferred_locales: [],
		shipping: null,
		tax_exempt: 'none',
		test_clock: null,
	};
	return deepMerge(base, partial);
}

/**
 * A configuration object. Defaults: every feature enabled (so every portal flow works), no
 * `subscription_update.products` restriction, no default_return_url, login page disabled.
 */
export function buildConfiguration(partial: DeepPartial<PortalConfiguration> = {}): PortalConfiguration {
	const created = partial.created ?? nowSeconds();
	const base: PortalConfiguration = {
		id: partial.id ?? newId.configuration(),
		object: 'billing_portal.configuration',
		active: true,
		application: null,
		business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
		created,
		default_return_url: null,
		features: {
			customer_update: { allowed_updates: ['email', 'tax_id'], enabled: true },
			invoice_history: { enabled: true },
			payment_method_update: { enabled: true, payment_method_configuration: null },
			subscription_cancel: {
				cancellation_reason: { enabled: false, feedback_options: null, options: [] },
				enabled: true,
				mode: 'at_period_end',
				proration_behavior: 'none',
			},
			subscription_pause: { duration: { interval_options: [], type: 'indefinite' }, enabled: true },
			subscription_update: {
				billing_cycle_anchor: null,
				default_allowed_updates: ['price', 'quantity', 'promotion_code'],
				enabled: true,
				products: [],
				proration_behavior: 'none',
				schedule_at_period_end: { conditions: [] },
				trial_update_behavior: 'end_trial',
			},
		},
		is_default: false,
		livemode: false,
		login_page: { enabled: false, url: null },
		metadata: {},
		name: null,
		updated: created,
	};
	const merged = deepMerge(base, partial);
	if (merged.login_page.enabled && merged.login_page.url === null)
		merged.login_page.url = `https://billing.stripe.com/p/login/${merged.livemode ? '' : 'test_'}${randomString(24)}`;
	if (!merged.login_page.enabled) merged.login_page.url = null;
	return merged;
}

/** Sorts newest first, as Stripe lists: by `created` descending, then by insertion (latest first). */
function newestFirst<T extends { created: number }>(items: Map<string, T>): T[] {
	return [...items.values()].map((v, i) => ({ v, i })).sort((a, b) => b.v.created - a.v.created || b.i - a.i).map((x) => x.v);
}

/**
 * The objects of one Stripe account. The platform's store is seeded with the fixtures below; a
 * connected account's starts empty (`seed: false`), as a new account has no customers and no
 * saved portal settings, so what a test references there it creates there.
 */
export class SandboxStore {
	private readonly customers = new Map<string, Customer>();
	/** What Stripe keeps of a deleted customer: its ID answers the deleted stub. */
	private readonly deletedCustomers = new Map<string, Stripe.DeletedCustomer>();
	private readonly configurations = new Map<string, PortalConfiguration>();
	private readonly subscriptions = new Map<string, Subscription>();
	private readonly products = new Map<string, Product>();
	private readonly prices = new Map<string, Price>();
	private readonly coupons = new Map<string, Coupon>();
	private readonly promotionCodes = new Map<string, PromotionCode>();
	/** Sessions created through the API, in creation order (Stripe cannot list them; tests can). */
	readonly sessions: PortalSession[] = [];

	constructor(options: { seed?: boolean } = {}) {
		if (options.seed ?? true) this.seed();
	}

	/** Forgets every object (what a connected account's store holds after reset()). */
	clear(): void {
		this.customers.clear();
		this.deletedCustomers.clear();
		this.configurations.clear();
		this.subscriptions.clear();
		this.products.clear();
		this.prices.clear();
		this.coupons.clear();
		this.promotionCodes.clear();
		this.sessions.length = 0;
	}

	seed(): void {
		this.clear();
		this.addConfiguration({
			id: SEED_IDS.defaultConfiguration,
			is_default: true,
			created: SEED_EPOCH,
			updated: SEED_EPOCH,
		});
		const seedCustomers: Array<[string, string, string]> = [
			[SEED_IDS.jenny, 'Jenny Rosen', 'jenny.rosen@example.com'],
			[SEED_IDS.max, 'Max Mustermann', 'max.mustermann@example.com'],
			[SEED_IDS.ana, 'Ana Lima', 'ana.lima@example.org'],
		];
		seedCustomers.forEach(([id, name, email], i) =>
			this.addCustomer({ id, name, email, created: SEED_EPOCH + 60 * (i + 1), invoice_prefix: `SBX${i + 1}0000` }),
		);
		this.addSubscription({
			id: SEED_IDS.jennyOld,
			customer: SEED_IDS.jenny,
			status: 'canceled',
			created: SEED_EPOCH + 600,
			nickname: 'Starter',
			unitAmount: 900,
		});
		this.addProduct({ id: SEED_IDS.proProduct, name: 'Pro', created: SEED_EPOCH });
		this.addPrice({ id: SEED_IDS.proMonthly, product: SEED_IDS.proProduct, unit_amount: 2900 });
		this.addPrice({ id: SEED_IDS.proYearly, product: SEED_IDS.proProduct, unit_amount: 29000 });
		// The portal offers the Pro plan's prices: a flow may switch a customer to one of them, and only to those.
		this.getConfiguration(SEED_IDS.defaultConfiguration)!.features.subscription_update.products = [
			portalProduct(SEED_IDS.proProduct, [SEED_IDS.proMonthly, SEED_IDS.proYearly]),
		];
		this.addCoupon({ id: SEED_IDS.coupon, percent_off: 20 });
		this.addPromotionCode({ id: SEED_IDS.promotionCode, coupon: SEED_IDS.coupon, code: 'SAVE10' });
		this.addSubscription({
			id: SEED_IDS.jennyPro,
			itemId: SEED_IDS.jennyProItem,
			priceId: SEED_IDS.proMonthly,
			customer: SEED_IDS.jenny,
			created: SEED_EPOCH + 1200,
			nickname: 'Pro',
			unitAmount: 2900,
		});
		this.addSubscription({
			id: SEED_IDS.maxTeam,
			customer: SEED_IDS.max,
			status: 'trialing',
			created: SEED_EPOCH + 1800,
			nickname: 'Team',
			unitAmount: 9900,
			quantity: 5,
			interval: 'year',
		});
	}

	// Subscriptions

	/** Adds the subscription, and its item's price and product unless they exist already. */
	addSubscription(seed: SubscriptionSeed): Subscription {
		const existingPrice = seed.priceId === undefined ? undefined : this.prices.get(seed.priceId);
		const subscription = buildSubscription({ ...seed, productId: seed.productId ?? existingPrice?.product });
		for (const item of subscription.items.data) {
			const { price } = item;
			if (!this.products.has(price.product)) this.addProduct({ id: price.product, name: price.nickname ?? 'Plan' });
			if (!this.prices.has(price.id))
				this.addPrice({ id: price.id, product: price.product, currency: price.currency, unit_amount: price.unit_amount });
		}
		this.subscriptions.set(subscription.id, subscription);
		return clone(subscription);
	}

	getSubscription(id: string): Subscription | undefined {
		return this.subscriptions.get(id);
	}

	/** The item with this ID and the subscription it belongs to. */
	findSubscriptionItem(id: string): { subscription: Subscription; item: Subscription['items']['data'][number] } | undefined {
		for (const subscription of this.subscriptions.values()) {
			const item = subscription.items.data.find((candidate) => candidate.id === id);
			if (item) return { subscription, item };
		}
		return undefined;
	}

	// Products, prices, coupons, promotion codes

	addProduct(partial: Partial<Product> = {}): Product {
		const product: Product = { id: newId.product(), object: 'product', active: true, created: nowSeconds(), name: 'Product', ...partial };
		this.products.set(product.id, product);
		return clone(product);
	}

	getProduct(id: string): Product | undefined {
		return this.products.get(id);
	}

	/** Adds a price of `product`, which must exist (add it first). */
	addPrice(partial: Partial<Price> & { product: string }): Price {
		if (!this.products.has(partial.product)) throw new Error(`No product ${partial.product} in this account: add it before its prices`);
		const price: Price = { id: newId.price(), object: 'price', active: true, currency: 'eur', unit_amount: 1900, ...partial };
		this.prices.set(price.id, price);
		return clone(price);
	}

	getPrice(id: string): Price | undefined {
		return this.prices.get(id);
	}

	addCoupon(partial: Partial<Coupon> = {}): Coupon {
		const coupon: Coupon = { id: newId.coupon(), object: 'coupon', percent_off: 10, valid: true, ...partial };
		this.coupons.set(coupon.id, coupon);
		return clone(coupon);
	}

	getCoupon(id: string): Coupon | undefined {
		return this.coupons.get(id);
	}

	/** Adds a promotion code for `coupon`, which must exist (add it first). */
	addPromotionCode(partial: Partial<PromotionCode> & { coupon: string }): PromotionCode {
		if (!this.coupons.has(partial.coupon)) throw new Error(`No coupon ${partial.coupon} in this account: add it before its promotion codes`);
		const promotionCode: PromotionCode = { id: newId.promotionCode(), object: 'promotion_code', active: true, code: 'SAVE10', ...partial };
		this.promotionCodes.set(promotionCode.id, promotionCode);
		return clone(promotionCode);
	}

	getPromotionCode(id: string): PromotionCode | undefined {
		return this.promotionCodes.get(id);
	}

	/** Newest first. */
	listSubscriptions(): Subscription[] {
		return newestFirst(this.subscriptions);
	}

	// Customers

	addCustomer(partial: Partial<Customer> = {}): Customer {
		const customer = buildCustomer(partial);
		this.customers.set(customer.id, customer);
		return clone(customer);
	}

	getCustomer(id: string): Customer | undefined {
		return this.customers.get(id);
	}

	/** Newest first; deleted customers are not listed. */
	listCustomers(): Customer[] {
		return newestFirst(this.customers);
	}

	/**
	 * Deletes the customer as Stripe does (docs.stripe.com/api/customers/delete): it leaves lists
	 * and searches, a read by its ID answers `{ id, object: 'customer', deleted: true }`, and its
	 * subscriptions that have not ended are canceled at once. Undefined when there is no such
	 * customer (or it is deleted already).
	 */
	deleteCustomer(id: string): Stripe.DeletedCustomer | undefined {
		if (!this.customers.delete(id)) return undefined;
		const deleted: Stripe.DeletedCustomer = { id, object: 'customer', deleted: true };
		this.deletedCustomers.set(id, deleted);
		const now = nowSeconds();
		for (const subscription of this.subscriptions.values()) {
			if (subscription.customer !== id || subscription.status === 'canceled' || subscription.status === 'incomplete_expired') continue;
			subscription.status = 'canceled';
			subscription.canceled_at = now;
			subscription.ended_at = now;
			subscription.cancel_at_period_end = false;
			subscription.cancel_at = null;
			subscription.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' };
		}
		return clone(deleted);
	}

	/** The stub of a deleted customer, or undefined for one that exists or never did. */
	getDeletedCustomer(id: string): Stripe.DeletedCustomer | undefined {
		return this.deletedCustomers.get(id);
	}

	// Configurations

	addConfiguration(partial: DeepPartial<PortalConfiguration> = {}): PortalConfiguration {
		const configuration = buildConfiguration(partial);
		if (configuration.is_default) for (const c of this.configurations.values()) c.is_default = false;
		this.configurations.set(configuration.id, configuration);
		return clone(configuration);
	}

	/**
	 * Adds `count` configurations whose `created` ascends one second at a time up to now, so the
	 * list endpoint shows the last one first whatever the clock does meanwhile. `template` (or
	 * `template(index)`) is applied to each; a `created` it gives wins. Returned oldest first.
	 */
	addConfigurations(
		count: number,
		template: DeepPartial<PortalConfiguration> | ((index: number) => DeepPartial<PortalConfiguration>) = {},
	): PortalConfiguration[] {
		if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a whole number ≥ 0, got ${count}`);
		if (typeof template !== 'function' && template.id !== undefined && count > 1)
			throw new Error('A fixed template with an id would add one configuration over and over; pass a function of the index.');
		const first = nowSeconds() - count + 1;
		const added: PortalConfiguration[] = [];
		for (let i = 0; i < count; i++) {
			const partial = typeof template === 'function' ? template(i) : template;
			added.push(this.addConfiguration({ ...partial, created: partial.created ?? first + i }));
		}
		return added;
	}

	/** Stores a complete configuration as given, replacing one with the same id in its list position. */
	saveConfiguration(configuration: PortalConfiguration): void {
		this.configurations.set(configuration.id, clone(configuration));
	}

	getConfiguration(id: string): PortalConfiguration | undefined {
		return this.configurations.get(id);
	}

	getDefaultConfiguration(): PortalConfiguration | undefined {
		for (const c of this.configurations.values()) if (c.is_default) return c;
		return undefined;
	}

	/** Deletes the default configuration, as on an account that never saved its portal settings. */
	removeDefaultConfiguration(): PortalConfiguration | undefined {
		const current = this.getDefaultConfiguration();
		if (current) this.configurations.delete(current.id);
		return current;
	}

	/** Newest first. */
	listConfigurations(): PortalConfiguration[] {
		return newestFirst(this.configurations);
	}

	// Sessions

	addSession(session: PortalSession): void {
		this.sessions.push(session);
	}
}
