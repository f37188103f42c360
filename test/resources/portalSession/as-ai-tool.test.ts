/**
 * The node as an AI agent's tool, where whatever it returns goes to the model and, through it, to
 * whoever is chatting. A portal session link is a key to a customer's billing, and the chat user
 * has proven nothing about who they are. Each story runs an agent workflow through n8n's engine
 * (scripted model, real tool variant and routing) against the sandbox, and checks what the model
 * received and what reached Stripe.
 */
import type { IDataObject, INodeParameters, INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { runWorkflow, scriptChat, type ChatModelTurn, type ToolResult, type WorkflowJson } from '../../harness';
import { SEED_IDS } from '../../sandbox';
import { API_VERSION, SECRET_KEY, useEnvironment } from '../../support/session';

const environment = useEnvironment();

const BASE_TYPE = 'n8n-nodes-stripe-billing-portal.stripeBillingPortal';
const TOOL_TYPE = `${BASE_TYPE}Tool`;
const TOOL_NAME = 'Billing_tool';
const JENNY_EMAIL = 'jenny.rosen@example.com';
const UNKNOWN_EMAIL = 'nobody@example.com';
const LOGIN_PAGE_URL = 'https://billing.stripe.com/p/login/test_SandboxDefaultLogin01';
const FROM_AI_EMAIL = "={{ $fromAI('customer_email', 'The customer’s e-mail address', 'string') }}";

/** What the model reads whenever the tool makes no link: no address, no hint to try another. */
const NO_LINK_ADVICE =
	'Do not call this tool again and do not ask for another e-mail address. Tell the user that for their security billing links are not given out in this chat, and that they can manage their billing by signing in to the billing portal with the e-mail address of their account (they get a one-time code there).';

/**
 * A step between the chat and the agent that stands for the workflow's own check of who is
 * chatting (in a real workflow, one that verifies the app's signed session token): it adds the
 * customer ID that check found.
 */
const VERIFY_SESSION_NODE = {
	id: 'n5',
	name: 'Verify Session',
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	position: [100, 0] as [number, number],
	parameters: {
		mode: 'manual',
		includeOtherFields: true,
		assignments: { assignments: [{ id: 'a1', name: 'customerId', value: SEED_IDS.jenny, type: 'string' }] },
		options: {},
	},
};

/** A chat trigger, an AI Agent (v3) with a model, and this package's node as its one tool; optionally the Verify Session step before the agent. */
function agentWorkflow(toolParameters: INodeParameters, options: { verifyStep?: boolean } = {}): WorkflowJson {
	const toAgent = { main: [[{ node: 'Agent', type: 'main' as const, index: 0 }]] };
	return {
		nodes: [
			...(options.verifyStep ? [VERIFY_SESSION_NODE] : []),
			{ id: 'n1', name: 'Chat', type: '@n8n/n8n-nodes-langchain.chatTrigger', typeVersion: 1.3, position: [0, 0], parameters: { options: {} }, webhookId: 'c0ffee00-0000-4000-8000-000000000001' },
			{ id: 'n2', name: 'Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3, position: [200, 0], parameters: { promptType: 'auto', text: '={{ $json.chatInput }}', options: { systemMessage: 'You help with billing.' } } },
			{ id: 'n3', name: 'Model', type: '@n8n/n8n-nodes-langchain.lmChatOpenAi', typeVersion: 1.2, position: [200, 200], parameters: { model: { __rl: true, mode: 'list', value: 'gpt-4.1-mini' }, options: {} } },
			{
				id: 'n4',
				name: 'Billing tool',
				type: TOOL_TYPE,
				typeVersion: 1,
				position: [400, 200],
				parameters: { descriptionType: 'manual', toolDescription: 'Billing portal links.', ...toolParameters },
				credentials: { stripeBillingPortalApi: { id: 'stripe', name: 'Stripe' } },
			},
		],
		connections: {
			...(options.verifyStep ? { Chat: { main: [[{ node: 'Verify Session', type: 'main' as const, index: 0 }]] }, 'Verify Session': toAgent } : { Chat: toAgent }),
			Model: { ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]] },
			'Billing tool': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Runs the workflow with a model that calls the tool once per argument set, then stops; returns what the tool gave the model. */
async function callTool(
	toolParameters: INodeParameters,
	calls: IDataObject[],
	options: { message?: string; verifyStep?: boolean } = {},
) {
	const chat = scriptChat({
		message: options.message ?? 'my email is jenny.rosen@example.com, I want to update my card',
		model: (turn: ChatModelTurn) =>
			turn.results.length < calls.length ? { toolCalls: [{ tool: TOOL_NAME, args: calls[turn.results.length] }] } : { text: 'Done.' },
	});
	const before = environment.sandbox.requests.length;
	const result = await runWorkflow({
		pkg: environment.pkg,
		workflow: agentWorkflow(toolParameters, options),
		credentials: { stripeBillingPortalApi: { secretKey: SECRET_KEY, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION } },
	});
	expect(result.error).toBeUndefined();
	const results: ToolResult[] = chat.turns.at(-1)?.turn.results ?? [];
	expect(results).toHaveLength(calls.length);
	const requests = environment.sandbox.requests.slice(before);
	return { results, wire: requests.map((request) => `${request.method} ${request.path}`), requests };
}

const sessionCreate = (parameters: INodeParameters = {}): INodeParameters => ({
	resource: 'portalSession',
	operation: 'create',
	customerType: 'customer',
	customer: { __rl: true, mode: 'email', value: FROM_AI_EMAIL },
	returnUrl: 'https://example.com/account',
	flowType: 'payment_method_update',
	additionalFields: {},
	...parameters,
});

describe('Portal Session → Create as an AI tool, as the author left it', () => {
	it('creates no session and tells the model the same thing for a customer’s address and an unknown one', async () => {
		const { results, wire } = await callTool(sessionCreate(), [{ customer_email: JENNY_EMAIL }, { customer_email: UNKNOWN_EMAIL }]);

		const refusal = `Give Session Link to the Model: is off, so as an AI tool this operation creates no portal session: a session link lets whoever holds it manage the customer’s billing without a login. ${NO_LINK_ADVICE}`;
		expect(results.map((result) => result.error)).toEqual([refusal, refusal]);
		expect(results[0].output).toEqual(results[1].output);
		// Nothing is asked of Stripe: not who has the address, not a session.
		expect(wire).toEqual([]);
		expect(environment.sandbox.sessions).toHaveLength(0);
	});
});

describe('Portal Session → Create as an AI tool with Give Session Link to the Model on', () => {
	it('still refuses a customer the model fills in ($fromAI), before any request', async () => {
		const { results, wire } = await callTool(sessionCreate({ sessionLinkToModel: true }), [{ customer_email: JENNY_EMAIL }]);

		expect(results[0].error).toBe(
			`Customer: is filled in by the AI model ($fromAI, $json, $data, $input), and Give Session Link to the Model is on: the session link would go to whoever named the customer. ${NO_LINK_ADVICE}`,
		);
		expect(JSON.stringify(results[0].output)).not.toMatch(/billing\.stripe\.com|cus_/);
		expect(wire).toEqual([]);
	});

	it('gives the model the session of a customer the workflow fixed itself', async () => {
		const { results, wire, requests } = await callTool(
			sessionCreate({ sessionLinkToModel: true, customer: { __rl: true, mode: 'id', value: SEED_IDS.jenny }, flowType: 'none' }),
			[{}],
		);

		expect(results[0].error).toBeUndefined();
		expect(wire).toEqual(['POST /v1/billing_portal/sessions']);
		expect(requests[0].body).toEqual({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' });
		expect(results[0].output[0]).toMatchObject({ object: 'billing_portal.session', customer: SEED_IDS.jenny, url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\/p\/session\//) });
	});

	it('refuses the chat’s own words (the message, its metadata) as the Customer: a known and an unknown address get the same answer, before any request', async () => {
		const chatMessage = { __rl: true, mode: 'email', value: "={{ $('Chat').item.json.chatInput }}" };
		const known = await callTool(sessionCreate({ sessionLinkToModel: true, customer: chatMessage }), [{}], { message: JENNY_EMAIL });
		const unknown = await callTool(sessionCreate({ sessionLinkToModel: true, customer: chatMessage }), [{}], { message: UNKNOWN_EMAIL });
		const metadata = await callTool(
			sessionCreate({ sessionLinkToModel: true, customer: { __rl: true, mode: 'email', value: "={{ $('Chat').item.json.metadata?.email ?? $('Chat').item.json.chatInput }}" } }),
			[{}],
			{ message: JENNY_EMAIL },
		);

		const refusal = `Customer: is taken from 'Chat', where the execution starts (what whoever started it sent, a chat's metadata included), and Give Session Link to the Model is on: the session link would go to whoever named the customer. ${NO_LINK_ADVICE}`;
		expect([known, unknown, metadata].map(({ results }) => results[0].error)).toEqual([refusal, refusal, refusal]);
		expect(known.results[0].output).toEqual(unknown.results[0].output);
		expect(JSON.stringify([known, unknown, metadata].map(({ results }) => results))).not.toMatch(/billing\.stripe\.com|cus_/);
		expect([...known.wire, ...unknown.wire, ...metadata.wire]).toEqual([]);
		expect(environment.sandbox.sessions).toHaveLength(0);
	});

	it('refuses any other spelling of the model’s input or the chat ($data, a space after $): only a plain read of one node passes, and known and unknown addresses get the same answer', async () => {
		// The last: an array, whose strings n8n resolves one by one, and which the node reads as its one element.
		const spellings: Array<string | string[]> = ['={{ $data.customer_email }}', '={{ $thisItem.json.customer_email }}', "={{ $ ('Chat').item.json.chatInput }}", ['= {{ $json.customer_email }}']];
		const runs = [];
		for (const value of spellings) {
			const customer = { __rl: true, mode: 'email', value } as INodeParameters['customer'];
			runs.push(await callTool(sessionCreate({ sessionLinkToModel: true, customer }), [{ customer_email: JENNY_EMAIL }], { message: JENNY_EMAIL }));
			runs.push(await callTool(sessionCreate({ sessionLinkToModel: true, customer }), [{ customer_email: UNKNOWN_EMAIL }], { message: UNKNOWN_EMAIL }));
		}

		const errors = runs.map(({ results }) => results[0].error);
		for (const error of errors) expect(error).toMatch(/^Customer: is (filled in by the AI model|an expression other than a plain read of one node)/);
		for (let index = 0; index < runs.length; index += 2) expect(runs[index].results[0].output).toEqual(runs[index + 1].results[0].output);
		expect(JSON.stringify(runs.map(({ results }) => results))).not.toMatch(/billing\.stripe\.com|cus_/);
		expect(runs.flatMap(({ wire }) => wire)).toEqual([]);
		expect(environment.sandbox.sessions).toHaveLength(0);
	});

	it('takes the switch only as the author set it: one the model fills in ($fromAI) gives no link, even when the model says true', async () => {
		const { results, wire } = await callTool(
			sessionCreate({
				sessionLinkToModel: "={{ $fromAI('give_link', 'Whether to return the portal link', 'boolean') }}",
				customer: { __rl: true, mode: 'id', value: SEED_IDS.jenny },
				flowType: 'none',
			}),
			[{ give_link: true }],
		);

		expect(results[0].error).toBe(
			`Give Session Link to the Model: is an expression, so as an AI tool this operation creates no portal session: only the switch itself, turned on in the editor, lets a session link reach the model, never a value the model could choose. ${NO_LINK_ADVICE}`,
		);
		expect(JSON.stringify(results)).not.toMatch(/billing\.stripe\.com|cus_/);
		expect(wire).toEqual([]);
	});

	it('gives the model the session of the customer a step after the trigger verified', async () => {
		const { results, wire, requests } = await callTool(
			sessionCreate({
				sessionLinkToModel: true,
				customer: { __rl: true, mode: 'id', value: "={{ $('Verify Session').item.json.customerId }}" },
				flowType: 'none',
			}),
			[{}],
			{ verifyStep: true },
		);

		expect(results[0].error).toBeUndefined();
		expect(wire).toEqual(['POST /v1/billing_portal/sessions']);
		expect(requests[0].body).toEqual({ customer: SEED_IDS.jenny, return_url: 'https://example.com/account' });
		expect(results[0].output[0]).toMatchObject({ customer: SEED_IDS.jenny, url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\/p\/session\//) });
	});

	it('answers a By Email lookup that finds nobody, or several customers, in one neutral message', async () => {
		environment.sandbox.addCustomer({ email: 'twice@example.com' });
		environment.sandbox.addCustomer({ email: 'twice@example.com' });
		const unknown = await callTool(sessionCreate({ sessionLinkToModel: true, customer: { __rl: true, mode: 'email', value: UNKNOWN_EMAIL } }), [{}]);
		const several = await callTool(sessionCreate({ sessionLinkToModel: true, customer: { __rl: true, mode: 'email', value: 'twice@example.com' } }), [{}]);

		const neutral = `Customer: no portal link was made. ${NO_LINK_ADVICE}`;
		expect(unknown.results[0].error).toBe(neutral);
		expect(several.results[0].error).toBe(neutral);
		expect(unknown.wire).toEqual(['GET /v1/customers']);
		expect(several.wire).toEqual(['GET /v1/customers']);
		expect(environment.sandbox.sessions).toHaveLength(0);
	});
});

describe('Portal Login Link → Get as an AI tool', () => {
	beforeEach(() => {
		const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
		if (configuration) configuration.login_page = { enabled: true, url: LOGIN_PAGE_URL };
	});

	const loginLink = (customerId: string): INodeParameters => ({
		resource: 'portalLoginLink',
		operation: 'get',
		configuration: { __rl: true, mode: 'list', value: '' },
		customer: { __rl: true, mode: 'id', value: customerId },
	});

	it('does not read a customer picked By ID, so their stored address never reaches the model', async () => {
		const { results, wire } = await callTool(loginLink(SEED_IDS.jenny), [{}]);

		expect(results[0].error).toBeUndefined();
		expect(results[0].output).toEqual([
			{
				url: LOGIN_PAGE_URL,
				loginPageUrl: LOGIN_PAGE_URL,
				prefilledEmail: null,
				configuration: SEED_IDS.defaultConfiguration,
				isDefault: true,
				loginPageEnabled: true,
				livemode: false,
			},
		]);
		expect(JSON.stringify(results[0].output)).not.toContain('jenny.rosen');
		expect(wire).toEqual(['GET /v1/billing_portal/configurations']);
	});

	it('answers the same for a customer ID that exists and one that does not', async () => {
		const known = await callTool(loginLink(SEED_IDS.jenny), [{}]);
		const unknown = await callTool(loginLink('cus_NoSuchCustomer01'), [{}]);

		expect(unknown.results[0].error).toBeUndefined();
		expect(unknown.results[0].output).toEqual(known.results[0].output);
		expect(unknown.wire).toEqual(known.wire);
	});
});

describe('the tool-only fields', () => {
	const nodeType = (name: string) => environment.pkg.nodeTypes.getByNameAndVersion(name, 1);
	const shownParameters = (name: string, values: INodeParameters) => {
		const { description } = nodeType(name);
		const node = { id: 'x', name: 'x', type: name, typeVersion: 1, position: [0, 0] as [number, number], parameters: values };
		return NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	};

	it('are offered on the tool variant only: the session switch defaults to off', () => {
		const values = { resource: 'portalSession', operation: 'create' };
		expect(shownParameters(TOOL_TYPE, values)).toMatchObject({ sessionLinkToModel: false });
		expect(shownParameters(BASE_TYPE, values)).not.toHaveProperty('sessionLinkToModel');
		const notices = nodeType(BASE_TYPE).description.properties.filter((property: INodeProperties) => property.type === 'notice');
		expect(notices.map((notice: INodeProperties) => [notice.name, notice.displayOptions?.show?.['@tool']])).toEqual(
			expect.arrayContaining([
				['loginLinkToolNotice', [true]],
				['sessionLinkToolNotice', [true]],
			]),
		);
	});

	it('offer no "let the model define this" on the session switch: it takes no expression', () => {
		const property = nodeType(TOOL_TYPE).description.properties.find((candidate: INodeProperties) => candidate.name === 'sessionLinkToModel');
		expect(property).toMatchObject({ type: 'boolean', default: false, noDataExpression: true });
	});
});
