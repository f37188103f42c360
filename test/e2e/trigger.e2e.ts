/**
 * End to end: the Stripe Billing Portal Trigger in the real n8n CLI, with the Stripe sandbox
 * standing in for Stripe (its webhook endpoints, and the customer's portal actions delivered as
 * signed events to the production webhook URL).
 *
 * Regular mode (`n8n start`, SQLite): publishing through n8n's REST API registers one endpoint; a
 * cancellation at period end with the survey answered runs the workflow once per outcome with the
 * decoded item; forged, stale, re-encoded and unsigned deliveries are refused and a replay runs
 * nothing; re-publishing changed settings leaves one endpoint (with the new events); an endpoint
 * at the same URL that is not the trigger's is never touched; unpublishing deletes the endpoint.
 *
 * Queue mode (main and a worker, Postgres and Redis, test/cli/queue.ts): main registers the
 * endpoint and receives the deliveries, the worker runs the workflow.
 *
 * The workflow's second node posts each item it gets to a local collector: what the next node
 * receives is seen on the wire, not read back from n8n's execution store.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import type Stripe from 'stripe';

import { ensureN8n, ROOT } from '../cli/install';
import { freePort, N8nInstance, type N8nServer, type WorkflowJson } from '../cli/instance';
import { QueueCluster } from '../cli/queue';
import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS, StripeSandbox } from '../sandbox';
import { signatureHeader } from '../sandbox/webhooks/signature';
import { eventually } from '../support/eventually';
import { WebhookReceiver } from '../support/webhook-receiver';

const E2E_DIR = join(ROOT, '.cache', 'e2e');
const OWNER = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Sandbox-Owner-2026' };
const CREDENTIAL = { id: 'stripeSandboxTrg', name: 'Stripe (sandbox)' };
const TRIGGER_TYPE = 'n8n-nodes-stripe-billing-portal.stripeBillingPortalTrigger';
const OWNER_MARKER = 'n8n_stripe_billing_portal_trigger';

const sleep = (ms: number) => new Promise((wait) => setTimeout(wait, ms));

function triggerWorkflow(id: string, webhookId: string, collectorUrl: string, events: string[]): WorkflowJson {
	return {
		id,
		name: `Portal trigger e2e (${id})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `${id}-trigger`,
				name: 'Portal Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events },
				credentials: { stripeBillingPortalApi: CREDENTIAL },
			},
			{
				id: `${id}-report`,
				name: 'Report',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: { method: 'POST', url: `${collectorUrl}/${id}`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
			},
		] as unknown as WorkflowJson['nodes'],
		connections: { 'Portal Trigger': { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
	};
}

/** The endpoints at Stripe (the sandbox) that carry this trigger's ownership metadata. */
function ownedEndpoints(sandbox: StripeSandbox): Stripe.WebhookEndpoint[] {
	return sandbox.webhooks.listEndpoints().filter((endpoint) => endpoint.metadata[OWNER_MARKER] !== undefined);
}

/** n8n's REST API as the owner (set up on first use; n8n ties the session to a browser-id header). */
class Rest {
	private cookie = '';
	private readonly browserId = 'e2e-trigger-client';

	constructor(private readonly baseUrl: string) {}

	async setUpOwner(): Promise<void> {
		const response = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': this.browserId },
			body: JSON.stringify(OWNER),
		});
		if (response.status !== 200) throw new Error(`owner setup: HTTP ${response.status} ${await response.text()}`);
		this.cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
	}

	async call<T = any>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: { 'content-type': 'application/json', 'browser-id': this.browserId, cookie: this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (response.status !== 200) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
		return (JSON.parse(text) as { data: T }).data;
	}

	async publish(workflowId: string): Promise<void> {
		const workflow = await this.call<{ versionId: string }>('GET', `/rest/workflows/${workflowId}`);
		await this.call('POST', `/rest/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
	}

	async unpublish(workflowId: string): Promise<void> {
		await this.call('POST', `/rest/workflows/${workflowId}/deactivate`, {});
	}

	/** Saves new settings for the trigger node and publishes that version. */
	async republishWith(workflowId: string, triggerParameters: Record<string, unknown>): Promise<void> {
		const workflow = await this.call<{ versionId: string; nodes: Array<{ name: string; parameters: Record<string, unknown> }>; connections: unknown }>(
			'GET',
			`/rest/workflows/${workflowId}`,
		);
		const nodes = workflow.nodes.map((node) => (node.name === 'Portal Trigger' ? { ...node, parameters: { ...node.parameters, ...triggerParameters } } : node));
		const saved = await this.call<{ versionId: string }>('PATCH', `/rest/workflows/${workflowId}`, { versionId: workflow.versionId, nodes, connections: workflow.connections });
		await this.call('POST', `/rest/workflows/${workflowId}/activate`, { versionId: saved.versionId });
	}

	async executionCount(workflowId: string): Promise<number> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await this.call<{ count: number }>('GET', `/rest/executions?filter=${filter}`);
		return page.count;
	}
}

describe('the Stripe Billing Portal Trigger in n8n (regular mode)', () => {
	const WORKFLOW_ID = 'portalTriggerE2e';
	const WEBHOOK_ID = randomUUID();
	let sandbox: StripeSandbox;
	let collector: WebhookReceiver;
	let collectorUrl: string;
	let instance: N8nInstance;
	let server: N8nServer;
	let rest: Rest;
	let webhookUrl: string;

	beforeAll(async () => {
		const install = ensureN8n();
		// Stripe refuses loopback URLs; the sandbox may accept them, as `stripe listen` makes a local n8n reachable.
		sandbox = new StripeSandbox({ webhooks: { allowLocalUrls: true, retryDelaysMs: [500, 1000, 2000] } });
		const sandboxUrl = await sandbox.start();
		collector = new WebhookReceiver();
		collectorUrl = await collector.start();
		const userFolder = join(E2E_DIR, 'trigger-user');
		rmSync(userFolder, { recursive: true, force: true });
		instance = new N8nInstance(install, userFolder);
		instance.installPackage();
		await instance.importCredentials([{ ...CREDENTIAL, type: 'stripeBillingPortalApi', data: { secretKey: DEFAULT_SECRET_KEY, apiVersion: DEFAULT_API_VERSION, baseUrl: sandboxUrl } }]);
		await instance.importWorkflows([triggerWorkflow(WORKFLOW_ID, WEBHOOK_ID, collectorUrl, ['canceled', 'cancellationScheduled', 'cancellationFeedbackGiven'])]);
		const port = await freePort();
		server = await instance.start(port, 120_000, { N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/` });
		webhookUrl = `http://127.0.0.1:${port}/webhook/${WEBHOOK_ID}/webhook`;
		rest = new Rest(server.url);
		await rest.setUpOwner();
	}, 600_000);

	afterAll(async () => {
		await server?.stop();
		await sandbox?.stop();
		await collector?.stop();
	}, 60_000);

	let foreign: Stripe.WebhookEndpoint;
	let endpoint: Stripe.WebhookEndpoint;

	it('publishing registers one endpoint at the production URL with the events its outcomes need, and leaves the user’s own alone', async () => {
		// The user's own endpoint at the same URL (say, made by hand in the dashboard): not the trigger's to touch.
		foreign = sandbox.webhooks.createEndpoint({ url: webhookUrl, enabled_events: ['invoice.paid'], livemode: false });
		await rest.publish(WORKFLOW_ID);
		// n8n 2.41 applies a publication from an outbox, after the REST call has answered.
		expect(await eventually(() => ownedEndpoints(sandbox).length > 0, 60_000)).toBe(true);
		await sleep(1000);
		const owned = ownedEndpoints(sandbox);
		expect(owned).toHaveLength(1);
		endpoint = owned[0];
		expect(endpoint).toMatchObject({ url: webhookUrl, api_version: DEFAULT_API_VERSION, status: 'enabled', livemode: false });
		expect([...endpoint.enabled_events].sort()).toEqual(['customer.subscription.deleted', 'customer.subscription.updated']);
		expect(endpoint.metadata).toMatchObject({ n8n_workflow: WORKFLOW_ID, n8n_mode: 'production' });
		expect(sandbox.webhooks.getEndpoint(foreign.id)).toMatchObject({ url: webhookUrl, enabled_events: ['invoice.paid'] });
		const creates = sandbox.requestsTo('/v1/webhook_endpoints', 'POST');
		expect(creates).toHaveLength(1);
		expect(creates[0].body).toMatchObject({ url: webhookUrl, api_version: DEFAULT_API_VERSION });
	});

	it('a portal cancellation with the survey answered runs the workflow once per outcome, with the decoded item', async () => {
		const executionsBefore = await rest.executionCount(WORKFLOW_ID);
		const events = await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end', feedback: 'too_expensive', comment: 'Cheaper elsewhere', surveyDelayMs: 1500 });
		await sandbox.webhooks.settled();
		expect(await eventually(() => collector.events(`/${WORKFLOW_ID}`).length >= 2, 30_000)).toBe(true);
		// Give a wrongly doubled execution the time to show up.
		await sleep(2000);
		const items = collector.events(`/${WORKFLOW_ID}`);
		expect(items.map((item) => item.outcome)).toEqual(['cancellationScheduled', 'cancellationFeedbackGiven']);
		const [scheduled, feedback] = items;
		expect(scheduled).toMatchObject({
			outcome: 'cancellationScheduled',
			customer: SEED_IDS.jenny,
			subscription: SEED_IDS.jennyPro,
			livemode: false,
			event: { id: events[0].id, type: 'customer.subscription.updated' },
		});
		expect(feedback).toMatchObject({
			outcome: 'cancellationFeedbackGiven',
			subscription: SEED_IDS.jennyPro,
			feedback: 'too_expensive',
			comment: 'Cheaper elsewhere',
			event: { id: events[1].id },
		});
		expect(sandbox.webhooks.attemptsTo(endpoint.id).map((attempt) => attempt.status)).toEqual([200, 200]);
		expect(await rest.executionCount(WORKFLOW_ID)).toBe(executionsBefore + 2);
		// The signing secret n8n keeps is nowhere in its log.
		expect(instance.logText()).not.toContain(sandbox.webhooks.secretsOf(endpoint.id)[0]);
	});

	it('refuses forged, stale, re-encoded and unsigned deliveries with 4xx and runs nothing; a replay of a handled event runs nothing', async () => {
		const executionsBefore = await rest.executionCount(WORKFLOW_ID);
		const itemsBefore = collector.deliveries.length;
		const [first] = sandbox.webhooks.attemptsTo(endpoint.id);
		const now = Math.floor(Date.now() / 1000);
		// Held and dropped, so this event reaches n8n only as the forgeries below.
		sandbox.webhooks.pause();
		const [fresh] = await sandbox.portal.cancel(SEED_IDS.maxTeam, { mode: 'immediately' });
		sandbox.webhooks.clearHeld();
		const genuine = sandbox.webhooks.signedDelivery(endpoint.id, fresh.id, now);
		const forged = signatureHeader(genuine.payload, ['whsec_notTheEndpointSecret0000000000'], now);
		const stale = sandbox.webhooks.signedDelivery(endpoint.id, fresh.id, now - 3600);
		const reEncoded = JSON.stringify(JSON.parse(genuine.payload));
		const answers = {
			forged: await sandbox.webhooks.post(webhookUrl, genuine.payload, forged),
			stale: await sandbox.webhooks.post(webhookUrl, stale.payload, stale.signature),
			reEncoded: await sandbox.webhooks.post(webhookUrl, reEncoded, genuine.signature),
			truncated: await sandbox.webhooks.post(webhookUrl, genuine.payload.slice(0, 200), genuine.signature),
			unsigned: await sandbox.webhooks.post(webhookUrl, genuine.payload, undefined),
		};
		for (const [name, answer] of Object.entries(answers)) {
			expect({ name, status: answer.status! >= 400 && answer.status! < 500 }).toEqual({ name, status: true });
			// Nothing of the request comes back.
			expect(answer.body ?? '').not.toContain(fresh.id);
		}
		// Stripe delivering the first event once more, byte for byte (within the tolerance).
		const replay = await sandbox.webhooks.post(webhookUrl, first.payload, first.signature);
		expect(replay.status).toBe(200);
		await sleep(3000);
		expect(collector.deliveries.length).toBe(itemsBefore);
		expect(await rest.executionCount(WORKFLOW_ID)).toBe(executionsBefore);
	});

	it('re-publishing changed settings leaves one endpoint, with the new events and a new secret', async () => {
		await rest.republishWith(WORKFLOW_ID, { events: ['canceled', 'cancellationScheduled', 'cancellationFeedbackGiven', 'paused'] });
		expect(await eventually(() => ownedEndpoints(sandbox).some((e) => e.enabled_events.includes('customer.subscription.paused')), 60_000)).toBe(true);
		await sleep(1000);
		const owned = ownedEndpoints(sandbox);
		expect(owned).toHaveLength(1);
		expect(owned[0].enabled_events).toEqual(expect.arrayContaining(['customer.subscription.paused', 'customer.subscription.updated', 'customer.subscription.deleted']));
		expect(sandbox.webhooks.getEndpoint(foreign.id)).toBeDefined();
		// n8n deletes and creates a changed published trigger: a new endpoint, so a new secret.
		expect(owned[0].id).not.toBe(endpoint.id);
		expect(sandbox.webhooks.getEndpoint(endpoint.id)).toBeUndefined();
		endpoint = owned[0];
		// The new endpoint's deliveries run the workflow.
		const itemsBefore = collector.deliveries.length;
		await sandbox.portal.pause(SEED_IDS.jennyPro, { variant: 'status' });
		await sandbox.webhooks.settled();
		expect(await eventually(() => collector.deliveries.length > itemsBefore, 30_000)).toBe(true);
		expect(collector.events(`/${WORKFLOW_ID}`).slice(-1)[0]).toMatchObject({ outcome: 'paused', subscription: SEED_IDS.jennyPro });
	});

	it('publishing again while published (n8n retries, re-activation) still leaves one endpoint', async () => {
		const logOffset = instance.logSize();
		await rest.publish(WORKFLOW_ID);
		await eventually(() => instance.logText(logOffset).includes('Finished processing workflow publication outbox record'), 30_000);
		await sleep(1000);
		expect(ownedEndpoints(sandbox)).toHaveLength(1);
	});

	it('unpublishing deletes the trigger’s endpoint and only it', async () => {
		await rest.unpublish(WORKFLOW_ID);
		expect(await eventually(() => ownedEndpoints(sandbox).length === 0, 60_000)).toBe(true);
		await sleep(1000);
		expect(ownedEndpoints(sandbox)).toEqual([]);
		expect(sandbox.webhooks.listEndpoints().map((e) => e.id)).toEqual([foreign.id]);
		expect(sandbox.requestsTo(`/v1/webhook_endpoints/${foreign.id}`, 'DELETE')).toEqual([]);
	});
});

describe('the Stripe Billing Portal Trigger in n8n queue mode (main receives, a worker runs)', () => {
	const WORKFLOW_ID = 'portalTriggerQueue';
	const WEBHOOK_ID = randomUUID();
	let sandbox: StripeSandbox;
	let collector: WebhookReceiver;
	let cluster: QueueCluster | undefined;

	beforeAll(async () => {
		const log = (line: string) => process.stderr.write(`${line}\n`);
		sandbox = new StripeSandbox({ webhooks: { allowLocalUrls: true, retryDelaysMs: [500, 1000, 2000] } });
		const sandboxUrl = await sandbox.start();
		collector = new WebhookReceiver();
		const collectorUrl = await collector.start();
		cluster = await QueueCluster.create({ folder: join(E2E_DIR, 'trigger-queue'), workers: 1, concurrency: 5, log });
		await cluster.main.importCredentials([{ ...CREDENTIAL, type: 'stripeBillingPortalApi', data: { secretKey: DEFAULT_SECRET_KEY, apiVersion: DEFAULT_API_VERSION, baseUrl: sandboxUrl } }]);
		await cluster.main.importWorkflows([triggerWorkflow(WORKFLOW_ID, WEBHOOK_ID, collectorUrl, ['canceled', 'cancellationScheduled', 'cancellationFeedbackGiven'])]);
		await cluster.publish(WORKFLOW_ID);
		await cluster.start();
		await cluster.waitForWebhooks(WORKFLOW_ID);
	}, 600_000);

	afterAll(async () => {
		await cluster?.stop();
		await sandbox?.stop();
		await collector?.stop();
	}, 120_000);

	it('main registers one endpoint at start-up; a cancellation with feedback runs on the worker once per outcome', async () => {
		expect(await eventually(() => ownedEndpoints(sandbox).length === 1, 30_000)).toBe(true);
		const [endpoint] = ownedEndpoints(sandbox);
		expect(endpoint.url).toBe(cluster!.webhookUrl(`${WEBHOOK_ID}/webhook`));
		const events = await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end', feedback: 'switched_service', surveyDelayMs: 1000 });
		await sandbox.webhooks.settled();
		expect(await eventually(async () => (await cluster!.executionStatuses(WORKFLOW_ID)).success === 2, 60_000)).toBe(true);
		expect(await eventually(() => collector.deliveries.length === 2, 30_000)).toBe(true);
		await sleep(2000);
		const items = collector.events(`/${WORKFLOW_ID}`);
		expect(items.map((item) => [item.outcome, item.event.id])).toEqual([
			['cancellationScheduled', events[0].id],
			['cancellationFeedbackGiven', events[1].id],
		]);
		expect(items[1]).toMatchObject({ feedback: 'switched_service', subscription: SEED_IDS.jennyPro });
		expect(await cluster!.executionStatuses(WORKFLOW_ID)).toEqual({ success: 2 });
		// The worker ran them: main only queued.
		const worker = cluster!.workerProcesses[0];
		expect(cluster!.logMessages(worker, /^Worker started execution /).length).toBeGreaterThanOrEqual(2);
	});

	it('a forged delivery to main runs nothing', async () => {
		const [endpoint] = ownedEndpoints(sandbox);
		const [first] = sandbox.webhooks.attemptsTo(endpoint.id);
		const now = Math.floor(Date.now() / 1000);
		const forged = signatureHeader(first.payload, ['whsec_notTheEndpointSecret0000000000'], now);
		const answer = await sandbox.webhooks.post(endpoint.url, first.payload, forged);
		expect(answer.status).toBe(401);
		await sleep(3000);
		expect(await cluster!.executionStatuses(WORKFLOW_ID)).toEqual({ success: 2 });
	});
});
