/**
 * examples/ai-agent-portal-link.json, read from disk and run as it is through n8n's engine: a
 * chat message reaches an AI Agent that uses this package's node as a tool, against the sandbox.
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

import { runWorkflow, scriptChat, type ChatModelTurn, type ToolCall, type WorkflowJson } from './harness';
import { SEED_IDS } from './sandbox';
import { API_VERSION, PACKAGE_DIR, SECRET_KEY, useEnvironment } from './support/session';

const EXAMPLE = join(PACKAGE_DIR, 'examples', 'ai-agent-portal-link.json');
const TOOL_TYPE = 'n8n-nodes-stripe-billing-portal.stripeBillingPortalTool';
const TOOL_NODE = 'Create portal link';
/** What the model calls the tool: the node name made safe for LLM APIs. */
const TOOL_NAME = 'Create_portal_link';
const AGENT_NODE = 'Billing Assistant';
/** Jenny's address in the sandbox: one current subscription (jennyPro) and a canceled one. */
const JENNY_EMAIL = 'jenny.rosen@example.com';
const UNKNOWN_EMAIL = 'nobody@example.com';
/**
 * What the agent reads when the e-mail matches nobody: what went wrong, then the one thing to do.
 * An agent gets only the message (never the description), so the node words it for a model.
 */
const UNKNOWN_EMAIL_ERROR = `Customer: no Stripe customer has the email '${UNKNOWN_EMAIL}'. Ask the customer for the e-mail address their billing account uses (it may differ from the one they wrote from), then call this tool again with that address.`;
const NO_PORTAL_ERROR =
	'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal. The customer portal of this Stripe account is not set up yet, so no link can be made: tell the user that self-service billing is unavailable for now and that the account owner must save the customer portal settings once at https://dashboard.stripe.com/test/settings/billing/portal. Calling again will not help until then.';

const environment = useEnvironment();

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
	const sent = (method: string, path: string) => requests.filter((request) => request.method === method && request.path === path);
	return {
		...result,
		/** Every request of the run, as `METHOD /path`, in order. */
		wire: requests.map((request) => `${request.method} ${request.path}`),
		customerLookups: sent('GET', '/v1/customers'),
		subscriptionLookups: sent('GET', '/v1/subscriptions'),
		sessionPosts: sent('POST', '/v1/billing_portal/sessions'),
		answer: result.lastNodeItems.map((item) => item.json),
	};
}

/** What the node sends for a cancel link to Jenny, given only her email. */
const JENNY_CANCEL_WIRE = ['GET /v1/customers', 'GET /v1/subscriptions', 'POST /v1/billing_portal/sessions'];
const JENNY_EMAIL_LOOKUP = { email: JENNY_EMAIL, limit: '100' };
const JENNY_SUBSCRIPTION_LOOKUP = { customer: SEED_IDS.jenny, status: 'all', limit: '100' };

const linkCall = (email: string, flowType = 'subscription_cancel'): ToolCall => ({
	tool: TOOL_NAME,
	args: { customer_email: email, flow_type: flowType },
});

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

const CANCEL_MESSAGE = `Hi! I want to cancel my subscription, my email is ${JENNY_EMAIL}.`;

describe('examples/ai-agent-portal-link.json', () => {
	it('is the only agent example, so examples.test.ts, which skips them, misses none', () => {
		const agentExamples = readdirSync(join(PACKAGE_DIR, 'examples')).filter((file) => file.startsWith('ai-agent-'));
		expect(agentExamples).toEqual(['ai-agent-portal-link.json']);
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

	it('asks the agent only for an email: customer By Email, the only current subscription, no subscription argument', () => {
		const workflow = loadExample();
		const tool = workflow.nodes.find((node) => node.name === TOOL_NODE);
		expect(tool?.parameters).toMatchObject({
			customer: { __rl: true, mode: 'email', value: expect.stringContaining("$fromAI('customer_email'") },
			flowType: expect.stringContaining("$fromAI('flow_type'"),
			subscriptionSource: 'onlyCurrent',
		});
		expect(tool?.parameters).not.toHaveProperty('subscription');
		const agent = workflow.nodes.find((node) => node.name === AGENT_NODE);
		const { systemMessage } = agent?.parameters.options as IDataObject;
		expect(systemMessage).toMatch(/email address/);
		expect(systemMessage).toMatch(/several current subscriptions[^]*flow_type none/);
		expect(systemMessage).not.toMatch(/cus_|sub_/);
	});

	it('offers the agent the node as a tool whose arguments are the $fromAI() keys, and sends the link it creates', async () => {
		const chat = scriptChat({ message: CANCEL_MESSAGE, model: callThenReply(linkCall(JENNY_EMAIL)) });

		const result = await run();

		expect(result.error).toBeUndefined();
		const [first, second] = chat.turns;
		expect(first.turn).toMatchObject({ input: CANCEL_MESSAGE, systemMessage: expect.stringMatching(/^You are the billing assistant/) });
		expect(first.turn.tools).toEqual([
			{
				name: TOOL_NAME,
				description: expect.stringMatching(/^Creates a link to the Stripe customer portal/),
				arguments: {
					customer_email: expect.stringContaining('email address'),
					flow_type: expect.stringContaining('subscription_cancel'),
				},
			},
		]);

		// The agent gave an email only: the node finds Jenny by it, then her one current subscription.
		expect(result.wire).toEqual(JENNY_CANCEL_WIRE);
		expect(result.customerLookups[0].query).toEqual(JENNY_EMAIL_LOOKUP);
		expect(result.subscriptionLookups[0].query).toEqual(JENNY_SUBSCRIPTION_LOOKUP);
		expect(result.sessionPosts[0].body).toEqual({
			customer: SEED_IDS.jenny,
			return_url: 'https://example.com/account',
			flow_data: {
				type: 'subscription_cancel',
				subscription_cancel: { subscription: SEED_IDS.jennyPro },
				after_completion: { type: 'portal_homepage' },
			},
		});

		const url = urlIn(second.turn.results[0].output);
		expect(url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
		expect(second.turn.results[0].output[0]).toMatchObject({ object: 'billing_portal.session', customer: SEED_IDS.jenny });
		expect(result.answer).toEqual([{ output: `Here is your link: ${url}` }]);
		expect(result.run.data.resultData.lastNodeExecuted).toBe(AGENT_NODE);
	});

	it('records the tool call on the tool node as n8n shows it: the model’s arguments in, the session out', async () => {
		scriptChat({ message: CANCEL_MESSAGE, model: callThenReply(linkCall(JENNY_EMAIL)) });

		const result = await run();

		const [task] = result.runData[TOOL_NODE];
		expect(task.executionStatus).toBe('success');
		expect(task.inputOverride?.ai_tool?.[0]?.[0]?.json).toEqual({ customer_email: JENNY_EMAIL, flow_type: 'subscription_cancel' });
		expect(task.data?.ai_tool?.[0]?.map((item) => item.json)).toEqual([
			expect.objectContaining({ object: 'billing_portal.session', url: expect.any(String) }),
		]);
		expect(task.source).toEqual([expect.objectContaining({ previousNode: AGENT_NODE })]);
	});

	it('opens the portal homepage for flow_type none, without looking up subscriptions', async () => {
		scriptChat({ message: `I want to see my invoices. My email is ${JENNY_EMAIL}.`, model: callThenReply(linkCall(JENNY_EMAIL, 'none')) });

		const result = await run();

		expect(result.error).toBeUndefined();
		expect(result.wire).toEqual(['GET /v1/customers', 'POST /v1/billing_portal/sessions']);
		expect(result.customerLookups[0].query).toEqual(JENNY_EMAIL_LOOKUP);
		expect(result.sessionPosts.map((request) => request.body)).toEqual([
			{ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' },
		]);
		expect(result.answer).toEqual([{ output: expect.stringMatching(/^Here is your link: https:\/\/billing\.stripe\.com\//) }]);
	});

	it('hands the agent the node’s error for an email no customer has, instead of failing the workflow', async () => {
		const chat = scriptChat({ message: `Cancel please, my email is ${UNKNOWN_EMAIL}`, model: callThenReply(linkCall(UNKNOWN_EMAIL)) });

		const result = await run();

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		// The lookup finds nobody; no subscription lookup and no session follow.
		expect(result.wire).toEqual(['GET /v1/customers']);
		expect(result.customerLookups[0].query).toEqual({ email: UNKNOWN_EMAIL, limit: '100' });

		const [toolResult] = chat.turns[1].turn.results;
		expect(toolResult.error).toBe(UNKNOWN_EMAIL_ERROR);
		expect(toolResult.output).toEqual([{ error: UNKNOWN_EMAIL_ERROR }]);
		expect(result.answer).toEqual([{ output: `Sorry, that did not work: ${UNKNOWN_EMAIL_ERROR}` }]);

		const [task] = result.runData[TOOL_NODE];
		expect(task.executionStatus).toBe('error');
		expect(task.error?.message).toBe(UNKNOWN_EMAIL_ERROR);
	});

	it('tells the agent, in the message it reads, that the portal is not set up and what to tell the user', async () => {
		environment.sandbox.removeDefaultConfiguration();
		const chat = scriptChat({ message: CANCEL_MESSAGE, model: callThenReply(linkCall(JENNY_EMAIL)) });

		const result = await run();

		expect(result.error).toBeUndefined();
		const [toolResult] = chat.turns[1].turn.results;
		expect(toolResult.error).toBe(NO_PORTAL_ERROR);
		expect(result.answer).toEqual([{ output: `Sorry, that did not work: ${NO_PORTAL_ERROR}` }]);
		expect(result.sessionPosts).toHaveLength(1);
		expect(environment.sandbox.sessions).toHaveLength(0);
	});

	it('tells the agent when the customer has several current subscriptions, so it can fall back to the homepage', async () => {
		const second = environment.sandbox.addSubscription({ customer: SEED_IDS.jenny, status: 'active' });
		const chat = scriptChat({
			message: CANCEL_MESSAGE,
			model: (turn) => {
				const last = turn.results.at(-1);
				if (!last) return { toolCalls: [linkCall(JENNY_EMAIL)] };
				if (last.error) return { toolCalls: [linkCall(JENNY_EMAIL, 'none')] };
				return { text: `Here is your link: ${urlIn(last.output)}` };
			},
		});

		const result = await run();

		expect(result.error).toBeUndefined();
		const [several] = chat.turns[1].turn.results;
		expect(several.error).toMatch(
			new RegExp(`^Subscription Source: customer ${SEED_IDS.jenny} \\('${JENNY_EMAIL}'\\) has 2 current subscriptions \\(`),
		);
		expect(several.error).toContain(SEED_IDS.jennyPro);
		expect(several.error).toContain(second.id);
		expect(result.wire).toEqual([
			'GET /v1/customers',
			'GET /v1/subscriptions',
			'GET /v1/customers',
			'POST /v1/billing_portal/sessions',
		]);
		expect(result.sessionPosts.map((request) => request.body)).toEqual([
			{ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' },
		]);
		expect(result.answer).toEqual([{ output: expect.stringMatching(/^Here is your link: https:\/\/billing\.stripe\.com\//) }]);
	});

	it('lets the agent correct a rejected argument and call the tool again', async () => {
		const chat = scriptChat({
			message: CANCEL_MESSAGE,
			model: (turn) => {
				const last = turn.results.at(-1);
				if (!last) return { toolCalls: [linkCall(JENNY_EMAIL, 'cancel')] };
				if (last.error) return { toolCalls: [linkCall(JENNY_EMAIL)] };
				return { text: `Here is your link: ${urlIn(last.output)}` };
			},
		});

		const result = await run();

		expect(result.error).toBeUndefined();
		const rejected =
			"Flow: 'cancel' is not a flow type. Choose None or one of: customer_update, payment_method_update, subscription_cancel, subscription_pause, subscription_update, subscription_update_confirm.";
		expect(chat.turns.map(({ turn }) => turn.results.map((r) => r.error ?? 'ok'))).toEqual([[], [rejected], [rejected, 'ok']]);
		// The node rejects the flow before any request; only the corrected call reaches Stripe.
		expect(result.wire).toEqual(JENNY_CANCEL_WIRE);
		expect(result.sessionPosts[0].body).toMatchObject({
			customer: SEED_IDS.jenny,
			flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: SEED_IDS.jennyPro } },
		});
		expect(result.runData[TOOL_NODE].map((task) => task.executionStatus)).toEqual(['error', 'success']);
		expect(result.answer).toEqual([{ output: expect.stringMatching(/^Here is your link: https:\/\/billing\.stripe\.com\//) }]);
	});

	describe('with an AI Agent before v3, which invokes the tool through n8n-core’s tool wrapper', () => {
		it('sends the same request and gets the session back as the tool’s answer', async () => {
			const chat = scriptChat({ message: CANCEL_MESSAGE, model: callThenReply(linkCall(JENNY_EMAIL)) });

			const result = await run(exampleWithAgentVersion(2.2));

			expect(result.error).toBeUndefined();
			expect(result.wire).toEqual(JENNY_CANCEL_WIRE);
			expect(result.customerLookups[0].query).toEqual(JENNY_EMAIL_LOOKUP);
			expect(result.subscriptionLookups[0].query).toEqual(JENNY_SUBSCRIPTION_LOOKUP);
			expect(result.sessionPosts[0].body).toMatchObject({
				customer: SEED_IDS.jenny,
				flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: SEED_IDS.jennyPro } },
			});
			const url = urlIn(chat.turns[1].turn.results[0].output);
			expect(url).toMatch(/^https:\/\/billing\.stripe\.com\//);
			expect(result.answer).toEqual([{ output: `Here is your link: ${url}` }]);
			expect(result.runData[TOOL_NODE][0].data?.ai_tool?.[0]?.[0]?.json).toEqual({
				response: [expect.objectContaining({ object: 'billing_portal.session', url })],
			});
		});

		it('gets a failing call as an error thrown by the wrapper, with the node’s description as Details', async () => {
			scriptChat({ message: `Cancel please, my email is ${UNKNOWN_EMAIL}`, model: callThenReply(linkCall(UNKNOWN_EMAIL)) });

			const result = await run(exampleWithAgentVersion(2.2));

			expect(result.error?.message.startsWith(`${UNKNOWN_EMAIL_ERROR}\n\nDetails: Check the address: Stripe matches emails exactly`)).toBe(true);
			expect(result.wire).toEqual(['GET /v1/customers']);
			expect(result.runData[TOOL_NODE][0].executionStatus).toBe('error');
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
