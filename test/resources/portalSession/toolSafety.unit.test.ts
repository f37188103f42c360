/**
 * ensureSessionLinkMayReachModel, the first step of Portal Session → Create's request builder,
 * against a stub context: which tool runs it lets through to Stripe. The engine stories are in
 * as-ai-tool.test.ts.
 */
import type { IExecuteSingleFunctions, INodeParameters } from 'n8n-workflow';

import { ensureSessionLinkMayReachModel } from '../../../nodes/StripeBillingPortal/resources/portalSession/toolSafety';

const BASE_TYPE = 'n8n-nodes-stripe-billing-portal.stripeBillingPortal';

function stubContext(type: string, parameters: INodeParameters): IExecuteSingleFunctions {
	const node = { id: 'n', name: 'Session', type, typeVersion: 1, position: [0, 0] as [number, number], parameters };
	return {
		getNode: () => node,
		getItemIndex: () => 0,
		getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
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

	it('with the switch on, stops a Customer or Customer Account the model fills in, however the expression spells it', () => {
		const tool = `${BASE_TYPE}Tool`;
		const on = { sessionLinkToModel: true };
		for (const value of [
			"={{ $fromAI('customer_email', 'The e-mail', 'string') }}",
			"={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('Customer__Value', ``, 'string') }}",
			'={{ $FROMAI ("email") }}',
			'={{ $json.customer_email }}',
			'={{ $input.first().json.email }}',
		]) {
			expect({ value, outcome: outcome(tool, { ...on, customer: byEmail(value) }) }).toEqual({ value, outcome: 'Customer' });
		}
		expect(outcome(tool, { ...on, customerType: 'customerAccount', customerAccount: "={{ $fromAI('account') }}" })).toBe('Customer Account');
	});

	it('with the switch on, lets through a customer the workflow fixed or took from another node', () => {
		const tool = `${BASE_TYPE}Tool`;
		expect(outcome(tool, { sessionLinkToModel: true, customer: byId('cus_SandboxJenny01') })).toBe('allowed');
		expect(outcome(tool, { sessionLinkToModel: true, customer: byId("={{ $('Verify Session').item.json.customerId }}") })).toBe('allowed');
	});
});
