/**
 * Stand-ins for the AI nodes of an agent workflow (@n8n/n8n-nodes-langchain is not installed),
 * registered under the real type names so that an exported workflow runs through n8n's engine.
 *
 * Scripted: the language model. A test calls `scriptChat()` with the customer's message and a
 * function that plays the model: it sees the system message, the message, the tools on offer
 * (names, descriptions, argument names) and the tool results so far, and answers with tool calls
 * or a final text. Nothing is sent to OpenAI.
 *
 * Real: n8n-core's getInputConnectionData, which turns the tool node into a tool with
 * createNodeAsTool (its name, description and the argument schema built from the node's
 * `$fromAI()` calls); the engine-request loop in which WorkflowExecute runs the tool node for the
 * agent and hands the result back (AI Agent v3); the tool wrapper's own invocation path
 * (agents before v3); `$fromAI()` resolution in n8n-workflow; this package's node, its routing
 * and its HTTP requests to the sandbox.
 *
 * | type                                     | stands in for                                        |
 * |------------------------------------------|------------------------------------------------------|
 * | @n8n/n8n-nodes-langchain.chatTrigger     | Chat Trigger (1–1.4): emits the scripted message as  |
 * |                                          | `{ sessionId, action: 'sendMessage', chatInput }`    |
 * | @n8n/n8n-nodes-langchain.agent           | AI Agent (2–3.1), tools agent without memory, output |
 * |                                          | parser or fallback model; output `{ output }`        |
 * | @n8n/n8n-nodes-langchain.lmChatOpenAi    | OpenAI Chat Model (1.2, 1.3), played by the script   |
 * | n8n-nodes-base.stickyNote                | Sticky Note (never runs)                             |
 */
import type {
	EngineRequest,
	EngineResponse,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	ITaskData,
	ITriggerFunctions,
	ITriggerResponse,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, jsonParse } from 'n8n-workflow';

const { Main, AiLanguageModel, AiTool } = NodeConnectionTypes;

// ---------------------------------------------------------------------------------------------
// The script

/** A tool as the model is told about it. */
export interface OfferedTool {
	/** The tool node's name made safe for LLM APIs, e.g. "Create portal link" → "Create_portal_link". */
	name: string;
	description: string;
	/** The tool's arguments (the `$fromAI()` keys of the tool node) and their descriptions. */
	arguments: Record<string, string>;
}

export interface ToolCall {
	/** An offered tool's name. */
	tool: string;
	/** Must satisfy the tool's argument schema: every `$fromAI()` key, of its type. */
	args: IDataObject;
}

export interface ToolResult extends ToolCall {
	id: string;
	/** The json of the items the tool node returned to the agent. */
	output: IDataObject[];
	/** The tool node's error, when it failed (the engine then returns `{ error }` to the agent). */
	error?: string;
}

export interface ChatModelTurn {
	systemMessage: string;
	/** The user message (the agent's prompt). */
	input: string;
	tools: OfferedTool[];
	/** Results of the tool calls made so far for this message, oldest first. */
	results: ToolResult[];
}

export type ChatModelReply = { toolCalls: ToolCall[] } | { text: string };

export interface ChatScript {
	/** What the customer types into the chat. */
	message: string;
	sessionId?: string;
	/** Plays the language model: called once per model round trip. */
	model: (turn: ChatModelTurn) => ChatModelReply;
}

export interface ScriptedChat {
	readonly message: string;
	readonly sessionId: string;
	/** Every round trip to the scripted model, in order. */
	readonly turns: Array<{ turn: ChatModelTurn; reply: ChatModelReply }>;
}

let activeChat: (ChatScript & ScriptedChat) | undefined;

/** Sets the conversation the next workflow run has: the chat message and the model's part. */
export function scriptChat(script: ChatScript): ScriptedChat {
	activeChat = { ...script, sessionId: script.sessionId ?? 'harness-chat-session', turns: [] };
	return activeChat;
}

function currentChat(context: { getNode: IExecuteFunctions['getNode'] }): ChatScript & ScriptedChat {
	if (!activeChat) {
		throw new NodeOperationError(context.getNode(), 'No scripted chat: call scriptChat() before running the workflow');
	}
	return activeChat;
}

// ---------------------------------------------------------------------------------------------
// What n8n-core hands the agent for each connected tool (a LangChain DynamicStructuredTool)

interface ArgumentSchema {
	shape?: Record<string, { description?: string }>;
	safeParse?: (value: unknown) => { success: boolean; error?: { message: string } };
}

interface ConnectedTool {
	name: string;
	description: string;
	schema?: ArgumentSchema;
	metadata?: { sourceNodeName?: string };
	invoke(args: IDataObject): Promise<unknown>;
}

function isConnectedTool(value: unknown): value is ConnectedTool {
	const tool = value as ConnectedTool | null;
	return typeof tool?.name === 'string' && typeof tool.description === 'string' && typeof tool.invoke === 'function';
}

function offer(tool: ConnectedTool): OfferedTool {
	const shape = tool.schema?.shape ?? {};
	return {
		name: tool.name,
		description: tool.description,
		arguments: Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.description ?? ''])),
	};
}

// ---------------------------------------------------------------------------------------------
// Chat model

/** What the agent gets from its Chat Model input: the script, logged like n8n logs LLM calls. */
export class ScriptedChatModel {
	constructor(
		private readonly chat: ChatScript & ScriptedChat,
		private readonly context: ISupplyDataFunctions,
	) {}

	respond(turn: ChatModelTurn, tools: ConnectedTool[]): ChatModelReply {
		const { index } = this.context.addInputData(AiLanguageModel, [[{ json: { turn: structuredClone(turn) as unknown as IDataObject } }]]);
		const reply = this.chat.model(turn);
		if ('toolCalls' in reply) {
			for (const call of reply.toolCalls) {
				const tool = tools.find((candidate) => candidate.name === call.tool);
				if (!tool) {
					throw new Error(`The scripted model called "${call.tool}", but the tools on offer are: ${tools.map((t) => t.name).join(', ') || 'none'}`);
				}
				const parsed = tool.schema?.safeParse?.(call.args);
				if (parsed && !parsed.success) {
					throw new Error(`The scripted call of "${call.tool}" does not match the tool's argument schema: ${parsed.error?.message}`);
				}
			}
		}
		this.chat.turns.push({ turn, reply });
		this.context.addOutputData(AiLanguageModel, index, [[{ json: { reply: structuredClone(reply) as unknown as IDataObject } }]]);
		return reply;
	}
}

export class OpenAiChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Chat Model',
		name: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		group: ['transform'],
		version: [1.2, 1.3],
		description: 'Harness stand-in: the model is the test’s script, no request goes to OpenAI',
		defaults: { name: 'OpenAI Chat Model' },
		inputs: [],
		outputs: [AiLanguageModel],
		credentials: [{ name: 'openAiApi', required: true }],
		properties: [
			{
				displayName: 'Model',
				name: 'model',
				type: 'resourceLocator',
				default: { mode: 'list', value: 'gpt-4.1-mini' },
				modes: [
					{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: 'searchModels' } },
					{ displayName: 'ID', name: 'id', type: 'string' },
				],
			},
			{ displayName: 'Use Responses API', name: 'responsesApiEnabled', type: 'boolean', default: true },
			{ displayName: 'Built-in Tools', name: 'builtInTools', type: 'collection', default: {}, options: [] },
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	};

	async supplyData(this: ISupplyDataFunctions): Promise<SupplyData> {
		return { response: new ScriptedChatModel(currentChat(this), this) };
	}
}

// ---------------------------------------------------------------------------------------------
// Chat trigger

export class ChatTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chat Trigger',
		name: '@n8n/n8n-nodes-langchain.chatTrigger',
		group: ['trigger'],
		version: [1, 1.1, 1.2, 1.3, 1.4],
		description: 'Harness stand-in: emits the scripted chat message',
		defaults: { name: 'When chat message received' },
		inputs: [],
		outputs: [Main],
		properties: [
			{ displayName: 'Make Chat Publicly Available', name: 'public', type: 'boolean', default: false },
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{ name: 'Hosted Chat', value: 'hostedChat' },
					{ name: 'Embedded Chat', value: 'webhook' },
				],
				default: 'hostedChat',
				displayOptions: { show: { public: [true] } },
			},
			{ displayName: 'Options', name: 'options', type: 'collection', default: {}, options: [] },
		],
	};

	// n8n's Chat Trigger is a webhook node: the chat sends the message and the run begins with
	// the trigger's output. A trigger function is how the harness starts a run with that output.
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return {
			manualTriggerFunction: async () => {
				const chat = currentChat(this);
				this.emit([[{ json: { sessionId: chat.sessionId, action: 'sendMessage', chatInput: chat.message } }]]);
			},
		};
	}
}

// ---------------------------------------------------------------------------------------------
// AI Agent

const DEFAULT_SYSTEM_MESSAGE = 'You are a helpful assistant';
const DEFAULT_MAX_ITERATIONS = 10;

interface AgentOptions {
	systemMessage?: string;
	maxIterations?: number;
}

/** Carried through the engine between the agent's runs (EngineRequest → EngineResponse). */
interface AgentRequestMetadata {
	results?: Array<ToolResult & { itemIndex: number }>;
	answers?: Record<number, string>;
}

/** Carried on each requested action and handed back with its result. */
interface ActionMetadata {
	itemIndex: number;
	tool: string;
}

type AgentAction = EngineRequest<ActionMetadata>['actions'][number];

function resultFromTask(action: AgentAction, data: ITaskData): ToolResult {
	const items = data.data?.[AiTool]?.[0] ?? [];
	return {
		id: action.id,
		tool: action.metadata.tool,
		args: action.input,
		output: items.map((item) => item.json),
		...(data.error ? { error: data.error.message } : {}),
	};
}

async function connectedModelAndTools(ctx: IExecuteFunctions): Promise<{ model: ScriptedChatModel; tools: ConnectedTool[] }> {
	const model = await ctx.getInputConnectionData(AiLanguageModel, 0);
	if (!(model instanceof ScriptedChatModel)) {
		throw new NodeOperationError(ctx.getNode(), 'Connect the harness OpenAI Chat Model stand-in to the Chat Model input');
	}
	const connected = await ctx.getInputConnectionData(AiTool, 0);
	const tools = (Array.isArray(connected) ? connected : [connected]).filter(isConnectedTool);
	return { model, tools };
}

function turnFor(ctx: IExecuteFunctions, itemIndex: number, tools: ConnectedTool[], results: ToolResult[]): ChatModelTurn {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as AgentOptions;
	const input = ctx.getNodeParameter('text', itemIndex, '') as string;
	if (typeof input !== 'string' || input.trim() === '') {
		throw new NodeOperationError(ctx.getNode(), 'The "text" parameter is empty.', { itemIndex });
	}
	const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
	if (results.length >= maxIterations) {
		throw new NodeOperationError(ctx.getNode(), 'Agent stopped due to max iterations.', { itemIndex });
	}
	return { systemMessage: options.systemMessage ?? DEFAULT_SYSTEM_MESSAGE, input, tools: tools.map(offer), results };
}

function rejectUnsupported(ctx: IExecuteFunctions): void {
	for (const name of ['hasOutputParser', 'needsFallback']) {
		if (ctx.getNodeParameter(name, 0, false) === true) {
			throw new NodeOperationError(ctx.getNode(), `The harness AI Agent stand-in does not support "${name}"`);
		}
	}
}

/**
 * AI Agent v3: the agent does not call its tools. It returns an EngineRequest naming the tool
 * nodes and their arguments; WorkflowExecute runs those nodes (with the arguments as their
 * `$fromAI()` values), then runs the agent again with their task data.
 */
async function executeWithEngineRequests(
	this: IExecuteFunctions,
	response?: EngineResponse,
): Promise<INodeExecutionData[][] | EngineRequest> {
	rejectUnsupported(this);
	const { model, tools } = await connectedModelAndTools(this);
	// The engine hands back the request's metadata with the results of its actions.
	const carried = (response?.metadata ?? {}) as AgentRequestMetadata;
	const results = [...(carried.results ?? [])];
	for (const { action, data } of (response?.actionResponses ?? []) as EngineResponse<ActionMetadata>['actionResponses']) {
		results.push({ ...resultFromTask(action, data), itemIndex: action.metadata.itemIndex });
	}
	const answers = { ...(carried.answers ?? {}) };

	const actions: AgentAction[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		if (answers[itemIndex] !== undefined) continue;
		const own = results.filter((result) => result.itemIndex === itemIndex).map(({ itemIndex: _, ...result }) => result);
		const reply = model.respond(turnFor(this, itemIndex, tools, own), tools);
		if ('text' in reply) {
			answers[itemIndex] = reply.text;
			continue;
		}
		reply.toolCalls.forEach((call, callIndex) => {
			const tool = tools.find((candidate) => candidate.name === call.tool) as ConnectedTool;
			actions.push({
				actionType: 'ExecutionNodeAction',
				nodeName: tool.metadata?.sourceNodeName ?? call.tool,
				input: call.args,
				type: AiTool,
				id: `call_${itemIndex}_${own.length + callIndex + 1}`,
				metadata: { itemIndex, tool: call.tool },
			});
		});
	}
	if (actions.length > 0) {
		const metadata: AgentRequestMetadata = { results, answers };
		return { actions, metadata } as unknown as EngineRequest;
	}
	return [items.map((_, itemIndex) => ({ json: { output: answers[itemIndex] }, pairedItem: { item: itemIndex } }))];
}

/**
 * AI Agent before v3: the agent invokes the tools it got from getInputConnectionData itself.
 * n8n-core's tool wrapper then runs the tool node on a SupplyDataContext and returns its output
 * as JSON text; when the node fails, the wrapper throws, and so does this stand-in.
 */
async function executeByInvokingTools(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	rejectUnsupported(this);
	const { model, tools } = await connectedModelAndTools(this);
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const results: ToolResult[] = [];
		for (;;) {
			const reply = model.respond(turnFor(this, itemIndex, tools, results), tools);
			if ('text' in reply) {
				output.push({ json: { output: reply.text }, pairedItem: { item: itemIndex } });
				break;
			}
			for (const call of reply.toolCalls) {
				const tool = tools.find((candidate) => candidate.name === call.tool) as ConnectedTool;
				const raw = await tool.invoke(call.args);
				const parsed = typeof raw === 'string' ? jsonParse<unknown>(raw, { fallbackValue: raw }) : raw;
				const json = (Array.isArray(parsed) ? parsed : [parsed]).filter((entry) => entry !== undefined) as IDataObject[];
				results.push({ id: `call_${itemIndex}_${results.length + 1}`, ...call, output: json });
			}
		}
	}
	return [output];
}

export class AiAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Agent',
		name: '@n8n/n8n-nodes-langchain.agent',
		group: ['transform'],
		version: [2, 2.1, 2.2, 3, 3.1],
		description: 'Harness stand-in: a tools agent driven by the scripted chat model',
		defaults: { name: 'AI Agent' },
		inputs: [
			Main,
			{ type: AiLanguageModel, displayName: 'Chat Model', required: true, maxConnections: 1 },
			{ type: AiTool, displayName: 'Tool' },
		],
		outputs: [Main],
		properties: [
			{
				displayName: 'Source for Prompt (User Message)',
				name: 'promptType',
				type: 'options',
				options: [
					{ name: 'Connected Chat Trigger Node', value: 'auto' },
					{ name: 'Define Below', value: 'define' },
				],
				default: 'auto',
			},
			{
				displayName: 'Prompt (User Message)',
				name: 'text',
				type: 'string',
				required: true,
				default: '={{ $json.chatInput }}',
				displayOptions: { show: { promptType: ['auto'] } },
			},
			{
				displayName: 'Prompt (User Message)',
				name: 'text',
				type: 'string',
				required: true,
				default: '',
				displayOptions: { show: { promptType: ['define'] } },
			},
			{ displayName: 'Require Specific Output Format', name: 'hasOutputParser', type: 'boolean', default: false },
			{ displayName: 'Enable Fallback Model', name: 'needsFallback', type: 'boolean', default: false },
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				default: {},
				options: [
					{ displayName: 'System Message', name: 'systemMessage', type: 'string', default: DEFAULT_SYSTEM_MESSAGE },
					{ displayName: 'Max Iterations', name: 'maxIterations', type: 'number', default: DEFAULT_MAX_ITERATIONS },
					{ displayName: 'Return Intermediate Steps', name: 'returnIntermediateSteps', type: 'boolean', default: false },
					{ displayName: 'Enable Streaming', name: 'enableStreaming', type: 'boolean', default: true },
				],
			},
		],
	};

	async execute(this: IExecuteFunctions, response?: EngineResponse): Promise<INodeExecutionData[][] | EngineRequest> {
		if (this.getNode().typeVersion >= 3) return await executeWithEngineRequests.call(this, response);
		return await executeByInvokingTools.call(this);
	}
}

// ---------------------------------------------------------------------------------------------
// Sticky note

export class StickyNote implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sticky Note',
		name: 'n8n-nodes-base.stickyNote',
		group: ['input'],
		version: 1,
		description: 'A note on the canvas; never runs',
		defaults: { name: 'Sticky Note' },
		inputs: [],
		outputs: [],
		properties: [
			{ displayName: 'Content', name: 'content', type: 'string', default: '' },
			{ displayName: 'Height', name: 'height', type: 'number', default: 160 },
			{ displayName: 'Width', name: 'width', type: 'number', default: 240 },
			{ displayName: 'Color', name: 'color', type: 'number', default: 1 },
		],
	};
}

/** The AI stand-ins by full type name. */
export function createAiStandIns(): Record<string, INodeType> {
	return {
		'@n8n/n8n-nodes-langchain.chatTrigger': new ChatTrigger(),
		'@n8n/n8n-nodes-langchain.agent': new AiAgent(),
		'@n8n/n8n-nodes-langchain.lmChatOpenAi': new OpenAiChatModel(),
		'n8n-nodes-base.stickyNote': new StickyNote(),
	};
}
