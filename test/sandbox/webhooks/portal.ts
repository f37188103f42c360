/**
 * A customer's actions in the customer portal, played against the sandbox's objects: each changes
 * them as Stripe does and emits the events Stripe documents for it
 * (docs.stripe.com/customer-management/integrate-customer-portal, "Listen to webhooks"), with
 * `data.previous_attributes` holding the old values of what changed.
 *
 *   await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end', feedback: 'too_expensive' });
 *   await sandbox.webhooks.settled();
 *
 * Each action resolves to the events it emitted, in order, once all are emitted (the survey's
 * second update comes `surveyDelayMs` after the first). Portal actions carry a `request` (the
 * portal's own API request; no documented field marks them as the portal's); pass
 * `request: null`-like `{ id: null, idempotency_key: null }` to play an automatic change.
 */
import { randomUUID } from 'crypto';

import type Stripe from 'stripe';

import { newId, nowSeconds, randomString } from '../ids';
import type { Customer, SandboxStore, Subscription } from '../store';
import { previousAttributes, type EmitOptions, type SandboxEvent, type WebhookHub } from './hub';

export type CancellationFeedback = Stripe.Subscription.CancellationDetails.Feedback;

export interface ActionOptions {
	livemode?: boolean;
	/** A connected account the action happens on (events get `account`, go to Connect endpoints). */
	account?: string;
	/** Default: a fresh `req_` id and an idempotency key, as the portal's requests have. */
	request?: EmitOptions['request'];
}

export interface CancelOptions extends ActionOptions {
	/** The configuration's `subscription_cancel.mode`; `at_date` is what the API or dashboard can do (`cancel_at`). */
	mode: 'immediately' | 'at_period_end' | 'at_date';
	/** For `at_date`: unix seconds. */
	at?: number;
	/** The survey's answer (cancellation_reason enabled in the configuration). */
	feedback?: CancellationFeedback;
	comment?: string;
	/** A customized feedback option's id (`bfo_…`, endive's `cancellation_reason.feedback_options`). */
	feedbackOption?: string;
	/**
	 * Where the survey's answer arrives. 'second-update' (default): integrators report that with
	 * the survey on, one portal cancellation sends the change first and, seconds later, a second
	 * `customer.subscription.updated` with only `cancellation_details` changed. 'same-event': the
	 * answer is already in the first event.
	 */
	feedbackIn?: 'second-update' | 'same-event';
	/** Gap before the survey's update; default 2000 ms. */
	surveyDelayMs?: number;
}

export interface SwitchPlanOptions extends ActionOptions {
	/** A new price (id generated unless given); omit to keep the price and change the quantity only. */
	price?: { id?: string; unitAmount?: number; nickname?: string | null; interval?: 'day' | 'week' | 'month' | 'year' };
	quantity?: number;
	/**
	 * The configuration's `schedule_at_period_end` applied: nothing changes now but a subscription
	 * schedule is attached (`subscription_schedule.created`, then `customer.subscription.updated`
	 * with `schedule` changed). `applyScheduledChange()` later makes it take effect.
	 */
	atPeriodEnd?: boolean;
}

export interface PauseOptions extends ActionOptions {
	/**
	 * 'pause_collection' (default): `pause_collection { behavior, resumes_at }`, status unchanged.
	 * 'status': the `paused` status of 2026-05-27.dahlia, with `customer.subscription.paused`.
	 * Which one the portal uses at the pinned version is not documented: both are played.
	 */
	variant?: 'pause_collection' | 'status';
	behavior?: Stripe.Subscription.PauseCollection.Behavior;
	resumesAt?: number | null;
}

export interface CardOptions extends ActionOptions {
	brand?: string;
	last4?: string;
	/** Also detach the card that was the default (`payment_method.detached`). Default false. */
	detachPrevious?: boolean;
}

export type BillingDetails = Partial<Pick<Customer, 'address' | 'email' | 'name' | 'phone' | 'shipping'>>;

interface TaxId {
	id: string;
	object: 'tax_id';
	country: string | null;
	created: number;
	customer: string;
	livemode: boolean;
	type: string;
	value: string;
	verification: { status: 'pending' | 'verified' | 'unverified' | 'unavailable'; verified_address: null; verified_name: null } | null;
}

interface PaymentMethod {
	id: string;
	object: 'payment_method';
	allow_redisplay: 'always' | 'limited' | 'unspecified';
	billing_details: { address: null; email: null; name: null; phone: null; tax_id: null };
	card: { brand: string; country: string; exp_month: number; exp_year: number; funding: 'credit'; last4: string };
	created: number;
	customer: string | null;
	livemode: boolean;
	metadata: Record<string, string>;
	type: 'card';
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export class PortalPlayer {
	/** Payment methods and tax IDs created by actions (the sandbox's API does not serve them). */
	readonly paymentMethods = new Map<string, PaymentMethod>();
	readonly taxIds = new Map<string, TaxId>();

	constructor(
		private readonly store: SandboxStore,
		private readonly hub: WebhookHub,
	) {}

	/** Cancels now, at period end or at a date, with the survey's answer if given. */
	async cancel(subscriptionId: string, options: CancelOptions): Promise<SandboxEvent[]> {
		const sub = this.subscription(subscriptionId);
		const now = nowSeconds();
		const inSameEvent = options.feedbackIn === 'same-event';
		const answered = options.feedback !== undefined || options.comment !== undefined || options.feedbackOption !== undefined;
		const answer = { comment: options.comment ?? null, feedback: options.feedback ?? null, feedback_option: options.feedbackOption ?? null };
		const details: Subscription['cancellation_details'] = {
			...(inSameEvent ? answer : { comment: null, feedback: null, feedback_option: null }),
			reason: 'cancellation_requested',
		};
		const events: SandboxEvent[] = [];
		if (options.mode === 'immediately') {
			if (sub.status === 'canceled') throw new Error(`${subscriptionId} is already canceled`);
			Object.assign(sub, { status: 'canceled', canceled_at: now, ended_at: now, cancel_at: null, cancel_at_period_end: false, cancellation_details: details });
			// customer.subscription.deleted carries the object only, as Stripe's deleted events do.
			events.push(this.emit('customer.subscription.deleted', sub, undefined, options));
		} else {
			const cancelAt = options.mode === 'at_date' ? options.at : sub.items.data[0].current_period_end;
			if (cancelAt === undefined) throw new Error('cancel at_date needs `at` (unix seconds)');
			events.push(
				this.change(sub, options, (s) => {
					s.cancel_at = cancelAt;
					s.cancel_at_period_end = options.mode === 'at_period_end';
					// Stripe: "canceled_at will reflect the time of the most recent update request".
					s.canceled_at = now;
					s.cancellation_details = details;
				}),
			);
		}
		if (answered && !inSameEvent) {
			await sleep(options.surveyDelayMs ?? 2000);
			events.push(
				this.change(sub, options, (s) => {
					s.cancellation_details = { reason: s.cancellation_details?.reason ?? 'cancellation_requested', ...answer };
				}),
			);
		}
		return events;
	}

	/** The customer takes a scheduled cancellation back ("Renew plan"). */
	async withdrawCancellation(subscriptionId: string, options: ActionOptions = {}): Promise<SandboxEvent[]> {
		const sub = this.subscription(subscriptionId);
		if (sub.cancel_at === null && !sub.cancel_at_period_end) throw new Error(`${subscriptionId} has no scheduled cancellation`);
		return [
			this.change(sub, options, (s) => {
				s.cancel_at = null;
				s.cancel_at_period_end = false;
				s.canceled_at = null;
				s.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
			}),
		];
	}

	/** A new price and/or quantity on the subscription's one item (now, or scheduled at period end). */
	async switchPlan(subscriptionId: string, options: SwitchPlanOptions): Promise<SandboxEvent[]> {
		const sub = this.subscription(subscriptionId);
		if (options.atPeriodEnd) {
			const scheduleId = `sub_sched_1${randomString(23)}`;
			const schedule = {
				id: scheduleId,
				object: 'subscription_schedule',
				created: nowSeconds(),
				customer: sub.customer,
				end_behavior: 'release',
				livemode: options.livemode ?? sub.livemode,
				phases: [
					{ start_date: sub.items.data[0].current_period_start, end_date: sub.items.data[0].current_period_end, items: [{ price: sub.items.data[0].price.id, quantity: sub.items.data[0].quantity }] },
					{ start_date: sub.items.data[0].current_period_end, end_date: null, items: [{ price: options.price?.id ?? sub.items.data[0].price.id, quantity: options.quantity ?? sub.items.data[0].quantity }] },
				],
				status: 'active',
				subscription: sub.id,
			};
			this.pendingPlans.set(sub.id, options);
			return [
				this.emit('subscription_schedule.created', schedule, undefined, options),
				this.change(sub, options, (s) => {
					s.schedule = scheduleId;
				}),
			];
		}
		return [this.change(sub, options, (s) => this.applyPlan(s, options))];
	}

	/** The scheduled plan change takes effect (the period ended): an automatic change, `request.id` null. */
	async applyScheduledChange(subscriptionId: string, options: ActionOptions = {}): Promise<SandboxEvent[]> {
		const sub = this.subscription(subscriptionId);
		const plan = this.pendingPlans.get(subscriptionId);
		if (!plan || sub.schedule === null) throw new Error(`${subscriptionId} has no scheduled plan change`);
		this.pendingPlans.delete(subscriptionId);
		const automatic = { ...options, request: options.request ?? { id: null, idempotency_key: null } };
		return [
			this.change(sub, automatic, (s) => {
				this.applyPlan(s, plan);
				s.schedule = null;
			}),
		];
	}

	async pause(subscriptionId: string, options: PauseOptions = {}): Promise<SandboxEvent[]> {
		const sub = this.subscription(subscriptionId);
		if (options.variant === 'status') {
			const updated = this.change(sub, options, (s) => {
				s.status = 'paused';
			});
			return [updated, this.emit('customer.subscription.paused', sub, undefined, options)];
		}
		return [
			this.change(sub, options, (s) => {
				s.pause_collection = { behavior: options.behavior ?? 'void', resumes_at: options.resumesAt ?? null };
			}),
		];
	}

	/** Undoes whichever pause the subscription has. */
	async resume(subscriptionId: string, options: ActionOptions = {}): Promise<SandboxEvent[]> {
		const sub = this.subscription(subscriptionId);
		if (sub.status === 'paused') {
			const updated = this.change(sub, options, (s) => {
				s.status = 'active';
			});
			return [updated, this.emit('customer.subscription.resumed', sub, undefined, options)];
		}
		if (sub.pause_collection === null) throw new Error(`${subscriptionId} is not paused`);
		return [
			this.change(sub, options, (s) => {
				s.pause_collection = null;
			}),
		];
	}

	/**
	 * A new card made the default: `payment_method.attached`, then `customer.updated` with
	 * `invoice_settings.default_payment_method` (and `payment_method.detached` for the old one if asked).
	 */
	async updatePaymentMethod(customerId: string, options: CardOptions = {}): Promise<SandboxEvent[]> {
		const customer = this.customer(customerId);
		const livemode = options.livemode ?? customer.livemode;
		const pm: PaymentMethod = {
			id: `pm_1${randomString(23)}`,
			object: 'payment_method',
			allow_redisplay: 'limited',
			billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
			card: { brand: options.brand ?? 'visa', country: 'US', exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding: 'credit', last4: options.last4 ?? '4242' },
			created: nowSeconds(),
			customer: customerId,
			livemode,
			metadata: {},
			type: 'card',
		};
		this.paymentMethods.set(pm.id, pm);
		const old = customer.invoice_settings.default_payment_method;
		const events = [this.emit('payment_method.attached', pm, undefined, options)];
		const before = structuredClone(customer);
		customer.invoice_settings.default_payment_method = pm.id;
		events.push(this.emit('customer.updated', customer, previousAttributes(before, customer), options));
		const oldId = typeof old === 'string' ? old : old?.id;
		const oldPm = oldId === undefined ? undefined : this.paymentMethods.get(oldId);
		if (options.detachPrevious && oldPm) {
			const pmBefore = structuredClone(oldPm);
			oldPm.customer = null;
			events.push(this.emit('payment_method.detached', oldPm, previousAttributes(pmBefore, oldPm), options));
		}
		return events;
	}

	/** Address, e-mail, name, phone or shipping changed: one `customer.updated`. */
	async updateBillingDetails(customerId: string, details: BillingDetails, options: ActionOptions = {}): Promise<SandboxEvent[]> {
		const customer = this.customer(customerId);
		const before = structuredClone(customer);
		Object.assign(customer, structuredClone(details));
		const previous = previousAttributes(before, customer);
		if (!previous) return [];
		return [this.emit('customer.updated', customer, previous, options)];
	}

	async addTaxId(customerId: string, taxId: { type: string; value: string; country?: string }, options: ActionOptions = {}): Promise<SandboxEvent[]> {
		const customer = this.customer(customerId);
		const created: TaxId = {
			id: `txi_1${randomString(23)}`,
			object: 'tax_id',
			country: taxId.country ?? null,
			created: nowSeconds(),
			customer: customerId,
			livemode: options.livemode ?? customer.livemode,
			type: taxId.type,
			value: taxId.value,
			verification: { status: 'pending', verified_address: null, verified_name: null },
		};
		this.taxIds.set(created.id, created);
		return [this.emit('customer.tax_id.created', created, undefined, options)];
	}

	/** Stripe's verification finished: an automatic `customer.tax_id.updated`. */
	async verifyTaxId(taxIdId: string, status: 'verified' | 'unverified' = 'verified', options: ActionOptions = {}): Promise<SandboxEvent[]> {
		const taxId = this.taxIds.get(taxIdId);
		if (!taxId) throw new Error(`No tax ID ${taxIdId}`);
		const before = structuredClone(taxId);
		taxId.verification = { status, verified_address: null, verified_name: null };
		const automatic = { ...options, request: options.request ?? { id: null, idempotency_key: null } };
		return [this.emit('customer.tax_id.updated', taxId, previousAttributes(before, taxId), automatic)];
	}

	async removeTaxId(taxIdId: string, options: ActionOptions = {}): Promise<SandboxEvent[]> {
		const taxId = this.taxIds.get(taxIdId);
		if (!taxId) throw new Error(`No tax ID ${taxIdId}`);
		this.taxIds.delete(taxIdId);
		return [this.emit('customer.tax_id.deleted', taxId, undefined, options)];
	}

	private readonly pendingPlans = new Map<string, SwitchPlanOptions>();

	/** Forgets payment methods, tax IDs and scheduled plan changes (reset()). */
	clear(): void {
		this.paymentMethods.clear();
		this.taxIds.clear();
		this.pendingPlans.clear();
	}

	private applyPlan(s: Subscription, options: SwitchPlanOptions): void {
		// A new item object, so previous_attributes.items holds the old list whole, as Stripe sends it.
		const item = structuredClone(s.items.data[0]);
		if (options.price) {
			item.price = {
				...item.price,
				id: options.price.id ?? newId.price(),
				nickname: options.price.nickname ?? item.price.nickname,
				unit_amount: options.price.unitAmount ?? item.price.unit_amount,
				recurring: { interval: options.price.interval ?? item.price.recurring.interval, interval_count: 1 },
			};
		}
		if (options.quantity !== undefined) item.quantity = options.quantity;
		s.items = { ...s.items, data: [item] };
	}

	private subscription(id: string): Subscription {
		const sub = this.store.getSubscription(id);
		if (!sub) throw new Error(`No subscription ${id} in the sandbox`);
		return sub;
	}

	private customer(id: string): Customer {
		const customer = this.store.getCustomer(id);
		if (!customer) throw new Error(`No customer ${id} in the sandbox`);
		return customer;
	}

	/** Applies `mutate` and emits `customer.subscription.updated` with what changed. */
	private change(sub: Subscription, options: ActionOptions, mutate: (s: Subscription) => void): SandboxEvent {
		const before = structuredClone(sub);
		mutate(sub);
		return this.emit('customer.subscription.updated', sub, previousAttributes(before, sub), options);
	}

	private emit(type: string, object: { livemode?: boolean }, previous: object | undefined, options: ActionOptions): SandboxEvent {
		const livemode = options.livemode ?? object.livemode ?? false;
		return this.hub.emit(type, { ...object, livemode }, previous, {
			livemode,
			account: options.account,
			request: options.request ?? { id: newId.request(), idempotency_key: randomUUID() },
		});
	}
}
