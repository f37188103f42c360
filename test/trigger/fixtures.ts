/**
 * Stripe events as Stripe sends them at the pinned API version (the sandbox's DEFAULT_API_VERSION): the event
 * envelope of docs.stripe.com/api/events/object, subscriptions and customers in the shape of the
 * `stripe` package's types, and the changes the customer portal makes
 * (docs.stripe.com/customer-management/integrate-customer-portal). The values are the portal's:
 * the two updates of a cancellation with the survey on, a price switch, a card change.
 */
import Stripe from 'stripe';

import { DEFAULT_API_VERSION } from '../sandbox';

export const API_VERSION = DEFAULT_API_VERSION;
export const SECRET = 'whsec_test_5f1c0bd1e8c74b5aa2c3d4e5f6a7b8c9';
export const OTHER_SECRET = 'whsec_test_0a1b2c3d4e5f60718293a4b5c6d7e8f9';

/** 2026-12-01T10:00:00Z, a fixed clock for events and signatures. */
export const T0 = 1_796_119_200;

type Json = Record<string, unknown>;

let counter = 0;
export function eventId(): string {
	counter++;
	return `evt_1QfTz2Lk${String(counter).padStart(6, '0')}Ab`;
}

export function subscription(overrides: Json = {}): Json {
	return {
		id: 'sub_1QfTx9Lk3cP0rT7mW2nB4vZq',
		object: 'subscription',
		customer: 'cus_RYa8hE2nXk1pQz',
		status: 'active',
		cancel_at: null,
		cancel_at_period_end: false,
		canceled_at: null,
		cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
		collection_method: 'charge_automatically',
		created: T0 - 86_400 * 40,
		default_payment_method: null,
		ended_at: null,
		livemode: false,
		metadata: {},
		pause_collection: null,
		items: {
			object: 'list',
			data: [
				{
					id: 'si_RYa9kL3mNp2QwE',
					object: 'subscription_item',
					current_period_start: T0 - 86_400 * 10,
					current_period_end: T0 + 86_400 * 20,
					price: { id: 'price_1QfTw1Lk3cP0rT7mBasic01', object: 'price', product: 'prod_RYa7Basic', unit_amount: 1500, currency: 'usd', recurring: { interval: 'month', interval_count: 1 } },
					quantity: 1,
					subscription: 'sub_1QfTx9Lk3cP0rT7mW2nB4vZq',
				},
			],
			has_more: false,
			url: '/v1/subscription_items?subscription=sub_1QfTx9Lk3cP0rT7mW2nB4vZq',
		},
		...overrides,
	};
}

export function customer(overrides: Json = {}): Json {
	return {
		id: 'cus_RYa8hE2nXk1pQz',
		object: 'customer',
		address: { city: 'Berlin', country: 'DE', line1: 'Torstraße 1', line2: null, postal_code: '10119', state: null },
		email: 'jenny.rosen@example.com',
		name: 'Jenny Rosen',
		phone: null,
		shipping: null,
		invoice_settings: { custom_fields: null, default_payment_method: 'pm_1QfU01Lk3cP0rT7mNewCard', footer: null, rendering_options: null },
		livemode: false,
		metadata: {},
		...overrides,
	};
}

export interface EventOptions {
	type: string;
	object: Json;
	previous?: Json;
	created?: number;
	livemode?: boolean;
	/** The portal's own API request; null for Stripe's automatic changes. */
	request?: { id: string | null; idempotency_key: string | null };
	account?: string;
	apiVersion?: string;
}

export function event({ type, object, previous, created = T0, livemode = false, request, account, apiVersion = API_VERSION }: EventOptions): Json {
	return {
		id: eventId(),
		object: 'event',
		...(account ? { account } : {}),
		api_version: apiVersion,
		created,
		data: { object, ...(previous ? { previous_attributes: previous } : {}) },
		livemode,
		pending_webhooks: 1,
		request: request ?? { id: 'req_Zx8Kp2Lq9Wm3Nb', idempotency_key: '9f0c2a4e-6b1d-4c8e-a3f5-7d2b9e1c0a64' },
		type,
	};
}

/** The first update of a portal cancellation at period end (before the survey's answer). */
export function cancellationScheduledEvent(): Json {
	const periodEnd = T0 + 86_400 * 20;
	return event({
		type: 'customer.subscription.updated',
		object: subscription({ cancel_at: periodEnd, cancel_at_period_end: true, canceled_at: T0, cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' } }),
		previous: { cancel_at: null, cancel_at_period_end: false, canceled_at: null, cancellation_details: { reason: null } },
	});
}

/** The second update, seconds later, carrying the survey's answer. */
export function cancellationFeedbackEvent(): Json {
	const periodEnd = T0 + 86_400 * 20;
	return event({
		type: 'customer.subscription.updated',
		created: T0 + 3,
		object: subscription({
			cancel_at: periodEnd,
			cancel_at_period_end: true,
			canceled_at: T0,
			cancellation_details: { comment: 'We moved to a cheaper plan elsewhere', feedback: 'too_expensive', feedback_option: null, reason: 'cancellation_requested' },
		}),
		previous: { cancellation_details: { comment: null, feedback: null } },
	});
}

export const stripe = new Stripe('sk_test_oracle', { apiVersion: API_VERSION as Stripe.LatestApiVersion });

/** A Stripe-Signature header as Stripe computes it, from the `stripe` package itself. */
export function signatureHeader(payload: string, { secret = SECRET, timestamp = T0 }: { secret?: string; timestamp?: number } = {}): string {
	return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}
