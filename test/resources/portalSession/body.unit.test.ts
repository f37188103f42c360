/**
 * buildSessionCreateBody, Portal Session → Create's preSend, against a stub context: the
 * parameters as n8n hands them over → the request options it passes on. No lookup runs here (a
 * customer by ID, no Subscription Source), so the body is the builder's alone; the engine stories
 * in create*.test.ts prove the same through n8n and the sandbox.
 */
import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import type Stripe from 'stripe';

import { buildSessionCreateBody } from '../../../nodes/StripeBillingPortal/resources/portalSession/body';
import { stubContext } from '../../support/stub-context';

const SESSIONS_PATH = '/v1/billing_portal/sessions';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

/** The request options n8n hands the hook: the operation's routing.request. */
const routed = (): IHttpRequestOptions => ({ method: 'POST', url: SESSIONS_PATH });

async function build(parameters: Record<string, unknown>): Promise<IHttpRequestOptions> {
	const context = stubContext({ parameters }) as unknown as IExecuteSingleFunctions;
	return await buildSessionCreateBody.call(context, routed());
}

describe('buildSessionCreateBody', () => {
	it('sends the customer and the return URL, nothing the user left empty', async () => {
		const expected: Stripe.BillingPortal.SessionCreateParams = { customer: 'cus_QXg4jK0yT7oZ3r', return_url: 'https://example.com/account' };
		await expect(
			build({ customer: byId('cus_QXg4jK0yT7oZ3r'), returnUrl: 'https://example.com/account', flowType: 'none', additionalFields: {} }),
		).resolves.toEqual({ method: 'POST', url: SESSIONS_PATH, body: expected });
	});

	it('deep-links a cancellation with a retention coupon and a redirect after completion', async () => {
		const expected: Stripe.BillingPortal.SessionCreateParams = {
			customer: 'cus_QXg4jK0yT7oZ3r',
			flow_data: {
				type: 'subscription_cancel',
				subscription_cancel: { subscription: 'sub_1PgKzb2eZvKYlo2C', retention: { type: 'coupon_offer', coupon_offer: { coupon: 'SAVE20' } } },
				after_completion: { type: 'redirect', redirect: { return_url: 'https://example.com/thanks' } },
			},
		};
		await expect(
			build({
				customer: byId('cus_QXg4jK0yT7oZ3r'),
				flowType: 'subscription_cancel',
				subscription: byId('sub_1PgKzb2eZvKYlo2C'),
				retentionCoupon: 'SAVE20',
				afterCompletion: 'redirect',
				redirectUrl: 'https://example.com/thanks',
			}),
		).resolves.toEqual({ method: 'POST', url: SESSIONS_PATH, body: expected });
	});

	it('sends a customer account and the additional fields, each under its Stripe name', async () => {
		const expected: Stripe.BillingPortal.SessionCreateParams = {
			customer_account: 'acct_1PgKyJ2eZvKYlo2C',
			configuration: 'bpc_1PgL0c2eZvKYlo2C',
			locale: 'de',
			on_behalf_of: 'acct_1PgKyJ2eZvKYlo2D',
			expand: ['configuration'],
		};
		await expect(
			build({
				customerType: 'customerAccount',
				customerAccount: 'acct_1PgKyJ2eZvKYlo2C',
				additionalFields: {
					configuration: byId('bpc_1PgL0c2eZvKYlo2C'),
					locale: 'de',
					onBehalfOf: 'acct_1PgKyJ2eZvKYlo2D',
					expand: ['configuration'],
				},
			}),
		).resolves.toEqual({ method: 'POST', url: SESSIONS_PATH, body: expected });
	});

	it('refuses an After Completion that is no option, listing the options', async () => {
		await expect(
			build({ customer: byId('cus_QXg4jK0yT7oZ3r'), flowType: 'payment_method_update', afterCompletion: 'thank_you_page' }),
		).rejects.toMatchObject({
			message: "After Completion: 'thank_you_page' is not an option",
			description: 'Choose one of: portal_homepage, redirect, hosted_confirmation.',
		});
	});

	it('refuses a customer ID of another kind before anything is sent, naming the field and the fix', async () => {
		const refusal = build({ customer: byId('sub_1PgKzb2eZvKYlo2C') });
		await expect(refusal).rejects.toMatchObject({
			message: "Customer: 'sub_1PgKzb2eZvKYlo2C' is not a valid ID",
			description: expect.stringMatching(/cus_/),
		});
	});
});
