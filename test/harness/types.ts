/**
 * The INodeTypes / ICredentialTypes objects handed to the engine: the loaded package's types
 * (under `<packageName>.<name>`, as n8n names community nodes) plus the harness stand-ins, and the
 * `<packageName>.<name>Tool` variant of each node marked `usableAsTool` (see tool-variant.ts).
 */
import { RoutingNode } from 'n8n-core';
import type { ExecuteContext, PackageDirectoryLoader } from 'n8n-core';
import type {
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { TOOL_SUFFIX, isUsableAsTool, toolVariantOf } from './tool-variant';

/**
 * n8n's server gives a declarative node an `execute` method that runs the RoutingNode, unless the
 * node already has execute/supplyData/poll/trigger, or is a non-declarative node with a webhook or
 * methods (then the engine's own declarative path runs it, with the same RoutingNode). As in
 * n8n 2.41.1's `shouldAssignExecuteMethod` (packages/cli/src/utils.ts): a declarative node with
 * list searches gets the method too, and with it the execution's cancel signal, which the
 * engine's own path never hands a declarative node.
 */
function needsExecuteShim(nodeType: INodeType): boolean {
	const isDeclarative = nodeType.description?.requestDefaults !== undefined;
	return (
		!nodeType.execute &&
		!nodeType.supplyData &&
		!nodeType.poll &&
		!nodeType.trigger &&
		(!nodeType.webhook || isDeclarative) &&
		(!nodeType.methods || isDeclarative)
	);
}

function withExecuteShim(nodeType: INodeType): INodeType {
	// A derived object, so the loader's own instance (which tests inspect) stays untouched.
	const shimmed = Object.create(nodeType) as INodeType;
	shimmed.execute = async function (this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const routingNode = new RoutingNode(this as unknown as ExecuteContext, nodeType);
		return (await routingNode.runNode()) ?? [];
	};
	return shimmed;
}

export class HarnessNodeTypes implements INodeTypes {
	private readonly byName = new Map<string, INodeType | IVersionedNodeType>();
	private readonly resolved = new Map<string, INodeType>();

	constructor(
		readonly packageName: string,
		loader: PackageDirectoryLoader,
		standIns: Record<string, INodeType>,
	) {
		for (const [name, { type }] of Object.entries(loader.nodeTypes)) {
			this.byName.set(`${packageName}.${name}`, type);
		}
		for (const [name, type] of Object.entries(standIns)) this.byName.set(name, type);
	}

	/** A copy of these node types with some extra (e.g. synthetic) types added. */
	withExtra(extra: Record<string, INodeType>): INodeTypes {
		return {
			getByName: (name) => extra[name] ?? this.getByName(name),
			getByNameAndVersion: (name, version) => extra[name] ?? this.getByNameAndVersion(name, version),
			getKnownTypes: () => ({ ...this.getKnownTypes(), ...Object.fromEntries(Object.keys(extra).map((k) => [k, {}])) }),
		};
	}

	/**
	 * The node a `…Tool` name is derived from, as n8n resolves it: only when no node has that name
	 * itself and the node without the suffix is usable as a tool (see tool-variant.ts).
	 */
	private toolBaseOf(name: string): { baseName: string; base: INodeType | IVersionedNodeType } | undefined {
		if (!name.endsWith(TOOL_SUFFIX) || this.byName.has(name)) return undefined;
		const baseName = name.slice(0, -TOOL_SUFFIX.length);
		const base = this.byName.get(baseName);
		return base && isUsableAsTool(base) ? { baseName, base } : undefined;
	}

	has(name: string): boolean {
		return this.byName.has(name) || this.toolBaseOf(name) !== undefined;
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		if (this.toolBaseOf(nodeType)) return this.getByNameAndVersion(nodeType);
		const type = this.byName.get(nodeType);
		if (!type) throw new Error(`Unrecognized node type: ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const key = `${nodeType}@${version ?? 'latest'}`;
		let type = this.resolved.get(key);
		if (!type) {
			const toolBase = this.toolBaseOf(nodeType);
			if (toolBase) {
				type = toolVariantOf(toolBase.base, toolBase.baseName, version);
			} else {
				type = NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
				if (needsExecuteShim(type)) type = withExecuteShim(type);
			}
			this.resolved.set(key, type);
		}
		return type;
	}

	getKnownTypes(): IDataObject {
		const names = [...this.byName.keys()];
		const tools = [...this.byName]
			.filter(([name, type]) => isUsableAsTool(type) && !this.byName.has(`${name}${TOOL_SUFFIX}`))
			.map(([name]) => `${name}${TOOL_SUFFIX}`);
		return Object.fromEntries([...names, ...tools].map((name) => [name, { className: name }]));
	}
}

export class HarnessCredentialTypes implements ICredentialTypes {
	constructor(
		private readonly loader: PackageDirectoryLoader,
		private readonly packageName: string,
	) {}

	recognizes(credentialType: string): boolean {
		return credentialType in this.loader.credentialTypes;
	}

	getByName(credentialType: string): ICredentialType {
		const entry = this.loader.credentialTypes[credentialType];
		if (!entry) throw new Error(`Unrecognized credential type: ${credentialType}`);
		return entry.type;
	}

	/** Full node type names (`<package>.<node>`) of the package's nodes that use this credential. */
	getSupportedNodes(type: string): string[] {
		const shortNames = this.loader.known.credentials[type]?.supportedNodes ?? [];
		return shortNames.map((name) => `${this.packageName}.${name}`);
	}

	getParentTypes(typeName: string): string[] {
		const parents = this.loader.known.credentials[typeName]?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}
}
