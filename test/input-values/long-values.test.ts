/**
 * A value of any length, typed or handed over by an expression (or a model, when the node is an
 * AI tool), gets a short message in about the time a short one does: messages quote at most 80
 * characters of it, and nothing on the way scans it in quadratic time.
 *
 * The time bounds are generous for a loaded 2-core machine; before the fix these runs took tens
 * of seconds (a 200,000-character value made a message as long, and the agent wording scanned it
 * in quadratic time).
 */
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../harness';
import { SEED_IDS } from '../sandbox';
import { configurationById, runConfiguration } from '../support/configuration';
import { NODE_TYPE, createSessionParameters, credentialsFor, customerById, runCreateSession, runStripeNode, useEnvironment } from '../support/session';

const environment = useEnvironment();
const customer = customerById(SEED_IDS.jenny);

/** Long, and made of the characters that trip trailing-space patterns. */
const LONG_VALUE = `x${' '.repeat(200_000)}y`;
const QUOTED = `'x${' '.repeat(76)}…'`;
const BOUND_MS = 15_000;

async function timed<T>(work: () => Promise<T>): Promise<T & { ms: number }> {
	const started = performance.now();
	const result = await work();
	return { ...result, ms: performance.now() - started };
}

describe('a 200,000-character value in a field that names it in its error', () => {
	it.each([
		['Locale', { additionalFields: { locale: LONG_VALUE } }, `Locale: ${QUOTED} is not a portal locale`],
		['Flow', { flowType: LONG_VALUE }, `Flow: ${QUOTED} is not a flow type`],
		['After Completion', { flowType: 'payment_method_update', afterCompletion: LONG_VALUE }, `After Completion: ${QUOTED} is not an option`],
	])('%s: the message quotes 80 characters of it, before any request', async (_field, parameters, message) => {
		const run = await timed(() => runCreateSession(environment, { customer, ...parameters }));
		expect(run.error?.message).toBe(message);
		expect(run.requests).toHaveLength(0);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});

	it('as an AI tool, the message the model reads is as short, with the fix after it', async () => {
		const run = await timed(async () => {
			const before = environment.sandbox.requests.length;
			const result = await runNode({
				pkg: environment.pkg,
				nodeType: `${NODE_TYPE}Tool`,
				// The tool-only switch on (the customer is fixed by the workflow), so the value itself is checked.
				parameters: createSessionParameters({ customer, sessionLinkToModel: true, additionalFields: { locale: LONG_VALUE } }),
				items: [{}],
				credentials: credentialsFor(environment.sandbox),
			});
			return { ...result, requests: environment.sandbox.requests.slice(before) };
		});
		expect(run.error?.message).toMatch(new RegExp(`^Locale: ${QUOTED} is not a portal locale\\. \\S`));
		expect(run.error?.message.length).toBeLessThan(400);
		expect(run.requests).toHaveLength(0);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});
});

describe('an ID of 100,000 characters (Stripe’s IDs have at most 255)', () => {
	const longId = (prefix: string) => `${prefix}_${'a'.repeat(100_000)}`;
	const quotedId = (prefix: string) => `'${longId(prefix).slice(0, 77)}…'`;
	const tooLong = (prefix: string) => `${quotedId(prefix)} is not a valid ID: it has ${longId(prefix).length} characters, and Stripe's IDs have at most 255`;

	it.each([
		['Customer', { customer: customerById(longId('cus')) }, `Customer: ${tooLong('cus')}`],
		['Customer Account', { customerType: 'customerAccount', customerAccount: longId('acct'), flowType: 'subscription_pause' }, `Customer Account: ${tooLong('acct')}`],
		[
			'Subscription Item',
			{
				customer,
				flowType: 'subscription_update_confirm',
				subscription: { __rl: true, mode: 'id', value: SEED_IDS.jennyPro },
				subscriptionItem: { __rl: true, mode: 'id', value: longId('si') },
				itemChanges: { quantity: 2 },
			},
			`Subscription Item: ${tooLong('si')}`,
		],
	])('%s of a session: refused with a short message, before any request', async (_field, parameters, message) => {
		const run = await timed(() => runCreateSession(environment, parameters));
		expect(run.error?.message).toBe(message);
		expect(run.requests).toHaveLength(0);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});

	it('Customer of a login link: refused with a short message, before any request', async () => {
		const run = await timed(() => runStripeNode(environment, { resource: 'portalLoginLink', operation: 'get', customer: customerById(longId('cus')) }));
		expect(run.error?.message).toBe(`Customer: ${tooLong('cus')}`);
		expect(run.requests).toHaveLength(0);
	});

	it('an ID of exactly 255 characters is still one', async () => {
		const id = `cus_${'a'.repeat(251)}`;
		const run = await runCreateSession(environment, { customer: customerById(id), requestSettings: { retries: 0 } });
		expect(run.requests.map((request) => request.body?.customer)).toEqual([id]);
	});
});

describe('a 200,000-character coupon ID (Stripe takes at most 5,000 characters in any text)', () => {
	const LONG_COUPON = 'A'.repeat(200_000);
	it.each([
		['Retention Coupon', { flowType: 'subscription_cancel', subscription: { __rl: true, mode: 'id', value: SEED_IDS.jennyPro }, retentionCoupon: LONG_COUPON }, 'Retention Coupon: is 200000 characters long'],
		[
			'a discount’s ID',
			{
				flowType: 'subscription_update_confirm',
				subscription: { __rl: true, mode: 'id', value: SEED_IDS.jennyPro },
				subscriptionItem: { __rl: true, mode: 'id', value: SEED_IDS.jennyProItem },
				itemChanges: { quantity: 2 },
				discounts: { discount: [{ type: 'coupon', id: LONG_COUPON }] },
			},
			'Discounts (entry 1): is 200000 characters long',
		],
	])('%s: refused before any request, instead of a 200 kB request Stripe refuses', async (_field, parameters, message) => {
		const run = await timed(() => runCreateSession(environment, { customer, ...parameters }));
		expect(run.error?.message).toBe(message);
		expect(run.error?.description).toMatch(/^Stripe accepts at most 5000 characters here\. /);
		expect(run.requests).toHaveLength(0);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});
});

describe('Portal Configuration', () => {
	const json = (configuration: unknown): INodeParameters => ({ inputMode: 'json', configurationJson: JSON.stringify(configuration) });

	it.each([
		['an unknown JSON key', json({ features: { invoice_history: { enabled: true } }, [LONG_VALUE]: 1 }), `Configuration (JSON): ${QUOTED} is not a parameter of a portal configuration`],
		[
			'an unknown JSON key deeper down',
			json({ features: { invoice_history: { enabled: true, [LONG_VALUE]: true } } }),
			`Configuration (JSON): '${`features.invoice_history.${LONG_VALUE}`.slice(0, 77)}…' is not a parameter of a portal configuration`,
		],
	])('%s: the message quotes 80 characters of it, before any request', async (_story, parameters, message) => {
		const run = await timed(() => runConfiguration(environment, 'create', parameters));
		expect(run.error?.message).toBe(message);
		expect(run.requests).toHaveLength(0);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});

	it('Clear Fields on Update: the message quotes 80 characters of it, before any request', async () => {
		const parameters = { configuration: configurationById(SEED_IDS.defaultConfiguration), inputMode: 'fields', updateFields: { clearFields: [LONG_VALUE] } };
		const run = await timed(() => runConfiguration(environment, 'update', parameters));
		const message = `Clear Fields: ${QUOTED} is not a field that can be cleared`;
		expect(run.error?.message).toBe(message);
		expect(run.requests).toHaveLength(0);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});
});

describe('a server message padded with 200,000 spaces and dots', () => {
	it('reaches the message cut to 1,000 characters, in linear time, with the fix after it', async () => {
		environment.sandbox.queueFault({
			kind: 'status',
			status: 400,
			body: { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used once${' .'.repeat(100_000)}` } },
		});
		const run = await timed(() => runCreateSession(environment, { customer, requestSettings: { idempotencyKey: 'ticket-1', retries: 0 } }));
		expect(run.error?.message).toMatch(/^Keys for idempotent requests can only be used once \. \..*…\. Request Settings → Idempotency Key: give each distinct request its own key/);
		expect(run.error?.message.length).toBeLessThan(1_300);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});
});

describe('a Base URL with a long run of slashes', () => {
	it('is read in linear time, and the message names 80 characters of it', async () => {
		const baseUrl = `http://127.0.0.1:1${'/'.repeat(200_000)}x`;
		const run = await timed(() => runCreateSession(environment, { customer, requestSettings: { retries: 0 } }, [{}], { credentials: { baseUrl } }));
		expect(run.error?.message).toBe(`Could not reach Stripe at ${baseUrl.slice(0, 77)}…: The connection was refused`);
		expect(run.ms).toBeLessThan(BOUND_MS);
	});
});
