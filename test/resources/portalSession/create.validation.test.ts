/**
 * Bad input is stopped before any request, with an error that names the field and says how to
 * fix it. Every case here asserts the sandbox received nothing.
 *
 * Values usually come from earlier nodes through expressions, which only the node itself can
 * check, per item; those cases use expressions. A literal value of the wrong shape is caught
 * even earlier by n8n's own check of the locator's pattern (the editor shows it too).
 */
import type { INodeParameters } from 'n8n-workflow';

import { SEED_IDS } from '../../sandbox';
import { customerById, runCreateSession, useEnvironment } from '../../support/session';

const environment = useEnvironment();
const customer = customerById(SEED_IDS.jenny);
const SUBSCRIPTION = 'sub_1PgL3b2eZvKYlo2Cw8Kx0fQn';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

type BadInput = { story: string; parameters: INodeParameters; message: RegExp; description: RegExp };

const badInputs: BadInput[] = [
	{
		story: 'an empty customer',
		parameters: { customer: customerById('={{ $json.missing }}') },
		message: /^Customer: is empty$/,
		description: /From List|cus_/,
	},
	{
		story: 'a customer ID of the wrong shape',
		parameters: { customer: customerById('={{ "jenny.rosen@example.com" }}') },
		message: /^Customer: 'jenny\.rosen@example\.com' is not a valid ID$/,
		description: /cus_/,
	},
	{
		story: 'a customer ID that tries to leave the path',
		parameters: { customer: customerById('={{ "cus_123/../../v1/charges" }}') },
		message: /^Customer: .* is not a valid ID$/,
		description: /cus_/,
	},
	{
		story: 'a link that is not a Stripe customer link',
		parameters: { customer: { __rl: true, mode: 'url', value: '={{ "https://dashboard.stripe.com/test/subscriptions/sub_123" }}' } },
		message: /^Customer: .* is not a Stripe dashboard customer link$/,
		description: /https:\/\/dashboard\.stripe\.com\/test\/customers\//,
	},
	{
		story: 'a customer account of the wrong shape',
		parameters: { customerType: 'customerAccount', customerAccount: 'cus_123' },
		message: /^Customer Account: 'cus_123' is not a valid ID$/,
		description: /acct_/,
	},
	{
		story: 'a malformed return URL',
		parameters: { customer, returnUrl: 'example.com/account' },
		message: /^Return URL: 'example\.com\/account' is not a valid URL$/,
		description: /https:\/\//,
	},
	{
		story: 'a return URL with another scheme',
		parameters: { customer, returnUrl: 'javascript:alert(1)' },
		message: /^Return URL: .* is not a valid URL$/,
		description: /https:\/\//,
	},
	...['subscription_cancel', 'subscription_pause', 'subscription_update', 'subscription_update_confirm'].map((flowType) => ({
		story: `a ${flowType} flow without its subscription`,
		parameters: { customer, flowType, subscription: { __rl: true, mode: 'list', value: '' } },
		message: /^Subscription: is empty$/,
		description: /sub_/,
	})),
	{
		story: 'a subscription ID of the wrong shape',
		parameters: { customer, flowType: 'subscription_cancel', subscription: byId('={{ "si_123" }}') },
		message: /^Subscription: 'si_123' is not a valid ID$/,
		description: /sub_/,
	},
	{
		story: 'an unknown flow type from an expression',
		parameters: { customer, flowType: '={{ "subscription_delete" }}' },
		message: /^Flow: 'subscription_delete' is not a flow type$/,
		description: /payment_method_update/,
	},
	{
		story: 'a confirm-update flow without an item',
		parameters: { customer, flowType: 'subscription_update_confirm', subscription: byId(SUBSCRIPTION), subscriptionItem: { __rl: true, mode: 'list', value: '' } },
		message: /^Subscription Item: is empty$/,
		description: /si_/,
	},
	{
		story: 'a confirm-update flow whose item changes nothing',
		parameters: { customer, flowType: 'subscription_update_confirm', subscription: byId(SUBSCRIPTION), subscriptionItem: byId('si_1'), itemChanges: {} },
		message: /^Item Changes: neither a new price nor a new quantity is set$/,
		description: /New Price or New Quantity/,
	},
	{
		story: 'a confirm-update flow with a price of the wrong shape',
		parameters: { customer, flowType: 'subscription_update_confirm', subscription: byId(SUBSCRIPTION), subscriptionItem: byId('si_1'), itemChanges: { price: 'prod_123' } },
		message: /^New Price: 'prod_123' is not a valid ID$/,
		description: /price_/,
	},
	{
		story: 'a negative or fractional quantity',
		parameters: { customer, flowType: 'subscription_update_confirm', subscription: byId(SUBSCRIPTION), subscriptionItem: byId('si_1'), itemChanges: { quantity: '={{ 1.5 }}' } },
		message: /^New Quantity: '1\.5' is not a whole number of zero or more$/,
		description: /quantity/,
	},
	{
		story: 'a discount without an ID',
		parameters: { customer, flowType: 'subscription_update_confirm', subscription: byId(SUBSCRIPTION), subscriptionItem: byId('si_1'), itemChanges: { quantity: 2 }, discounts: { discount: [{ type: 'coupon', id: ' ' }] } },
		message: /^Discounts \(entry 1\): the ID is empty$/,
		description: /coupon/,
	},
	{
		story: 'a promotion code that is a customer-facing code, not an ID',
		parameters: { customer, flowType: 'subscription_update_confirm', subscription: byId(SUBSCRIPTION), subscriptionItem: byId('si_1'), itemChanges: { quantity: 2 }, discounts: { discount: [{ type: 'promotionCode', id: 'SUMMER25' }] } },
		message: /^Discounts \(entry 1\): 'SUMMER25' is not a valid ID$/,
		description: /promo_/,
	},
	{
		story: 'a retention coupon with spaces',
		parameters: { customer, flowType: 'subscription_cancel', subscription: byId(SUBSCRIPTION), retentionCoupon: '20% off' },
		message: /^Retention Coupon: '20% off' is not a valid coupon ID$/,
		description: /letters, digits/,
	},
	{
		story: 'an after-completion type Stripe does not have, from an expression',
		parameters: { customer, flowType: 'payment_method_update', afterCompletion: '={{ "close_window" }}' },
		message: /^After Completion: 'close_window' is not an option$/,
		description: /portal_homepage, redirect, hosted_confirmation/,
	},
	{
		story: 'a redirect without a URL',
		parameters: { customer, flowType: 'payment_method_update', afterCompletion: 'redirect', redirectUrl: '' },
		message: /^Redirect URL: is empty$/,
		description: /https:\/\//,
	},
	{
		story: 'a redirect to a malformed URL',
		parameters: { customer, flowType: 'payment_method_update', afterCompletion: 'redirect', redirectUrl: 'thanks' },
		message: /^Redirect URL: 'thanks' is not a valid URL$/,
		description: /https:\/\//,
	},
	{
		story: 'a confirmation message over 500 characters',
		parameters: { customer, flowType: 'payment_method_update', afterCompletion: 'hosted_confirmation', confirmationMessage: 'x'.repeat(501) },
		message: /^Confirmation Message: is 501 characters long$/,
		description: /at most 500/,
	},
	{
		story: 'a configuration ID of the wrong shape',
		parameters: { customer, additionalFields: { configuration: { __rl: true, mode: 'id', value: '={{ "../customers" }}' } } },
		message: /^Configuration: '\.\.\/customers' is not a valid ID$/,
		description: /bpc_/,
	},
	{
		story: 'a locale Stripe’s portal does not have',
		parameters: { customer, additionalFields: { locale: '={{ "en-US" }}' } },
		message: /^Locale: 'en-US' is not a portal locale$/,
		description: /en-GB/,
	},
	{
		story: 'an On Behalf Of that is not an account',
		parameters: { customer, additionalFields: { onBehalfOf: 'Acme Inc' } },
		message: /^On Behalf Of: 'Acme Inc' is not a valid ID$/,
		description: /acct_/,
	},
	{
		story: 'a login end date that is not a date',
		parameters: { customer, additionalFields: { loginExpiresAt: '={{ "next tuesday" }}' } },
		message: /^Login Available Until: 'next tuesday' is not a date and time$/,
		description: /\$now/,
	},
	{
		story: 'a login end date in the past',
		parameters: { customer, additionalFields: { loginExpiresAt: '2020-01-01T00:00:00Z' } },
		message: /^Login Available Until: 2020-01-01T00:00:00\.000Z is in the past$/,
		description: /future/,
	},
	{
		story: 'a login end date while the login is off',
		parameters: { customer, additionalFields: { loginAfterExpiry: false, loginExpiresAt: '2099-01-01T00:00:00Z' } },
		message: /^Login Available Until: is set while Login After Expiry is off$/,
		description: /Turn Login After Expiry on/,
	},
];

describe('bad input is stopped before any request', () => {
	it.each(badInputs)('$story', async ({ parameters, message, description }) => {
		const run = await runCreateSession(environment, parameters);
		expect(run.requests).toHaveLength(0);
		expect(run.error).toBeDefined();
		expect(run.error?.message).toMatch(message);
		expect(run.error?.description).toMatch(description);
		expect(run.error).toMatchObject({ context: { itemIndex: 0 } });
	});

	it('names the failing item and sends nothing for it, while Continue On Fail lets the valid items through', async () => {
		const run = await runCreateSession(
			environment,
			{ customer: customerById('={{ $json.customer }}') },
			[{ customer: SEED_IDS.jenny }, { customer: 'not-an-id' }, { customer: SEED_IDS.max }],
			{ continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.requests).toHaveLength(2);
		expect(run.items).toHaveLength(3);
		expect(run.items[0].json.customer).toBe(SEED_IDS.jenny);
		expect(run.items[1].json).toEqual({ error: "Customer: 'not-an-id' is not a valid ID" });
		expect(run.items[2].json.customer).toBe(SEED_IDS.max);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('refuses a literal ID or link of the wrong shape before anything is sent', async () => {
		const before = environment.sandbox.requests.length;
		const wrongId = await runCreateSession(environment, { customer: customerById('jenny.rosen@example.com') });
		expect(wrongId.error?.message).toBe("Customer: 'jenny.rosen@example.com' is not a valid ID");
		expect(wrongId.error?.description).toMatch(/looks like cus_/);
		const wrongLink = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'url', value: 'https://dashboard.stripe.com/test/invoices/in_1' },
		});
		expect(wrongLink.error?.message).toMatch(/is not a Stripe dashboard customer link/);
		const literalLink = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'url', value: `https://dashboard.stripe.com/test/customers/${SEED_IDS.max}#details` },
		});
		expect(literalLink.error).toBeUndefined();
		expect(literalLink.requests.map((request) => request.body.customer)).toEqual([SEED_IDS.max]);
		// Inside Additional Fields too.
		const nested = await runCreateSession(environment, {
			customer,
			additionalFields: { configuration: { __rl: true, mode: 'id', value: '../customers' } },
		});
		expect(nested.error?.message).toBe("Configuration: '../customers' is not a valid ID");
		expect(environment.sandbox.requests.length).toBe(before + 1);
	});

	it('fails the run on the first bad item without Continue On Fail, naming that item', async () => {
		const run = await runCreateSession(
			environment,
			{ customer: customerById('={{ $json.customer }}') },
			[{ customer: SEED_IDS.jenny }, { customer: 'not-an-id' }],
		);
		expect(run.error?.message).toBe("Customer: 'not-an-id' is not a valid ID");
		expect(run.error).toMatchObject({ context: { itemIndex: 1 } });
	});
});
