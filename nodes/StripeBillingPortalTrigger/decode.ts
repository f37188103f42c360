/**
 * From a verified Stripe event to what the customer did: pure data in, items out, no n8n. Each
 * outcome reads one precise change, so that one action is one item even where Stripe sends
 * several events for it (see the README's outcome table for which event counts).
 */
import { isPlainObject } from '../StripeBillingPortal/shared/values';
import { BILLING_DETAIL_FIELDS, OUTCOMES, REDACTED, type Outcome } from './constants';
import type { StripeEventEnvelope } from './verify';

type Data = Record<string, unknown>;

export interface DecodedOutcome {
	outcome: Outcome;
	customer: string | null;
	subscription: string | null;
	/** cancellation_details.reason: cancellation_requested, payment_failed or payment_disputed. */
	reason: string | null;
	feedback: string | null;
	/** A customized feedback option the customer picked (bpc_… configuration's feedback_options), its ID. */
	feedbackOption: string | null;
	comment: string | null;
	/** The values that changed, before and after; null where the outcome has no "before". */
	from: Data | null;
	to: Data | null;
	occurredAt: string;
	livemode: boolean;
	event: {
		id: string;
		type: string;
		created: number;
		apiVersion: string | null;
		account: string | null;
		/** The API request that caused the event; null when Stripe did it on its own (a period end, a failed payment). */
		requestId: string | null;
		idempotencyKey: string | null;
	};
}

export interface DecodeOptions {
	/** Whether a portal session's URL (a bearer link to the customer's billing) is handed on. */
	includeSessionUrl: boolean;
}

function has(object: Data | undefined, key: string): boolean {
	return object !== undefined && Object.prototype.hasOwnProperty.call(object, key);
}

function idOf(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (isPlainObject(value) && typeof value.id === 'string') return value.id;
	return null;
}

function textOrNull(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

function isoOf(seconds: unknown): string | null {
	return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

/** The event with a portal session's URL replaced, unless asked for: the raw event is handed on too. */
export function redactEvent(event: StripeEventEnvelope, { includeSessionUrl }: DecodeOptions): StripeEventEnvelope {
	if (includeSessionUrl || event.type !== 'billing_portal.session.created') return event;
	const session = event.data.object;
	if (!has(session, 'url')) return event;
	return { ...event, data: { ...event.data, object: { ...session, url: REDACTED } } };
}

interface SubscriptionState {
	scheduled: boolean;
	cancelAt: number | null;
	cancelAtPeriodEnd: boolean;
}

/** Whether a cancellation was scheduled, from the subscription's fields or their previous values. */
function cancellationState(subscription: Data, previous?: Data): SubscriptionState {
	const source = (key: string): unknown => (previous && has(previous, key) ? previous[key] : subscription[key]);
	const cancelAtPeriodEnd = source('cancel_at_period_end') === true;
	const cancelAt = typeof source('cancel_at') === 'number' ? (source('cancel_at') as number) : null;
	return { scheduled: cancelAtPeriodEnd || cancelAt !== null, cancelAt, cancelAtPeriodEnd };
}

interface CancellationDetails {
	reason: string | null;
	feedback: string | null;
	feedbackOption: string | null;
	comment: string | null;
}

function cancellationDetails(value: unknown): CancellationDetails {
	const details = isPlainObject(value) ? value : {};
	return { reason: textOrNull(details.reason), feedback: textOrNull(details.feedback), feedbackOption: idOf(details.feedback_option), comment: textOrNull(details.comment) };
}

/** The survey's answer: the fields the customer fills in. */
function answerOf(details: CancellationDetails): Data {
	return { feedback: details.feedback, feedbackOption: details.feedbackOption, comment: details.comment };
}

function hasAnswer(details: CancellationDetails): boolean {
	return details.feedback !== null || details.feedbackOption !== null || details.comment !== null;
}

interface ItemState {
	id: string | null;
	price: string | null;
	product: string | null;
	quantity: number | null;
}

function itemsOf(value: unknown): ItemState[] {
	const list = isPlainObject(value) && Array.isArray(value.data) ? value.data : [];
	return list.filter(isPlainObject).map((item) => {
		const price = isPlainObject(item.price) ? item.price : undefined;
		return {
			id: idOf(item.id),
			price: idOf(item.price),
			product: price ? idOf(price.product) : null,
			quantity: typeof item.quantity === 'number' ? item.quantity : null,
		};
	});
}

/** The first subscription item whose price or quantity changed (the portal changes one), as from/to. */
function planChange(previousItems: unknown, currentItems: unknown): { from: Data; to: Data } | undefined {
	const before = itemsOf(previousItems);
	const after = itemsOf(currentItems);
	const describe = (item: ItemState | undefined): Data => ({
		item: item?.id ?? null,
		price: item?.price ?? null,
		product: item?.product ?? null,
		quantity: item?.quantity ?? null,
	});
	for (const current of after) {
		const old = before.find((item) => item.id === current.id);
		if (!old) return { from: describe(before.find((item) => !after.some((other) => other.id === item.id))), to: describe(current) };
		if (old.price !== current.price || old.quantity !== current.quantity) return { from: describe(old), to: describe(current) };
	}
	const removed = before.find((item) => !after.some((other) => other.id === item.id));
	return removed ? { from: describe(removed), to: describe(undefined) } : undefined;
}

function pauseOf(value: unknown): Data | null {
	if (!isPlainObject(value)) return null;
	return { behavior: textOrNull(value.behavior), resumesAt: isoOf(value.resumes_at) };
}

type Found = Pick<DecodedOutcome, 'outcome' | 'from' | 'to'> & Partial<Pick<DecodedOutcome, 'customer' | 'subscription'>>;

function subscriptionOutcomes(event: StripeEventEnvelope): Found[] {
	const subscription = event.data.object;
	const previous = isPlainObject(event.data.previous_attributes) ? event.data.previous_attributes : undefined;
	const details = cancellationDetails(subscription.cancellation_details);
	const found: Found[] = [];

	if (event.type === 'customer.subscription.deleted') {
		found.push({ outcome: 'canceled', from: null, to: { status: textOrNull(subscription.status), canceledAt: isoOf(subscription.canceled_at), endedAt: isoOf(subscription.ended_at) } });
		// An immediate cancellation ends within moments of the request; a scheduled one ends at
		// its date, long after its feedback was reported on an update: only the first counts here.
		const canceledAt = typeof subscription.canceled_at === 'number' ? subscription.canceled_at : undefined;
		const endedAt = typeof subscription.ended_at === 'number' ? subscription.ended_at : undefined;
		const immediate = canceledAt !== undefined && endedAt !== undefined && Math.abs(endedAt - canceledAt) <= 60;
		if (immediate && hasAnswer(details)) found.push({ outcome: 'cancellationFeedbackGiven', from: null, to: answerOf(details) });
		return found;
	}
	if (event.type === 'customer.subscription.paused') {
		return [{ outcome: 'paused', from: { status: textOrNull(previous?.status) }, to: { status: textOrNull(subscription.status), pause: pauseOf(subscription.pause_collection) } }];
	}
	if (event.type === 'customer.subscription.resumed') {
		return [{ outcome: 'resumed', from: { status: textOrNull(previous?.status) ?? 'paused' }, to: { status: textOrNull(subscription.status) } }];
	}
	if (event.type !== 'customer.subscription.updated' || !previous) return found;

	if (has(previous, 'cancel_at_period_end') || has(previous, 'cancel_at')) {
		const before = cancellationState(subscription, previous);
		const after = cancellationState(subscription);
		const describe = (state: SubscriptionState): Data => ({ cancelAt: isoOf(state.cancelAt), cancelAtPeriodEnd: state.cancelAtPeriodEnd });
		if (!before.scheduled && after.scheduled) found.push({ outcome: 'cancellationScheduled', from: describe(before), to: describe(after) });
		if (before.scheduled && !after.scheduled && subscription.status !== 'canceled') {
			found.push({ outcome: 'cancellationWithdrawn', from: describe(before), to: describe(after) });
		}
	}
	if (isPlainObject(previous.cancellation_details)) {
		const previousDetails = previous.cancellation_details;
		// previous_attributes lists only the fields that changed; the others are as they are now.
		const old = cancellationDetails({ ...(isPlainObject(subscription.cancellation_details) ? subscription.cancellation_details : {}), ...previousDetails });
		const answered = (['feedback', 'feedback_option', 'comment'] as const).some((key) => has(previousDetails, key));
		if (answered && hasAnswer(details) && JSON.stringify(answerOf(old)) !== JSON.stringify(answerOf(details))) {
			found.push({ outcome: 'cancellationFeedbackGiven', from: answerOf(old), to: answerOf(details) });
		}
	}
	if (has(previous, 'items')) {
		const change = planChange(previous.items, subscription.items);
		if (change) found.push({ outcome: 'planChanged', ...change });
	}
	if (has(previous, 'pause_collection')) {
		const before = pauseOf(previous.pause_collection);
		const after = pauseOf(subscription.pause_collection);
		if (before === null && after !== null) found.push({ outcome: 'paused', from: { pause: null }, to: { pause: after } });
		if (before !== null && after === null) found.push({ outcome: 'resumed', from: { pause: before }, to: { pause: null } });
	}
	return found;
}

function customerOutcomes(event: StripeEventEnvelope): Found[] {
	const object = event.data.object;
	if (event.type.startsWith('customer.tax_id.')) {
		const taxId = { id: idOf(object.id), type: textOrNull(object.type), value: textOrNull(object.value) };
		const deleted = event.type === 'customer.tax_id.deleted';
		return [{ outcome: 'billingDetailsUpdated', customer: idOf(object.customer), from: deleted ? { taxId } : null, to: deleted ? null : { taxId } }];
	}
	const previous = isPlainObject(event.data.previous_attributes) ? event.data.previous_attributes : undefined;
	if (event.type !== 'customer.updated' || !previous) return [];
	const found: Found[] = [];
	const changed = BILLING_DETAIL_FIELDS.filter((field) => has(previous, field));
	if (changed.length > 0) {
		found.push({
			outcome: 'billingDetailsUpdated',
			from: Object.fromEntries(changed.map((field) => [field, previous[field] ?? null])),
			to: Object.fromEntries(changed.map((field) => [field, object[field] ?? null])),
		});
	}
	const previousSettings = previous.invoice_settings;
	if (isPlainObject(previousSettings) && has(previousSettings, 'default_payment_method')) {
		const settings = isPlainObject(object.invoice_settings) ? object.invoice_settings : {};
		found.push({
			outcome: 'paymentMethodUpdated',
			from: { defaultPaymentMethod: idOf(previousSettings.default_payment_method) },
			to: { defaultPaymentMethod: idOf(settings.default_payment_method) },
		});
	}
	return found;
}

function portalOutcomes(event: StripeEventEnvelope, options: DecodeOptions): Found[] {
	const object = event.data.object;
	if (event.type === 'billing_portal.session.created') {
		return [
			{
				outcome: 'portalSessionCreated',
				from: null,
				to: {
					session: idOf(object.id),
					url: options.includeSessionUrl ? textOrNull(object.url) : REDACTED,
					configuration: idOf(object.configuration),
					flow: isPlainObject(object.flow) ? textOrNull(object.flow.type) : null,
					returnUrl: textOrNull(object.return_url),
				},
			},
		];
	}
	if (event.type === 'billing_portal.configuration.created') {
		return [{ outcome: 'portalConfigurationCreated', customer: null, from: null, to: { configuration: idOf(object.id), isDefault: object.is_default === true } }];
	}
	if (event.type === 'billing_portal.configuration.updated') {
		const previous = isPlainObject(event.data.previous_attributes) ? event.data.previous_attributes : {};
		const keys = Object.keys(previous);
		return [
			{
				outcome: 'portalConfigurationUpdated',
				from: { configuration: idOf(object.id), ...previous },
				to: { configuration: idOf(object.id), ...Object.fromEntries(keys.map((key) => [key, object[key] ?? null])) },
			},
		];
	}
	return [];
}

/**
 * The outcomes an event stands for, among those chosen, each as one flat item. An event that
 * stands for none of them gives none (and starts no execution).
 */
export function decodeEvent(event: StripeEventEnvelope, chosen: ReadonlySet<Outcome>, options: DecodeOptions): DecodedOutcome[] {
	const object = event.data.object;
	let found: Found[];
	let subscription: string | null = null;
	let customer: string | null = null;
	let details: CancellationDetails = { reason: null, feedback: null, feedbackOption: null, comment: null };
	if (event.type.startsWith('customer.subscription.')) {
		found = subscriptionOutcomes(event);
		subscription = idOf(object.id);
		customer = idOf(object.customer);
		details = cancellationDetails(object.cancellation_details);
	} else if (event.type.startsWith('customer.')) {
		found = customerOutcomes(event);
		customer = idOf(object.object === 'customer' ? object.id : object.customer);
	} else if (event.type.startsWith('billing_portal.')) {
		found = portalOutcomes(event, options);
		customer = event.type === 'billing_portal.session.created' ? idOf(object.customer) : null;
	} else {
		found = [];
	}
	return found
		.filter((entry) => chosen.has(entry.outcome) && (OUTCOMES[entry.outcome].events as readonly string[]).includes(event.type))
		.map((entry) => ({
			outcome: entry.outcome,
			customer: entry.customer ?? customer,
			subscription: entry.subscription ?? subscription,
			reason: details.reason,
			feedback: details.feedback,
			feedbackOption: details.feedbackOption,
			comment: details.comment,
			from: entry.from,
			to: entry.to,
			occurredAt: new Date(event.created * 1000).toISOString(),
			livemode: event.livemode,
			event: {
				id: event.id,
				type: event.type,
				created: event.created,
				apiVersion: typeof event.api_version === 'string' ? event.api_version : null,
				account: typeof event.account === 'string' ? event.account : null,
				requestId: isPlainObject(event.request) ? textOrNull(event.request.id) : null,
				idempotencyKey: isPlainObject(event.request) ? textOrNull(event.request.idempotency_key) : null,
			},
		}));
}

/** The Stripe events an endpoint must receive for the chosen outcomes, sorted and without repeats. */
export function eventsFor(chosen: Iterable<Outcome>): string[] {
	const events = new Set<string>();
	for (const outcome of chosen) for (const type of OUTCOMES[outcome].events) events.add(type);
	return [...events].sort();
}
