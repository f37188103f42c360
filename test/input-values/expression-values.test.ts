/**
 * Values as expressions hand them over: NaN, Infinity, blanks, booleans, lists, text where a
 * list belongs. Each is either read as the user meant it or refused before any request with the
 * field's name; none becomes a silent 0, an `expand[0][a]` or an exception without a field.
 */
import type { INodeParameters } from 'n8n-workflow';

import { SEED_IDS } from '../sandbox';
import { customerById, runCreateSession, sessionBody, useEnvironment } from '../support/session';

const environment = useEnvironment();
const customer = customerById(SEED_IDS.jenny);
const SUBSCRIPTION = SEED_IDS.jennyPro;
const ITEM = SEED_IDS.jennyProItem;

const confirmUpdate = (itemChanges: INodeParameters): INodeParameters => ({
	customer,
	flowType: 'subscription_update_confirm',
	subscription: { __rl: true, mode: 'id', value: SUBSCRIPTION },
	subscriptionItem: { __rl: true, mode: 'id', value: ITEM },
	itemChanges,
});

describe('Login Available Until from an expression', () => {
	it.each([
		['NaN', '={{ NaN }}'],
		['Infinity', '={{ Infinity }}'],
		['-Infinity', '={{ -Infinity }}'],
		['true', '={{ true }}'],
		['a list', '={{ [1] }}'],
	])('%s is refused with the field’s name, before any request', async (_story, value) => {
		const run = await runCreateSession(environment, { customer, additionalFields: { loginAfterExpiry: true, loginExpiresAt: value } });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(/^Login Available Until: .+ is not a date and time$/);
	});

	it('takes Unix seconds, also as text, and milliseconds', async () => {
		const seconds = Math.floor(Date.now() / 1000) + 86_400;
		for (const value of [`={{ ${seconds} }}`, `={{ "${seconds}" }}`, `={{ ${seconds * 1000} }}`]) {
			const run = await runCreateSession(environment, { customer, additionalFields: { loginAfterExpiry: true, loginExpiresAt: value } });
			expect(run.error).toBeUndefined();
			expect(sessionBody(run.requests[0]).after_expiration).toEqual({ type: 'customer_login', customer_login: { expires_at: String(seconds) } });
		}
	});
});

describe('New Quantity from an expression', () => {
	it('blank (whitespace or nothing) is left out, not sent as quantity=0', async () => {
		for (const quantity of ['={{ "   " }}', '={{ null }}', '']) {
			const run = await runCreateSession(environment, confirmUpdate({ price: SEED_IDS.proYearly, quantity }));
			expect(run.error).toBeUndefined();
			const items = sessionBody(run.requests[0]).flow_data?.subscription_update_confirm?.items ?? [];
			expect(items[0]).not.toHaveProperty('quantity');
		}
	});

	it.each([
		['false', '={{ false }}'],
		['an empty list', '={{ [] }}'],
		['NaN', '={{ NaN }}'],
		['text', '={{ "3 seats" }}'],
	])('%s is refused, naming the field', async (_story, quantity) => {
		const run = await runCreateSession(environment, confirmUpdate({ quantity }));
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(/^New Quantity: .+ is not a whole number of zero or more$/);
	});

	it('a number as text is the number', async () => {
		const run = await runCreateSession(environment, confirmUpdate({ quantity: '={{ " 3 " }}' }));
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0]).flow_data?.subscription_update_confirm?.items[0]).toMatchObject({ quantity: '3' });
	});
});

describe('Expand from an expression', () => {
	it.each([
		['text', '={{ "configuration" }}'],
		['comma-separated text, repeated', '={{ "configuration, configuration" }}'],
		['a list', '={{ ["configuration"] }}'],
	])('%s is sent as expand[]=configuration', async (_story, expand) => {
		const run = await runCreateSession(environment, { customer, additionalFields: { expand } });
		expect(run.error).toBeUndefined();
		expect(run.requests[0].rawBody).toContain('expand%5B%5D=configuration');
		expect(sessionBody(run.requests[0]).expand).toEqual(['configuration']);
		expect(run.items[0].json.configuration).toMatchObject({ object: 'billing_portal.configuration' });
	});

	it.each([
		['objects', '={{ [{ "a": 1 }] }}'],
		['a path the session cannot expand', '={{ "customer" }}'],
	])('%s are refused, not sent as nested values', async (_story, expand) => {
		const run = await runCreateSession(environment, { customer, additionalFields: { expand } });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(/^Additional Fields → Expand: .+ cannot be expanded here$/);
		expect(run.error?.description).toMatch(/'configuration'/);
	});
});

describe('Request Settings numbers from an expression', () => {
	it.each([
		['Max Requests per Second', { maxRequestsPerSecond: '={{ [] }}' }, /^Request Settings → Max Requests per Second: '\[\]' is not 0 or a number from 0.001$/],
		['Max Requests per Second', { maxRequestsPerSecond: '={{ Infinity }}' }, /^Request Settings → Max Requests per Second: 'Infinity' is not 0 or a number from 0.001$/],
		['Retries', { retries: '={{ false }}' }, /^Request Settings → Retries: 'false' is not a whole number from 0 to 10$/],
	])('%s: an empty list, Infinity or false is refused, not read as 0', async (_field, requestSettings, message) => {
		const run = await runCreateSession(environment, { customer, requestSettings });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(message);
	});
});

/*
 * Every option, yes/no and text field of a session reads an expression's value by the field's
 * kind: a yes/no is true or false (the text too), an option is one of its values (empty is the
 * default), a text is one value. Before, the text 'false' turned Login After Expiry on, a
 * discount Type that was neither option fell back to a coupon, and a list or object reached
 * Stripe as its JSON text.
 */
describe('yes/no, option and text fields of a session from an expression', () => {
	const cancelFlow = (parameters: INodeParameters): INodeParameters => ({
		customer,
		flowType: 'subscription_cancel',
		subscription: { __rl: true, mode: 'id', value: SUBSCRIPTION },
		...parameters,
	});

	it('Login After Expiry: the text "false" is off (nothing sent), the text "true" is on', async () => {
		const off = await runCreateSession(environment, { customer, additionalFields: { loginAfterExpiry: '={{ $json.v }}' } }, [{ v: 'false' }]);
		expect(off.error).toBeUndefined();
		expect(sessionBody(off.requests[0])).not.toHaveProperty('after_expiration');
		const on = await runCreateSession(environment, { customer, additionalFields: { loginAfterExpiry: '={{ $json.v }}' } }, [{ v: 'true' }]);
		expect(on.error).toBeUndefined();
		expect(sessionBody(on.requests[0]).after_expiration).toEqual({ type: 'customer_login' });
	});

	it('Login Available Until with Login After Expiry the text "false": refused as set while off, before any request', async () => {
		const seconds = Math.floor(Date.now() / 1000) + 86_400;
		const run = await runCreateSession(environment, { customer, additionalFields: { loginAfterExpiry: '={{ "false" }}', loginExpiresAt: seconds } });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toBe('Login Available Until: is set while Login After Expiry is off');
	});

	it.each([
		['"no"', 'no', /^Login After Expiry: 'no' is not true or false$/],
		['a list', ['true'], /^Login After Expiry: '\["true"\]' is not true or false$/],
		['-1', -1, /^Login After Expiry: '-1' is not true or false$/],
	])('Login After Expiry %s is refused with the field’s name, before any request', async (_story, v, message) => {
		const run = await runCreateSession(environment, { customer, additionalFields: { loginAfterExpiry: '={{ $json.v }}' } }, [{ v }]);
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(message);
	});

	it('Discounts → Type neither Coupon nor Promotion Code (promotion_code): refused, not sent as a coupon', async () => {
		const run = await runCreateSession(
			environment,
			{ ...confirmUpdate({ quantity: 2 }), discounts: { discount: [{ type: '={{ $json.v }}', id: SEED_IDS.promotionCode }] } },
			[{ v: 'promotion_code' }],
		);
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toBe("Discounts (entry 1) → Type: 'promotion_code' is not an option");
		expect(run.error?.description).toBe('Choose one of: coupon, promotionCode.');
	});

	it('Discounts → Type empty from an expression is the default, Coupon', async () => {
		const run = await runCreateSession(environment, { ...confirmUpdate({ quantity: 2 }), discounts: { discount: [{ type: '={{ "" }}', id: SEED_IDS.coupon }] } });
		expect(run.error).toBeUndefined();
		expect(sessionBody(run.requests[0]).flow_data?.subscription_update_confirm?.discounts).toEqual([{ coupon: SEED_IDS.coupon }]);
	});

	it('Discounts → ID a list: refused with the entry named, not sent as "a,b"', async () => {
		const run = await runCreateSession(environment, { ...confirmUpdate({ quantity: 2 }), discounts: { discount: [{ type: 'coupon', id: '={{ ["A", "B"] }}' }] } });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toBe(`Discounts (entry 1) → ID: '["A","B"]' is a list, not a single value`);
	});

	it.each([
		['Confirmation Message an object', { afterCompletion: 'hosted_confirmation', confirmationMessage: '={{ { message: "Thanks" } }}' }, /^Confirmation Message: '\{"message":"Thanks"\}' is an object, not a single value$/],
		['Retention Coupon a list', { retentionCoupon: '={{ ["SAVE10"] }}' }, /^Retention Coupon: '\["SAVE10"\]' is a list, not a single value$/],
		['Flow a list', { flowType: '={{ ["subscription_cancel"] }}' }, /^Flow: '\["subscription_cancel"\]' is a list, not a single value$/],
	])('%s: refused with the field’s name, not sent as its JSON text', async (_story, parameters, message) => {
		const run = await runCreateSession(environment, cancelFlow(parameters));
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(message);
	});

	it('Return URL an object: refused, not sent as JSON text', async () => {
		const run = await runCreateSession(environment, { customer, returnUrl: '={{ { url: "https://example.com" } }}' });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(/^Return URL: .+ is an object, not a single value$/);
	});

	it.each([
		['a tab', 'https://exa\tmple.com/account', /^Return URL: [\s\S]+ contains the character U\+0009 at position 12$/],
		['a line break', 'https://example.com/acc\nount', /^Return URL: [\s\S]+ contains the character U\+000A at position 24$/],
		['a space', 'https://example.com/my account', /^Return URL: .+ contains a space at position 23$/],
		['a no-break space', 'https://example.com/\u00a0x', /^Return URL: .+ contains the character U\+00A0 at position 21$/],
		['a zero-width space', 'https://example.com/\u200bx', /^Return URL: .+ contains the character U\+200B at position 21$/],
		['a byte order mark', 'https://example.com/\ufeffx', /^Return URL: .+ contains the character U\+FEFF at position 21$/],
		['an ideographic space', 'https://example.com/\u3000x', /^Return URL: .+ contains the character U\+3000 at position 21$/],
	])('Return URL with %s inside (which URL parsing drops or encodes, so the check would pass what is not sent): refused', async (_story, v, message) => {
		const run = await runCreateSession(environment, { customer, returnUrl: '={{ $json.v }}' }, [{ v }]);
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(message);
	});

	it('Redirect URL with a line break: refused the same way', async () => {
		const run = await runCreateSession(environment, cancelFlow({ afterCompletion: 'redirect', redirectUrl: '={{ $json.v }}' }), [{ v: 'https://example.com/th\nanks' }]);
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toMatch(/^Redirect URL: [\s\S]+ contains the character U\+000A at position 23$/);
	});

	it('If Several Customers Match empty from an expression is the default (fail), like every other option field', async () => {
		const run = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' },
			additionalFields: { multipleCustomers: '={{ "  " }}' },
		});
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/customers', 'POST /v1/billing_portal/sessions']);
	});

	it('If Several Customers Match neither option: refused before any request', async () => {
		const run = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' },
			additionalFields: { multipleCustomers: '={{ "newest" }}' },
		});
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toBe("If Several Customers Match: 'newest' is not an option");
	});

	it('Customer Type neither option (a workflow edited by hand): refused, not read as Customer', async () => {
		const run = await runCreateSession(environment, { customerType: 'customers', customer });
		expect(run.requests).toHaveLength(0);
		expect(run.error?.message).toBe("Customer Type: 'customers' is not an option");
	});
});
