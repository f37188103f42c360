/**
 * An AI agent may call this node's tool several times in one execution. Each call is its own node
 * run (n8n gives it the next run index), so each sends its own default key: were two calls to
 * share one, the second would get Stripe's idempotency_error (other parameters under one key),
 * or, with the same parameters, the first call's answer.
 */
import type { INode } from 'n8n-workflow';

import { runWorkflow, scriptChat, type WorkflowJson } from '../harness';
import { SEED_IDS } from '../sandbox';
import { API_VERSION, SECRET_KEY, useEnvironment } from '../support/session';

const environment = useEnvironment();
const TOOL = 'Create portal link';

function agentWorkflow(agentVersion: number): WorkflowJson {
	const nodes: INode[] = [
		{ id: 'chat', name: 'Chat', type: '@n8n/n8n-nodes-langchain.chatTrigger', typeVersion: 1.3, position: [0, 0], parameters: { options: {} }, webhookId: 'b1f7a0c2-1d2e-4f3a-8b9c-0d1e2f3a4b5c' },
		{ id: 'agent', name: 'Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: agentVersion, position: [200, 0], parameters: { promptType: 'auto', text: '={{ $json.chatInput }}', options: {} } },
		{ id: 'model', name: 'Model', type: '@n8n/n8n-nodes-langchain.lmChatOpenAi', typeVersion: 1.2, position: [200, 200], parameters: { model: { __rl: true, mode: 'list', value: 'gpt-4.1-mini' }, options: {} } },
		{
			id: 'tool',
			name: TOOL,
			type: 'n8n-nodes-stripe-billing-portal.stripeBillingPortalTool',
			typeVersion: 1,
			position: [400, 200],
			parameters: {
				descriptionType: 'manual',
				toolDescription: 'Creates a customer portal session for the signed-in customer.',
				resource: 'portalSession',
				operation: 'create',
				// The session link may reach the model only for a customer the workflow fixed itself
				// (toolSafety.ts): the model chooses only where the portal returns to.
				sessionLinkToModel: true,
				customerType: 'customer',
				customer: { __rl: true, mode: 'id', value: SEED_IDS.jenny },
				returnUrl: "={{ $fromAI('return_url', 'Where the portal returns to', 'string') }}",
			},
			credentials: { stripeBillingPortalApi: { id: 'stripe', name: 'Stripe' } },
		},
	];
	return {
		id: 'wf-agent',
		nodes,
		connections: {
			Chat: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			Model: { ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]] },
			[TOOL]: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

describe.each([3, 2.2])('an AI Agent v%s calling the tool twice in one execution', (agentVersion) => {
	it('sends two keys and gets two sessions', async () => {
		const returnUrls = ['https://example.com/account', 'https://example.com/billing'];
		scriptChat({
			message: 'Two portal links, please.',
			model: (turn) =>
				turn.results.length < returnUrls.length
					? { toolCalls: [{ tool: 'Create_portal_link', args: { return_url: returnUrls[turn.results.length] } }] }
					: { text: 'Done.' },
		});
		const before = environment.sandbox.requests.length;
		const result = await runWorkflow({
			pkg: environment.pkg,
			workflow: agentWorkflow(agentVersion),
			credentials: { stripeBillingPortalApi: { secretKey: SECRET_KEY, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION } },
		});
		const posts = environment.sandbox.requests.slice(before).filter((request) => request.method === 'POST');

		expect(result.error).toBeUndefined();
		// Were the two calls to share a key, Stripe would refuse the second (other parameters under one key).
		expect(posts.map((post) => post.body.return_url)).toEqual(returnUrls);
		expect(posts.map((post) => post.status)).toEqual([200, 200]);
		expect(new Set(posts.map((post) => String(post.headers['idempotency-key']))).size).toBe(2);
		expect(environment.sandbox.sessions.map((session) => session.return_url)).toEqual(returnUrls);
	});
});
