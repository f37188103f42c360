/**
 * End to end: the package as n8n users get it. The `npm pack` tarball installed into a real n8n
 * 2.x (the pinned CLI, SQLite, a throw-away user folder under .cache/e2e/), the examples imported
 * and run by `n8n execute`, the credential test run by n8n's server, and the node in n8n's editor
 * in headless Debian Chromium. The Stripe sandbox stands in for Stripe's servers only.
 * Screenshots go to .cache/e2e/screenshots/.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type Stripe from 'stripe';

import { ROOT } from '../cli/install';
import { freePort, nodeOutput, PACKAGE_NAME, type N8nServer, type WorkflowJson } from '../cli/instance';
import { chatAsCliWorkflow, DEMO_CHAT_MESSAGE, DEMO_LOGIN_PAGE_URL, setUpDemo, type DemoSetUp } from '../cli/setup';
import { parse as parseFlatted } from 'flatted';

import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS } from '../sandbox';
import { eventually } from '../support/eventually';
import { onTheWire } from '../support/session';
import {
	addCollectionOption,
	chatInEditor,
	closeCredential,
	closeNode,
	collectionOptions,
	credentialTestResult,
	ndvHeaderIconRendered,
	nodeIconRendered,
	nodeRanSuccessfully,
	openCredential,
	openNode,
	openWorkflow,
	parameterOptions,
	retestCredential,
	selectOption,
	setCredentialField,
	setUpOwner,
	visibleParameterLabels,
} from './editor';

const E2E_DIR = join(ROOT, '.cache', 'e2e');
const SCREENSHOTS = join(E2E_DIR, 'screenshots');
const SESSION_URL = /^https:\/\/billing\.stripe\.com\/p\/session\/test_\w+$/;
const OWNER = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Sandbox-Owner-2026' };
const BAD_KEY = 'sk_test_e2eWrongKey';
const AI_TOOL_NODE = 'Portal login link';
/** What the AI example's tool answers besides the link: the default configuration's login page, nothing about a customer. */
const AI_TOOL_ANSWER = { loginPageUrl: DEMO_LOGIN_PAGE_URL, configuration: 'bpc_SandboxDefaultConfig0001', isDefault: true, loginPageEnabled: true, livemode: false };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'editor-fields.json'), 'utf8')) as WorkflowJson;

let setUp: DemoSetUp;

function workflow(id: string): WorkflowJson {
	const found = setUp.examples.find((example) => example.workflow.id === id)?.workflow ?? (fixture.id === id ? fixture : undefined);
	if (!found) throw new Error(`no workflow ${id}`);
	return found;
}

beforeAll(async () => {
	mkdirSync(SCREENSHOTS, { recursive: true });
	setUp = await setUpDemo({ userFolder: join(E2E_DIR, 'n8n-user'), extraWorkflows: [fixture] });
}, 600_000);

afterAll(async () => {
	await setUp?.stop();
});

describe('the n8n CLI', () => {
	it('installs the npm pack tarball with everything the n8n manifest names, and the icons', () => {
		const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).n8n as { nodes: string[]; credentials: string[] };
		expect(setUp.packagedFiles).toEqual(expect.arrayContaining([...manifest.nodes, ...manifest.credentials, 'package.json']));
		expect(setUp.packagedFiles).toEqual(
			expect.arrayContaining(['dist/nodes/StripeBillingPortal/stripeBillingPortal.svg', 'dist/nodes/StripeBillingPortal/stripeBillingPortal.dark.svg']),
		);
		expect(setUp.packagedFiles.filter((file) => /(^|\/)test\/|\.test\./.test(file))).toEqual([]);
	});

	it('runs the support-ticket example: the customer found by email, a cancel deep link with the retention coupon', async () => {
		const seen = setUp.sandbox.requests.length;
		const result = await setUp.instance.execute('supportTicketCancel');
		expect(result.execution?.status).toBe('success');
		const [session] = nodeOutput(result.execution!, 'Cancel Link');
		expect(session).toMatchObject({ object: 'billing_portal.session', customer: 'cus_SandboxJenny01' });
		expect(session.url).toMatch(SESSION_URL);

		const requests = setUp.sandbox.requests.slice(seen);
		expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
			'GET /v1/customers',
			'GET /v1/subscriptions',
			'POST /v1/billing_portal/sessions',
		]);
		const create = requests[2];
		expect(create.headers.authorization).toBe(`Bearer ${DEFAULT_SECRET_KEY}`);
		expect(create.headers['stripe-version']).toBe(DEFAULT_API_VERSION);
		expect(create.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
		expect(create.headers['idempotency-key']).toMatch(/^n8n-\d+-item0-/);
		const expected: Stripe.BillingPortal.SessionCreateParams = {
			customer: 'cus_SandboxJenny01',
			return_url: 'https://example.com/account',
			flow_data: {
				type: 'subscription_cancel',
				subscription_cancel: { subscription: 'sub_SandboxJennyPro01', retention: { type: 'coupon_offer', coupon_offer: { coupon: 'STAY20' } } },
				after_completion: { type: 'redirect', redirect: { return_url: 'https://example.com/support/T-1042' } },
			},
			locale: 'auto',
			after_expiration: { type: 'customer_login' } as Stripe.BillingPortal.SessionCreateParams['after_expiration'],
		};
		expect(create.body).toEqual(expected);
	});

	it('runs the onboarding example: the lasting login link, e-mail filled in, reaches the email the Send Email node delivers', async () => {
		const mailBefore = setUp.mail.messages.length;
		const result = await setUp.instance.execute('onboardingLoginLink');
		expect(result.execution?.status).toBe('success');
		const link = `${DEMO_LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`;
		expect(nodeOutput(result.execution!, 'Portal Login Link')).toEqual([
			expect.objectContaining({ url: link, loginPageEnabled: true, isDefault: true, prefilledEmail: 'jenny.rosen@example.com' }),
		]);
		const mail = setUp.mail.messages.slice(mailBefore);
		expect(mail).toHaveLength(1);
		expect(mail[0].to).toEqual(['jenny.rosen@example.com']);
		expect(mail[0].text).toContain(link);
	});

	it('runs the dunning example: a failed payment, the customer read from Stripe, a lasting login link in the reminder', async () => {
		const mailBefore = setUp.mail.messages.length;
		const seen = setUp.sandbox.requests.length;
		const result = await setUp.instance.execute('dunningLoginLink');
		expect(result.execution?.status).toBe('success');
		expect(setUp.sandbox.requests.slice(seen).map((request) => `${request.method} ${request.path}`)).toEqual([
			'GET /v1/customers/cus_SandboxJenny01',
			'GET /v1/billing_portal/configurations',
		]);
		const mail = setUp.mail.messages.slice(mailBefore);
		expect(mail).toHaveLength(1);
		expect(mail[0].subject).toBe('Your payment did not go through');
		expect(mail[0].text).toContain(`${DEMO_LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`);
	});

	it('runs nested fields: a configuration with products and prices, then a session on that configuration', async () => {
		const seen = setUp.sandbox.requests.length;
		const result = await setUp.instance.execute(fixture.id);
		expect(result.execution?.status).toBe('success');
		const [configuration] = nodeOutput(result.execution!, 'Plans Configuration');
		const [session] = nodeOutput(result.execution!, 'Session With Configuration');
		expect(session.url).toMatch(SESSION_URL);
		expect(session.configuration).toBe(configuration.id);

		const [createConfiguration, createSession] = setUp.sandbox.requests.slice(seen);
		const expectedConfiguration: Stripe.BillingPortal.ConfigurationCreateParams = {
			features: {
				invoice_history: { enabled: true },
				subscription_update: {
					enabled: true,
					default_allowed_updates: ['price', 'quantity'],
					products: [
						{
							product: 'prod_SandboxPro01',
							prices: ['price_SandboxProMonthly01', 'price_SandboxProYearly01'],
							adjustable_quantity: { enabled: true, minimum: 1, maximum: 10 },
						},
					],
				},
			},
			business_profile: { headline: 'Acme partners with Stripe for simplified billing' },
		};
		expect(createConfiguration.body).toEqual(onTheWire(expectedConfiguration));
		const expectedSession: Stripe.BillingPortal.SessionCreateParams = {
			customer: 'cus_SandboxJenny01',
			return_url: 'https://example.com/account',
			configuration: configuration.id,
			locale: 'fr',
		};
		expect(createSession.body).toEqual(expectedSession);
	});

	it("runs the AI agent example's agent, model node and tool wrapper: the chat gets the login link, never a session link", async () => {
		const twin = chatAsCliWorkflow(workflow('aiAgentPortalLink'), DEMO_CHAT_MESSAGE);
		const seen = setUp.sandbox.requests.length;
		const modelCalls = setUp.chatModel.requests.length;
		const result = await setUp.instance.execute(twin.id);
		expect(result.execution?.status).toBe('success');
		const link = `${DEMO_LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`;
		const [toolOutput] = nodeOutput(result.execution!, AI_TOOL_NODE);
		expect(toolOutput).toEqual({ ...AI_TOOL_ANSWER, url: link, prefilledEmail: 'jenny.rosen@example.com' });
		expect(nodeOutput(result.execution!, 'Billing Assistant')).toEqual([{ output: `Here is your billing portal link: ${link}` }]);

		// What n8n offered the model: the tool node as a function whose one argument is its $fromAI() key.
		const [first] = setUp.chatModel.requests.slice(modelCalls);
		const tool = first.tools?.find((candidate) => candidate.function.name === 'Portal_login_link');
		expect(Object.keys(tool?.function.parameters?.properties ?? {})).toEqual(['customer_email']);
		// Only the configuration is read: nobody is looked up by the address, no session is made.
		expect(setUp.sandbox.requests.slice(seen).map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/billing_portal/configurations']);
	}, 300_000);

	it('gives a chat user who guesses an address no customer has the same answer as for Jenny’s, but for the address, and no session', async () => {
		// The test above named Jenny's address (someone else's, for whoever chats); this one guesses.
		const guess = 'nobody.here@example.com';
		const sessionsBefore = setUp.sandbox.sessions.length;
		const probe = chatAsCliWorkflow(workflow('aiAgentPortalLink'), `my email is ${guess}, I want to update my card`);
		probe.id = 'e2eAiProbe';
		await setUp.instance.importWorkflows([probe]);
		const seen = setUp.sandbox.requests.length;
		const result = await setUp.instance.execute(probe.id);
		expect(result.execution?.status).toBe('success');
		const link = `${DEMO_LOGIN_PAGE_URL}?prefilled_email=nobody.here%40example.com`;
		expect(nodeOutput(result.execution!, AI_TOOL_NODE)).toEqual([{ ...AI_TOOL_ANSWER, url: link, prefilledEmail: guess }]);
		expect(nodeOutput(result.execution!, 'Billing Assistant')).toEqual([{ output: `Here is your billing portal link: ${link}` }]);
		expect(setUp.sandbox.requests.slice(seen).map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/billing_portal/configurations']);
		expect(setUp.sandbox.sessions.length).toBe(sessionsBefore);
	}, 300_000);

	it('logs no warning or error about the package while loading it and running the examples', () => {
		const log = setUp.instance.logText();
		expect(log).toContain('Cancel Link');
		expect(setUp.instance.packageWarnings()).toEqual([]);
	});

	it("fails a run with a wrong key: non-zero exit, Stripe's message in n8n's error, the key nowhere", async () => {
		await setUp.instance.importCredentials([
			{ id: 'stripeWrongKey', name: 'Stripe (wrong key)', type: 'stripeBillingPortalApi', data: { secretKey: BAD_KEY, baseUrl: setUp.sandbox.baseUrl } },
		]);
		const wrong = structuredClone(workflow('supportTicketCancel'));
		wrong.id = 'e2eWrongKey';
		for (const node of wrong.nodes) {
			if (node.credentials?.stripeBillingPortalApi) node.credentials.stripeBillingPortalApi = { id: 'stripeWrongKey', name: 'Stripe (wrong key)' };
		}
		await setUp.instance.importWorkflows([wrong]);
		const logBefore = setUp.instance.logSize();
		const result = await setUp.instance.execute(wrong.id);
		expect(result.code).not.toBe(0);
		const said = `${result.stdout}${result.stderr}${setUp.instance.logText(logBefore)}`;
		expect(said).toMatch(/Invalid API Key provided: sk_test_\*+/);
		expect(said).not.toContain(BAD_KEY);
	});

});

describe('the n8n editor', () => {
	let server: N8nServer;
	let browser: BrowserContext;
	let page: Page;
	let logAtStart = 0;
	let port = 0;
	let cookie = '';
	const browserId = 'e2e-rest-client';

	/** n8n's REST API as the owner, signing in on first use (n8n ties the session to a browser-id header). */
	async function rest(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
		if (!cookie) {
			const login = await fetch(`${server.url}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': browserId },
				body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
			});
			expect(login.status).toBe(200);
			cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
		}
		const response = await fetch(`${server.url}${path}`, {
			method,
			headers: { 'content-type': 'application/json', 'browser-id': browserId, cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		expect({ path, status: response.status }).toEqual({ path, status: 200 });
		return response.json();
	}

	beforeAll(async () => {
		logAtStart = setUp.instance.logSize();
		port = await freePort();
		// Stripe (the sandbox) delivers the trigger examples' events to the URL n8n registers.
		server = await setUp.instance.start(port, 120_000, { N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/` });
		// A profile and a HOME of its own under .cache/e2e, so the browser writes nothing elsewhere.
		const profile = join(E2E_DIR, 'chromium');
		rmSync(profile, { recursive: true, force: true });
		mkdirSync(join(profile, 'home'), { recursive: true });
		browser = await chromium.launchPersistentContext(join(profile, 'user-data'), {
			executablePath: CHROMIUM,
			headless: true,
			viewport: { width: 1440, height: 900 },
			downloadsPath: join(profile, 'artifacts'),
			tracesDir: join(profile, 'artifacts'),
			env: { ...process.env, HOME: join(profile, 'home'), XDG_CONFIG_HOME: join(profile, 'home', '.config'), XDG_CACHE_HOME: join(profile, 'home', '.cache') },
			// As root in a container, and no calls to Google's hosts on a machine that reaches none.
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
		page = browser.pages()[0] ?? (await browser.newPage());
	}, 240_000);

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	async function shot(name: string): Promise<void> {
		await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
	}

	it('sets up the owner account in the browser', async () => {
		await setUpOwner(page, server.url, OWNER);
		expect(page.url()).not.toMatch(/\/setup|\/signin/);
	});

	it("serves the package's node types, credential type and icon to the signed-in editor", async () => {
		const nodes = (await rest('GET', '/types/nodes.json')) as Array<{ name: string; iconUrl?: string | { light: string; dark: string } }>;
		const ours = nodes.filter((node) => node.name.startsWith(`${PACKAGE_NAME}.`));
		expect(ours.map((node) => node.name).sort()).toEqual([
			`${PACKAGE_NAME}.stripeBillingPortal`,
			`${PACKAGE_NAME}.stripeBillingPortalTool`,
			`${PACKAGE_NAME}.stripeBillingPortalTrigger`,
		]);
		const credentials = (await rest('GET', '/types/credentials.json')) as Array<{ name: string }>;
		expect(credentials.map((credential) => credential.name)).toContain('stripeBillingPortalApi');
		for (const node of ours) {
			const urls = typeof node.iconUrl === 'string' ? [node.iconUrl] : [node.iconUrl!.light, node.iconUrl!.dark];
			for (const url of urls) {
				const icon = await fetch(`${server.url}/${url.replace(/^\//, '')}`);
				expect({ url, status: icon.status, type: icon.headers.get('content-type') }).toEqual({ url, status: 200, type: expect.stringMatching(/svg/) });
				expect(await icon.text()).toContain('<svg');
			}
		}
	});

	it('tests the credential through n8n: passes against the sandbox, a wrong key fails with a message that says what to fix', async () => {
		const test = async (secretKey: string) =>
			((await rest('POST', '/rest/credentials/test', {
				credentials: {
					id: 'stripeSandbox',
					name: 'Stripe (sandbox)',
					type: 'stripeBillingPortalApi',
					data: { secretKey, apiVersion: DEFAULT_API_VERSION, baseUrl: setUp.sandbox.baseUrl },
				},
			})) as { data: { status: string; message: string } }).data;
		const seen = setUp.sandbox.requests.length;
		expect(await test(DEFAULT_SECRET_KEY)).toEqual({ status: 'OK', message: 'Connection successful!' });
		const bad = await test(BAD_KEY);
		expect(bad).toEqual({ status: 'Error', message: 'Stripe rejected the key: check that it is a current sk_ or rk_ key of this account.' });
		const sent = setUp.sandbox.requests.slice(seen).map((request) => `${request.method} ${request.path} ${JSON.stringify(request.query)} ${request.headers.authorization}`);
		expect(sent[0]).toBe(`GET /v1/billing_portal/configurations {"limit":"1"} Bearer ${DEFAULT_SECRET_KEY}`);
		// n8n 2.41's server re-sends a request once after a 401 (its credentials helper always
		// offers pre-authentication, which a key credential does not use), so the wrong key goes twice.
		expect(sent.slice(1)).toEqual([
			`GET /v1/billing_portal/configurations {"limit":"1"} Bearer ${BAD_KEY}`,
			`GET /v1/billing_portal/configurations {"limit":"1"} Bearer ${BAD_KEY}`,
		]);
	});

	it('shows the Portal Session fields and the icon of the support-ticket example', async () => {
		await openWorkflow(page, server.url, 'supportTicketCancel');
		const icon = await nodeIconRendered(page, 'Cancel Link');
		expect(icon.src).toMatch(/stripeBillingPortal(\.dark)?\.svg/);
		expect(icon.naturalWidth).toBeGreaterThan(0);
		await shot('workflow-support-ticket');

		await openNode(page, 'Cancel Link');
		const header = await ndvHeaderIconRendered(page);
		expect(header.naturalWidth).toBeGreaterThan(0);
		const labels = await visibleParameterLabels(page);
		expect(labels).toEqual(
			expect.arrayContaining(['Resource', 'Operation', 'Customer', 'Return URL', 'Flow', 'Subscription Source', 'Retention Coupon', 'After Completion']),
		);
		await shot('node-portal-session');
	});

	it('switches Flow and shows that flow’s own fields', async () => {
		const flows = await parameterOptions(page, 'Flow');
		expect(flows).toEqual(expect.arrayContaining(['None (Portal Homepage)']));
		expect(flows.length).toBeGreaterThanOrEqual(7);
		await selectOption(page, 'Flow', flows.find((flow) => /confirm/i.test(flow))!);
		const labels = await visibleParameterLabels(page);
		expect(labels).toEqual(expect.arrayContaining(['Subscription Item']));
		expect(labels).not.toContain('Retention Coupon');
		await shot('node-flow-update-confirm');

		// Options already set (the example sets Locale) are not offered again.
		const additional = await collectionOptions(page, 'Additional Fields');
		expect(additional).toEqual(expect.arrayContaining(['Configuration', 'On Behalf Of', 'Expand']));
		expect(additional).not.toContain('Locale');
		await addCollectionOption(page, 'Additional Fields', 'Configuration');
		expect(await visibleParameterLabels(page)).toContain('Configuration');
		await closeNode(page);
	});

	it('renders nested products → prices and a configuration locator inside Additional Fields', async () => {
		await openWorkflow(page, server.url, fixture.id);
		await openNode(page, 'Plans Configuration');
		const labels = await visibleParameterLabels(page);
		expect(labels).toEqual(expect.arrayContaining(['Products', 'Product ID', 'Prices']));
		await shot('node-configuration-products');
		await closeNode(page);

		await openNode(page, 'Session With Configuration');
		expect(await visibleParameterLabels(page)).toEqual(expect.arrayContaining(['Additional Fields', 'Configuration', 'Locale']));
		await shot('node-session-additional-fields');
		await closeNode(page);
	});

	it('opens the tool variant in the AI agent example', async () => {
		await openWorkflow(page, server.url, 'aiAgentPortalLink');
		const icon = await nodeIconRendered(page, AI_TOOL_NODE);
		expect(icon.naturalWidth).toBeGreaterThan(0);
		await openNode(page, AI_TOOL_NODE);
		expect(await visibleParameterLabels(page)).toEqual(expect.arrayContaining(['Configuration', 'Customer']));
		await shot('node-ai-tool');
		await closeNode(page);
	});

	it("answers in the editor's chat with the login link, and a guessed address gets the same answer but for the address", async () => {
		const seen = setUp.sandbox.requests.length;
		const sessionsBefore = setUp.sandbox.sessions.length;
		const reply = await chatInEditor(page, DEMO_CHAT_MESSAGE);
		expect(reply).toBe(`Here is your billing portal link: ${DEMO_LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`);
		expect(await nodeRanSuccessfully(page, AI_TOOL_NODE)).toBe(true);
		await shot('chat-ai-agent');
		const guessed = await chatInEditor(page, 'Hi, I want to update my card. My email is nobody.here@example.com');
		expect(guessed).toBe(`Here is your billing portal link: ${DEMO_LOGIN_PAGE_URL}?prefilled_email=nobody.here%40example.com`);
		expect(setUp.sandbox.requests.slice(seen).map((request) => `${request.method} ${request.path}`)).toEqual([
			'GET /v1/billing_portal/configurations',
			'GET /v1/billing_portal/configurations',
		]);
		expect(setUp.sandbox.sessions.length).toBe(sessionsBefore);
	});

	// In the editor, not through `n8n execute`: n8n 2.41 checks an inline sub-workflow's credentials
	// against the user who runs it, and `n8n execute` before the owner is set up is refused them.
	it('chats with the e-mail AI example: the session link goes by mail to Jenny’s address only, the chat gets only the fixed reply', async () => {
		const fixedReply = 'If this address belongs to a billing account, a link to manage it is on its way to that address. Tell the user to check their inbox; nothing else is known.';
		await openWorkflow(page, server.url, 'aiAgentEmailSession');
		const mailBefore = setUp.mail.messages.length;
		const sessionsBefore = setUp.sandbox.sessions.length;
		expect(await chatInEditor(page, 'my email is jenny.rosen@example.com, I want to update my card')).toBe(fixedReply);
		const sessions = setUp.sandbox.sessions.slice(sessionsBefore);
		expect(sessions).toHaveLength(1);
		const mail = setUp.mail.messages.slice(mailBefore);
		expect(mail).toHaveLength(1);
		expect(mail[0].to).toEqual(['jenny.rosen@example.com']);
		expect(mail[0].text).toContain(sessions[0].url);
		await shot('chat-ai-agent-email');

		// A guessed address: the same reply, no session, no mail.
		expect(await chatInEditor(page, 'Hi, I want to update my card. My email is nobody.here@example.com')).toBe(fixedReply);
		expect(setUp.sandbox.sessions.length).toBe(sessionsBefore + 1);
		expect(setUp.mail.messages.length).toBe(mailBefore + 1);
	}, 300_000);

	it("shows the credential's test result in its editor: connected, and for a wrong key the reason to fix", async () => {
		await openCredential(page, server.url, 'Stripe (sandbox)');
		expect(await credentialTestResult(page)).toBe('Connection tested successfully');
		await setCredentialField(page, 'Secret Key', BAD_KEY);
		const failed = await retestCredential(page);
		expect(failed).toContain('Stripe rejected the key: check that it is a current sk_ or rk_ key of this account.');
		expect(failed).not.toContain(BAD_KEY);
		await shot('credential-wrong-key');
		// Closing discards the change: the saved credential still connects.
		await closeCredential(page);
		await openCredential(page, server.url, 'Stripe (sandbox)');
		expect(await credentialTestResult(page)).toBe('Connection tested successfully');
		await closeCredential(page);
	});

	/** Publishes an example as the editor's Publish does; resolves once its endpoint is registered at Stripe (the sandbox). */
	async function publish(workflowId: string): Promise<void> {
		const before = setUp.sandbox.webhooks.listEndpoints().length;
		const saved = (await rest('GET', `/rest/workflows/${workflowId}`)) as { data: { versionId: string } };
		await rest('POST', `/rest/workflows/${workflowId}/activate`, { versionId: saved.data.versionId });
		// n8n registers a published workflow's webhooks after it answered.
		expect(await eventually(() => setUp.sandbox.webhooks.listEndpoints().length > before, 30_000)).toBe(true);
	}

	/**
	 * The nodes that ran in each finished execution of a workflow, oldest first (n8n keeps the run data flatted).
	 * n8n lists an execution as soon as it starts, with no run data yet: counting those made a poll see a run that
	 * had not reached its nodes (CI once read `[]` for the first run).
	 */
	async function nodesRun(workflowId: string): Promise<string[][]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = (await rest('GET', `/rest/executions?filter=${filter}`)) as { data: { results: Array<{ id: string; status: string }> } };
		const finished = list.data.results.filter((execution) => !['new', 'running', 'waiting'].includes(execution.status));
		const runs: string[][] = [];
		for (const { id } of [...finished].reverse()) {
			const execution = (await rest('GET', `/rest/executions/${id}`)) as { data: { data: string } };
			const data = parseFlatted(execution.data.data) as { resultData: { runData: Record<string, unknown> } };
			runs.push(Object.keys(data.resultData.runData));
		}
		return runs;
	}

	it('runs the trigger examples once published: a portal cancellation with feedback mails the success team, the scheduled cancellation mails the win-back login link', async () => {
		const mailBefore = setUp.mail.messages.length;
		const sessionsBefore = setUp.sandbox.requestsTo('/v1/billing_portal/sessions', 'POST').length;
		await publish('trgSupportFeedback');
		await publish('trgWinBack');
		await setUp.sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end', feedback: 'too_expensive', comment: 'Found a cheaper tool', surveyDelayMs: 500 });
		await setUp.sandbox.webhooks.settled();
		expect(await eventually(() => setUp.mail.messages.length >= mailBefore + 2, 30_000)).toBe(true);
		const mail = setUp.mail.messages.slice(mailBefore);
		const note = mail.find((message) => message.to.includes('success-team@example.com'));
		expect(note?.subject).toBe(`Churn feedback: too_expensive (${SEED_IDS.jenny})`);
		expect(note?.text).toContain('Comment: Found a cheaper tool');
		const winBack = mail.find((message) => message.to.includes('jenny.rosen@example.com'));
		expect(winBack?.subject).toBe('Sorry to see you go');
		expect(winBack?.text).toContain(`${DEMO_LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`);
		// One e-mail each: the survey's second update is not a second scheduled cancellation.
		expect(mail).toHaveLength(2);
		// A lasting login link, never a portal session (a bearer link) in an e-mail.
		expect(setUp.sandbox.requestsTo('/v1/billing_portal/sessions', 'POST')).toHaveLength(sessionsBefore);
	}, 120_000);

	it('runs the dedupe example: after a restart the trigger cannot know a redelivered event, n8n’s Remove Duplicates drops it', async () => {
		await publish('trgDedupeAcrossProc');
		const hook = setUp.examples.find((example) => example.workflow.id === 'trgDedupeAcrossProc')?.workflow.nodes.find((node) => node.webhookId)?.webhookId;
		const endpoint = setUp.sandbox.webhooks.listEndpoints().find((candidate) => candidate.url.includes(`/webhook/${hook}/`));
		expect(endpoint).toBeDefined();
		// The customer takes back the cancellation the test before scheduled.
		const [withdrawn] = await setUp.sandbox.portal.withdrawCancellation(SEED_IDS.jennyPro);
		await setUp.sandbox.webhooks.settled();
		let runs: string[][] = [];
		const poll = async (count: number) => await eventually(async () => (runs = await nodesRun('trgDedupeAcrossProc')).length >= count, 30_000, 300);
		await poll(1);
		expect(runs).toHaveLength(1);
		expect(runs[0]).toContain('Your Steps Here');
		// A restart forgets what the trigger handed on (on the same URL, so the endpoint stays); Stripe then delivers the event again.
		await server.stop();
		server = await setUp.instance.start(port, 120_000, { N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/` });
		cookie = '';
		setUp.sandbox.webhooks.redeliver(withdrawn.id, endpoint?.id);
		await setUp.sandbox.webhooks.settled();
		await poll(2);
		expect(runs).toHaveLength(2);
		expect(setUp.sandbox.webhooks.listEndpoints().find((candidate) => candidate.id === endpoint?.id)).toBeDefined();
		// The trigger handed the event on again; Remove Duplicates let none of it through to the steps after.
		expect(runs[1]).toContain('Once per Stripe Event');
		expect(runs[1]).not.toContain('Your Steps Here');
	}, 240_000);

	it('logged no warning or error about the package while the server loaded it and the editor used it', () => {
		expect(setUp.instance.packageWarnings(logAtStart)).toEqual([]);
	});
});
