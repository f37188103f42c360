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
