/**
 * The trigger's settings as an expression may give them, through n8n-core's HookContext and
 * WebhookContext: activation refuses one that cannot be used, naming the field and the fix, before
 * any request to Stripe, and a delivery refuses it too (fails closed, with a fixed answer) in case
 * an expression gives something else later. Nothing is read as a default it was not.
 */
import { resolve } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { loadPackage, TriggerUnderTest, type LoadedPackage } from '../harness';
import { DEFAULT_API_VERSION, StripeSandbox } from '../sandbox';
import { SECRET, event, signatureHeader } from './fixtures';

const PACKAGE_DIR = resolve(__dirname, '../..');
const KEY = 'sk_test_triggerSettings0001';
let pkg: LoadedPackage;
let sandbox: StripeSandbox;

beforeAll(async () => {
	pkg = await loadPackage(PACKAGE_DIR);
	sandbox = new StripeSandbox({ secretKeys: [KEY], webhooks: { allowLocalUrls: true, retryDelaysMs: [20, 20] } });
	await sandbox.start();
});
afterAll(async () => sandbox.stop());
beforeEach(() => sandbox.reset());

// Deliveries are remembered per workflow's trigger: each trigger gets its own workflow.
let workflows = 0;
function trigger(parameters: IDataObject) {
	workflows++;
	return new TriggerUnderTest({
		workflowId: `wf-settings-${workflows}`,
		pkg,
		nodeType: 'stripeBillingPortalTrigger',
		parameters: parameters as never,
		credentials: { type: 'stripeBillingPortalApi', data: { secretKey: KEY, apiVersion: DEFAULT_API_VERSION, baseUrl: sandbox.baseUrl } },
		baseUrl: 'http://127.0.0.1:5678',
	});
}

/** What n8n does on activation: create only when checkExists says there is nothing. */
async function activate(node: TriggerUnderTest): Promise<Error | undefined> {
	const exists = await node.hook('checkExists');
	if (exists.error || exists.value) return exists.error;
	return (await node.hook('create')).error;
}

const own = (parameters: IDataObject = {}) => trigger({ events: ['portalSessionCreated'], endpoint: 'own', signingSecret: SECRET, ...parameters });
const now = () => Math.floor(Date.now() / 1000);
const SESSION_URL = 'https://billing.stripe.com/p/session/test_settings';

function sessionDelivery(age = 0) {
	const created = now() - age;
	const payload = JSON.stringify(
		event({
			type: 'billing_portal.session.created',
			created,
			object: { id: 'bps_1', object: 'billing_portal.session', customer: 'cus_1', url: SESSION_URL, configuration: 'bpc_1', return_url: null, flow: null },
		}),
	);
	return { headers: { 'Stripe-Signature': signatureHeader(payload, { secret: SECRET, timestamp: created }), 'Content-Type': 'application/json' }, rawBody: Buffer.from(payload) };
}

const SETTINGS_REFUSAL = { status: 401, body: { received: false, error: 'This trigger’s settings cannot be used (n8n’s log, or activating the workflow again, says which); the delivery was refused.' } };

describe('Endpoint', () => {
	it.each(['={{ "Own" }}', '={{ "created by me" }}', '={{ ["own"] }}', '={{ "" }}'])('%s is refused at activation: no endpoint is registered', async (endpoint) => {
		const node = trigger({ events: ['canceled'], endpoint, signingSecret: SECRET });
		const error = await activate(node);
		expect(error?.message).toMatch(/^Endpoint: .* is neither of its options\. Choose 'Registered by This Trigger' or 'Created by Me', or make its expression give managed or own\.$/);
		expect(sandbox.requests).toHaveLength(0);
		expect(sandbox.webhooks.listEndpoints(false)).toHaveLength(0);
		expect((await node.deliver(sessionDelivery())).answered).toEqual(SETTINGS_REFUSAL);
	});

	it('own with spaces around is Created by Me: nothing is registered, deliveries verify with the Signing Secret', async () => {
		const node = own({ endpoint: '={{ " own " }}' });
		expect(await activate(node)).toBeUndefined();
		expect(sandbox.requests).toHaveLength(0);
		expect((await node.deliver(sessionDelivery())).result.workflowData?.[0]).toHaveLength(1);
	});
});

describe('Listen For', () => {
	it('an unknown entry is refused at activation, quoted, with the valid values, not dropped', async () => {
		const error = await activate(trigger({ events: ['canceled', 'cancelled'], endpoint: 'managed' }));
		expect(error?.message).toMatch(/^Listen For: 'cancelled' is not an outcome\. Valid values: canceled, cancellationScheduled, .*portalConfigurationUpdated\.$/);
		expect(sandbox.requests).toHaveLength(0);
	});

	it('entries that are not text are quoted too, and a long one is cut short', async () => {
		const error = await activate(trigger({ events: '={{ ["canceled", "Canceled", 42, {"a":1}, "x".repeat(200000)] }}', endpoint: 'managed' }));
		expect(error?.message).toMatch(/^Listen For: 'Canceled', '42', '\{"a":1\}' and 1 more are not outcomes\. Valid values: /);
		const long = await activate(trigger({ events: '={{ "x".repeat(200000) }}', endpoint: 'managed' }));
		expect(long?.message).toMatch(/^Listen For: 'x{77}…' is not an outcome/);
		expect(long?.message.length).toBeLessThan(400);
		expect(sandbox.requests).toHaveLength(0);
	});

	it('comma-separated text from an expression is read as the list it names, empty entries skipped', async () => {
		expect(await activate(trigger({ events: '={{ "canceled, , paused," }}', endpoint: 'managed' }))).toBeUndefined();
		const [endpoint] = sandbox.webhooks.listEndpoints(false);
		expect([...endpoint.enabled_events].sort()).toEqual(['customer.subscription.deleted', 'customer.subscription.paused', 'customer.subscription.updated']);
	});

	it.each([[[]], ['={{ "" }}'], ['={{ " , " }}']])('%j, no outcome at all, is refused at activation: nothing is registered, and deliveries are refused', async (events) => {
		const message = 'Listen For has no outcome: choose at least one (e.g. Canceled) so that Stripe knows which events to send.';
		expect((await activate(trigger({ events, endpoint: 'managed' })))?.message).toBe(message);
		expect(sandbox.requests).toHaveLength(0);
		const node = own({ events });
		expect((await activate(node))?.message).toBe(message);
		expect((await node.deliver(sessionDelivery())).answered).toEqual(SETTINGS_REFUSAL);
	});

	it('is checked for an endpoint Created by Me too', async () => {
		const error = await activate(own({ events: ['portalSessionCreated', 'sessionCreated'] }));
		expect(error?.message).toMatch(/^Listen For: 'sessionCreated' is not an outcome/);
	});
});

describe('Signing Secret (Created by Me)', () => {
	it.each([
		['empty', '', /^Signing Secret is empty\. Paste the signing secret \(whsec_…\)/],
		['only spaces', '   ', /^Signing Secret is empty\./],
		['empty from an expression', '={{ "" }}', /^Signing Secret is empty\./],
		['not a signing secret', 'not-a-secret', /^Signing Secret does not start with whsec_, so it is not a webhook signing secret\./],
		['an object', '={{ {"a":1} }}', /^Signing Secret: an object is not text\./],
		['a list', `={{ ["${SECRET}"] }}`, /^Signing Secret: a list is not text\./],
	])('%s is refused at activation, without repeating the value', async (_story, signingSecret, message) => {
		const node = own({ signingSecret });
		const error = await activate(node);
		expect(error?.message).toMatch(message);
		expect(error?.message).not.toContain(SECRET);
		expect(error?.message).not.toContain('not-a-secret');
		const delivery = await node.deliver(sessionDelivery());
		expect(delivery.answered).toEqual(SETTINGS_REFUSAL);
		expect(delivery.logs.join('\n')).not.toContain(SECRET);
	});

	it('pasted in quotes with a line break is the secret itself: deliveries verify', async () => {
		const node = own({ signingSecret: ` "${SECRET}"\n` });
		expect(await activate(node)).toBeUndefined();
		expect((await node.deliver(sessionDelivery())).result.workflowData?.[0]).toHaveLength(1);
	});
});

describe('Signature Tolerance', () => {
	it.each(['={{ true }}', '={{ [5] }}', '={{ 0.5 }}', '={{ "abc" }}', '={{ {"a":1} }}', '={{ "10 s" }}', '={{ -1 }}', '={{ 0 }}', '={{ 3601 }}', '={{ 100000000 }}'])(
		'%s is refused at activation and on delivery, never read as another number',
		async (toleranceSeconds) => {
			const node = own({ options: { toleranceSeconds } });
			const error = await activate(node);
			expect(error?.message).toMatch(/^Signature Tolerance \(Seconds\): .* is not a whole number of seconds from 1 to 3600\. Enter one, e.g\. 300 \(the default\), or remove the option\.$/);
			const delivery = await node.deliver(sessionDelivery());
			expect(delivery.answered).toEqual(SETTINGS_REFUSAL);
			expect(delivery.result.workflowData).toBeUndefined();
		},
	);

	it('1 second, the smallest, is accepted: a delivery signed now verifies, one signed 5 s ago is refused', async () => {
		const node = own({ options: { toleranceSeconds: 1 } });
		expect(await activate(node)).toBeUndefined();
		expect((await node.deliver(sessionDelivery())).result.workflowData?.[0]).toHaveLength(1);
		expect((await node.deliver(sessionDelivery(5))).answered?.status).toBe(401);
	});

	it('text spelling a whole number is that many seconds; one with a fraction is refused', async () => {
		const node = own({ options: { toleranceSeconds: '={{ " 60 " }}' } });
		expect(await activate(node)).toBeUndefined();
		expect((await node.deliver(sessionDelivery(30))).result.workflowData?.[0]).toHaveLength(1);
		expect((await node.deliver(sessionDelivery(90))).answered?.status).toBe(401);
		expect((await activate(own({ options: { toleranceSeconds: '={{ "60.5" }}' } })))?.message).toMatch(/^Signature Tolerance \(Seconds\): '60\.5' is not a whole number/);
	});
});

describe('Include Portal Session URL', () => {
	it('the text "true" or "false" from an expression is read as the yes/no it spells, as the switch is', async () => {
		const urls: unknown[] = [];
		for (const includeSessionUrl of ['={{ "true" }}', '={{ " TRUE " }}', '={{ "false" }}', true, false]) {
			const node = own({ options: { includeSessionUrl } });
			expect(await activate(node)).toBeUndefined();
			const [item] = (await node.deliver(sessionDelivery())).result.workflowData?.[0] ?? [];
			urls.push((item?.json.to as IDataObject | undefined)?.url);
		}
		expect(urls).toEqual([SESSION_URL, SESSION_URL, '[redacted]', SESSION_URL, '[redacted]']);
	});

	it.each(['={{ "yes" }}', '={{ 1 }}'])('%s is refused at activation', async (includeSessionUrl) => {
		const node = own({ options: { includeSessionUrl } });
		expect((await activate(node))?.message).toMatch(/^Include Portal Session URL: .* is not true or false\. Turn the switch on or off, or make its expression give true or false\.$/);
		expect((await node.deliver(sessionDelivery())).answered).toEqual(SETTINGS_REFUSAL);
	});
});
