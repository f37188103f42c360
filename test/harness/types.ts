/**
 * The INodeTypes / ICredentialTypes objects handed to the engine: the loaded package's types
 * (under `<packageName>.<name>`, as n8n names community nodes) plus the harness stand-ins.
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

/**
 * n8n's server gives a declarative node an `execute` method that runs the RoutingNode, unless the
 * node already has execute/poll/trigger/methods or is a non-declarative webhook node (then the
 * engine's own declarative path runs it, with the same RoutingNode).
 */
function needsExecuteShim(nodeType: INodeType): boolean {
	const isDeclarative = nodeType.description?.requestDefaults !== undefined;
	return (
		!nodeType.execute &&
		!nodeType.poll &&
		!nodeType.trigger &&
		(!nodeType.webhook || isDeclarative) &&
		!nodeType.methods
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

	has(name: string): boolean {
		return this.byName.has(name);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.byName.get(nodeType);
		if (!type) throw new Error(`Unrecognized node type: ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const key = `${nodeType}@${version ?? 'latest'}`;
		let type = this.resolved.get(key);
		if (!type) {
			type = NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
			if (needsExecuteShim(type)) type = withExecuteShim(type);
			this.resolved.set(key, type);
		}
		return type;
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries([...this.byName.keys()].map((name) => [name, { className: name }]));
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
