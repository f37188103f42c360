/**
 * Stand-ins for a sub-workflow used as an AI tool (@n8n/n8n-nodes-langchain is not installed),
 * written from what n8n 2.41 does (its Call n8n Workflow Tool v2 and Execute Workflow Trigger);
 * n8n's code is not copied.
 *
 * | type                                   | stands in for                                          |
 * |----------------------------------------|--------------------------------------------------------|
 * | @n8n/n8n-nodes-langchain.toolWorkflow  | Call n8n Workflow Tool v2–2.2, Source "Define Below"   |
 * |                                        | (`workflowJson`): a tool with one string argument,     |
 * |                                        | `input` (LangChain's DynamicTool), which runs the      |
 * |                                        | workflow with `{ query: input }` and answers with the  |
 * |                                        | items of the node that ran last                        |
 * | n8n-nodes-base.executeWorkflowTrigger  | Execute Workflow Trigger 1–1.1, "Accept all data":     |
 * |                                        | outputs the items it was called with                   |
 *
 * The sub-workflow runs through n8n-core's WorkflowExecute, like the parent (engine.ts,
 * `executeWorkflow` of the harness's additional data).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, nodeNameToToolName } from 'n8n-workflow';

const { Main, AiTool } = NodeConnectionTypes;

/** What LangChain's DynamicTool asks the model for: one string. */
const TOOL_ARGUMENT = 'input';

type WorkflowToolContext = IExecuteFunctions | ISupplyDataFunctions;

async function runSubWorkflow(context: WorkflowToolContext, query: string): Promise<INodeExecutionData[]> {
	const raw = context.getNodeParameter('workflowJson', 0) as string;
	let code: unknown;
	try {
		code = JSON.parse(raw);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `The provided workflow is not valid JSON: "${(error as Error).message}"`);
	}
	const result = await context.executeWorkflow({ code: code as never }, [{ json: { query } }]);
	const items = result.data?.[0];
	if (!items || items.length === 0) throw new NodeOperationError(context.getNode(), 'There was an error: "The workflow did not return a response"');
	return items.map(({ json }) => ({ json }));
}

function queryOf(args: IDataObject): string {
	const value = args[TOOL_ARGUMENT] ?? args.query;
	return typeof value === 'string' ? value : JSON.stringify(value ?? '');
}

export class ToolWorkflow implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Call n8n Workflow Tool',
		name: '@n8n/n8n-nodes-langchain.toolWorkflow',
		group: ['transform'],
		version: [2, 2.1, 2.2],
		description: 'Harness stand-in: runs the workflow given as JSON as a tool',
		defaults: { name: 'Call n8n Workflow Tool' },
		inputs: [],
		outputs: [AiTool],
		properties: [
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				options: [{ name: 'Define Below', value: 'parameter' }],
				default: 'parameter',
			},
			{ displayName: 'Workflow JSON', name: 'workflowJson', type: 'json', default: '' },
		],
	};

	async supplyData(this: ISupplyDataFunctions): Promise<SupplyData> {
		if (this.getNodeParameter('source', 0) !== 'parameter') {
			throw new NodeOperationError(this.getNode(), 'The harness stand-in runs only workflows defined below (Source "Define Below")');
		}
		const node = this.getNode();
		const tool = {
			name: nodeNameToToolName(node),
			description: this.getNodeParameter('description', 0) as string,
			schema: { shape: { [TOOL_ARGUMENT]: { description: 'The input to the tool' } } },
			metadata: { sourceNodeName: node.name },
			invoke: async (args: IDataObject) => JSON.stringify((await runSubWorkflow(this, queryOf(args))).map((item) => item.json)),
		};
		return { response: tool };
	}

	/** AI Agent v3 runs the tool node itself, with the model's arguments as its input item. */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output: INodeExecutionData[] = [];
		for (const item of this.getInputData()) output.push(...(await runSubWorkflow(this, queryOf(item.json))));
		return [output];
	}
}

export class ExecuteWorkflowTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Execute Workflow Trigger',
		name: 'n8n-nodes-base.executeWorkflowTrigger',
		group: ['trigger'],
		version: [1, 1.1],
		description: 'Harness stand-in: outputs the items the workflow was called with',
		defaults: { name: 'When Executed by Another Workflow' },
		inputs: [],
		outputs: [Main],
		properties: [
			{
				displayName: 'Input Data Mode',
				name: 'inputSource',
				type: 'options',
				options: [{ name: 'Accept All Data', value: 'passthrough' }],
				default: 'passthrough',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

export function createWorkflowToolStandIns(): Record<string, INodeType> {
	return {
		'@n8n/n8n-nodes-langchain.toolWorkflow': new ToolWorkflow(),
		'n8n-nodes-base.executeWorkflowTrigger': new ExecuteWorkflowTrigger(),
	};
}
