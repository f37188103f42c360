/**
 * Stand-ins for n8n-nodes-base nodes the example workflows use around this package's node
 * (the Sticky Note is in ai-stand-ins.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/**
 * Send Email (v2.1): sends nothing and outputs the message it would have sent, so a test can
 * read the email an example composes.
 */
const FIELDS = ['fromEmail', 'toEmail', 'subject', 'emailFormat', 'text', 'html'] as const;

export class EmailSendStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send Email (harness stand-in)',
		name: 'n8n-nodes-base.emailSend',
		group: ['output'],
		version: [2, 2.1],
		description: 'Outputs the email instead of sending it',
		defaults: { name: 'Send Email' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			...FIELDS.map((name) => ({ displayName: name, name, type: 'string' as const, default: '' })),
			{ displayName: 'Options', name: 'options', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((_item, itemIndex) => {
				const email: IDataObject = { sentByHarness: false };
				for (const name of FIELDS) email[name] = this.getNodeParameter(name, itemIndex, '') as string;
				return { json: email, pairedItem: { item: itemIndex } };
			}),
		];
	}
}
