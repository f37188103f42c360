/**
 * The sandbox's webhook side: /v1/webhook_endpoints as Stripe serves it (through stripe-node, so
 * the SDK's own types and parsing check the shapes), and the customer's portal actions delivered
 * as signed events, verified with stripe-node's `webhooks.constructEvent` as an independent oracle.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import Stripe from 'stripe';

import { DEFAULT_API_VERSION, ENABLED_EVENT_TYPES, SEED_IDS, StripeSandbox, WEBHOOK_API_VERSIONS } from '../sandbox';
import { WebhookReceiver } from '../support/webhook-receiver';

const KEY = 'sk_test_sandbox';
const LIVE_KEY = 'sk_live_sandboxLive0001';
const HOOKS_KEY = 'rk_test_webhookEndpoints01';
const PORTAL_ONLY_KEY = 'rk_test_portalOnly000001';
const PINNED = DEFAULT_API_VERSION;

let sandbox: StripeSandbox;
let stripe: Stripe;
let liveStripe: Stripe;
let receiver: WebhookReceiver;
let receiverUrl: string;

function client(key: string): Stripe {
	return new Stripe(key, { ...sandbox.stripeClientConfig(), maxNetworkRetries: 0 });
}

/** Verifies one delivery with stripe-node and returns the event it carries. */
function verified(index: number, secret: string): Stripe.Event {
	const d = receiver.deliveries[index];
	return stripe.webhooks.constructEvent(d.rawBody, d.headers['stripe-signature'] as string, secret);
}

async function endpoint(events: string[], path = '/hook', extra: Partial<Stripe.WebhookEndpointCreateParams> = {}): Promise<Stripe.WebhookEndpoint> {
	return stripe.webhookEndpoints.create({ url: `${receiverUrl}${path}`, enabled_events: events as Stripe.WebhookEndpointCreateParams.EnabledEvent[], ...extra });
}

beforeAll(async () => {
	sandbox = new StripeSandbox({
		secretKeys: [KEY, LIVE_KEY],
		restrictedKeys: { [HOOKS_KEY]: ['webhook_endpoints'], [PORTAL_ONLY_KEY]: ['billing_portal'] },
		webhooks: { allowLocalUrls: true, retryDelaysMs: [20, 20, 20] },
	});
	await sandbox.start();
	stripe = client(KEY);
	liveStripe = client(LIVE_KEY);
	receiver = new WebhookReceiver();
	receiverUrl = await receiver.start();
});

afterAll(async () => {
	await sandbox.stop();
	await receiver.stop();
});

beforeEach(() => {
	sandbox.reset();
	receiver.deliveries.length = 0;
	receiver.statuses.length = 0;
});

describe('webhook endpoints', () => {
	it('returns the signing secret in the create answer only, with metadata, events and api_version kept', async () => {
		const created = await endpoint(['customer.subscription.updated', 'customer.subscription.deleted'], '/hook', {
			api_version: PINNED,
			description: 'n8n workflow 42',
			metadata: { n8n_workflow: '42', n8n_node: 'Portal Trigger' },
		});
		expect(created.id).toMatch(/^we_/);
		expect(created.secret).toMatch(/^whsec_[A-Za-z0-9]{24,}$/);
		expect(created).toMatchObject({
			object: 'webhook_endpoint',
			api_version: PINNED,
			description: 'n8n workflow 42',
			enabled_events: ['customer.subscription.updated', 'customer.subscription.deleted'],
			livemode: false,
			metadata: { n8n_workflow: '42', n8n_node: 'Portal Trigger' },
			status: 'enabled',
			url: `${receiverUrl}/hook`,
		});
		const retrieved = await stripe.webhookEndpoints.retrieve(created.id);
		expect(retrieved.secret).toBeUndefined();
		expect(retrieved.metadata).toEqual({ n8n_workflow: '42', n8n_node: 'Portal Trigger' });
		const listed = await stripe.webhookEndpoints.list();
		expect(listed.data.map((e) => e.id)).toEqual([created.id]);
		expect(listed.data[0].secret).toBeUndefined();
		expect(JSON.stringify(sandbox.requestsTo(`/v1/webhook_endpoints/${created.id}`)[0])).not.toContain(created.secret);
	});

	it('lists newest first with limit and starting_after, each mode its own', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push((await endpoint(['*'], `/e${i}`)).id);
		const first = await stripe.webhookEndpoints.list({ limit: 2 });
		expect(first.data.map((e) => e.id)).toEqual([ids[4], ids[3]]);
		expect(first.has_more).toBe(true);
		const second = await stripe.webhookEndpoints.list({ limit: 2, starting_after: ids[3] });
		expect(second.data.map((e) => e.id)).toEqual([ids[2], ids[1]]);
		const all: string[] = [];
		for await (const e of stripe.webhookEndpoints.list({ limit: 2 })) all.push(e.id);
		expect(all).toEqual([...ids].reverse());
		expect((await liveStripe.webhookEndpoints.list()).data).toEqual([]);
		await expect(liveStripe.webhookEndpoints.retrieve(ids[0])).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
	});

	it('updates url, events, status, description and metadata (a key set to "" is removed)', async () => {
		const created = await endpoint(['customer.updated'], '/a', { metadata: { keep: '1', drop: '2' }, description: 'old' });
		const updated = await stripe.webhookEndpoints.update(created.id, {
			url: `${receiverUrl}/b`,
			enabled_events: ['customer.subscription.updated'],
			disabled: true,
			description: '',
			metadata: { drop: '', added: '3' },
		});
		expect(updated).toMatchObject({
			url: `${receiverUrl}/b`,
			enabled_events: ['customer.subscription.updated'],
			status: 'disabled',
			description: null,
			metadata: { keep: '1', added: '3' },
		});
		expect(updated.secret).toBeUndefined();
		expect((await stripe.webhookEndpoints.update(created.id, { disabled: false })).status).toBe('enabled');
	});

	it('deletes, after which the endpoint is gone and gets nothing', async () => {
		const created = await endpoint(['customer.subscription.updated']);
		const deleted = await stripe.webhookEndpoints.del(created.id);
		expect(deleted).toEqual({ id: created.id, object: 'webhook_endpoint', deleted: true });
		await expect(stripe.webhookEndpoints.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404 });
		await expect(stripe.webhookEndpoints.del(created.id)).rejects.toMatchObject({ statusCode: 404 });
		await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end' });
		await sandbox.portal.withdrawCancellation(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		expect(receiver.deliveries).toEqual([]);
	});

	it('refuses the 17th endpoint of a mode with a message naming the limit', async () => {
		for (let i = 0; i < 16; i++) await endpoint(['*'], `/e${i}`);
		const refused = endpoint(['*'], '/e16');
		await expect(refused).rejects.toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
		await expect(refused).rejects.toThrow(/maximum of 16 test webhook endpoints/);
		// The other mode counts apart (live mode needs HTTPS; loopback is allowed by the test option).
		const live = await liveStripe.webhookEndpoints.create({ url: 'https://127.0.0.1:9/hook', enabled_events: ['*'] });
		expect(live.livemode).toBe(true);
	});

	it('checks enabled_events against the types Stripe knows, `*` included, and api_version against its versions', async () => {
		await expect(endpoint(['customer.subscription.cancelled'])).rejects.toMatchObject({ statusCode: 400, param: 'enabled_events[0]' });
		await expect(endpoint(['*'], '/x', { api_version: '2026-13-01.nope' as Stripe.WebhookEndpointCreateParams.ApiVersion })).rejects.toMatchObject({
			statusCode: 400,
			param: 'api_version',
		});
		await expect(stripe.webhookEndpoints.create({ url: `${receiverUrl}/x` } as Stripe.WebhookEndpointCreateParams)).rejects.toMatchObject({
			param: 'enabled_events',
			code: 'parameter_missing',
		});
		expect((await endpoint(['*'])).enabled_events).toEqual(['*']);
	});

	it('lists exactly the event types and API versions of stripe-node 23.1.0', () => {
		const dts = readFileSync(join(__dirname, '..', '..', 'node_modules', 'stripe', 'cjs', 'resources', 'WebhookEndpoints.d.ts'), 'utf8');
		const union = (name: string): string[] => {
			const m = new RegExp(`namespace WebhookEndpointCreateParams \\{[\\s\\S]*?type ${name} = ([^;]*);`).exec(dts);
			return [...(m?.[1] ?? '').matchAll(/'([^']*)'/g)].map((x) => x[1]);
		};
		expect([...ENABLED_EVENT_TYPES].sort()).toEqual(union('EnabledEvent').sort());
		expect([...WEBHOOK_API_VERSIONS].sort()).toEqual(union('ApiVersion').sort());
		expect(ENABLED_EVENT_TYPES).toEqual(expect.arrayContaining(['*', 'billing_portal.session.created', 'customer.subscription.paused', 'customer.subscription.resumed']));
	});

	it('refuses URLs Stripe cannot reach unless the test option allows them, and plain HTTP in live mode', async () => {
		const strict = new StripeSandbox({ secretKeys: [KEY, LIVE_KEY] });
		await strict.start();
		try {
			const s = new Stripe(KEY, { ...strict.stripeClientConfig(), maxNetworkRetries: 0 });
			for (const url of ['http://localhost:5678/webhook/x', 'http://127.0.0.1:5678/webhook/x', 'http://192.168.1.5/webhook', 'http://[::1]:5678/w', 'http://n8n.local/w']) {
				const refused = s.webhookEndpoints.create({ url, enabled_events: ['*'] });
				await expect(refused).rejects.toMatchObject({ statusCode: 400, param: 'url', code: 'url_invalid' });
				await expect(refused).rejects.toThrow(/publicly accessible.*Stripe CLI/);
			}
			expect((await s.webhookEndpoints.create({ url: 'http://n8n.example.com/webhook/x', enabled_events: ['*'] })).url).toBe('http://n8n.example.com/webhook/x');
			const live = new Stripe(LIVE_KEY, { ...strict.stripeClientConfig(), maxNetworkRetries: 0 });
			await expect(live.webhookEndpoints.create({ url: 'http://n8n.example.com/webhook/x', enabled_events: ['*'] })).rejects.toThrow(/HTTPS/);
		} finally {
			await strict.stop();
		}
	});

	it('needs the Webhook Endpoints permission on a restricted key', async () => {
		const portalOnly = client(PORTAL_ONLY_KEY);
		await expect(portalOnly.webhookEndpoints.list()).rejects.toMatchObject({ statusCode: 403 });
		await expect(portalOnly.webhookEndpoints.list()).rejects.toThrow(/rak_webhook_endpoint_read/);
		const hooks = client(HOOKS_KEY);
		const created = await hooks.webhookEndpoints.create({ url: `${receiverUrl}/r`, enabled_events: ['*'] });
		expect(created.secret).toMatch(/^whsec_/);
		await hooks.webhookEndpoints.del(created.id);
	});
});

describe('signed deliveries of portal actions', () => {
	it('a cancellation at period end with the survey: two updates, the feedback only in the second, each verified by stripe-node', async () => {
		const hook = await endpoint(['customer.subscription.updated', 'customer.subscription.deleted'], '/hook', { api_version: PINNED });
		const periodEnd = sandbox.store.getSubscription(SEED_IDS.jennyPro)!.items.data[0].current_period_end;
		const before = Math.floor(Date.now() / 1000);
		const events = await sandbox.portal.cancel(SEED_IDS.jennyPro, {
			mode: 'at_period_end',
			feedback: 'too_expensive',
			comment: 'Cheaper elsewhere',
			surveyDelayMs: 300,
		});
		await sandbox.webhooks.settled();
		expect(events.map((e) => e.type)).toEqual(['customer.subscription.updated', 'customer.subscription.updated']);
		expect(receiver.deliveries).toHaveLength(2);
		expect(receiver.deliveries[1].receivedAt - receiver.deliveries[0].receivedAt).toBeGreaterThanOrEqual(250);

		const first = verified(0, hook.secret!);
		expect(first).toMatchObject({
			id: events[0].id,
			object: 'event',
			api_version: PINNED,
			livemode: false,
			type: 'customer.subscription.updated',
			request: { id: expect.stringMatching(/^req_/), idempotency_key: expect.any(String) },
		});
		expect(first.created).toBeGreaterThanOrEqual(before);
		const sub1 = first.data.object as Stripe.Subscription;
		expect(sub1).toMatchObject({
			id: SEED_IDS.jennyPro,
			cancel_at_period_end: true,
			cancel_at: periodEnd,
			status: 'active',
			cancellation_details: { reason: 'cancellation_requested', feedback: null, comment: null, feedback_option: null },
		});
		expect(first.data.previous_attributes).toEqual({
			cancel_at: null,
			cancel_at_period_end: false,
			canceled_at: null,
			cancellation_details: { reason: null },
		});

		const second = verified(1, hook.secret!);
		expect(second.id).not.toBe(first.id);
		expect((second.data.object as Stripe.Subscription).cancellation_details).toEqual({
			reason: 'cancellation_requested',
			feedback: 'too_expensive',
			comment: 'Cheaper elsewhere',
			feedback_option: null,
		});
		expect(second.data.previous_attributes).toEqual({ cancellation_details: { feedback: null, comment: null } });
		expect(sandbox.store.getSubscription(SEED_IDS.jennyPro)!.cancel_at_period_end).toBe(true);
	});

	it('sends the headers Stripe sends: JSON body and t=,v1= over `${t}.${body}`', async () => {
		const hook = await endpoint(['customer.subscription.updated']);
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		const d = receiver.deliveries[0];
		expect(d.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(d.headers['user-agent']).toMatch(/^Stripe\/1\.0/);
		const header = d.headers['stripe-signature'] as string;
		const t = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(header)![1]);
		const oracle = stripe.webhooks.generateTestHeaderString({ payload: d.rawBody.toString('utf8'), secret: hook.secret!, timestamp: t });
		expect(header).toBe(oracle);
		// A tampered body or another secret fails the oracle.
		expect(() => stripe.webhooks.constructEvent(d.rawBody.toString('utf8').replace('"void"', '"keep_as_draft"'), header, hook.secret!)).toThrow();
		expect(() => stripe.webhooks.constructEvent(d.rawBody, header, 'whsec_someoneElse0000000000000')).toThrow();
	});

	it('an immediate cancellation: customer.subscription.deleted, then the survey answer as an update', async () => {
		const hook = await endpoint(['customer.subscription.updated', 'customer.subscription.deleted']);
		await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'immediately', feedback: 'unused', surveyDelayMs: 10 });
		await sandbox.webhooks.settled();
		const deleted = verified(0, hook.secret!);
		expect(deleted.type).toBe('customer.subscription.deleted');
		expect(deleted.data.previous_attributes).toBeUndefined();
		expect(deleted.data.object).toMatchObject({ status: 'canceled', ended_at: expect.any(Number), cancellation_details: { reason: 'cancellation_requested', feedback: null } });
		const answer = verified(1, hook.secret!);
		expect(answer.type).toBe('customer.subscription.updated');
		expect((answer.data.object as Stripe.Subscription).cancellation_details?.feedback).toBe('unused');
	});

	it('feedback in the same event when asked, and a cancellation at a date (cancel_at, not at period end)', async () => {
		await endpoint(['customer.subscription.updated']);
		const at = Math.floor(Date.now() / 1000) + 10 * 86400;
		await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_date', at, feedback: 'missing_features', feedbackIn: 'same-event' });
		await sandbox.webhooks.settled();
		const [event] = receiver.events();
		expect(receiver.deliveries).toHaveLength(1);
		expect(event.data.object).toMatchObject({ cancel_at: at, cancel_at_period_end: false, cancellation_details: { feedback: 'missing_features' } });
	});

	it('withdrawing a scheduled cancellation puts the old values in previous_attributes', async () => {
		await endpoint(['customer.subscription.updated']);
		await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end' });
		const periodEnd = sandbox.store.getSubscription(SEED_IDS.jennyPro)!.cancel_at;
		await sandbox.portal.withdrawCancellation(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		const withdrawn = receiver.events()[1];
		expect(withdrawn.data.object).toMatchObject({ cancel_at: null, cancel_at_period_end: false, canceled_at: null, cancellation_details: { reason: null } });
		expect(withdrawn.data.previous_attributes).toEqual({
			cancel_at: periodEnd,
			cancel_at_period_end: true,
			canceled_at: expect.any(Number),
			cancellation_details: { reason: 'cancellation_requested' },
		});
	});

	it('a plan switch: the old item list in previous_attributes; scheduled at period end: a schedule first', async () => {
		await endpoint(['customer.subscription.updated', 'subscription_schedule.created']);
		const oldItem = structuredClone(sandbox.store.getSubscription(SEED_IDS.jennyPro)!.items.data[0]);
		await sandbox.portal.switchPlan(SEED_IDS.jennyPro, { price: { id: 'price_1Business', unitAmount: 9900, nickname: 'Business' }, quantity: 3 });
		await sandbox.webhooks.settled();
		const [switched] = receiver.events();
		expect(switched.data.object.items.data[0]).toMatchObject({ id: oldItem.id, quantity: 3, price: { id: 'price_1Business', unit_amount: 9900, nickname: 'Business' } });
		expect(switched.data.previous_attributes.items.data).toEqual([oldItem]);

		receiver.deliveries.length = 0;
		await sandbox.portal.switchPlan(SEED_IDS.jennyPro, { quantity: 1, atPeriodEnd: true });
		await sandbox.webhooks.settled();
		const [schedule, attached] = receiver.events();
		expect(schedule.type).toBe('subscription_schedule.created');
		expect(attached.data.previous_attributes).toEqual({ schedule: null });
		expect(attached.data.object.items.data[0].quantity).toBe(3);
		await sandbox.portal.applyScheduledChange(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		const applied = receiver.events()[2];
		expect(applied.request).toEqual({ id: null, idempotency_key: null });
		expect(applied.data.object).toMatchObject({ schedule: null, items: { data: [{ quantity: 1 }] } });
		expect(applied.data.previous_attributes).toMatchObject({ schedule: schedule.data.object.id, items: { data: [{ quantity: 3 }] } });
	});

	it('pause and resume, both as pause_collection and as the paused status with its own events', async () => {
		await endpoint(['customer.subscription.updated', 'customer.subscription.paused', 'customer.subscription.resumed']);
		await sandbox.portal.pause(SEED_IDS.jennyPro, { behavior: 'mark_uncollectible' });
		await sandbox.portal.resume(SEED_IDS.jennyPro);
		await sandbox.portal.pause(SEED_IDS.jennyPro, { variant: 'status' });
		await sandbox.portal.resume(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		const events = receiver.events().sort((a, b) => sandbox.webhooks.events.findIndex((e) => e.id === a.id) - sandbox.webhooks.events.findIndex((e) => e.id === b.id));
		expect(events.map((e) => e.type)).toEqual([
			'customer.subscription.updated',
			'customer.subscription.updated',
			'customer.subscription.updated',
			'customer.subscription.paused',
			'customer.subscription.updated',
			'customer.subscription.resumed',
		]);
		expect(events[0].data).toMatchObject({ object: { pause_collection: { behavior: 'mark_uncollectible', resumes_at: null }, status: 'active' }, previous_attributes: { pause_collection: null } });
		expect(events[1].data.previous_attributes).toEqual({ pause_collection: { behavior: 'mark_uncollectible', resumes_at: null } });
		expect(events[2].data).toMatchObject({ object: { status: 'paused' }, previous_attributes: { status: 'active' } });
		expect(events[3].data.object.status).toBe('paused');
		expect(events[4].data).toMatchObject({ object: { status: 'active' }, previous_attributes: { status: 'paused' } });
	});

	it('a new card: payment_method.attached, then customer.updated with the default payment method', async () => {
		await endpoint(['payment_method.attached', 'payment_method.detached', 'customer.updated']);
		await sandbox.portal.updatePaymentMethod(SEED_IDS.jenny, { last4: '4444', brand: 'mastercard' });
		const [, firstUpdate] = sandbox.webhooks.events;
		await sandbox.portal.updatePaymentMethod(SEED_IDS.jenny, { detachPrevious: true });
		await sandbox.webhooks.settled();
		const byId = new Map(receiver.events().map((e) => [e.id, e]));
		const [attached, updated, , updated2, detached] = sandbox.webhooks.events.map((e) => byId.get(e.id)!);
		expect(attached).toMatchObject({ type: 'payment_method.attached', data: { object: { object: 'payment_method', customer: SEED_IDS.jenny, card: { last4: '4444', brand: 'mastercard' } } } });
		expect(updated.id).toBe(firstUpdate.id);
		expect(updated.data).toEqual({
			object: expect.objectContaining({ id: SEED_IDS.jenny, invoice_settings: expect.objectContaining({ default_payment_method: attached.data.object.id }) }),
			previous_attributes: { invoice_settings: { default_payment_method: null } },
		});
		expect(updated2.data.previous_attributes).toEqual({ invoice_settings: { default_payment_method: attached.data.object.id } });
		expect(detached).toMatchObject({ type: 'payment_method.detached', data: { object: { id: attached.data.object.id, customer: null }, previous_attributes: { customer: SEED_IDS.jenny } } });
	});

	it('billing details and tax IDs: customer.updated with the old values, customer.tax_id.*', async () => {
		await endpoint(['customer.updated', 'customer.tax_id.created', 'customer.tax_id.updated', 'customer.tax_id.deleted']);
		const address = { city: 'Berlin', country: 'DE', line1: 'Unter den Linden 1', line2: null, postal_code: '10117', state: null };
		await sandbox.portal.updateBillingDetails(SEED_IDS.jenny, { email: 'jenny@new.example.com', address, phone: '+4930123456' });
		const [created] = await sandbox.portal.addTaxId(SEED_IDS.jenny, { type: 'eu_vat', value: 'DE123456789', country: 'DE' });
		const taxId = (created.data.object as { id: string }).id;
		await sandbox.portal.verifyTaxId(taxId);
		await sandbox.portal.removeTaxId(taxId);
		await sandbox.webhooks.settled();
		const byId = new Map(receiver.events().map((e) => [e.id, e]));
		const [billing, added, verifiedEvent, removed] = sandbox.webhooks.events.map((e) => byId.get(e.id)!);
		expect(billing.data.previous_attributes).toEqual({ address: null, email: 'jenny.rosen@example.com', phone: null });
		expect(billing.data.object).toMatchObject({ email: 'jenny@new.example.com', address, phone: '+4930123456' });
		expect(added).toMatchObject({ type: 'customer.tax_id.created', data: { object: { object: 'tax_id', customer: SEED_IDS.jenny, type: 'eu_vat', value: 'DE123456789' } } });
		expect(verifiedEvent).toMatchObject({ type: 'customer.tax_id.updated', request: { id: null }, data: { previous_attributes: { verification: { status: 'pending' } } } });
		expect(removed.type).toBe('customer.tax_id.deleted');
	});

	it('API requests cause their events: portal session created (with its url) and configuration created/updated', async () => {
		await endpoint(['billing_portal.session.created', 'billing_portal.configuration.created', 'billing_portal.configuration.updated']);
		const session = await stripe.billingPortal.sessions.create({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' }, { idempotencyKey: 'session-key-1' });
		const configuration = await stripe.billingPortal.configurations.create({ features: { invoice_history: { enabled: true } } });
		await stripe.billingPortal.configurations.update(configuration.id, { metadata: { team: 'support' } });
		// A replayed idempotent request changes nothing and causes no event.
		await stripe.billingPortal.sessions.create({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' }, { idempotencyKey: 'session-key-1' });
		await sandbox.webhooks.settled();
		const events = sandbox.webhooks.events;
		expect(events.map((e) => e.type)).toEqual(['billing_portal.session.created', 'billing_portal.configuration.created', 'billing_portal.configuration.updated']);
		expect(events[0].data.object).toMatchObject({ id: session.id, url: session.url, customer: SEED_IDS.jenny });
		expect(events[0].request).toEqual({ id: sandbox.requestsTo('/v1/billing_portal/sessions')[0].requestId, idempotency_key: 'session-key-1' });
		expect(events[2].data.previous_attributes).toMatchObject({ metadata: {} });
		expect(receiver.deliveries).toHaveLength(3);
	});

	it('delivers only what an endpoint subscribed to, `*` everything, to every endpoint, and nothing to a disabled one', async () => {
		const narrow = await endpoint(['customer.subscription.deleted'], '/narrow');
		await endpoint(['*'], '/all');
		const off = await endpoint(['*'], '/off');
		await stripe.webhookEndpoints.update(off.id, { disabled: true });
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'immediately' });
		await sandbox.webhooks.settled();
		expect(receiver.events('/narrow').map((e) => e.type)).toEqual(['customer.subscription.deleted']);
		expect(receiver.events('/all').map((e) => e.type).sort()).toEqual(['customer.subscription.deleted', 'customer.subscription.updated']);
		expect(receiver.events('/off')).toEqual([]);
		expect(sandbox.webhooks.attemptsTo(narrow.id)).toHaveLength(1);
	});

	it('renders each event at the endpoint’s api_version (the account default when it has none)', async () => {
		await endpoint(['customer.subscription.updated'], '/basil', { api_version: '2025-03-31.basil' });
		await endpoint(['customer.subscription.updated'], '/default');
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		expect(receiver.events('/basil')[0].api_version).toBe('2025-03-31.basil');
		expect(receiver.events('/default')[0].api_version).toBe(DEFAULT_API_VERSION);
	});

	it('Connect: an action on a connected account goes to Connect endpoints only, with `account`', async () => {
		await endpoint(['customer.subscription.updated'], '/platform');
		await endpoint(['customer.subscription.updated'], '/connect', { connect: true });
		await sandbox.portal.pause(SEED_IDS.jennyPro, { account: 'acct_1Connected000001' });
		await sandbox.portal.resume(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		expect(receiver.events('/connect').map((e) => e.account)).toEqual(['acct_1Connected000001']);
		expect(receiver.events('/platform')).toHaveLength(1);
		expect(receiver.events('/platform')[0].account).toBeUndefined();
	});

	it('live-mode events go to live endpoints only', async () => {
		await endpoint(['customer.subscription.updated'], '/test');
		await sandbox.portal.pause(SEED_IDS.jennyPro, { livemode: true });
		await sandbox.webhooks.settled();
		expect(receiver.deliveries).toEqual([]);
		expect(sandbox.webhooks.events[0].livemode).toBe(true);
	});
});

describe('at-least-once delivery', () => {
	it('retries a non-2xx answer, each attempt signed anew, the same event id', async () => {
		const hook = await endpoint(['customer.subscription.updated']);
		receiver.statuses.push(500, 400);
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		expect(receiver.deliveries).toHaveLength(3);
		const events = [0, 1, 2].map((i) => verified(i, hook.secret!));
		expect(new Set(events.map((e) => e.id)).size).toBe(1);
		expect(sandbox.webhooks.attemptsTo(hook.id).map((a) => [a.attempt, a.status])).toEqual([
			[1, 500],
			[2, 400],
			[3, 200],
		]);
	});

	it('gives up after the last retry gap', async () => {
		const hook = await endpoint(['customer.subscription.updated']);
		receiver.statuses.push(500, 500, 500, 500, 500);
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		expect(sandbox.webhooks.attemptsTo(hook.id)).toHaveLength(4);
	});

	it('reorders and duplicates on request, and redelivers one event', async () => {
		const hook = await endpoint(['customer.subscription.updated']);
		sandbox.webhooks.pause();
		const [paused] = await sandbox.portal.pause(SEED_IDS.jennyPro);
		const [resumed] = await sandbox.portal.resume(SEED_IDS.jennyPro);
		expect(receiver.deliveries).toEqual([]);
		sandbox.webhooks.flush({ reverse: true, times: 2 });
		await sandbox.webhooks.settled();
		expect(receiver.deliveries).toHaveLength(4);
		const ids = [0, 1, 2, 3].map((i) => verified(i, hook.secret!).id);
		expect(ids.filter((id) => id === resumed.id)).toHaveLength(2);
		expect(ids.filter((id) => id === paused.id)).toHaveLength(2);
		expect(ids.indexOf(resumed.id)).toBeLessThan(ids.indexOf(paused.id));
		sandbox.webhooks.redeliver(paused.id);
		await sandbox.webhooks.settled();
		expect(verified(4, hook.secret!).id).toBe(paused.id);
		sandbox.webhooks.pause();
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		sandbox.webhooks.clearHeld();
		await sandbox.portal.resume(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		expect(receiver.deliveries).toHaveLength(6);
		expect(verified(5, hook.secret!).id).toBe(sandbox.webhooks.events.slice(-1)[0].id);
	});

	it('while a secret is rolled, signs with both: stripe-node accepts either secret', async () => {
		const hook = await endpoint(['customer.subscription.updated']);
		const rolled = sandbox.webhooks.rollSecret(hook.id);
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		const header = receiver.deliveries[0].headers['stripe-signature'] as string;
		expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
		expect(verified(0, rolled).type).toBe('customer.subscription.updated');
		expect(verified(0, hook.secret!).type).toBe('customer.subscription.updated');
		expect(sandbox.webhooks.secretsOf(hook.id)).toEqual([rolled, hook.secret]);
		sandbox.webhooks.rollSecret(hook.id, 0);
		expect(sandbox.webhooks.secretsOf(hook.id)).toHaveLength(1);
	});

	it('posts forged and replayed bytes as a delivery would be posted', async () => {
		const hook = await endpoint(['customer.subscription.updated']);
		const [event] = await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		const stale = sandbox.webhooks.signedDelivery(hook.id, event.id, Math.floor(Date.now() / 1000) - 3600);
		expect(() => stripe.webhooks.constructEvent(stale.payload, stale.signature, hook.secret!)).toThrow(/timestamp/i);
		expect(stripe.webhooks.constructEvent(stale.payload, stale.signature, hook.secret!, 7200).id).toBe(event.id);
		const answer = await sandbox.webhooks.post(`${receiverUrl}/forged`, stale.payload, stale.signature);
		expect(answer.status).toBe(200);
		expect(receiver.deliveries[1].rawBody.toString('utf8')).toBe(stale.payload);
	});

	it('reset() forgets endpoints, events and attempts', async () => {
		await endpoint(['*']);
		await sandbox.portal.pause(SEED_IDS.jennyPro);
		await sandbox.webhooks.settled();
		sandbox.reset();
		expect(sandbox.webhooks.listEndpoints()).toEqual([]);
		expect(sandbox.webhooks.events).toEqual([]);
		expect(sandbox.webhooks.attempts).toEqual([]);
		expect(sandbox.store.getSubscription(SEED_IDS.jennyPro)!.pause_collection).toBeNull();
	});
});
