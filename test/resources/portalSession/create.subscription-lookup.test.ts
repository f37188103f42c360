/**
 * Subscription Source: a support workflow knows only the customer's email, yet wants to send the
 * customer straight into cancelling (or pausing, or changing) their plan. The node looks up the
 * customer's subscriptions (`GET /v1/subscriptions?customer=…&status=all`, as the session request's
 * own credential, headers and Base URL) once the customer is known, picks the only or the newest
 * current one, and deep-links to it. No match, several matches and Stripe errors stop the item
 * before any session request, with an error that names the customer and says what to change.
 */
import { NodeHelpers } from 'n8n-workflow';
import type { IDataObject, INodeParameters, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type Stripe from 'stripe';

import { SEED_IDS, type RecordedRequest } from '../../sandbox';
import {
	SECRET_KEY,
	customerById,
	onTheWire,
	runCreateSession,
	sessionBody,
	useEnvironment,
	type SessionRun,
} from '../../support/session';
import { StripeBillingPortal } from '../../../nodes/StripeBillingPortal/StripeBillingPortal.node';
import { CURRENT_SUBSCRIPTION_STATUSES, SUBSCRIPTION_SOURCES } from '../../../nodes/StripeBillingPortal/resources/portalSession/constants';
import {
	MAX_SUBSCRIPTIONS_READ,
	chooseSubscription,
	describeOtherStatuses,
	isCurrentSubscription,
	lookUpCurrentSubscriptions,
	type SubscriptionListPage,
	type SubscriptionSummary,
} from '../../../nodes/StripeBillingPortal/resources/portalSession/subscriptionLookup';

const LEAKABLE_KEY = 'sk_test_51SubscriptionLookupSecretKey000000000000000000000000000000000';
const PORTAL_AND_CUSTOMERS_KEY = 'rk_test_51SubLookupPortalAndCustomersKey000000000000000000000000';
const PORTAL_CUSTOMERS_SUBSCRIPTIONS_KEY = 'rk_test_51SubLookupPortalCustomersSubsKey0000000000000000000000';

const environment = useEnvironment({
	secretKeys: [SECRET_KEY, LEAKABLE_KEY],
	restrictedKeys: {
		[PORTAL_AND_CUSTOMERS_KEY]: ['billing_portal', 'customers_read'],
		[PORTAL_CUSTOMERS_SUBSCRIPTIONS_KEY]: ['billing_portal', 'customers_read', 'subscriptions_read'],
	},
});

const JENNY_EMAIL = 'jenny.rosen@example.com';
const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const only = { subscriptionSource: SUBSCRIPTION_SOURCES.onlyCurrent };
const newest = { subscriptionSource: SUBSCRIPTION_SOURCES.mostRecentCurrent };

/** 2026-01-01T00:00:00Z, the sandbox's seed epoch: seeded subscriptions are created within its first hour. */
const EPOCH = 1767225600;

const subscriptionLookups = (run: SessionRun) =>
	run.requests.filter((request) => request.method === 'GET' && request.path === '/v1/subscriptions');
const sessionRequests = (run: SessionRun) => run.requests.filter((request) => request.path === '/v1/billing_portal/sessions');
const described = (requests: RecordedRequest[]) => requests.map((request) => `${request.method} ${request.path}`);

/** Everything a user or an operator could see of a run, as text. */
function everythingVisible(run: SessionRun): string {
	return JSON.stringify({ items: run.items, error: run.error, runData: run.runData, logs: run.logs });
}

/** A customer of its own, so that a story's subscriptions are exactly the ones it adds. */
function newCustomer(email: string) {
	return environment.sandbox.addCustomer({ email });
}

/** Gives a subscription in the sandbox a second item, as a plan with an add-on has. */
function addSecondItem(subscriptionId: string): string {
	const subscription = environment.sandbox.store.getSubscription(subscriptionId);
	if (!subscription) throw new Error(`no ${subscriptionId} in the sandbox`);
	const [first] = subscription.items.data;
	const itemId = `si_SecondItemOf${subscriptionId.slice(4)}`;
	subscription.items.data.push({ ...structuredClone(first), id: itemId });
	return itemId;
}

describe('Subscription Source: the customer’s only current subscription', () => {
	it('finds the customer By Email, then its one current subscription, and deep-links to cancelling it', async () => {
		// Jenny has Pro (active) and Starter (canceled): Pro is her only current subscription.
		const run = await runCreateSession(environment, {
			customer: byEmail(JENNY_EMAIL),
			returnUrl: 'https://example.com/account',
			flowType: 'subscription_cancel',
			...only,
		});

		expect(run.error).toBeUndefined();
		expect(described(run.requests)).toEqual([
			'GET /v1/customers',
			'GET /v1/subscriptions',
			'POST /v1/billing_portal/sessions',
		]);
		const [, lookup, session] = run.requests;
		expect(lookup.query).toEqual({ customer: SEED_IDS.jenny, status: 'all', limit: '100' });
		expect(lookup.rawBody).toBe('');
		expect(sessionBody(session)).toEqual(
			onTheWire({
				customer: SEED_IDS.jenny,
				return_url: 'https://example.com/account',
				flow_data: {
					type: 'subscription_cancel',
					subscription_cancel: { subscription: SEED_IDS.jennyPro },
					after_completion: { type: 'portal_homepage' },
				},
			}),
		);
		// The found subscription sits where a picked one would, in Stripe's field order.
		expect(decodeURIComponent(session.rawBody)).toBe(
			`customer=${SEED_IDS.jenny}&return_url=https://example.com/account&flow_data[type]=subscription_cancel&flow_data[subscription_cancel][subscription]=${SEED_IDS.jennyPro}&flow_data[after_completion][type]=portal_homepage`,
		);
		expect(run.items.map((item) => [item.json.customer, item.json.flow, item.pairedItem])).toEqual([
			[SEED_IDS.jenny, expect.objectContaining({ subscription_cancel: expect.objectContaining({ subscription: SEED_IDS.jennyPro }) }), { item: 0 }],
		]);
	});

	it('works with a customer By ID, for pausing and for changing plans, keeping a retention offer for cancelling', async () => {
		const cases: Array<[string, IDataObject, Stripe.BillingPortal.SessionCreateParams.FlowData]> = [
			['subscription_pause', {}, { type: 'subscription_pause', subscription_pause: { subscription: SEED_IDS.maxTeam }, after_completion: { type: 'portal_homepage' } }],
			['subscription_update', {}, { type: 'subscription_update', subscription_update: { subscription: SEED_IDS.maxTeam }, after_completion: { type: 'portal_homepage' } }],
			[
				'subscription_cancel',
				{ retentionCoupon: 'STAY20' },
				{
					type: 'subscription_cancel',
					subscription_cancel: { subscription: SEED_IDS.maxTeam, retention: { type: 'coupon_offer', coupon_offer: { coupon: 'STAY20' } } },
					after_completion: { type: 'portal_homepage' },
				},
			],
		];
		for (const [flowType, extra, flowData] of cases) {
			// Max's Team subscription is trialing: trialing counts as current.
			const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.max), flowType, ...extra, ...only });
			expect(run.error).toBeUndefined();
			expect(described(run.requests)).toEqual(['GET /v1/subscriptions', 'POST /v1/billing_portal/sessions']);
			expect(subscriptionLookups(run)[0].query).toEqual({ customer: SEED_IDS.max, status: 'all', limit: '100' });
			expect(sessionBody(sessionRequests(run)[0])).toEqual(onTheWire({ customer: SEED_IDS.max, flow_data: flowData }));
		}
	});

	it('sends the lookup with the session request’s credential and API version, and no Content-Type', async () => {
		const run = await runCreateSession(
			environment,
			{ customer: byEmail(JENNY_EMAIL), flowType: 'subscription_cancel', ...only },
			[{}],
			{ credentials: { apiVersion: '2025-12-15.clover' } },
		);
		expect(run.error).toBeUndefined();
		const [lookup] = subscriptionLookups(run);
		const [session] = sessionRequests(run);
		expect(lookup.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
		expect(lookup.headers.authorization).toBe(session.headers.authorization);
		expect(lookup.headers['stripe-version']).toBe('2025-12-15.clover');
		expect(lookup.headers['stripe-version']).toBe(session.headers['stripe-version']);
		expect(lookup.headers.accept).toBe(session.headers.accept);
		expect(lookup.headers['content-type']).toBeUndefined();
	});

	it('follows the credential’s Base URL, trailing slash and all', async () => {
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.jenny), flowType: 'subscription_cancel', ...only }, [{}], {
			credentials: { baseUrl: `${environment.sandbox.baseUrl}/` },
		});
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => request.path)).toEqual(['/v1/subscriptions', '/v1/billing_portal/sessions']);
	});

	it('counts active, trialing, past due, unpaid and paused subscriptions as current, and nothing else', async () => {
		for (const status of ['active', 'trialing', 'past_due', 'unpaid', 'paused'] as const) {
			const email = `kim.lee+${status}@example.com`;
			const customer = newCustomer(email);
			environment.sandbox.addSubscription({ customer: customer.id, status: 'canceled', created: EPOCH + 9000 });
			environment.sandbox.addSubscription({ customer: customer.id, status: 'incomplete', created: EPOCH + 8000 });
			environment.sandbox.addSubscription({ customer: customer.id, status: 'incomplete_expired', created: EPOCH + 7000 });
			const current = environment.sandbox.addSubscription({ customer: customer.id, status, created: EPOCH + 6000 });
			const run = await runCreateSession(environment, { customer: byEmail(email), flowType: 'subscription_update', ...only });
			expect({ status, error: run.error?.message }).toEqual({ status, error: undefined });
			expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_update).toEqual({ subscription: current.id });
		}
	});

	it('leaves the Subscription field alone: a value left there from Pick Below is not sent', async () => {
		const run = await runCreateSession(environment, {
			customer: customerById(SEED_IDS.jenny),
			flowType: 'subscription_pause',
			subscription: byId('sub_LeftOverFromPickBelow'),
			...only,
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_pause).toEqual({ subscription: SEED_IDS.jennyPro });
	});
});

describe('Subscription Source: the customer’s most recently created current subscription', () => {
	it('takes the newest current subscription, passing over a newer canceled one', async () => {
		const customer = newCustomer('lena.vogel@example.com');
		environment.sandbox.addSubscription({ customer: customer.id, status: 'active', created: EPOCH + 1000 });
		const newestCurrent = environment.sandbox.addSubscription({ customer: customer.id, status: 'past_due', created: EPOCH + 3000 });
		environment.sandbox.addSubscription({ customer: customer.id, status: 'unpaid', created: EPOCH + 2000 });
		environment.sandbox.addSubscription({ customer: customer.id, status: 'canceled', created: EPOCH + 4000 });
		environment.sandbox.addSubscription({ customer: customer.id, status: 'incomplete', created: EPOCH + 5000 });

		const run = await runCreateSession(environment, { customer: byEmail('lena.vogel@example.com'), flowType: 'subscription_cancel', ...newest });

		expect(run.error).toBeUndefined();
		expect(subscriptionLookups(run).map((request) => request.query)).toEqual([{ customer: customer.id, status: 'all', limit: '100' }]);
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_cancel).toEqual({ subscription: newestCurrent.id });
	});

	it('takes the one current subscription when there is only one', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType: 'subscription_pause', ...newest });
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_pause).toEqual({ subscription: SEED_IDS.jennyPro });
	});

	it('reads the next page only while no current subscription has turned up', async () => {
		const customer = newCustomer('olga.petrov@example.com');
		const oldest = environment.sandbox.addSubscription({ customer: customer.id, status: 'active', created: EPOCH });
		for (let index = 1; index <= 100; index++) {
			environment.sandbox.addSubscription({ customer: customer.id, status: 'canceled', created: EPOCH + index });
		}
		const run = await runCreateSession(environment, { customer: customerById(customer.id), flowType: 'subscription_update', ...newest });

		expect(run.error).toBeUndefined();
		const lookups = subscriptionLookups(run);
		expect(lookups).toHaveLength(2);
		expect(lookups[1].query).toEqual({ customer: customer.id, status: 'all', limit: '100', starting_after: expect.stringMatching(/^sub_/) });
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_update).toEqual({ subscription: oldest.id });
	});
});

describe('Subscription Source: no current subscription, or several', () => {
	it('only canceled and expired ones: an error naming the customer, its email and what it has, and no session request', async () => {
		const customer = newCustomer('paul.martin@example.com');
		environment.sandbox.addSubscription({ customer: customer.id, status: 'canceled' });
		environment.sandbox.addSubscription({ customer: customer.id, status: 'incomplete_expired' });
		environment.sandbox.addSubscription({ customer: customer.id, status: 'canceled' });

		const run = await runCreateSession(environment, { customer: byEmail('paul.martin@example.com'), flowType: 'subscription_cancel', ...newest });

		expect(run.error?.message).toBe(
			`Subscription Source: customer ${customer.id} ('paul.martin@example.com') has no current subscription (2 canceled, 1 incomplete_expired)`,
		);
		expect(run.error?.description).toMatch(/^Current means active, past due, paused, trialing or unpaid/);
		expect(run.error?.description).toContain("set Subscription Source to 'Pick Below'");
		expect(subscriptionLookups(run)).toHaveLength(1);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('no subscriptions at all, with a customer By ID', async () => {
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.ana), flowType: 'subscription_pause', ...only });
		expect(run.error?.message).toBe(`Subscription Source: customer ${SEED_IDS.ana} has no subscriptions`);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('an incomplete subscription (never paid) does not count', async () => {
		const customer = newCustomer('rui.costa@example.com');
		environment.sandbox.addSubscription({ customer: customer.id, status: 'incomplete' });
		const run = await runCreateSession(environment, { customer: customerById(customer.id), flowType: 'subscription_update', ...only });
		expect(run.error?.message).toBe(`Subscription Source: customer ${customer.id} has no current subscription (1 incomplete)`);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('several current ones with “Only”: an error with the count and the IDs, and how to choose, and no session request', async () => {
		const second = environment.sandbox.addSubscription({ customer: SEED_IDS.jenny, status: 'trialing', created: EPOCH + 2400 });
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType: 'subscription_cancel', ...only });

		expect(run.error?.message).toBe(
			`Subscription Source: customer ${SEED_IDS.jenny} ('${JENNY_EMAIL}') has 2 current subscriptions (${second.id}, ${SEED_IDS.jennyPro})`,
		);
		expect(run.error?.description).toBe(
			"To use the one created last, set Subscription Source to 'The Customer’s Most Recently Created Current Subscription'; to use a particular one, set it to 'Pick Below' and choose the subscription.",
		);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('several current ones with “Most Recently Created”: the newer one', async () => {
		const second = environment.sandbox.addSubscription({ customer: SEED_IDS.jenny, status: 'trialing', created: EPOCH + 2400 });
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType: 'subscription_cancel', ...newest });
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_cancel).toEqual({ subscription: second.id });
	});

	it('a customer the email lookup did not find is reported as such; no subscription lookup follows', async () => {
		const run = await runCreateSession(environment, { customer: byEmail('nobody@example.com'), flowType: 'subscription_cancel', ...only });
		expect(run.error?.message).toBe("Customer: no Stripe customer has the email 'nobody@example.com'");
		expect(subscriptionLookups(run)).toHaveLength(0);
		expect(sessionRequests(run)).toHaveLength(0);
	});
});

describe('Subscription Source for cancelling: a subscription already set to end has nothing left to cancel', () => {
	// Stripe refuses a cancel flow for it ("… is already set to be canceled at period end"), for a cancel_at date too.
	it('passes over one set to end at period end, and deep-links to the other, with “Only” and with “Most Recently Created”', async () => {
		const ending = environment.sandbox.addSubscription({ customer: SEED_IDS.jenny, created: EPOCH + 2400, cancelAtPeriodEnd: true });
		expect(ending.cancel_at).not.toBeNull();
		for (const source of [only, newest]) {
			const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType: 'subscription_cancel', ...source });
			expect(run.error).toBeUndefined();
			expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_cancel).toEqual({ subscription: SEED_IDS.jennyPro });
		}
	});

	it('only ones set to end: an error that says so and what to send instead, and no session request', async () => {
		const customer = newCustomer('lea.vogel@example.com');
		environment.sandbox.addSubscription({ customer: customer.id, cancelAtPeriodEnd: true });
		environment.sandbox.addSubscription({ customer: customer.id, status: 'canceled' });
		const run = await runCreateSession(environment, { customer: byEmail('lea.vogel@example.com'), flowType: 'subscription_cancel', ...only });

		expect(run.error?.message).toBe(
			`Subscription Source: customer ${customer.id} ('lea.vogel@example.com') has no current subscription that can be canceled (1 active set to end, 1 canceled)`,
		);
		expect(run.error?.description).toContain('has nothing left to cancel: for it, create the session without a Flow');
		expect(subscriptionLookups(run)).toHaveLength(1);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('other flows still take it: a customer who is leaving may still pause or change plans', async () => {
		const customer = newCustomer('ines.sousa@example.com');
		const ending = environment.sandbox.addSubscription({ customer: customer.id, cancelAtPeriodEnd: true });
		const run = await runCreateSession(environment, { customer: customerById(customer.id), flowType: 'subscription_update', ...only });
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_update).toEqual({ subscription: ending.id });
	});
});

describe('Subscription Source with Confirm Subscription Update: the item', () => {
	const confirm = { flowType: 'subscription_update_confirm', itemChanges: { quantity: 3 } };

	it('uses the found subscription’s only item when Subscription Item is left empty', async () => {
		const run = await runCreateSession(environment, {
			customer: byEmail(JENNY_EMAIL),
			...confirm,
			subscriptionItem: { __rl: true, mode: 'list', value: '' },
			...only,
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).flow_data).toEqual(
			onTheWire({
				type: 'subscription_update_confirm',
				subscription_update_confirm: { subscription: SEED_IDS.jennyPro, items: [{ id: SEED_IDS.jennyProItem, quantity: 3 }] },
				after_completion: { type: 'portal_homepage' },
			}),
		);
	});

	it('refuses a found subscription with two items, with or without an item given, before the session request: Stripe’s portal does not update those', async () => {
		const second = addSecondItem(SEED_IDS.jennyPro);
		const withoutItem = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), ...confirm, ...only });
		const withItem = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), ...confirm, subscriptionItem: byId(second), ...only });
		for (const run of [withoutItem, withItem]) {
			expect(run.error?.message).toBe(
				`Subscription Source: found ${SEED_IDS.jennyPro}, which has 2 items, and Stripe’s customer portal does not update a subscription with several items`,
			);
			expect(run.error?.description).toMatch(/Confirm Subscription Update works only for a subscription with a single item: choose another flow/);
			expect(sessionRequests(run)).toHaveLength(0);
		}
	});

	it('takes the item given, when it is the found subscription’s item', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), ...confirm, subscriptionItem: byId(SEED_IDS.jennyProItem), ...only });
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_update_confirm).toEqual(
			onTheWire({ subscription: SEED_IDS.jennyPro, items: [{ id: SEED_IDS.jennyProItem, quantity: 3 }] }),
		);
	});

	it('refuses an item of another subscription, before the session request', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), ...confirm, subscriptionItem: byId('si_OfSomeoneElse01'), ...only });
		expect(run.error?.message).toBe(
			`Subscription Item: si_OfSomeoneElse01 is not an item of ${SEED_IDS.jennyPro}, the subscription Subscription Source found`,
		);
		expect(run.error?.description).toContain(SEED_IDS.jennyProItem);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('with Pick Below, the item stays required', async () => {
		const run = await runCreateSession(environment, {
			customer: customerById(SEED_IDS.jenny),
			...confirm,
			subscription: byId(SEED_IDS.jennyPro),
			subscriptionItem: { __rl: true, mode: 'list', value: '' },
		});
		expect(run.error?.message).toBe('Subscription Item: is empty');
		expect(run.requests).toHaveLength(0);
	});
});

describe('Subscription Source: every local check before any request', () => {
	it('a bad field elsewhere stops the item before the customer and subscription lookups', async () => {
		const run = await runCreateSession(environment, {
			customer: byEmail(JENNY_EMAIL),
			flowType: 'subscription_cancel',
			retentionCoupon: 'STAY 20',
			...only,
		});
		expect(run.error?.message).toBe("Retention Coupon: 'STAY 20' is not a valid coupon ID");
		expect(run.requests).toHaveLength(0);
	});

	it('a source from an expression that is not an option', async () => {
		const run = await runCreateSession(environment, {
			customer: customerById(SEED_IDS.jenny),
			flowType: 'subscription_cancel',
			subscriptionSource: '={{ "newest" }}',
		});
		expect(run.error?.message).toBe("Subscription Source: 'newest' is not an option");
		expect(run.error?.description).toBe('Choose one of: pick, onlyCurrent, mostRecentCurrent.');
		expect(run.requests).toHaveLength(0);
	});

	it('is not read by flows without a subscription, nor by the portal homepage', async () => {
		for (const flowType of ['none', 'payment_method_update', 'customer_update']) {
			const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType, subscriptionSource: '={{ "not an option" }}' });
			expect({ flowType, error: run.error?.message }).toEqual({ flowType, error: undefined });
			expect(described(run.requests)).toEqual(['GET /v1/customers', 'POST /v1/billing_portal/sessions']);
		}
	});

	it('Pick Below (the default) looks nothing up', async () => {
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.jenny), flowType: 'subscription_pause', subscription: byId(SEED_IDS.jennyPro) });
		expect(run.error).toBeUndefined();
		expect(described(run.requests)).toEqual(['POST /v1/billing_portal/sessions']);
	});
});

describe('Subscription Source per item', () => {
	it('looks up each item’s customer and pairs each session with its input item', async () => {
		const run = await runCreateSession(
			environment,
			{ customer: byEmail('={{ $json.email }}'), flowType: 'subscription_cancel', ...only },
			[{ email: 'max.mustermann@example.com' }, { email: JENNY_EMAIL }],
		);
		expect(run.error).toBeUndefined();
		expect(subscriptionLookups(run).map((request) => request.query.customer).sort()).toEqual([SEED_IDS.jenny, SEED_IDS.max].sort());
		expect(
			run.items.map((item) => [item.json.customer, (item.json.flow as IDataObject).subscription_cancel, item.pairedItem]),
		).toEqual([
			[SEED_IDS.max, expect.objectContaining({ subscription: SEED_IDS.maxTeam }), { item: 0 }],
			[SEED_IDS.jenny, expect.objectContaining({ subscription: SEED_IDS.jennyPro }), { item: 1 }],
		]);
	});

	it('takes the source from an expression, per item', async () => {
		environment.sandbox.addSubscription({ customer: SEED_IDS.jenny, status: 'active', created: EPOCH + 2400 });
		const run = await runCreateSession(
			environment,
			{
				customer: customerById(SEED_IDS.jenny),
				flowType: 'subscription_cancel',
				subscriptionSource: '={{ $json.source }}',
				subscription: byId('={{ $json.subscription }}'),
			},
			[{ source: 'pick', subscription: SEED_IDS.jennyPro }, { source: 'onlyCurrent' }],
			{ continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.error ?? (item.json.flow as IDataObject).subscription_cancel)).toEqual([
			expect.objectContaining({ subscription: SEED_IDS.jennyPro }),
			expect.stringMatching(/^Subscription Source: customer cus_SandboxJenny01 has 2 current subscriptions/),
		]);
	});
});

describe('Subscription Source: Continue On Fail', () => {
	it('turns each item without exactly one subscription into an error item and still creates the others, in order and paired', async () => {
		for (let index = 0; index < 2; index++) {
			environment.sandbox.addSubscription({ customer: SEED_IDS.max, status: 'active', created: EPOCH + 5000 + index });
		}
		const paul = newCustomer('paul.martin@example.com');
		environment.sandbox.addSubscription({ customer: paul.id, status: 'canceled' });
		const run = await runCreateSession(
			environment,
			{ customer: byEmail('={{ $json.email }}'), flowType: 'subscription_cancel', ...only },
			[{ email: JENNY_EMAIL }, { email: 'ana.lima@example.org' }, { email: 'max.mustermann@example.com' }, { email: 'paul.martin@example.com' }, { email: 'nobody@example.com' }],
			{ continueOnFail: true, credentials: { secretKey: LEAKABLE_KEY } },
		);

		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.error ?? (item.json.flow as IDataObject).subscription_cancel)).toEqual([
			expect.objectContaining({ subscription: SEED_IDS.jennyPro }),
			`Subscription Source: customer ${SEED_IDS.ana} ('ana.lima@example.org') has no subscriptions`,
			expect.stringMatching(new RegExp(`^Subscription Source: customer ${SEED_IDS.max} \\('max.mustermann@example.com'\\) has 3 current subscriptions`)),
			`Subscription Source: customer ${paul.id} ('paul.martin@example.com') has no current subscription (1 canceled)`,
			"Customer: no Stripe customer has the email 'nobody@example.com'",
		]);
		expect(run.items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(sessionRequests(run)).toHaveLength(1);
		expect(subscriptionLookups(run)).toHaveLength(4);
		expect(everythingVisible(run)).not.toContain(LEAKABLE_KEY);
	});
});

describe('Subscription Source: Stripe refuses the lookup, or cannot be reached', () => {
	it('403 for a restricted key that may not read subscriptions: Stripe’s message, said to come from the lookup, with the permission it needs', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType: 'subscription_cancel', ...only }, [{}], {
			credentials: { secretKey: PORTAL_AND_CUSTOMERS_KEY },
		});
		expect(run.error).toMatchObject({ name: 'NodeApiError', httpCode: '403' });
		expect(run.error?.message).toMatch(/^The provided key '.*' does not have the required permissions/);
		expect(run.error?.message).toContain('rak_subscription_read');
		expect(run.error?.description).toMatch(
			new RegExp(`^This happened while looking up the subscriptions of customer ${SEED_IDS.jenny} \\('jenny\\.rosen@example\\.com'\\) for Subscription Source, before any portal session was created\\.`),
		);
		expect(run.error?.description).toContain("'Subscriptions: Read'");
		expect(run.error?.description).toContain(`request ID: ${subscriptionLookups(run)[0].requestId}`);
		expect(sessionRequests(run)).toHaveLength(0);
		expect(everythingVisible(run)).not.toContain(PORTAL_AND_CUSTOMERS_KEY);
	});

	it('works with a restricted key that may read customers and subscriptions', async () => {
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType: 'subscription_cancel', ...only }, [{}], {
			credentials: { secretKey: PORTAL_CUSTOMERS_SUBSCRIPTIONS_KEY },
		});
		expect(run.error).toBeUndefined();
		expect(sessionBody(sessionRequests(run)[0]).flow_data?.subscription_cancel).toEqual({ subscription: SEED_IDS.jennyPro });
	});

	it('a Stripe error on the lookup: Stripe’s own message and request ID, and no session request', async () => {
		environment.sandbox.queueFault({
			kind: 'status',
			status: 400,
			path: '/v1/subscriptions',
			method: 'GET',
			body: {
				error: {
					type: 'invalid_request_error',
					code: 'resource_missing',
					message: `No such customer: '${SEED_IDS.jenny}'`,
					param: 'customer',
				},
			},
		});
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.jenny), flowType: 'subscription_cancel', ...newest });
		expect(run.error).toMatchObject({ httpCode: '400', message: `No such customer: '${SEED_IDS.jenny}'` });
		expect(run.error?.description).toMatch(new RegExp(`^This happened while looking up the subscriptions of customer ${SEED_IDS.jenny} for Subscription Source`));
		expect(run.error?.description).toContain(`request ID: ${subscriptionLookups(run)[0].requestId}`);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('500 from the lookup, retries off', async () => {
		environment.sandbox.queueFault({ kind: 'status', status: 500, path: '/v1/subscriptions', method: 'GET' });
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.jenny), flowType: 'subscription_cancel', ...only, requestSettings: { retries: 0 } });
		expect(run.error).toMatchObject({ httpCode: '500' });
		expect(run.error?.description).toContain('looking up the subscriptions');
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('a 200 that is not a subscription list (a wrong Base URL): points at the Base URL', async () => {
		environment.sandbox.queueFault({ kind: 'non-json', status: 200, body: '<html>Welcome to nginx!</html>', path: '/v1/subscriptions' });
		const run = await runCreateSession(environment, { customer: customerById(SEED_IDS.jenny), flowType: 'subscription_cancel', ...only });
		expect(run.error?.message).toMatch(/^Expected a list of subscriptions from Stripe.*Base URL/);
		expect(sessionRequests(run)).toHaveLength(0);
	});

	it('a dropped connection during the lookup, retries off: names the Base URL, shows no key', async () => {
		environment.sandbox.queueFault({ kind: 'drop', path: '/v1/subscriptions' });
		const run = await runCreateSession(environment, { customer: byEmail(JENNY_EMAIL), flowType: 'subscription_cancel', ...only, requestSettings: { retries: 0 } }, [{}], {
			credentials: { secretKey: LEAKABLE_KEY },
		});
		expect(run.error?.message).toBe(`Could not reach Stripe at ${environment.sandbox.baseUrl}: The connection was closed before Stripe answered`);
		expect(sessionRequests(run)).toHaveLength(0);
		expect(everythingVisible(run)).not.toContain(LEAKABLE_KEY);
	});
});

describe('Subscription Source with a Customer Account (Accounts v2)', () => {
	const ACCOUNT = 'acct_1PgKyJ2eZvKYlo2C';

	it('lists the account’s subscriptions with customer_account, and deep-links to the one found', async () => {
		// The sandbox lists no subscriptions by customer_account: Stripe's answer is given here, of a
		// subscription that exists (Stripe looks up the one the session names) in a connected account.
		environment.sandbox.addConnectedAccount(ACCOUNT);
		const subscription = environment.sandbox.addSubscription({ customer: 'cus_BehindTheAccount01', status: 'active' });
		environment.sandbox.queueFault({
			kind: 'status',
			status: 200,
			path: '/v1/subscriptions',
			method: 'GET',
			body: { object: 'list', data: [subscription], has_more: false, url: '/v1/subscriptions' },
		});
		const run = await runCreateSession(environment, {
			customerType: 'customerAccount',
			customerAccount: ACCOUNT,
			flowType: 'subscription_pause',
			...only,
		});
		expect(run.error).toBeUndefined();
		expect(subscriptionLookups(run)[0].query).toEqual({ customer_account: ACCOUNT, status: 'all', limit: '100' });
		expect(sessionBody(sessionRequests(run)[0])).toEqual(
			onTheWire({
				customer_account: ACCOUNT,
				flow_data: {
					type: 'subscription_pause',
					subscription_pause: { subscription: subscription.id },
					after_completion: { type: 'portal_homepage' },
				},
			}),
		);
	});

	it('names the account when it has no current subscription', async () => {
		environment.sandbox.queueFault({
			kind: 'status',
			status: 200,
			path: '/v1/subscriptions',
			body: { object: 'list', data: [], has_more: false, url: '/v1/subscriptions' },
		});
		const run = await runCreateSession(environment, {
			customerType: 'customerAccount',
			customerAccount: ACCOUNT,
			flowType: 'subscription_cancel',
			...newest,
		});
		expect(run.error?.message).toBe(`Subscription Source: customer account ${ACCOUNT} has no subscriptions`);
		expect(sessionRequests(run)).toHaveLength(0);
	});
});

describe('Subscription Source in the node description', () => {
	const properties = new StripeBillingPortal().description.properties;
	const names = properties.map((property) => property.name);
	const source = properties.find((property) => property.name === 'subscriptionSource') as INodeProperties;
	const subscription = properties.find((property) => property.name === 'subscription') as INodeProperties;
	const shown = (property: INodeProperties, parameters: INodeParameters) =>
		NodeHelpers.displayParameter({ resource: 'portalSession', operation: 'create', ...parameters }, property, { typeVersion: 1 }, null);

	it('sits right before the Subscription field, with Pick Below as the default', () => {
		expect(names.indexOf('subscriptionSource')).toBe(names.indexOf('subscription') - 1);
		expect(source).toMatchObject({ displayName: 'Subscription Source', type: 'options', default: 'pick' });
		expect((source.options as INodePropertyOptions[]).map(({ name, value }) => [name, value])).toEqual([
			['Pick Below', 'pick'],
			['The Customer’s Most Recently Created Current Subscription', 'mostRecentCurrent'],
			['The Customer’s Only Current Subscription', 'onlyCurrent'],
		]);
		expect(source.description).toContain('Only current subscriptions count: active, past due, paused, trialing or unpaid');
	});

	it('shows only for flows that need a subscription', () => {
		for (const flowType of ['subscription_cancel', 'subscription_pause', 'subscription_update', 'subscription_update_confirm']) {
			expect({ flowType, shown: shown(source, { flowType }) }).toEqual({ flowType, shown: true });
		}
		for (const flowType of ['none', 'payment_method_update', 'customer_update']) {
			expect({ flowType, shown: shown(source, { flowType }) }).toEqual({ flowType, shown: false });
		}
	});

	it('hides the Subscription field unless Pick Below is chosen', () => {
		expect(subscription.displayOptions?.show?.subscriptionSource).toEqual(['pick']);
		expect(shown(subscription, { flowType: 'subscription_cancel', subscriptionSource: 'pick' })).toBe(true);
		expect(shown(subscription, { flowType: 'subscription_cancel', subscriptionSource: 'onlyCurrent' })).toBe(false);
		expect(shown(subscription, { flowType: 'subscription_cancel', subscriptionSource: 'mostRecentCurrent' })).toBe(false);
		// An expression may yield Pick Below, so the field stays in reach.
		expect(shown(subscription, { flowType: 'subscription_cancel', subscriptionSource: '={{ $json.source }}' })).toBe(true);
		expect(shown(subscription, { flowType: 'payment_method_update', subscriptionSource: 'pick' })).toBe(false);
	});

	it('keeps the Subscription Item field for the confirm flow whatever the source, and says when it may stay empty', () => {
		const item = properties.find((property) => property.name === 'subscriptionItem') as INodeProperties;
		expect(shown(item, { flowType: 'subscription_update_confirm', subscriptionSource: 'onlyCurrent' })).toBe(true);
		expect(item.description).toMatch(/Required, unless Subscription Source looks up a subscription that has only one item/);
	});
});

describe('the subscription lookup’s rules, without a network', () => {
	const summary = (id: string, status: string, created: number): SubscriptionSummary => ({ id, status, created });
	const page = (data: SubscriptionSummary[], hasMore = false): SubscriptionListPage => ({ data, has_more: hasMore });

	it('classifies every status Stripe has', () => {
		type Known<T> = T extends string ? (string extends T ? never : T) : never;
		// Names every member of Stripe's status type, or this file does not compile.
		const expected: Record<Known<Stripe.Subscription.Status>, boolean> = {
			active: true,
			canceled: false,
			incomplete: false,
			incomplete_expired: false,
			past_due: true,
			paused: true,
			trialing: true,
			unpaid: true,
		};
		for (const [status, current] of Object.entries(expected)) {
			expect({ status, current: isCurrentSubscription(summary('sub_X', status, 1)) }).toEqual({ status, current });
		}
		expect([...CURRENT_SUBSCRIPTION_STATUSES].sort()).toEqual(
			Object.entries(expected).filter(([, current]) => current).map(([status]) => status).sort(),
		);
	});

	it('stops reading pages once the answer is known', async () => {
		const pages = [
			page([summary('sub_A', 'canceled', 9), summary('sub_B', 'active', 8)], true),
			page([summary('sub_C', 'active', 7)], true),
			page([summary('sub_D', 'active', 6)]),
		];
		const asked: Array<string | undefined> = [];
		const listPage = async (startingAfter: string | undefined) => {
			asked.push(startingAfter);
			return pages[asked.length - 1];
		};
		const newestResult = await lookUpCurrentSubscriptions('mostRecentCurrent', listPage);
		expect(asked).toEqual([undefined]);
		expect(chooseSubscription(newestResult, 'mostRecentCurrent')).toEqual({ kind: 'found', subscription: pages[0].data[1] });

		asked.length = 0;
		const onlyResult = await lookUpCurrentSubscriptions('onlyCurrent', listPage);
		expect(asked).toEqual([undefined, 'sub_B']);
		expect(chooseSubscription(onlyResult, 'onlyCurrent')).toEqual({ kind: 'several', count: 2, orMore: true });
	});

	it('gives up after a bounded number of pages rather than follow has_more forever', async () => {
		let calls = 0;
		const result = await lookUpCurrentSubscriptions('onlyCurrent', async () => {
			calls++;
			return page([summary(`sub_Old${calls}`, 'canceled', 1)], true);
		});
		expect(calls).toBe(MAX_SUBSCRIPTIONS_READ / 100);
		expect(chooseSubscription(result, 'onlyCurrent')).toEqual({ kind: 'tooMany' });
	});

	it('chooses the newest current one, the first listed on a tie', () => {
		const result = {
			current: [summary('sub_A', 'active', 5), summary('sub_B', 'trialing', 9), summary('sub_C', 'past_due', 9)],
			otherStatuses: {},
			complete: true,
		};
		expect(chooseSubscription(result, 'mostRecentCurrent')).toEqual({ kind: 'found', subscription: result.current[1] });
		expect(chooseSubscription(result, 'onlyCurrent')).toEqual({ kind: 'several', count: 3, orMore: false });
		expect(chooseSubscription({ current: [], otherStatuses: { canceled: 1 }, complete: true }, 'onlyCurrent')).toEqual({ kind: 'none' });
	});

	it('describes what did not count, by status', () => {
		expect(describeOtherStatuses({ incomplete_expired: 1, canceled: 2 })).toBe('2 canceled, 1 incomplete_expired');
		expect(describeOtherStatuses({})).toBe('');
	});
});
