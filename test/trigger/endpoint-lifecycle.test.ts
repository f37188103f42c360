/**
 * The trigger's webhook endpoint at Stripe over its life, through n8n-core's HookContext (as n8n
 * runs checkExists/create/delete) against the sandbox's /v1/webhook_endpoints: one endpoint per
 * workflow URL whatever n8n does (retried activations, re-publishing, the test URL, a lost static
 * data record, an endpoint deleted in the dashboard, a new base URL), never touching an endpoint
 * it does not own, and messages that say what to do when Stripe refuses.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { loadPackage, TriggerUnderTest, type LoadedPackage } from '../harness';
import { DEFAULT_API_VERSION, SEED_IDS, StripeSandbox } from '../sandbox';

const PACKAGE_DIR = resolve(__dirname, '../..');
const KEY = 'sk_test_triggerLifecycle0001';
const HOOKS_ONLY_KEY = 'rk_test_portalNoHooks00001';
const PINNED = DEFAULT_API_VERSION;
let pkg: LoadedPackage;
let sandbox: StripeSandbox;

beforeAll(async () => {
	pkg = await loadPackage(PACKAGE_DIR);
	sandbox = new StripeSandbox({
		secretKeys: [KEY],
		restrictedKeys: { [HOOKS_ONLY_KEY]: ['billing_portal'] },
		webhooks: { allowLocalUrls: true, retryDelaysMs: [20, 20] },
	});
	await sandbox.start();
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => sandbox.reset());

interface Setup {
	events?: string[];
	baseUrl?: string;
	staticData?: IDataObject;
	key?: string;
	workflowId?: string;
	endpoint?: string;
}

function trigger(
	{ events = ['canceled', 'cancellationScheduled', 'cancellationFeedbackGiven'], baseUrl = 'http://127.0.0.1:5678', staticData, key = KEY, workflowId = 'wf-lifecycle-1', endpoint = 'managed' }: Setup = {},
	credentialExtras: IDataObject = {},
) {
	return new TriggerUnderTest({
		pkg,
		nodeType: 'stripeBillingPortalTrigger',
		parameters: { events, endpoint },
		credentials: { type: 'stripeBillingPortalApi', data: { secretKey: key, apiVersion: PINNED, baseUrl: sandbox.baseUrl, ...credentialExtras } },
		baseUrl,
		staticData,
		workflowId,
	});
}

/** What n8n does on activation: create only when checkExists says there is nothing. */
async function activate(node: TriggerUnderTest, test = false) {
	const exists = await node.hook('checkExists', { test });
	if (exists.error) throw exists.error;
	if (exists.value) return;
	const created = await node.hook('create', { test });
	if (created.error) throw created.error;
}

const endpoints = () => sandbox.webhooks.listEndpoints(false);
const endpointRequests = () => sandbox.requests.filter((request) => request.path.startsWith('/v1/webhook_endpoints'));

describe('the account’s budgets', () => {
	it('count the trigger’s requests with the node’s: a key pasted in quotes with "Bearer " reaches the same budget, at the limits the credential states', async () => {
		// The node's own modules as n8n loaded them from dist/, where the shared budgets live.
		const dist = (file: string) => jest.requireActual(resolve(PACKAGE_DIR, 'dist/nodes/StripeBillingPortal', file)) as Record<string, never>;
		const { accountFingerprint, limiterFor, LIMIT_MARGIN } = dist('transport/limiter.js') as unknown as typeof import('../../nodes/StripeBillingPortal/transport/limiter');
		const { baseUrlOf } = dist('shared/baseUrl.js') as unknown as typeof import('../../nodes/StripeBillingPortal/shared/baseUrl');
		const pastedKey = `  "Bearer ${KEY}"\n`;
		await activate(trigger({ key: pastedKey, workflowId: 'wf-budgets-1' }, { customRateLimits: true, testRequestsPerSecond: 3 }));
		expect(endpoints()).toHaveLength(1);

		const state = limiterFor(accountFingerprint(baseUrlOf(sandbox.baseUrl), KEY), false).state();
		expect(Object.keys(state.endpoints)).toEqual(expect.arrayContaining(['GET /v1/webhook_endpoints', 'POST /v1/webhook_endpoints']));
		expect(state.globalCap).toBeCloseTo(3 * LIMIT_MARGIN);
	});
});

describe('activation', () => {
	it('registers one endpoint at the workflow’s URL with exactly the events its outcomes need, the pinned version and its owner tags', async () => {
		const node = trigger();
		await activate(node);
		const posts = endpointRequests().filter((request) => request.method === 'POST');
		expect(posts).toHaveLength(1);
		expect(posts[0].body).toEqual({
			url: 'http://127.0.0.1:5678/webhook/5c2f0b1e-3d4a-4e6f-8a9b-0c1d2e3f4a5b/webhook',
			enabled_events: ['customer.subscription.deleted', 'customer.subscription.updated'],
			api_version: PINNED,
			description: 'n8n Stripe Billing Portal Trigger (production, workflow wf-lifecycle-1)',
			metadata: {
				n8n_stripe_billing_portal_trigger: 'true',
				n8n_instance: expect.any(String),
				n8n_workflow: 'wf-lifecycle-1',
				n8n_node: 'b3a1c1f2-7f1e-4d7a-9f43-2f3c1e0a9b11',
				n8n_mode: 'production',
			},
		});
		expect(posts[0].headers.authorization).toBe(`Bearer ${KEY}`);
		expect(posts[0].headers['stripe-version']).toBe(PINNED);
		expect(posts[0].headers['idempotency-key']).toMatch(/^n8n-hook-/);
		expect(endpoints()).toHaveLength(1);
		const [endpoint] = endpoints();
		expect(node.staticData).toEqual({
			endpointId: endpoint.id,
			endpointSecret: sandbox.webhooks.secretsOf(endpoint.id)[0],
			endpointUrl: 'http://127.0.0.1:5678/webhook/5c2f0b1e-3d4a-4e6f-8a9b-0c1d2e3f4a5b/webhook',
			endpointEvents: 'customer.subscription.deleted,customer.subscription.updated',
			endpointLivemode: false,
		});
		expect((await node.hook('checkExists')).value).toBe(true);
	});

	it('retried by n8n (create again on the same static data) keeps the one endpoint', async () => {
		const node = trigger();
		await activate(node);
		const first = node.staticData.endpointId;
		for (let attempt = 0; attempt < 3; attempt++) expect((await node.hook('create')).value).toBe(true);
		expect(endpoints().map((endpoint) => endpoint.id)).toEqual([first]);
		expect(endpointRequests().filter((request) => request.method === 'POST')).toHaveLength(1);
	});

	it('with the static data lost (n8n kept nothing) replaces its own endpoint instead of adding one', async () => {
		const node = trigger();
		await activate(node);
		const first = node.staticData.endpointId;
		const again = trigger({ staticData: {} });
		await activate(again);
		expect(endpoints()).toHaveLength(1);
		expect(endpoints()[0].id).not.toBe(first);
		expect(again.staticData.endpointId).toBe(endpoints()[0].id);
	});

	it('after the endpoint was deleted in the dashboard registers a new one', async () => {
		const node = trigger();
		await activate(node);
		sandbox.webhooks.deleteEndpoint(String(node.staticData.endpointId));
		const republished = trigger({ staticData: node.savedStaticData() });
		await activate(republished);
		expect(endpoints()).toHaveLength(1);
		expect(republished.staticData.endpointId).toBe(endpoints()[0].id);
	});

	it('re-published with other outcomes ends with one endpoint for the new events', async () => {
		const node = trigger();
		await activate(node);
		const changed = trigger({ events: ['paymentMethodUpdated'], staticData: node.savedStaticData() });
		await activate(changed);
		expect(endpoints().map((endpoint) => endpoint.enabled_events)).toEqual([['customer.updated']]);
	});

	it('under a new instance base URL replaces its endpoint at the old URL', async () => {
		await activate(trigger({ baseUrl: 'http://127.0.0.1:5678' }));
		const moved = trigger({ baseUrl: 'http://127.0.0.2:5678', staticData: {} });
		await activate(moved);
		expect(endpoints().map((endpoint) => endpoint.url)).toEqual(['http://127.0.0.2:5678/webhook/5c2f0b1e-3d4a-4e6f-8a9b-0c1d2e3f4a5b/webhook']);
	});

	it('never touches an endpoint it does not own, even at the same URL, nor another workflow’s', async () => {
		const node = trigger();
		const url = node.webhookUrl();
		const foreign = sandbox.webhooks.createEndpoint({ url, enabled_events: ['customer.updated'], livemode: false });
		await activate(trigger({ workflowId: 'wf-lifecycle-other' }));
		await activate(node);
		await activate(trigger({ staticData: {} }));
		expect(await node.hook('delete')).toMatchObject({ value: true });
		const left = endpoints();
		expect(left.map((endpoint) => endpoint.id)).toContain(foreign.id);
		expect(left.map((endpoint) => endpoint.metadata?.n8n_workflow ?? 'foreign').sort()).toEqual(['foreign', 'wf-lifecycle-other']);
	});
});

describe('the test URL (“Listen for test event”)', () => {
	it('gets its own endpoint beside the published one, and its deletion leaves the published one', async () => {
		const published = trigger();
		await activate(published);
		const listening = trigger({ staticData: {} });
		await activate(listening, true);
		expect(endpoints().map((endpoint) => [endpoint.url, endpoint.metadata?.n8n_mode]).sort()).toEqual([
			['http://127.0.0.1:5678/webhook-test/5c2f0b1e-3d4a-4e6f-8a9b-0c1d2e3f4a5b/webhook', 'test'],
			['http://127.0.0.1:5678/webhook/5c2f0b1e-3d4a-4e6f-8a9b-0c1d2e3f4a5b/webhook', 'production'],
		]);
		// An n8n restart left a test endpoint behind: listening again replaces it.
		await activate(trigger({ staticData: {} }), true);
		expect(endpoints()).toHaveLength(2);
		expect((await listening.hook('delete', { test: true })).value).toBe(true);
		expect(endpoints().map((endpoint) => endpoint.metadata?.n8n_mode)).toEqual(['production']);
	});
});

describe('deactivation', () => {
	it('deletes the endpoint and forgets its secret', async () => {
		const node = trigger();
		await activate(node);
		const id = String(node.staticData.endpointId);
		expect((await node.hook('delete')).value).toBe(true);
		expect(endpoints()).toEqual([]);
		expect(endpointRequests().filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual([`/v1/webhook_endpoints/${id}`]);
		expect(node.staticData).toEqual({});
	});

	it('with Endpoint since set by an expression to neither option, still removes what it registered, even when its static data record was lost', async () => {
		const node = trigger();
		await activate(node);
		expect(await trigger({ endpoint: '={{ "Own" }}', staticData: node.savedStaticData() }).hook('delete')).toMatchObject({ value: true });
		expect(endpoints()).toEqual([]);
		await activate(trigger({ staticData: {} }));
		expect(await trigger({ endpoint: '={{ "Own" }}', staticData: {} }).hook('delete')).toMatchObject({ value: true });
		expect(endpoints()).toEqual([]);
	});

	it('succeeds when the endpoint is already gone', async () => {
		const node = trigger();
		await activate(node);
		sandbox.webhooks.deleteEndpoint(String(node.staticData.endpointId));
		expect((await node.hook('delete')).value).toBe(true);
	});
});

describe('through the package’s transport', () => {
	it('a lost answer to the create is resent with the same idempotency key: still one endpoint', async () => {
		sandbox.queueFault({ kind: 'drop-after', path: '/v1/webhook_endpoints', method: 'POST' });
		const node = trigger();
		expect(await node.hook('create')).toMatchObject({ value: true });
		const posts = endpointRequests().filter((request) => request.method === 'POST');
		expect(posts).toHaveLength(2);
		expect(posts[1].headers['idempotency-key']).toBe(posts[0].headers['idempotency-key']);
		expect(posts[1].replayed).toBe(true);
		expect(endpoints()).toHaveLength(1);
		expect(node.staticData.endpointId).toBe(endpoints()[0].id);
	});

	it('a 500 on the listing is retried', async () => {
		sandbox.queueFault({ kind: 'status', status: 500, path: '/v1/webhook_endpoints', method: 'GET' });
		expect(await trigger().hook('create')).toMatchObject({ value: true });
		expect(endpointRequests().filter((request) => request.method === 'GET')).toHaveLength(2);
		expect(endpoints()).toHaveLength(1);
	});
});

describe('when Stripe refuses', () => {
	it('at 16 endpoints says what to do, and sends no create', async () => {
		for (let index = 0; index < 16; index++) sandbox.webhooks.createEndpoint({ url: `https://example.com/hook/${index}`, enabled_events: ['customer.updated'], livemode: false });
		const { error } = await trigger().hook('create');
		expect(error?.message).toBe(
			"Stripe allows 16 webhook endpoints per account and this account already has 16 that are not this trigger's. Delete endpoints you no longer use in the Stripe dashboard under Developers → Webhooks (n8n's built-in Stripe Trigger leaves one behind on every publish, n8n issue 23893), then activate again; or set Endpoint to 'Created by Me', create the endpoint yourself (or run `stripe listen --forward-to <this trigger's webhook URL>` for a local n8n) and paste its signing secret (whsec_…) into Signing Secret.",
		);
		expect(endpointRequests().filter((request) => request.method === 'POST')).toEqual([]);
	});

	it('a URL it cannot reach (localhost): Stripe’s message, then the way out with stripe listen', async () => {
		sandbox.webhooks.options.allowLocalUrls = false;
		const { error } = await trigger({ baseUrl: 'http://localhost:5678' }).hook('create');
		expect(error?.message).toMatch(/^Invalid URL: .+ — Stripe must reach this workflow's webhook URL from the internet\. .*stripe listen --forward-to/);
		expect(endpoints()).toEqual([]);
	});

	it('a restricted key without Webhook Endpoints: names the permission and the alternative', async () => {
		const { error } = await trigger({ key: HOOKS_ONLY_KEY }).hook('create');
		expect(error?.message).toMatch(/ — The key needs the 'Webhook Endpoints: Write' permission .*Created by Me/);
		expect(JSON.stringify(error)).not.toContain(HOOKS_ONLY_KEY);
	});
});

describe('a customer’s portal actions, delivered by Stripe to the registered endpoint', () => {
	let server: Server;
	let node: TriggerUnderTest;
	const executions: IDataObject[][] = [];

	beforeAll(async () => {
		// Stands in for n8n's webhook server: hands each request to webhook() with its raw bytes.
		server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				void node.deliver({ headers: request.headers as Record<string, string>, rawBody: Buffer.concat(chunks) }).then(({ answered, result }) => {
					if (result.workflowData) executions.push(result.workflowData[0].map((item) => item.json));
					response.statusCode = answered?.status ?? 200;
					response.end(JSON.stringify(answered?.body ?? { received: true }));
				});
			});
		});
		await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
	});

	afterAll(async () => {
		await new Promise<void>((resolveClose) => {
			server.close(() => resolveClose());
			server.closeAllConnections();
		});
	});

	beforeEach(() => {
		executions.length = 0;
	});

	it('a cancellation at period end with the survey answered: one Cancellation Scheduled, then one Feedback Given; a redelivery and a forgery run nothing', async () => {
		node = trigger({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, workflowId: 'wf-lifecycle-loop' });
		await activate(node);
		const events = await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end', feedback: 'too_expensive', comment: 'Cheaper elsewhere', surveyDelayMs: 50 });
		await sandbox.webhooks.settled();
		expect(executions.map((items) => items.map((item) => [item.outcome, item.subscription, item.reason, item.feedback, item.comment]))).toEqual([
			[['cancellationScheduled', SEED_IDS.jennyPro, 'cancellation_requested', null, null]],
			[['cancellationFeedbackGiven', SEED_IDS.jennyPro, 'cancellation_requested', 'too_expensive', 'Cheaper elsewhere']],
		]);

		sandbox.webhooks.redeliver(events[1].id);
		await sandbox.webhooks.settled();
		const forged = await sandbox.webhooks.post(node.webhookUrl(), JSON.stringify({ ...events[1], id: 'evt_1Forged00000000' }), `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`);
		expect(forged.status).toBe(401);
		expect(executions).toHaveLength(2);
	});
});
