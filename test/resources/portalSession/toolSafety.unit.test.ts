/**
 * ensureSessionLinkMayReachModel, the first step of Portal Session → Create's request builder,
 * against a stub context: which tool runs it lets through to Stripe. The engine stories are in
 * as-ai-tool.test.ts.
 */
import type { IExecuteSingleFunctions, INodeParameters } from 'n8n-workflow';

import { ensureSessionLinkMayReachModel } from '../../../nodes/StripeBillingPortal/resources/portalSession/toolSafety';

const BASE_TYPE = 'n8n-nodes-stripe-billing-portal.stripeBillingPortal';

/** The workflow around the tool: Chat (where runs start) → Verify Session → Agent. */
const PARENTS: Record<string, string[]> = { Chat: [], 'Verify Session': ['Chat'], Agent: ['Verify Session'] };

function stubContext(type: string, parameters: INodeParameters): IExecuteSingleFunctions {
	const node = { id: 'n', name: 'Session', type, typeVersion: 1, position: [0, 0] as [number, number], parameters };
	return {
		getNode: () => node,
		getItemIndex: () => 0,
		getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getParentNodes: (name: string) => (PARENTS[name] ?? []).map((parent) => ({ name: parent, type: 'n8n-nodes-base.code', typeVersion: 2, disabled: false })),
	} as unknown as IExecuteSingleFunctions;
}

const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });

function outcome(type: string, parameters: INodeParameters): string {
	try {
		ensureSessionLinkMayReachModel(stubContext(type, parameters));
		return 'allowed';
	} catch (error) {
		return (error as Error).message.split(':')[0];
	}
}

describe('ensureSessionLinkMayReachModel', () => {
	it('lets every ordinary (non-tool) run through, whatever the Customer', () => {
		expect(outcome(BASE_TYPE, { customer: byEmail("={{ $fromAI('email') }}") })).toBe('allowed');
		expect(outcome(BASE_TYPE, { customer: byEmail('={{ $json.email }}') })).toBe('allowed');
	});

	it('stops a tool run while Give Session Link to the Model is off, or not a plain true', () => {
		const tool = `${BASE_TYPE}Tool`;
		expect(outcome(tool, { customer: byId('cus_SandboxJenny01') })).toBe('Give Session Link to the Model');
		expect(outcome(tool, { customer: byId('cus_SandboxJenny01'), sessionLinkToModel: false })).toBe('Give Session Link to the Model');
		expect(outcome(tool, { customer: byId('cus_SandboxJenny01'), sessionLinkToModel: 'true' })).toBe('Give Session Link to the Model');
	});

	it('stops a tool run whose switch is an expression, which the model could fill in, even one that gives true', () => {
		const tool = `${BASE_TYPE}Tool`;
		for (const sessionLinkToModel of ["={{ $fromAI('give_link', 'Whether to return the link', 'boolean') }}", '={{ true }}']) {
			const parameters = { customer: byId('cus_SandboxJenny01'), sessionLinkToModel };
			expect(outcome(tool, parameters)).toBe('Give Session Link to the Model');
			expect(() => ensureSessionLinkMayReachModel(stubContext(tool, parameters))).toThrow(/is an expression/);
		}
	});

	it('with the switch on, stops a Customer or Customer Account the model fills in, however the expression spells it', () => {
		const tool = `${BASE_TYPE}Tool`;
		const on = { sessionLinkToModel: true };
		for (const value of [
			"={{ $fromAI('customer_email', 'The e-mail', 'string') }}",
			"={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('Customer__Value', ``, 'string') }}",
			'={{ $FROMAI ("email") }}',
			'={{ $json.customer_email }}',
			'={{ $input.first().json.email }}',
			'={{ $item(0).$node.Chat.json.chatInput }}',
			'={{ $parameter.toolDescription }}',
			"={{ $($json.node).item.json.customerId }}",
		]) {
			expect({ value, outcome: outcome(tool, { ...on, customer: byEmail(value) }) }).toEqual({ value, outcome: 'Customer' });
		}
		expect(outcome(tool, { ...on, customerType: 'customerAccount', customerAccount: "={{ $fromAI('account') }}" })).toBe('Customer Account');
	});

	it('with the switch on, stops a Customer taken from where the execution starts (the chat message, its unsigned metadata), however the node is named', () => {
		const tool = `${BASE_TYPE}Tool`;
		const on = { sessionLinkToModel: true };
		for (const value of [
			"={{ $('Chat').item.json.chatInput }}",
			'={{ $("Chat").first().json.metadata?.email }}',
			'={{ $(`Chat`).last().json.chatInput }}',
			'={{ $node["Chat"].json.chatInput }}',
			'={{ $node.Chat.json.chatInput }}',
			"={{ $items('Chat')[0].json.chatInput }}",
			// The verified node and the trigger in one expression: the trigger's part is still the chat's.
			"={{ $('Verify Session').item.json.customerId || $('Chat').item.json.metadata.email }}",
			// A node that does not exist has no parents either: refused, not looked up.
			"={{ $('No Such Node').item.json.customerId }}",
		]) {
			let message = 'allowed';
			try {
				ensureSessionLinkMayReachModel(stubContext(tool, { ...on, customer: byEmail(value) }));
			} catch (error) {
				message = (error as Error).message;
			}
			expect({ value, message }).toEqual({ value, message: expect.stringMatching(/^Customer: is taken from '(Chat|No Such Node)', where the execution starts/) });
		}
		expect(() => ensureSessionLinkMayReachModel(stubContext(tool, { ...on, customer: byEmail("={{ $('Chat').item.json.chatInput }}") }))).toThrow(
			"Customer: is taken from 'Chat', where the execution starts",
		);
		// A node named by a computed value could be the trigger.
		expect(outcome(tool, { ...on, customer: byId('={{ $(`Verify ${"Session"}`).item.json.customerId }}') })).toBe('Customer');
		expect(outcome(tool, { ...on, customerType: 'customerAccount', customerAccount: "={{ $('Chat').item.json.account }}" })).toBe('Customer Account');
	});

	it('with the switch on, lets through a customer the workflow fixed or took from a step after the trigger', () => {
		const tool = `${BASE_TYPE}Tool`;
		expect(outcome(tool, { sessionLinkToModel: true, customer: byId('cus_SandboxJenny01') })).toBe('allowed');
		expect(outcome(tool, { sessionLinkToModel: true, customer: byId("={{ $('Verify Session').item.json.customerId }}") })).toBe('allowed');
		expect(outcome(tool, { sessionLinkToModel: true, customer: byEmail('={{ $node["Verify Session"].json.email }}') })).toBe('allowed');
		expect(outcome(tool, { sessionLinkToModel: true, customer: byId('={{ $vars.supportCustomerId }}') })).toBe('allowed');
	});

	it('with the switch on, lets through only a plain read of one node: every other way JavaScript has to reach the model’s input or the chat is refused', () => {
		const tool = `${BASE_TYPE}Tool`;
		const on = { sessionLinkToModel: true };
		for (const value of [
			// n8n's other names for the tool's input item and this node's fields.
			'={{ $data.customer_email }}',
			'={{ $thisItem.json.customer_email }}',
			'={{ $rawParameter.toolDescription }}',
			'={{ $tool.parameters.customer_email }}',
			// The trigger read with a space, a line break, a comment or optional chaining after `$`.
			"={{ $ ('Chat').item.json.metadata.email }}",
			"={{ $\n('Chat').item.json.metadata.email }}",
			"={{ $/**/('Chat').item.json.chatInput }}",
			"={{ $?.('Chat').item.json.chatInput }}",
			"={{ ($)('Chat').item.json.chatInput }}",
			"={{ $.call(null, 'Chat').item.json.chatInput }}",
			"={{ $getPairedItem('Chat', undefined, { item: 0 }).json.chatInput }}",
			"={{ $evaluateExpression('{{ $' + 'json.customer_email }}') }}",
			// Escapes and computed property names.
			'={{ \\u0024json.customer_email }}',
			"={{ $('Ch\\u0061t').item.json.chatInput }}",
			"={{ this[String.fromCharCode(36) + 'json'].customer_email }}",
			"={{ $('Verify Session').item.json[$json.key] }}",
			// A verified read with anything added, or a second segment.
			"={{ 'cus_' + $('Verify Session').item.json.id }}",
			"={{ $('Verify Session').item.json.id }}{{ $json.suffix }}",
			"={{ $('Verify Session').item.json.id",
			// A brace escaped for n8n's splitter, which then opens its segment at the inner {{.
			"=\\{{'{{ $json.customer_email //'}}",
		]) {
			expect({ value, outcome: outcome(tool, { ...on, customer: byEmail(value) }) }).toEqual({ value, outcome: 'Customer' });
		}
		// n8n resolves every string starting with = inside an array or object, and the node reads a
		// one-element array as its element: no value other than a string, number or boolean passes.
		for (const value of [["= {{ $fromAI('email') }}"], ['= {{ $json.email }}'], { nested: "= {{ $('Chat').first().json.chatInput }}" }, ['cus_Fixed']]) {
			expect({ value, outcome: outcome(tool, { ...on, customer: { __rl: true, mode: 'email', value } }) }).toEqual({ value, outcome: 'Customer' });
		}
		for (const value of [
			"={{ $('Verify Session').first().json.customerId.trim() }}",
			"={{ $('Verify Session')?.item?.json?.['customer id'] }}".replace("?.['customer id']", "['customer id']"),
			"={{ $items('Verify Session', 0, 0)[0].json.customerId }}",
			"={{ $vars['supportCustomer'] }}",
			'=cus_{{ 123 }}',
		]) {
			expect({ value, outcome: outcome(tool, { ...on, customer: byId(value) }) }).toEqual({ value, outcome: 'allowed' });
		}
	});

	it('reads a Customer expression in time that grows with its length', () => {
		const tool = `${BASE_TYPE}Tool`;
		const started = Date.now();
		for (const value of [`={{ $('Verify Session')${'.item'.repeat(300)} }}`, `={{ $('Verify Session')${' '.repeat(1_990)}x }}`, `={{ ${'$('.repeat(100_000)} }}`]) {
			outcome(tool, { sessionLinkToModel: true, customer: byId(value) });
		}
		expect(Date.now() - started).toBeLessThan(500);
	});

	it('with the switch on, refuses any node reference on a host that cannot say which node starts the execution', () => {
		const tool = `${BASE_TYPE}Tool`;
		const parameters = { sessionLinkToModel: true, customer: byId("={{ $('Verify Session').item.json.customerId }}") };
		const context = stubContext(tool, parameters) as unknown as Record<string, unknown>;
		delete context.getParentNodes;
		expect(() => ensureSessionLinkMayReachModel(context as unknown as IExecuteSingleFunctions)).toThrow(/^Customer: is taken from 'Verify Session'/);
	});
});
