/**
 * Deep links: each of Stripe's six flow types, as a user sets it up in the node, arrives at
 * Stripe as `flow_data` (never `flow`, the response field) with only the fields that flow takes.
 */
import type { INodeParameters } from 'n8n-workflow';
import type Stripe from 'stripe';

import { SEED_IDS } from '../../sandbox';
import { createStripeObjects, customerById, onTheWire, runCreateSession, sessionBody, useEnvironment } from '../../support/session';

const environment = useEnvironment();

const SUBSCRIPTION = 'sub_1PgL3b2eZvKYlo2Cw8Kx0fQn';

// Stripe looks up every ID a flow names: the stories' subscriptions (Jenny's), item, price and discounts exist.
beforeEach(() => {
	createStripeObjects(environment.sandbox.store, {
		subscriptions: [
			{ id: SUBSCRIPTION, customer: SEED_IDS.jenny, itemId: 'si_QXg8b3dUh2qLmN' },
			{ id: 'sub_A1', customer: SEED_IDS.jenny },
		],
		prices: ['price_1PgL1c2eZvKYlo2CqZ9x0pBd'],
		coupons: ['STAY20', 'SUMMER25'],
		promotionCodes: ['promo_1PgL2Z2eZvKYlo2C'],
	});
});
const customer = customerById(SEED_IDS.jenny);
const bySubscriptionId = (value: string) => ({ __rl: true, mode: 'id', value });

type FlowCase = {
	story: string;
	parameters: INodeParameters;
	flowData: Stripe.BillingPortal.SessionCreateParams.FlowData;
};

const flowCases: FlowCase[] = [
	{
		story: 'update payment method',
		parameters: { flowType: 'payment_method_update' },
		flowData: { type: 'payment_method_update', after_completion: { type: 'portal_homepage' } },
	},
	{
		story: 'update customer details',
		parameters: { flowType: 'customer_update' },
		flowData: { type: 'customer_update', after_completion: { type: 'portal_homepage' } },
	},
	{
		story: 'cancel a subscription',
		parameters: { flowType: 'subscription_cancel', subscription: bySubscriptionId(SUBSCRIPTION) },
		flowData: {
			type: 'subscription_cancel',
			subscription_cancel: { subscription: SUBSCRIPTION },
			after_completion: { type: 'portal_homepage' },
		},
	},
	{
		story: 'cancel with a retention coupon offer',
		parameters: { flowType: 'subscription_cancel', subscription: bySubscriptionId(SUBSCRIPTION), retentionCoupon: 'STAY20' },
		flowData: {
			type: 'subscription_cancel',
			subscription_cancel: {
				subscription: SUBSCRIPTION,
				retention: { type: 'coupon_offer', coupon_offer: { coupon: 'STAY20' } },
			},
			after_completion: { type: 'portal_homepage' },
		},
	},
	{
		story: 'pause a subscription',
		parameters: { flowType: 'subscription_pause', subscription: bySubscriptionId(SUBSCRIPTION) },
		flowData: {
			type: 'subscription_pause',
			subscription_pause: { subscription: SUBSCRIPTION },
			after_completion: { type: 'portal_homepage' },
		},
	},
	{
		story: 'switch plans',
		parameters: { flowType: 'subscription_update', subscription: bySubscriptionId(SUBSCRIPTION) },
		flowData: {
			type: 'subscription_update',
			subscription_update: { subscription: SUBSCRIPTION },
			after_completion: { type: 'portal_homepage' },
		},
	},
	{
		story: 'confirm a prepared price change with a coupon and a promotion code',
		parameters: {
			flowType: 'subscription_update_confirm',
			subscription: bySubscriptionId(SUBSCRIPTION),
			subscriptionItem: { __rl: true, mode: 'id', value: 'si_QXg8b3dUh2qLmN' },
			itemChanges: { price: 'price_1PgL1c2eZvKYlo2CqZ9x0pBd', quantity: 3 },
			discounts: { discount: [{ type: 'coupon', id: 'SUMMER25' }, { type: 'promotionCode', id: 'promo_1PgL2Z2eZvKYlo2C' }] },
		},
		flowData: {
			type: 'subscription_update_confirm',
			subscription_update_confirm: {
				subscription: SUBSCRIPTION,
				items: [{ id: 'si_QXg8b3dUh2qLmN', price: 'price_1PgL1c2eZvKYlo2CqZ9x0pBd', quantity: 3 }],
				discounts: [{ coupon: 'SUMMER25' }, { promotion_code: 'promo_1PgL2Z2eZvKYlo2C' }],
			},
			after_completion: { type: 'portal_homepage' },
		},
	},
	{
		story: 'confirm a quantity change only',
		parameters: {
			flowType: 'subscription_update_confirm',
			subscription: bySubscriptionId(SUBSCRIPTION),
			subscriptionItem: { __rl: true, mode: 'id', value: 'si_QXg8b3dUh2qLmN' },
			itemChanges: { quantity: 0 },
		},
		flowData: {
			type: 'subscription_update_confirm',
			subscription_update_confirm: { subscription: SUBSCRIPTION, items: [{ id: 'si_QXg8b3dUh2qLmN', quantity: 0 }] },
			after_completion: { type: 'portal_homepage' },
		},
	},
];

describe('flows', () => {
	it.each(flowCases)('deep-links to $story', async ({ parameters, flowData }) => {
		const run = await runCreateSession(environment, { customer, returnUrl: 'https://example.com/account', ...parameters });

		expect(run.error).toBeUndefined();
		const body = sessionBody(run.requests[0]);
		expect(body).toEqual(onTheWire({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account', flow_data: flowData }));
		expect(body).not.toHaveProperty('flow');
		expect(run.items[0].json.flow).toMatchObject({ type: flowData.type });
	});

	it('sends only the fields of the chosen flow, even when fields of other flows still hold values', async () => {
		const run = await runCreateSession(environment, {
			customer,
			flowType: 'payment_method_update',
			subscription: bySubscriptionId(SUBSCRIPTION),
			retentionCoupon: 'STAY20',
			subscriptionItem: { __rl: true, mode: 'id', value: 'si_QXg8b3dUh2qLmN' },
			itemChanges: { price: 'price_1PgL1c2eZvKYlo2CqZ9x0pBd' },
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0]).flow_data).toEqual({
			type: 'payment_method_update',
			after_completion: { type: 'portal_homepage' },
		});
	});

	it('takes a different flow per item from expressions', async () => {
		const run = await runCreateSession(
			environment,
			{ customer, flowType: '={{ $json.flow }}', subscription: bySubscriptionId('={{ $json.subscription }}') },
			[
				{ flow: 'subscription_cancel', subscription: 'sub_A1' },
				{ flow: 'payment_method_update', subscription: '' },
				{ flow: 'none', subscription: '' },
			],
		);
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => sessionBody(request).flow_data?.type ?? null)).toEqual([
			'subscription_cancel',
			'payment_method_update',
			null,
		]);
	});
});

describe('choosing the subscription', () => {
	it.each([
		['From List', { __rl: true, mode: 'list', value: SEED_IDS.jennyPro, cachedResultName: 'Pro · 29.00 EUR / month · active' }],
		['By ID', { __rl: true, mode: 'id', value: SEED_IDS.jennyPro }],
		['By URL', { __rl: true, mode: 'url', value: `https://dashboard.stripe.com/test/subscriptions/${SEED_IDS.jennyPro}?tab=invoices` }],
	])('%s', async (_mode, subscription) => {
		const run = await runCreateSession(environment, { customer, flowType: 'subscription_pause', subscription });
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0]).flow_data?.subscription_pause).toEqual({ subscription: SEED_IDS.jennyPro });
	});
});

describe('after completion', () => {
	const base = { customer, flowType: 'subscription_cancel', subscription: bySubscriptionId(SUBSCRIPTION) };

	it('redirects to a URL', async () => {
		const run = await runCreateSession(environment, { ...base, afterCompletion: 'redirect', redirectUrl: 'https://example.com/sorry' });
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.SessionCreateParams.FlowData.AfterCompletion = {
			type: 'redirect',
			redirect: { return_url: 'https://example.com/sorry' },
		};
		expect(sessionBody(run.requests[0]).flow_data?.after_completion).toEqual(expected);
		expect(run.items[0].json.flow).toMatchObject({ after_completion: expected });
	});

	it('shows a hosted confirmation with a custom message', async () => {
		const run = await runCreateSession(environment, {
			...base,
			afterCompletion: 'hosted_confirmation',
			confirmationMessage: 'Sorry to see you go. Your plan ends on your next billing date.',
		});
		expect(run.error).toBeUndefined();
		const expected: Stripe.BillingPortal.SessionCreateParams.FlowData.AfterCompletion = {
			type: 'hosted_confirmation',
			hosted_confirmation: { custom_message: 'Sorry to see you go. Your plan ends on your next billing date.' },
		};
		expect(sessionBody(run.requests[0]).flow_data?.after_completion).toEqual(expected);
	});

	it('shows a hosted confirmation with Stripe’s default text when the message is empty', async () => {
		const run = await runCreateSession(environment, { ...base, afterCompletion: 'hosted_confirmation', confirmationMessage: '' });
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0]).flow_data?.after_completion).toEqual({ type: 'hosted_confirmation' });
	});

	it('returns to the portal homepage', async () => {
		const run = await runCreateSession(environment, { ...base, afterCompletion: 'portal_homepage', redirectUrl: 'https://example.com/ignored' });
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0]).flow_data?.after_completion).toEqual({ type: 'portal_homepage' });
	});
});
