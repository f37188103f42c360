/**
 * examples/ai-agent-portal-link.json, read from disk and run as it is through n8n's engine: a
 * chat message reaches an AI Agent that uses this package's node as a tool, against the sandbox.
 *
 * The example is the safe pattern for a chat: the tool gets the portal's lasting login link with
 * the address filled in (Stripe e-mails a one-time code to it), never a session link, so a chat
 * user who types someone else's address gets nothing they can use, and cannot tell from the
 * answer whether an address belongs to a customer.
 *
 * The language model is scripted (scriptChat in test/harness/ai-stand-ins.ts); the chat trigger,
 * agent and model are harness stand-ins under their real type names. Real: the tool variant of
 * the node, n8n-core turning the tool node into the tool the agent is offered (name, description,
 * argument schema from its $fromAI() calls), WorkflowExecute running the tool node for the agent,
 * $fromAI() resolution, the node's routing and its HTTP request to the sandbox.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { runWorkflow, scriptChat, subWorkflowRuns, type ChatModelTurn, type ToolCall, type WorkflowJson } from '../harness';
import { SEED_IDS } from '../sandbox';
import { API_VERSION, PACKAGE_DIR, SECRET_KEY, useEnvironment } from '../support/session';

const EXAMPLE = join(PACKAGE_DIR, 'examples', 'ai-agent-portal-link.json');
const TOOL_TYPE = 'n8n-nodes-stripe-billing-portal.stripeBillingPortalTool';
const TOOL_NODE = 'Portal login link';
/** What the model calls the tool: the node name made safe for LLM APIs. */
const TOOL_NAME = 'Portal_login_link';
const AGENT_NODE = 'Billing Assistant';
const LOGIN_PAGE_URL = 'https://billing.stripe.com/p/login/test_SandboxDefaultLogin01';
const CONFIGURATIONS = '/v1/billing_portal/configurations';
/** Jenny's address in the sandbox: a customer with a current subscription. */
const JENNY_EMAIL = 'jenny.rosen@example.com';
/** Addresses no sandbox customer has, as someone probing the chat would guess them. */
const GUESSED_EMAILS = ['nobody@example.com', 'j.rosen@example.com'];
const SESSION_LINK = /billing\.stripe\.com\/p\/session\//;

const environment = useEnvironment();

beforeEach(() => {
	const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
	if (configuration) configuration.login_page = { enabled: true, url: LOGIN_PAGE_URL };
});

function loadExample(): WorkflowJson {
	return JSON.parse(readFileSync(EXAMPLE, 'utf8')) as WorkflowJson;
}

/** The example with the agent at another typeVersion; everything else as on disk. */
function exampleWithAgentVersion(typeVersion: number): WorkflowJson {
	const workflow = loadExample();
	for (const node of workflow.nodes) if (node.name === AGENT_NODE) node.typeVersion = typeVersion;
	return workflow;
}

async function run(workflow: WorkflowJson = loadExample()) {
	const before = environment.sandbox.requests.length;
	const result = await runWorkflow({
		pkg: environment.pkg,
		workflow,
		credentials: {
			stripeBillingPortalApi: { secretKey: SECRET_KEY, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION },
		},
	});
	const requests = environment.sandbox.requests.slice(before);
	return {
		...result,
		requests,
		/** Every request of the run, as `METHOD /path`, in order. */
		wire: requests.map((request) => `${request.method} ${request.path}`),
		answer: result.lastNodeItems.map((item) => item.json),
	};
}

const loginLinkCall = (email: string): ToolCall => ({ tool: TOOL_NAME, args: { customer_email: email } });

const linkFor = (email: string) => `${LOGIN_PAGE_URL}?prefilled_email=${encodeURIComponent(email)}`;

function urlIn(output: IDataObject[] | undefined): string | undefined {
	const url = output?.[0]?.url;
	return typeof url === 'string' ? url : undefined;
}

/** The scripted model: the given tool call, then a reply made from the tool's result. */
function callThenReply(call: ToolCall) {
	return (turn: ChatModelTurn) => {
		const [result] = turn.results;
		if (!result) return { toolCalls: [call] };
		return result.error ? { text: `Sorry, that did not work: ${result.error}` } : { text: `Here is your link: ${urlIn(result.output)}` };
	};
}

/** A tool's answer with the address the model passed in replaced, to compare answers for different addresses. */
function withoutAddress(answer: unknown, email: string): string {
	return JSON.stringify(answer).split(encodeURIComponent(email)).join('<address>').split(email).join('<address>');
}

const CANCEL_MESSAGE = `Hi! I want to cancel my subscription, my email is ${JENNY_EMAIL}.`;

describe('examples/ai-agent-portal-link.json', () => {
	it('is one of the two agent examples, both run here, so workflows.test.ts, which skips them, misses none', () => {
		const agentExamples = readdirSync(join(PACKAGE_DIR, 'examples')).filter((file) => file.startsWith('ai-agent-'));
		expect(agentExamples.sort()).toEqual(['ai-agent-email-session-link.json', 'ai-agent-portal-link.json']);
	});

	it('connects a chat trigger, an OpenAI chat model and this package’s tool node to an AI Agent', () => {
		const workflow = loadExample();
		const byName = Object.fromEntries(workflow.nodes.map((node) => [node.name, node]));
		expect(byName[TOOL_NODE]).toMatchObject({ type: TOOL_TYPE, typeVersion: 1 });
		expect(byName[AGENT_NODE]).toMatchObject({ type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3 });
		expect(workflow.connections).toEqual({
			'When chat message received': { main: [[{ node: AGENT_NODE, type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: AGENT_NODE, type: 'ai_languageModel', index: 0 }]] },
			[TOOL_NODE]: { ai_tool: [[{ node: AGENT_NODE, type: 'ai_tool', index: 0 }]] },
		});
	});

	it('gives the agent the login link, never a portal session: the only tool is Portal Login Link → Get, By Email', () => {
		const workflow = loadExample();
		const tools = workflow.nodes.filter((node) => node.type === TOOL_TYPE);
		expect(tools.map((node) => node.name)).toEqual([TOOL_NODE]);
		expect(tools[0].parameters).toMatchObject({
			resource: 'portalLoginLink',
			operation: 'get',
			customer: { __rl: true, mode: 'email', value: expect.stringContaining("$fromAI('customer_email'") },
		});
		const agent = workflow.nodes.find((node) => node.name === AGENT_NODE);
		const { systemMessage } = agent?.parameters.options as IDataObject;
		expect(systemMessage).toMatch(/one-time code/);
		expect(systemMessage).toMatch(/do not say that it does or does not/);
		expect(systemMessage).not.toMatch(/cus_|sub_|session/);
	});

	it('offers the agent the tool with one argument, and replies with the login link, the address filled in', async () => {
		const chat = scriptChat({ message: CANCEL_MESSAGE, model: callThenReply(loginLinkCall(JENNY_EMAIL)) });

		const result = await run();

		expect(result.error).toBeUndefined();
		const [first, second] = chat.turns;
		expect(first.turn).toMatchObject({ input: CANCEL_MESSAGE, systemMessage: expect.stringMatching(/^You are the billing assistant/) });
		expect(first.turn.tools).toEqual([
			{
				name: TOOL_NAME,
				description: expect.stringMatching(/^Gets the link to the Stripe billing portal's login page/),
				arguments: { customer_email: expect.stringContaining('e-mail address') },
			},
		]);

		// The default configuration is read; no customer is looked up and no session is created.
		expect(result.wire).toEqual([`GET ${CONFIGURATIONS}`]);
		expect(result.requests[0].query).toEqual({ is_default: 'true', limit: '1' });
		expect(second.turn.results[0].output).toEqual([
			{
				url: linkFor(JENNY_EMAIL),
				loginPageUrl: LOGIN_PAGE_URL,
				prefilledEmail: JENNY_EMAIL,
				configuration: SEED_IDS.defaultConfiguration,
				isDefault: true,
				loginPageEnabled: true,
				livemode: false,
			},
		]);
		expect(result.answer).toEqual([{ output: `Here is your link: ${linkFor(JENNY_EMAIL)}` }]);
		expect(environment.sandbox.sessions).toHaveLength(0);
		expect(result.run.data.resultData.lastNodeExecuted).toBe(AGENT_NODE);
	});

	it('records the tool call on the tool node as n8n shows it: the model’s argument in, the login link out', async () => {
		scriptChat({ message: CANCEL_MESSAGE, model: callThenReply(loginLinkCall(JENNY_EMAIL)) });

		const result = await run();

		const [task] = result.runData[TOOL_NODE];
		expect(task.executionStatus).toBe('success');
		expect(task.inputOverride?.ai_tool?.[0]?.[0]?.json).toEqual({ customer_email: JENNY_EMAIL });
		expect(task.data?.ai_tool?.[0]?.map((item) => item.json)).toEqual([expect.objectContaining({ url: linkFor(JENNY_EMAIL) })]);
		expect(task.source).toEqual([expect.objectContaining({ previousNode: AGENT_NODE })]);
	});

	it('gives a chat user who names someone else’s address, then guesses others, nothing usable and nothing that tells customers apart', async () => {
		const addresses = [JENNY_EMAIL, ...GUESSED_EMAILS];
		const chat = scriptChat({
			message: `my email is ${JENNY_EMAIL}, I want to update my card`,
			model: (turn) =>
				turn.results.length < addresses.length ? { toolCalls: [loginLinkCall(addresses[turn.results.length])] } : { text: 'Done.' },
		});

		const result = await run();

		expect(result.error).toBeUndefined();
		const results = chat.turns.at(-1)!.turn.results;
		expect(results.map((toolResult) => toolResult.args.customer_email)).toEqual(addresses);
		for (const toolResult of results) {
			expect(toolResult.error).toBeUndefined();
			expect(JSON.stringify(toolResult.output)).not.toMatch(SESSION_LINK);
			expect(JSON.stringify(toolResult.output)).not.toMatch(/cus_/);
		}
		// What the model reads for Jenny's address and for the guesses differs only by the address it passed in.
		const [known, ...unknown] = results.map((toolResult) => withoutAddress(toolResult.output, toolResult.args.customer_email as string));
		for (const answer of unknown) expect(answer).toBe(known);
		// Stripe is never asked who has an address, and no session is made for anyone.
		expect(result.wire).toEqual(addresses.map(() => `GET ${CONFIGURATIONS}`));
		expect(environment.sandbox.sessions).toHaveLength(0);
	});

	it('tells the agent, in the message it reads, that the login page is off, in the same words for every address', async () => {
		const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
		if (configuration) configuration.login_page = { enabled: false, url: null };
		const addresses = [JENNY_EMAIL, GUESSED_EMAILS[0]];
		const chat = scriptChat({
			message: CANCEL_MESSAGE,
			model: (turn) =>
				turn.results.length < addresses.length ? { toolCalls: [loginLinkCall(addresses[turn.results.length])] } : { text: 'Sorry.' },
		});

		const result = await run();

		expect(result.error).toBeUndefined();
		const [known, unknown] = chat.turns.at(-1)!.turn.results;
		expect(known.error).toBe(
			`Configuration: the login page of '${SEED_IDS.defaultConfiguration}' is turned off, so it has no lasting link. The portal login page is switched off in Stripe, so there is no link to give: tell the user that the billing portal link is not available right now. Calling again will not help.`,
		);
		expect(unknown.error).toBe(known.error);
		expect(unknown.output).toEqual(known.output);
	});

	describe('with an AI Agent before v3, which invokes the tool through n8n-core’s tool wrapper', () => {
		it('sends the same request and gets the login link back as the tool’s answer', async () => {
			const chat = scriptChat({ message: CANCEL_MESSAGE, model: callThenReply(loginLinkCall(JENNY_EMAIL)) });

			const result = await run(exampleWithAgentVersion(2.2));

			expect(result.error).toBeUndefined();
			expect(result.wire).toEqual([`GET ${CONFIGURATIONS}`]);
			expect(urlIn(chat.turns[1].turn.results[0].output)).toBe(linkFor(JENNY_EMAIL));
			expect(result.answer).toEqual([{ output: `Here is your link: ${linkFor(JENNY_EMAIL)}` }]);
			expect(result.runData[TOOL_NODE][0].data?.ai_tool?.[0]?.[0]?.json).toEqual({
				response: [expect.objectContaining({ url: linkFor(JENNY_EMAIL), prefilledEmail: JENNY_EMAIL })],
			});
		});
	});
});

describe('the tool node type the example uses', () => {
	it('is derived from the node the way n8n derives tools from usableAsTool nodes', () => {
		const base = environment.pkg.nodeTypes.getByNameAndVersion('n8n-nodes-stripe-billing-portal.stripeBillingPortal', 1);
		const tool = environment.pkg.nodeTypes.getByNameAndVersion(TOOL_TYPE, 1);
		const { description } = tool;

		expect(description).toMatchObject({
			name: 'stripeBillingPortalTool',
			displayName: 'Stripe Billing Portal Tool',
			inputs: [],
			outputs: ['ai_tool'],
			credentials: base.description.credentials,
			codex: { categories: ['AI'], subcategories: { AI: ['Tools'], Tools: ['Other Tools'] } },
		});
		expect(description.usableAsTool).toBeUndefined();
		const names = description.properties.map((property: INodeProperties) => property.name);
		expect(names.slice(0, 2)).toEqual(['descriptionType', 'toolDescription']);
		expect(names.slice(2)).toEqual(base.description.properties.map((property) => property.name));
		expect(description.properties[1]).toMatchObject({
			required: true,
			default: base.description.description,
			displayOptions: { show: { descriptionType: ['manual'] } },
		});
		expect(tool.methods).toBe(base.methods);
		expect(typeof tool.execute).toBe('function');
	});

	it('exists only for nodes marked usableAsTool', () => {
		expect(environment.pkg.nodeTypes.has(TOOL_TYPE)).toBe(true);
		expect(environment.pkg.nodeTypes.has('n8n-nodes-base.noOpTool')).toBe(false);
		expect(environment.pkg.nodeTypes.getKnownTypes()).toHaveProperty([TOOL_TYPE]);
	});
});

describe('examples/ai-agent-email-session-link.json', () => {
	const EMAIL_EXAMPLE = join(PACKAGE_DIR, 'examples', 'ai-agent-email-session-link.json');
	const WORKFLOW_TOOL = 'Email portal link';
	const WORKFLOW_TOOL_NAME = 'Email_portal_link';
	const FIXED_REPLY =
		'If this address belongs to a billing account, a link to manage it is on its way to that address. Tell the user to check their inbox; nothing else is known.';

	const loadEmailExample = () => JSON.parse(readFileSync(EMAIL_EXAMPLE, 'utf8')) as WorkflowJson;
	const subWorkflowOf = (workflow: WorkflowJson) =>
		JSON.parse(workflow.nodes.find((node) => node.name === WORKFLOW_TOOL)?.parameters.workflowJson as string) as WorkflowJson;
	const emailCall = (email: string): ToolCall => ({ tool: WORKFLOW_TOOL_NAME, args: { input: email } });

	it('gives the agent one tool, a sub-workflow whose every path ends in the one fixed reply', () => {
		const workflow = loadEmailExample();
		expect(workflow.nodes.find((node) => node.name === WORKFLOW_TOOL)).toMatchObject({
			type: '@n8n/n8n-nodes-langchain.toolWorkflow',
			parameters: { source: 'parameter' },
		});
		expect(workflow.nodes.filter((node) => node.type === TOOL_TYPE)).toEqual([]);
		const sub = subWorkflowOf(workflow);
		const session = sub.nodes.find((node) => node.name === 'Portal Session');
		expect(session).toMatchObject({
			type: 'n8n-nodes-stripe-billing-portal.stripeBillingPortal',
			onError: 'continueErrorOutput',
			parameters: { resource: 'portalSession', operation: 'create', customer: { mode: 'email', value: '={{ $json.query }}' } },
		});
		// The address the link goes to is the one Stripe has on file for the session's customer, not the typed one.
		expect(sub.nodes.find((node) => node.name === 'Address on File')).toMatchObject({
			type: 'n8n-nodes-stripe-billing-portal.stripeBillingPortal',
			onError: 'continueErrorOutput',
			parameters: { resource: 'portalLoginLink', operation: 'get', customer: { mode: 'id', value: '={{ $json.customer }}' } },
		});
		expect(sub.nodes.find((node) => node.name === 'Email the Link')?.parameters.toEmail).toBe('={{ $json.prefilledEmail }}');
		// Success → address on file → e-mail → reply; each error output (no such customer) → the same reply.
		expect(sub.connections['Portal Session'].main).toEqual([
			[{ node: 'Address on File', type: 'main', index: 0 }],
			[{ node: 'Fixed Reply', type: 'main', index: 0 }],
		]);
		expect(sub.connections['Address on File'].main).toEqual([
			[{ node: 'Email the Link', type: 'main', index: 0 }],
			[{ node: 'Fixed Reply', type: 'main', index: 0 }],
		]);
		expect(sub.connections['Email the Link'].main).toEqual([[{ node: 'Fixed Reply', type: 'main', index: 0 }]]);
		expect(sub.connections['Fixed Reply']).toBeUndefined();
	});

	it('an address typed in other capitals finds the customer, and the link goes to the address Stripe has on file, not the typed one', async () => {
		const typed = JENNY_EMAIL.toUpperCase();
		const chat = scriptChat({
			message: `my email is ${typed}`,
			model: (turn) => (turn.results.length === 0 ? { toolCalls: [emailCall(typed)] } : { text: 'Check your inbox.' }),
		});
		const runsBefore = subWorkflowRuns.length;
		const result = await run(loadEmailExample());

		expect(result.error).toBeUndefined();
		const [subRun] = subWorkflowRuns.slice(runsBefore);
		const emails = subRun.data.resultData.runData['Email the Link']?.[0]?.data?.main?.[0]?.map((item) => item.json) ?? [];
		expect(emails).toEqual([expect.objectContaining({ toEmail: JENNY_EMAIL })]);
		expect(JSON.stringify(emails)).not.toContain(typed);
		// The model reads the fixed reply only: neither the stored address nor the link.
		const [toolResult] = chat.turns.at(-1)!.turn.results;
		expect(toolResult.output).toEqual([{ response: FIXED_REPLY }]);
		expect(JSON.stringify(chat.turns)).not.toContain(JENNY_EMAIL);
		const session = environment.sandbox.sessions.at(-1);
		expect(session?.customer).toBe(SEED_IDS.jenny);
		expect(JSON.stringify(chat.turns)).not.toContain(session?.url);
	});

	it('e-mails the session link to the address, and the model gets only the fixed reply, the same for an unknown address', async () => {
		const addresses = [JENNY_EMAIL, ...GUESSED_EMAILS];
		const chat = scriptChat({
			message: `my email is ${JENNY_EMAIL}, I want to update my card`,
			model: (turn) => (turn.results.length < addresses.length ? { toolCalls: [emailCall(addresses[turn.results.length])] } : { text: 'Check your inbox.' }),
		});

		const runsBefore = subWorkflowRuns.length;
		const result = await run(loadEmailExample());

		expect(result.error).toBeUndefined();
		const results = chat.turns.at(-1)!.turn.results;
		expect(results.map((toolResult) => toolResult.args.input)).toEqual(addresses);
		const runs = subWorkflowRuns.slice(runsBefore);
		expect(runs).toHaveLength(addresses.length);
		// What the model reads is the fixed reply, word for word, whoever was named.
		for (const toolResult of results) {
			expect(toolResult.error).toBeUndefined();
			expect(toolResult.output).toEqual([{ response: FIXED_REPLY }]);
		}
		// Stripe: Jenny is found and gets a session; the guesses find nobody and get none.
		expect(result.wire).toEqual([
			'GET /v1/customers',
			'POST /v1/billing_portal/sessions',
			// Address on File: the customer as Stripe stores it, and the default configuration's login page.
			`GET /v1/customers/${SEED_IDS.jenny}`,
			'GET /v1/billing_portal/configurations',
			...GUESSED_EMAILS.map(() => 'GET /v1/customers'),
		]);
		expect(result.requests[1].body).toMatchObject({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' });
		expect(environment.sandbox.sessions).toHaveLength(1);
		const [session] = environment.sandbox.sessions;
		expect(session.url).toMatch(SESSION_LINK);
		expect(JSON.stringify(results)).not.toContain(session.url);
		// The link went to Jenny's address only: the one e-mail of the three runs (the harness's Send Email outputs what it would send).
		const emails = runs.flatMap((subRun) => subRun.data.resultData.runData['Email the Link']?.[0]?.data?.main?.[0]?.map((item) => item.json) ?? []);
		expect(emails).toEqual([expect.objectContaining({ toEmail: JENNY_EMAIL, subject: 'Your link to manage your billing', text: expect.stringContaining(session.url) })]);
		// The guesses end on the Portal Session node's error output, which leads to the same reply.
		expect(runs[1].data.resultData.runData['Portal Session'][0].data?.main?.[1]).toEqual([expect.objectContaining({ json: expect.objectContaining({ error: expect.any(String) }) })]);
		expect(result.answer).toEqual([{ output: 'Check your inbox.' }]);
	});
});
