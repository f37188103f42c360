/**
 * Tiny node types the harness adds next to the package's own nodes, because n8n-nodes-base is
 * not installed. They are real INodeType implementations run by the real engine.
 *
 * | type                          | what it does                                                        |
 * |-------------------------------|---------------------------------------------------------------------|
 * | harness.itemsSource           | outputs the items in its `items` parameter (JSON text or an array)  |
 * | harness.manualTrigger         | trigger emitting one empty item, like n8n's Manual Trigger          |
 * | n8n-nodes-base.manualTrigger  | alias of harness.manualTrigger (for workflows exported from n8n)    |
 * | harness.noOp                  | passes its input through ("No Operation, do nothing")               |
 * | n8n-nodes-base.noOp           | alias of harness.noOp                                               |
 * | n8n-nodes-base.emailSend      | Send Email v2.1: outputs the message instead of sending it (see   |
 * |                               | example-stand-ins.ts)                                               |
 * | n8n-nodes-base.set            | Edit Fields (Set) v3.3+ subset: mode "manual", `assignments`,        |
 * |                               | `includeOtherFields`, `options.dotNotation`; types string, number,  |
 * |                               | boolean, array, object                                              |
 *
 * The AI nodes of an agent workflow (Chat Trigger, AI Agent, OpenAI Chat Model, Sticky Note) are
 * in ai-stand-ins.ts; a sub-workflow as a tool (Call n8n Workflow Tool, Execute Workflow Trigger)
 * in workflow-tool-stand-ins.ts.
 */
import type {
	AssignmentCollectionValue,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	NodeParameterValue,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, jsonParse } from 'n8n-workflow';

import { createAiStandIns } from './ai-stand-ins';
import { EmailSendStandIn } from './example-stand-ins';
import { createWorkflowToolStandIns } from './workflow-tool-stand-ins';

const Main = NodeConnectionTypes.Main;

export class ItemsSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Items Source',
		name: 'harness.itemsSource',
		group: ['input'],
		version: 1,
		description: 'Outputs the items given in its parameter',
		defaults: { name: 'Items Source' },
		inputs: [Main],
		outputs: [Main],
		properties: [
			{
				displayName: 'Items',
				name: 'items',
				type: 'json',
				default: '[]',
				description: "JSON array of the items' json objects",
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// rawExpressions: the items are data, never expressions to evaluate.
		const raw = this.getNodeParameter('items', 0, '[]', { rawExpressions: true }) as unknown;
		const parsed: unknown = typeof raw === 'string' ? jsonParse(raw) : raw;
		if (!Array.isArray(parsed)) {
			throw new NodeOperationError(this.getNode(), 'The "items" parameter must be a JSON array');
		}
		return [parsed.map((json) => ({ json: json as IDataObject, pairedItem: { item: 0 } }))];
	}
}

export class ManualTrigger implements INodeType {
	readonly description: INodeTypeDescription;

	constructor(typeName = 'harness.manualTrigger') {
		this.description = {
			displayName: 'Manual Trigger',
			name: typeName,
			group: ['trigger'],
			version: 1,
			description: 'Runs the flow when the harness starts it',
			defaults: { name: "When clicking 'Execute workflow'" },
			inputs: [],
			outputs: [Main],
			properties: [],
		};
	}

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return {
			manualTriggerFunction: async () => {
				this.emit([[{ json: {} }]]);
			},
		};
	}
}

export class NoOp implements INodeType {
	readonly description: INodeTypeDescription;

	constructor(typeName = 'n8n-nodes-base.noOp') {
		this.description = {
			displayName: 'No Operation, do nothing',
			name: typeName,
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing' },
			inputs: [Main],
			outputs: [Main],
			properties: [],
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

function setPath(target: IDataObject, path: string, value: unknown, dotNotation: boolean): void {
	if (!dotNotation || !path.includes('.')) {
		target[path] = value as IDataObject[string];
		return;
	}
	const keys = path.split('.');
	let cursor: IDataObject = target;
	for (const key of keys.slice(0, -1)) {
		const next = cursor[key];
		if (next === null || typeof next !== 'object' || Array.isArray(next)) cursor[key] = {};
		cursor = cursor[key] as IDataObject;
	}
	cursor[keys[keys.length - 1]] = value as IDataObject[string];
}

function convertAssignment(value: NodeParameterValue | unknown, type: string | undefined): unknown {
	switch (type) {
		case 'number':
			return value === '' || value === null || value === undefined ? null : Number(value);
		case 'boolean':
			return typeof value === 'string' ? value.trim().toLowerCase() === 'true' : Boolean(value);
		case 'array':
		case 'object':
			return typeof value === 'string' ? jsonParse(value) : value;
		case 'string':
			return value === null || value === undefined
				? value
				: typeof value === 'object'
					? JSON.stringify(value)
					: String(value);
		default:
			return value;
	}
}

export class SetFields implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Edit Fields (Set)',
		name: 'n8n-nodes-base.set',
		group: ['input'],
		version: [3, 3.1, 3.2, 3.3, 3.4],
		description: 'Harness subset of Edit Fields: manual mapping with assignments',
		defaults: { name: 'Edit Fields' },
		inputs: [Main],
		outputs: [Main],
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Manual Mapping', value: 'manual' }],
				default: 'manual',
			},
			{
				displayName: 'Fields to Set',
				name: 'assignments',
				type: 'assignmentCollection',
				default: {},
			},
			{
				displayName: 'Include Other Input Fields',
				name: 'includeOtherFields',
				type: 'boolean',
				default: false,
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				options: [
					{ displayName: 'Support Dot Notation', name: 'dotNotation', type: 'boolean', default: true },
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const mode = this.getNodeParameter('mode', 0, 'manual') as string;
		if (mode !== 'manual') {
			throw new NodeOperationError(this.getNode(), `The harness Set stand-in only supports mode "manual", not "${mode}"`);
		}
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const collection = this.getNodeParameter('assignments', itemIndex, { assignments: [] }) as AssignmentCollectionValue;
			const includeOtherFields = this.getNodeParameter('includeOtherFields', itemIndex, false) as boolean;
			const { dotNotation = true } = this.getNodeParameter('options', itemIndex, {}) as { dotNotation?: boolean };
			const json: IDataObject = includeOtherFields ? structuredClone(items[itemIndex].json) : {};
			for (const assignment of collection.assignments ?? []) {
				setPath(json, assignment.name, convertAssignment(assignment.value, assignment.type), dotNotation);
			}
			output.push({ json, pairedItem: { item: itemIndex } });
		}
		return [output];
	}
}

/** Stand-in node types by full type name. */
export function createStandIns(): Record<string, INodeType> {
	return {
		'harness.itemsSource': new ItemsSource(),
		'harness.manualTrigger': new ManualTrigger('harness.manualTrigger'),
		'n8n-nodes-base.manualTrigger': new ManualTrigger('n8n-nodes-base.manualTrigger'),
		'harness.noOp': new NoOp('harness.noOp'),
		'n8n-nodes-base.noOp': new NoOp('n8n-nodes-base.noOp'),
		'n8n-nodes-base.set': new SetFields(),
		'n8n-nodes-base.emailSend': new EmailSendStandIn(),
		...createAiStandIns(),
		...createWorkflowToolStandIns(),
	};
}
