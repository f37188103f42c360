/**
 * The AI-tool variant n8n derives from a node marked `usableAsTool` — the node type an AI Agent's
 * "Tool" input takes, named `<package>.<node>Tool` (e.g.
 * `n8n-nodes-stripe-billing-portal.stripeBillingPortalTool`).
 *
 * Written for the harness from what n8n 2.x does (packages/cli: `NodeTypes.getByNameAndVersion`
 * and `convertNodeToAiTool` in tool-generation.ts); n8n's own code is not copied.
 *
 * - A `…Tool` name that is not a node of its own is derived from the node without the suffix.
 *   A node with `supplyData` cannot be derived; one without `usableAsTool` is refused with
 *   "Node cannot be used as a tool".
 * - An object `usableAsTool` carries `replacements` for the description, applied first.
 * - The description gets name + "Tool", displayName + " Tool", no inputs, one `ai_tool` output,
 *   no `usableAsTool`, the codex of AI › Tools › Other Tools, and a required "Description"
 *   parameter (`toolDescription`, defaulting to the node's description) after any callouts.
 *   A node with a resource or operation also gets "Tool Description" (`descriptionType`:
 *   auto | manual) before it, and the description field is then shown for "manual" only.
 * - Everything else (methods, credentials, routing) is inherited from the base node type.
 * - A declarative node without `execute` gets one that runs n8n-core's RoutingNode with the
 *   base node type. n8n 2.x does this for declarative nodes that have `methods` too; an agent's
 *   tool call ends in that `execute`, whichever way the agent calls it.
 */
import { RoutingNode } from 'n8n-core';
import type { ExecuteContext } from 'n8n-core';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers } from 'n8n-workflow';

export const TOOL_SUFFIX = 'Tool';

/** Whether a node type (any of its versions) is marked `usableAsTool`. */
export function isUsableAsTool(type: INodeType | IVersionedNodeType): boolean {
	if ('nodeVersions' in type) {
		return Object.values(type.nodeVersions).some((version) => Boolean(version.description.usableAsTool));
	}
	return Boolean(type.description.usableAsTool);
}

function toolDescriptionProperties(description: INodeTypeDescription): INodeProperties[] {
	const names = description.properties.map((property) => property.name);
	if (names.includes('toolDescription')) return [];
	const chosenManually = names.includes('resource') || names.includes('operation');
	const toolDescription: INodeProperties = {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: description.description,
		required: true,
		typeOptions: { rows: 2 },
		description:
			'Explain to the LLM what this tool does, a good, specific description would allow LLMs to produce expected results much more often',
		...(chosenManually ? { displayOptions: { show: { descriptionType: ['manual'] } } } : {}),
	};
	if (!chosenManually) return [toolDescription];
	const descriptionType: INodeProperties = {
		displayName: 'Tool Description',
		name: 'descriptionType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Set Automatically', value: 'auto', description: 'Automatically set based on resource and operation' },
			{ name: 'Set Manually', value: 'manual', description: 'Manually set the description' },
		],
		default: 'auto',
	};
	return [descriptionType, toolDescription];
}

function withToolProperties(properties: INodeProperties[], added: INodeProperties[]): INodeProperties[] {
	let lastCallout = -1;
	properties.forEach((property, index) => {
		if (property.type === 'callout') lastCallout = index;
	});
	return [...properties.slice(0, lastCallout + 1), ...added, ...properties.slice(lastCallout + 1)];
}

/**
 * The tool variant of one version of a node type. `baseType` must be the resolved version
 * (`NodeHelpers.getVersionedNodeType`), as n8n derives tools per version.
 */
export function toToolVariant(baseType: INodeType, baseName: string): INodeType {
	if (typeof baseType.supplyData === 'function') {
		throw new Error(`Node ${baseName} already has a supplyData method, so it has no tool variant`);
	}
	const base = baseType.description;
	if (!base.usableAsTool) {
		throw new Error(`Node cannot be used as a tool: ${baseName} is not marked usableAsTool`);
	}
	const replacements = typeof base.usableAsTool === 'object' ? (base.usableAsTool.replacements ?? {}) : {};
	const replaced: INodeTypeDescription = { ...base, ...replacements };
	const description: INodeTypeDescription = {
		...replaced,
		name: `${replaced.name}${TOOL_SUFFIX}`,
		displayName: `${replaced.displayName} ${TOOL_SUFFIX}`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		properties: withToolProperties(replaced.properties, toolDescriptionProperties(replaced)),
		codex: {
			...replaced.codex,
			categories: ['AI'],
			subcategories: { AI: ['Tools'], Tools: ['Other Tools'] },
		},
	};
	delete description.usableAsTool;

	const tool = Object.create(baseType) as INodeType;
	Object.defineProperty(tool, 'description', { value: description, enumerable: true });
	const isDeclarative = base.requestDefaults !== undefined;
	if (isDeclarative && !baseType.execute && !baseType.poll && !baseType.trigger) {
		tool.execute = async function (this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const routingNode = new RoutingNode(this as unknown as ExecuteContext, baseType);
			return (await routingNode.runNode()) ?? [];
		};
	}
	return tool;
}

/** The tool variant of `type` at `version` (default: its default version). */
export function toolVariantOf(type: INodeType | IVersionedNodeType, baseName: string, version?: number): INodeType {
	return toToolVariant(NodeHelpers.getVersionedNodeType(type, version), baseName);
}
