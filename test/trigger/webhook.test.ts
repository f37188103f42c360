/**
 * Deliveries through n8n-core's WebhookContext to the built trigger: what starts an execution
 * (and with which items), what is refused (and that the refusal echoes nothing), what a
 * redelivery does. The endpoint here is one the user created (Signing Secret), or one whose
 * secret an activation stored, so no Stripe is needed: the deliveries are Stripe's, signed by
 * the `stripe` package.
 */
import { resolve } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { loadPackage, TriggerUnderTest, type LoadedPackage } from '../harness';
import { API_VERSION, SECRET, cancellationFeedbackEvent, cancellationScheduledEvent, event, signatureHeader, subscription } from './fixtures';

const PACKAGE_DIR = resolve(__dirname, '../..');
const TEST_KEY = 'sk_test_51QfTriggerKey000000000000000';
let pkg: LoadedPackage;

beforeAll(async () => {
	pkg = await loadPackage(PACKAGE_DIR);
});

// Deliveries are remembered per process and per workflow's trigger: each test gets its own workflow.
let workflows = 0;

function trigger(parameters: IDataObject = {}, staticData?: IDataObject, secretKey = TEST_KEY) {
	workflows++;
	return new TriggerUnderTest({
		workflowId: `wf-webhook-${workflows}`,
		pkg,
		nodeType: 'stripeBillingPortalTrigger',
		parameters: { events: ['cancellationScheduled', 'cancellationFeedbackGiven', 'canceled', 'portalSessionCreated'], endpoint: 'own', signingSecret: SECRET, ...parameters },
		credentials: { type: 'stripeBillingPortalApi', data: { secretKey, apiVersion: API_VERSION, baseUrl: 'http://127.0.0.1:9' } },
		staticData,
	});
}

const now = () => Math.floor(Date.now() / 1000);

function signed(raw: Record<string, unknown>, { secret = SECRET, timestamp = now() }: { secret?: string; timestamp?: number } = {}) {
	const payload = JSON.stringify(raw);
	return { headers: { 'Stripe-Signature': signatureHeader(payload, { secret, timestamp }), 'Content-Type': 'application/json' }, rawBody: Buffer.from(payload) };
}

function fresh(raw: Record<string, unknown>): Record<string, unknown> {
	return { ...raw, created: now() };
}

describe('a signed delivery', () => {
	it('starts one execution with one flat item per outcome, the raw event under rawEvent', async () => {
		const raw = fresh(cancellationFeedbackEvent());
		const { result, answered } = await trigger().deliver(signed(raw));
		// n8n answers Stripe (responseMode onReceived) and runs the workflow after.
		expect(answered).toBeUndefined();
		expect(result.workflowData).toHaveLength(1);
		expect(result.workflowData?.[0]).toEqual([
			{
				json: {
					outcome: 'cancellationFeedbackGiven',
					customer: 'cus_RYa8hE2nXk1pQz',
					subscription: 'sub_1QfTx9Lk3cP0rT7mW2nB4vZq',
					reason: 'cancellation_requested',
					feedback: 'too_expensive',
					feedbackOption: null,
					comment: 'We moved to a cheaper plan elsewhere',
					from: { feedback: null, feedbackOption: null, comment: null },
					to: { feedback: 'too_expensive', feedbackOption: null, comment: 'We moved to a cheaper plan elsewhere' },
					occurredAt: new Date((raw.created as number) * 1000).toISOString(),
					livemode: false,
					stale: false,
					event: {
						id: raw.id,
						type: 'customer.subscription.updated',
						created: raw.created,
						apiVersion: API_VERSION,
						account: null,
						requestId: 'req_Zx8Kp2Lq9Wm3Nb',
						idempotencyKey: '9f0c2a4e-6b1d-4c8e-a3f5-7d2b9e1c0a64',
					},
					rawEvent: raw,
				},
			},
		]);
	});

	it('delivered twice (Stripe retries) starts one execution; the second is acknowledged with 200', async () => {
		const node = trigger();
		const delivery = signed(fresh(cancellationScheduledEvent()));
		expect((await node.deliver(delivery)).result.workflowData?.[0]).toHaveLength(1);
		const again = await node.deliver(delivery);
		expect(again.result).toEqual({ noWebhookResponse: true });
		expect(again.answered).toEqual({ status: 200, body: { received: true } });
	});

	it('to two triggers of one workflow sharing a signing secret (two `stripe listen` forwards) starts each one', async () => {
		workflows++;
		const [first, second] = ['node-first', 'node-second'].map(
			(nodeId) =>
				new TriggerUnderTest({
					workflowId: `wf-webhook-${workflows}`,
					nodeId,
					pkg,
					nodeType: 'stripeBillingPortalTrigger',
					parameters: { events: ['cancellationScheduled'], endpoint: 'own', signingSecret: SECRET },
					credentials: { type: 'stripeBillingPortalApi', data: { secretKey: TEST_KEY, apiVersion: API_VERSION, baseUrl: 'http://127.0.0.1:9' } },
				}),
		);
		const delivery = signed(fresh(cancellationScheduledEvent()));
		expect((await first.deliver(delivery)).result.workflowData?.[0]).toHaveLength(1);
		expect((await second.deliver(delivery)).result.workflowData?.[0]).toHaveLength(1);
		// Each still remembers its own: the redelivery to either starts nothing.
		expect((await second.deliver(delivery)).result.workflowData).toBeUndefined();
	});

	it('an update older than one already seen for the subscription is marked stale', async () => {
		const node = trigger({ events: ['cancellationScheduled', 'cancellationWithdrawn'] });
		const t = now();
		const withdrawn = event({
			type: 'customer.subscription.updated',
			created: t,
			object: subscription(),
			previous: { cancel_at: t + 1000, cancel_at_period_end: true, canceled_at: t - 5 },
		});
		const scheduled = { ...cancellationScheduledEvent(), created: t - 5 };
		const first = await node.deliver(signed(withdrawn));
		expect(first.result.workflowData?.[0].map((item) => [item.json.outcome, item.json.stale])).toEqual([['cancellationWithdrawn', false]]);
		const late = await node.deliver(signed(scheduled));
		expect(late.result.workflowData?.[0].map((item) => [item.json.outcome, item.json.stale])).toEqual([['cancellationScheduled', true]]);
	});

	it('of an event that matches no chosen outcome starts nothing and is acknowledged', async () => {
		const { result, answered } = await trigger({ events: ['canceled'] }).deliver(signed(fresh(cancellationScheduledEvent())));
		expect(result).toEqual({ noWebhookResponse: true });
		expect(answered).toEqual({ status: 200, body: { received: true } });
	});

	it('of a portal session hides its URL in the item and in rawEvent', async () => {
		const session = { id: 'bps_1QfU21Lk3cP0rT7mAbCd', object: 'billing_portal.session', customer: 'cus_RYa8hE2nXk1pQz', url: 'https://billing.stripe.com/p/session/test_YWNjdF8xUWZU', return_url: null, configuration: 'bpc_1', flow: null };
		const { result } = await trigger().deliver(signed(fresh(event({ type: 'billing_portal.session.created', object: session }))));
		const json = result.workflowData?.[0][0].json;
		expect(JSON.stringify(json)).not.toContain('billing.stripe.com');
		expect(json?.to).toMatchObject({ url: '[redacted]' });
		expect((json?.rawEvent as { data: { object: { url: string } } }).data.object.url).toBe('[redacted]');
	});

	it('to an endpoint this trigger registered is checked against the mode Stripe registered it in', async () => {
		const staticData = { 'node:Stripe Billing Portal Trigger': { endpointId: 'we_1QfU30Lk3cP0rT7m', endpointSecret: SECRET, endpointLivemode: false } };
		// The key was changed to a live one since: the endpoint still lives in test mode and gets test events.
		const node = trigger({ endpoint: 'managed', signingSecret: '' }, staticData, 'rk_live_51QfTriggerLiveKey0000000000');
		expect((await node.deliver(signed(fresh(cancellationScheduledEvent())))).result.workflowData?.[0]).toHaveLength(1);
		const live = await node.deliver(signed({ ...fresh(cancellationScheduledEvent()), livemode: true }));
		expect(live.answered?.status).toBe(400);
	});

	it('to an endpoint this trigger registered is verified with the secret stored at activation', async () => {
		const node = trigger({ endpoint: 'managed', signingSecret: '' }, { 'node:Stripe Billing Portal Trigger': { endpointId: 'we_1QfU30Lk3cP0rT7m', endpointSecret: SECRET } });
		const { result } = await node.deliver(signed(fresh(cancellationScheduledEvent())));
		expect(result.workflowData?.[0]).toHaveLength(1);
	});
});

describe('what a delivery is read from', () => {
	it('the signed bytes, not the host’s parse, where the host may have read them otherwise (headers are not signed)', async () => {
		const raw = fresh(cancellationScheduledEvent());
		const delivery = signed(raw);
		const otherParse = { ...raw, id: 'evt_1HostParsedOtherwise', data: { object: { ...subscription(), customer: 'cus_Attacker00000' } } };
		for (const contentType of ['text/plain', 'application/json; charset=latin1']) {
			const { result } = await trigger().deliver({ headers: { ...delivery.headers, 'Content-Type': contentType }, rawBody: delivery.rawBody, body: otherParse });
			const [item] = result.workflowData?.[0] ?? [];
			expect(item?.json).toMatchObject({ customer: 'cus_RYa8hE2nXk1pQz', event: { id: raw.id } });
		}
	});

	it('parameters given as expressions are resolved: a signing secret from an expression verifies', async () => {
		const { result } = await trigger({ signingSecret: `={{ "${SECRET}" }}`, events: '={{ ["cancellationScheduled"] }}' }).deliver(signed(fresh(cancellationScheduledEvent())));
		expect(result.workflowData?.[0]).toHaveLength(1);
		expect(result.workflowData?.[0][0].json.outcome).toBe('cancellationScheduled');
	});
});

describe('a delivery that is refused starts nothing and echoes nothing', () => {
	const cases: Array<[string, () => TriggerUnderTest, () => { headers: Record<string, string>; rawBody?: Buffer }, number]> = [
		['forged (another secret)', () => trigger(), () => signed(fresh(cancellationScheduledEvent()), { secret: 'whsec_forged_0000000000000000000000' }), 401],
		['replayed (signed 10 minutes ago)', () => trigger(), () => signed(fresh(cancellationScheduledEvent()), { timestamp: now() - 600 }), 401],
		[
			'with a body changed after signing',
			() => trigger(),
			() => {
				const delivery = signed(fresh(cancellationScheduledEvent()));
				return { ...delivery, rawBody: Buffer.from(delivery.rawBody.toString().replace('cus_RYa8hE2nXk1pQz', 'cus_Attacker00000')) };
			},
			401,
		],
		[
			'without the raw body',
			() => trigger(),
			() => {
				const { headers } = signed(fresh(cancellationScheduledEvent()));
				return { headers };
			},
			400,
		],
		['without a signature', () => trigger(), () => ({ headers: {}, rawBody: signed(fresh(cancellationScheduledEvent())).rawBody }), 401],
		['to a registered endpoint whose secret is not stored (no secret: fails closed)', () => trigger({ endpoint: 'managed', signingSecret: '' }), () => signed(fresh(cancellationScheduledEvent())), 401],
		['of a live-mode event to a test-mode key', () => trigger(), () => signed({ ...fresh(cancellationScheduledEvent()), livemode: true }), 400],
		['of a test-mode event to a live-mode key', () => trigger({}, undefined, 'rk_live_51QfTriggerLiveKey0000000000'), () => signed(fresh(cancellationScheduledEvent())), 400],
		['in another API version than the decoding reads', () => trigger(), () => signed({ ...fresh(cancellationScheduledEvent()), api_version: '2024-06-20' }), 400],
	];

	it.each(cases)('%s', async (_title, makeTrigger, makeDelivery, status) => {
		const delivery = makeDelivery();
		const { result, answered, logs } = await makeTrigger().deliver(delivery);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(answered?.status).toBe(status);
		const said = JSON.stringify(answered?.body) + logs.join('\n');
		const payload = delivery.rawBody ? (JSON.parse(delivery.rawBody.toString()) as { id: string }) : undefined;
		if (payload) expect(said).not.toContain(payload.id);
		expect(said).not.toContain('cus_');
		expect(said).not.toContain(SECRET);
		expect(said).not.toContain(TEST_KEY);
	});

	it('a Signature Tolerance above an hour, given by an expression past the field’s range, refuses every delivery, a year-old replay included', async () => {
		const node = trigger({ options: { toleranceSeconds: '={{ 100000000 }}' } });
		const replay = await node.deliver(signed(fresh(cancellationScheduledEvent()), { timestamp: now() - 365 * 24 * 3600 }));
		expect(replay.answered?.status).toBe(401);
		expect(replay.result.workflowData).toBeUndefined();
		// Activation refuses it (test/trigger/settings.test.ts); a delivery fails closed.
		expect((await node.deliver(signed(fresh(cancellationScheduledEvent())))).answered?.status).toBe(401);
		// An hour is the most it can be: 59 minutes old passes at 3600.
		const hour = trigger({ options: { toleranceSeconds: '={{ 3600 }}' } });
		expect((await hour.deliver(signed(fresh(cancellationScheduledEvent()), { timestamp: now() - 59 * 60 }))).result.workflowData?.[0]).toHaveLength(1);
	});

	it('a forged delivery does not use up the event ID: the genuine one still runs', async () => {
		const node = trigger();
		const raw = fresh(cancellationScheduledEvent());
		expect((await node.deliver(signed(raw, { secret: 'whsec_forged_0000000000000000000000' }))).answered?.status).toBe(401);
		expect((await node.deliver(signed(raw))).result.workflowData?.[0]).toHaveLength(1);
	});
});
