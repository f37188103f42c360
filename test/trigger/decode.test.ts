/**
 * From Stripe's events, as the portal causes them at the pinned API version, to the items the
 * next node gets: one item per outcome, one outcome per customer action.
 */
import { OUTCOME_NAMES, type Outcome } from '../../nodes/StripeBillingPortalTrigger/constants';
import { decodeEvent, eventsFor, redactEvent } from '../../nodes/StripeBillingPortalTrigger/decode';
import type { StripeEventEnvelope } from '../../nodes/StripeBillingPortalTrigger/verify';
import { API_VERSION, T0, cancellationFeedbackEvent, cancellationScheduledEvent, customer, event, subscription } from './fixtures';

const ALL = new Set<Outcome>(OUTCOME_NAMES);
const hidden = { includeSessionUrl: false };

function decode(raw: Record<string, unknown>, chosen: Set<Outcome> = ALL, options = hidden) {
	return decodeEvent(raw as unknown as StripeEventEnvelope, chosen, options);
}

const PERIOD_END_ISO = new Date((T0 + 86_400 * 20) * 1000).toISOString();

describe('cancellations', () => {
	it('a portal cancellation at period end is Cancellation Scheduled once; the survey’s answer, seconds later, is Feedback Given', () => {
		const first = decode(cancellationScheduledEvent());
		expect(first.map((item) => item.outcome)).toEqual(['cancellationScheduled']);
		expect(first[0]).toMatchObject({
			outcome: 'cancellationScheduled',
			customer: 'cus_RYa8hE2nXk1pQz',
			subscription: 'sub_1QfTx9Lk3cP0rT7mW2nB4vZq',
			reason: 'cancellation_requested',
			feedback: null,
			comment: null,
			from: { cancelAt: null, cancelAtPeriodEnd: false },
			to: { cancelAt: PERIOD_END_ISO, cancelAtPeriodEnd: true },
			occurredAt: '2026-12-01T10:00:00.000Z',
			livemode: false,
			event: { type: 'customer.subscription.updated', created: T0, apiVersion: API_VERSION, requestId: 'req_Zx8Kp2Lq9Wm3Nb', account: null },
		});

		const second = decode(cancellationFeedbackEvent());
		// Never a second Cancellation Scheduled for the same cancellation.
		expect(second.map((item) => item.outcome)).toEqual(['cancellationFeedbackGiven']);
		expect(second[0]).toMatchObject({
			reason: 'cancellation_requested',
			feedback: 'too_expensive',
			comment: 'We moved to a cheaper plan elsewhere',
			from: { feedback: null, feedbackOption: null, comment: null },
			to: { feedback: 'too_expensive', feedbackOption: null, comment: 'We moved to a cheaper plan elsewhere' },
			occurredAt: '2026-12-01T10:00:03.000Z',
		});
	});

	it('a customized feedback option picked in the survey is Feedback Given', () => {
		const items = decode(
			event({
				type: 'customer.subscription.updated',
				object: subscription({ cancel_at: T0 + 86_400 * 20, cancel_at_period_end: true, canceled_at: T0, cancellation_details: { comment: null, feedback: null, feedback_option: 'bfo_1QfU40Lk3cP0rT7mSeasonal', reason: 'cancellation_requested' } }),
				previous: { cancellation_details: { feedback_option: null } },
			}),
		);
		expect(items.map((item) => [item.outcome, item.feedbackOption, item.to])).toEqual([
			['cancellationFeedbackGiven', 'bfo_1QfU40Lk3cP0rT7mSeasonal', { feedback: null, feedbackOption: 'bfo_1QfU40Lk3cP0rT7mSeasonal', comment: null }],
		]);
	});

	it('a cancellation at a date (cancel_at alone) is Cancellation Scheduled', () => {
		const at = T0 + 86_400 * 45;
		const items = decode(
			event({ type: 'customer.subscription.updated', object: subscription({ cancel_at: at, canceled_at: T0 }), previous: { cancel_at: null, canceled_at: null } }),
		);
		expect(items.map((item) => [item.outcome, item.to])).toEqual([['cancellationScheduled', { cancelAt: new Date(at * 1000).toISOString(), cancelAtPeriodEnd: false }]]);
	});

	it('taking a scheduled cancellation back is Cancellation Withdrawn', () => {
		const items = decode(
			event({
				type: 'customer.subscription.updated',
				object: subscription(),
				previous: { cancel_at: T0 + 86_400 * 20, cancel_at_period_end: true, canceled_at: T0 - 600, cancellation_details: { reason: 'cancellation_requested' } },
			}),
		);
		expect(items.map((item) => [item.outcome, item.from, item.to])).toEqual([
			['cancellationWithdrawn', { cancelAt: PERIOD_END_ISO, cancelAtPeriodEnd: true }, { cancelAt: null, cancelAtPeriodEnd: false }],
		]);
	});

	it('an immediate cancellation with the survey answered is Canceled and Feedback Given', () => {
		const items = decode(
			event({
				type: 'customer.subscription.deleted',
				object: subscription({
					status: 'canceled',
					canceled_at: T0,
					ended_at: T0,
					cancellation_details: { comment: null, feedback: 'unused', reason: 'cancellation_requested' },
				}),
			}),
		);
		expect(items.map((item) => item.outcome)).toEqual(['canceled', 'cancellationFeedbackGiven']);
		expect(items[0]).toMatchObject({ reason: 'cancellation_requested', feedback: 'unused', from: null, to: { status: 'canceled', canceledAt: '2026-12-01T10:00:00.000Z', endedAt: '2026-12-01T10:00:00.000Z' } });
	});

	it('the end of a scheduled cancellation is Canceled, without reporting its feedback again', () => {
		const items = decode(
			event({
				type: 'customer.subscription.deleted',
				created: T0 + 86_400 * 20,
				request: { id: null, idempotency_key: null },
				object: subscription({
					status: 'canceled',
					cancel_at_period_end: true,
					canceled_at: T0,
					ended_at: T0 + 86_400 * 20,
					cancellation_details: { comment: 'Too pricey', feedback: 'too_expensive', reason: 'cancellation_requested' },
				}),
			}),
		);
		expect(items.map((item) => item.outcome)).toEqual(['canceled']);
		// Stripe ended it on its own at the period end: no request caused this event.
		expect(items[0].event.requestId).toBeNull();
		expect(items[0].feedback).toBe('too_expensive');
	});

	it('a cancellation for a failed payment says so in reason', () => {
		const items = decode(
			event({
				type: 'customer.subscription.deleted',
				request: { id: null, idempotency_key: null },
				object: subscription({ status: 'canceled', canceled_at: T0, ended_at: T0, cancellation_details: { comment: null, feedback: null, reason: 'payment_failed' } }),
			}),
		);
		expect(items.map((item) => [item.outcome, item.reason, item.feedback])).toEqual([['canceled', 'payment_failed', null]]);
	});
});

describe('plan changes, pauses and resumptions', () => {
	it('a switch to another price is Plan Changed, from and to', () => {
		const before = subscription();
		const items = decode(
			event({
				type: 'customer.subscription.updated',
				object: subscription({
					items: {
						object: 'list',
						data: [{ id: 'si_RYa9kL3mNp2QwE', object: 'subscription_item', price: { id: 'price_1QfTw1Lk3cP0rT7mPro0001', object: 'price', product: 'prod_RYa7Pro' }, quantity: 1 }],
						has_more: false,
					},
				}),
				previous: { items: before.items },
			}),
		);
		expect(items.map((item) => [item.outcome, item.from, item.to])).toEqual([
			[
				'planChanged',
				{ item: 'si_RYa9kL3mNp2QwE', price: 'price_1QfTw1Lk3cP0rT7mBasic01', product: 'prod_RYa7Basic', quantity: 1 },
				{ item: 'si_RYa9kL3mNp2QwE', price: 'price_1QfTw1Lk3cP0rT7mPro0001', product: 'prod_RYa7Pro', quantity: 1 },
			],
		]);
	});

	it('a new quantity is Plan Changed', () => {
		const before = subscription();
		const after = subscription();
		((after.items as { data: Array<Record<string, unknown>> }).data[0] as Record<string, unknown>).quantity = 5;
		const items = decode(event({ type: 'customer.subscription.updated', object: after, previous: { items: before.items } }));
		expect(items.map((item) => [item.outcome, (item.from as Record<string, unknown>).quantity, (item.to as Record<string, unknown>).quantity])).toEqual([['planChanged', 1, 5]]);
	});

	it('pausing payment collection is Paused; clearing it is Resumed', () => {
		const pause = { behavior: 'void', resumes_at: T0 + 86_400 * 30 };
		const paused = decode(event({ type: 'customer.subscription.updated', object: subscription({ pause_collection: pause }), previous: { pause_collection: null } }));
		expect(paused.map((item) => [item.outcome, item.to])).toEqual([['paused', { pause: { behavior: 'void', resumesAt: '2026-12-31T10:00:00.000Z' } }]]);
		const resumed = decode(event({ type: 'customer.subscription.updated', object: subscription(), previous: { pause_collection: pause } }));
		expect(resumed.map((item) => [item.outcome, item.from])).toEqual([['resumed', { pause: { behavior: 'void', resumesAt: '2026-12-31T10:00:00.000Z' } }]]);
	});

	it('a paused status is Paused once: from customer.subscription.paused, not from the update that comes with it', () => {
		const object = subscription({ status: 'paused' });
		expect(decode(event({ type: 'customer.subscription.paused', object, previous: { status: 'active' } })).map((item) => [item.outcome, item.from, item.to])).toEqual([
			['paused', { status: 'active' }, { status: 'paused', pause: null }],
		]);
		expect(decode(event({ type: 'customer.subscription.updated', object, previous: { status: 'active' } }))).toEqual([]);
		expect(decode(event({ type: 'customer.subscription.resumed', object: subscription(), previous: { status: 'paused' } })).map((item) => item.outcome)).toEqual(['resumed']);
	});
});

describe('billing details and payment methods', () => {
	it('a new default card is Payment Method Updated', () => {
		const items = decode(
			event({ type: 'customer.updated', object: customer(), previous: { invoice_settings: { default_payment_method: 'pm_1QfTv0Lk3cP0rT7mOldCard' } } }),
		);
		expect(items.map((item) => [item.outcome, item.customer, item.subscription, item.from, item.to])).toEqual([
			['paymentMethodUpdated', 'cus_RYa8hE2nXk1pQz', null, { defaultPaymentMethod: 'pm_1QfTv0Lk3cP0rT7mOldCard' }, { defaultPaymentMethod: 'pm_1QfU01Lk3cP0rT7mNewCard' }],
		]);
	});

	it('a new address and e-mail are one Billing Details Updated, with both changes', () => {
		const oldAddress = { city: 'Hamburg', country: 'DE', line1: 'Jungfernstieg 7', line2: null, postal_code: '20354', state: null };
		const items = decode(event({ type: 'customer.updated', object: customer(), previous: { address: oldAddress, email: 'jenny@old.example.com' } }));
		expect(items.map((item) => [item.outcome, item.from, item.to])).toEqual([
			[
				'billingDetailsUpdated',
				{ address: oldAddress, email: 'jenny@old.example.com' },
				{ address: { city: 'Berlin', country: 'DE', line1: 'Torstraße 1', line2: null, postal_code: '10119', state: null }, email: 'jenny.rosen@example.com' },
			],
		]);
	});

	it('a tax ID added or removed is Billing Details Updated', () => {
		const taxId = { id: 'txi_1QfU11Lk3cP0rT7m', object: 'tax_id', customer: 'cus_RYa8hE2nXk1pQz', type: 'eu_vat', value: 'DE123456789' };
		expect(decode(event({ type: 'customer.tax_id.created', object: taxId })).map((item) => [item.outcome, item.customer, item.from, item.to])).toEqual([
			['billingDetailsUpdated', 'cus_RYa8hE2nXk1pQz', null, { taxId: { id: 'txi_1QfU11Lk3cP0rT7m', type: 'eu_vat', value: 'DE123456789' } }],
		]);
		expect(decode(event({ type: 'customer.tax_id.deleted', object: taxId })).map((item) => [item.from, item.to])).toEqual([
			[{ taxId: { id: 'txi_1QfU11Lk3cP0rT7m', type: 'eu_vat', value: 'DE123456789' } }, null],
		]);
	});

	it('Stripe’s own verification of a tax ID (customer.tax_id.updated, no request) is nothing', () => {
		const taxId = { id: 'txi_1QfU11Lk3cP0rT7m', object: 'tax_id', customer: 'cus_RYa8hE2nXk1pQz', type: 'eu_vat', value: 'DE123456789', verification: { status: 'verified' } };
		expect(decode(event({ type: 'customer.tax_id.updated', object: taxId, previous: { verification: { status: 'pending' } }, request: { id: null, idempotency_key: null } }))).toEqual([]);
	});

	it('a customer update that touches none of these (metadata) is nothing', () => {
		expect(decode(event({ type: 'customer.updated', object: customer(), previous: { metadata: {} } }))).toEqual([]);
	});
});

describe('portal sessions and configurations', () => {
	const session = {
		id: 'bps_1QfU21Lk3cP0rT7mAbCd',
		object: 'billing_portal.session',
		configuration: 'bpc_1QfU20Lk3cP0rT7mConf',
		created: T0,
		customer: 'cus_RYa8hE2nXk1pQz',
		flow: null,
		livemode: false,
		locale: null,
		on_behalf_of: null,
		return_url: 'https://example.com/account',
		url: 'https://billing.stripe.com/p/session/test_YWNjdF8xUWZUMjFMazNjUDByVDdt',
	};

	it('Portal Session Created hides the session URL, in the item and in the raw event', () => {
		const raw = event({ type: 'billing_portal.session.created', object: session });
		const items = decode(raw);
		expect(items.map((item) => [item.outcome, item.customer, item.to])).toEqual([
			['portalSessionCreated', 'cus_RYa8hE2nXk1pQz', { session: 'bps_1QfU21Lk3cP0rT7mAbCd', url: '[redacted]', configuration: 'bpc_1QfU20Lk3cP0rT7mConf', flow: null, returnUrl: 'https://example.com/account' }],
		]);
		const redacted = redactEvent(raw as unknown as StripeEventEnvelope, hidden);
		expect(JSON.stringify(redacted)).not.toContain('billing.stripe.com');
		expect(redacted.data.object.url).toBe('[redacted]');
		// The event as received is left as it was.
		expect((raw.data as { object: { url: string } }).object.url).toBe(session.url);
	});

	it('keeps the session URL only when asked', () => {
		const raw = event({ type: 'billing_portal.session.created', object: session });
		expect(decode(raw, ALL, { includeSessionUrl: true })[0].to).toMatchObject({ url: session.url });
		expect(redactEvent(raw as unknown as StripeEventEnvelope, { includeSessionUrl: true }).data.object.url).toBe(session.url);
	});

	it('configuration created and updated', () => {
		const configuration = { id: 'bpc_1QfU20Lk3cP0rT7mConf', object: 'billing_portal.configuration', is_default: true, default_return_url: 'https://example.com/new' };
		expect(decode(event({ type: 'billing_portal.configuration.created', object: configuration })).map((item) => [item.outcome, item.to])).toEqual([
			['portalConfigurationCreated', { configuration: 'bpc_1QfU20Lk3cP0rT7mConf', isDefault: true }],
		]);
		expect(
			decode(event({ type: 'billing_portal.configuration.updated', object: configuration, previous: { default_return_url: 'https://example.com/old' } })).map((item) => [
				item.outcome,
				item.from,
				item.to,
			]),
		).toEqual([
			[
				'portalConfigurationUpdated',
				{ configuration: 'bpc_1QfU20Lk3cP0rT7mConf', default_return_url: 'https://example.com/old' },
				{ configuration: 'bpc_1QfU20Lk3cP0rT7mConf', default_return_url: 'https://example.com/new' },
			],
		]);
	});
});

describe('what starts nothing', () => {
	it('an outcome the user did not choose', () => {
		expect(decode(cancellationScheduledEvent(), new Set<Outcome>(['canceled', 'planChanged']))).toEqual([]);
		expect(decode(cancellationFeedbackEvent(), new Set<Outcome>(['cancellationScheduled']))).toEqual([]);
	});

	it('events of no outcome', () => {
		expect(decode(event({ type: 'payment_method.attached', object: { id: 'pm_1', object: 'payment_method', customer: 'cus_RYa8hE2nXk1pQz' } }))).toEqual([]);
		expect(decode(event({ type: 'customer.subscription.updated', object: subscription(), previous: { metadata: { plan: 'old' } } }))).toEqual([]);
		expect(decode(event({ type: 'customer.subscription.updated', object: subscription() }))).toEqual([]);
	});
});

describe('the events an endpoint is registered for', () => {
	it('are exactly those the chosen outcomes read, as Stripe names them', () => {
		expect(eventsFor(['canceled', 'cancellationScheduled'])).toEqual(['customer.subscription.deleted', 'customer.subscription.updated']);
		expect(eventsFor(['billingDetailsUpdated', 'paymentMethodUpdated'])).toEqual([
			'customer.tax_id.created',
			'customer.tax_id.deleted',
			'customer.updated',
		]);
		expect(eventsFor(OUTCOME_NAMES)).toEqual([
			'billing_portal.configuration.created',
			'billing_portal.configuration.updated',
			'billing_portal.session.created',
			'customer.subscription.deleted',
			'customer.subscription.paused',
			'customer.subscription.resumed',
			'customer.subscription.updated',
			'customer.tax_id.created',
			'customer.tax_id.deleted',
			'customer.updated',
		]);
	});
});
