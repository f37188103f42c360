/**
 * The credentials helper the engine calls (additionalData.credentialsHelper).
 *
 * - getDecrypted: returns the credential data the test supplied, with defaults from the credential
 *   type's properties filled in for missing fields and `={{ }}` expressions in fields resolved.
 * - authenticate: applies the credential type's `authenticate`: a generic block
 *   (IAuthenticateGeneric: headers / qs / body / auth, values may be expressions over
 *   `$credentials`) or an authenticate function.
 * - preAuthentication: none (returns undefined), as for any credential without an expirable field.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialsExpressionResolveValues,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, Workflow, isExpression } from 'n8n-workflow';
import type { INodeTypes } from 'n8n-workflow';

import type { HarnessCredentialTypes } from './types';

/** Credential data by credential id, credential name or credential type (looked up in that order). */
export type CredentialStore = Record<string, ICredentialDataDecryptedObject>;

export class CredentialNotSuppliedError extends Error {
	constructor(type: string, details: INodeCredentialsDetails) {
		super(
			`The harness was given no credential for type "${type}" (credential id ${String(details.id)}, name "${details.name}")`,
		);
		this.name = 'CredentialNotSuppliedError';
	}
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	private scratchWorkflow?: Workflow;

	constructor(
		private readonly credentialTypes: HarnessCredentialTypes,
		private readonly store: CredentialStore,
		private readonly nodeTypes: INodeTypes,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		if (!this.credentialTypes.recognizes(credentialType)) return true;
		const type = this.credentialTypes.getByName(credentialType) as { restrictToSupportedNodes?: boolean };
		if (type.restrictToSupportedNodes !== true) return true;
		return this.credentialTypes.getSupportedNodes(credentialType).includes(nodeType);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		if (!this.credentialTypes.recognizes(type)) return [];
		const own = this.credentialTypes.getByName(type).properties;
		const inherited = (this.credentialTypes.getByName(type).extends ?? [])
			.filter((parent) => this.credentialTypes.recognizes(parent))
			.flatMap((parent) => this.getCredentialsProperties(parent));
		// A child's property overrides its parent's property of the same name.
		const names = new Set(own.map((p) => p.name));
		return [...inherited.filter((p) => !names.has(p.name)), ...own];
	}

	private lookup(details: INodeCredentialsDetails, type: string): ICredentialDataDecryptedObject {
		const data =
			(details.id ? this.store[details.id] : undefined) ?? this.store[details.name] ?? this.store[type];
		if (!data) throw new CredentialNotSuppliedError(type, details);
		return data;
	}

	/** A one-node workflow to resolve expressions with when the engine gives none. */
	private getScratchWorkflow(): { workflow: Workflow; node: INode } {
		if (!this.scratchWorkflow) {
			this.scratchWorkflow = new Workflow({
				id: 'harness-credentials',
				nodes: [
					{
						id: 'harness-credentials-node',
						name: 'Credentials',
						type: 'harness.noOp',
						typeVersion: 1,
						position: [0, 0],
						parameters: {},
					},
				],
				connections: {},
				active: false,
				nodeTypes: this.nodeTypes,
			});
		}
		return { workflow: this.scratchWorkflow, node: this.scratchWorkflow.nodes.Credentials };
	}

	private resolveValue(
		value: unknown,
		additionalKeys: IDataObject,
		workflow?: Workflow,
		node?: INode,
		mode: WorkflowExecuteMode = 'internal',
	): unknown {
		if (typeof value !== 'string' || !isExpression(value)) return value;
		const target = workflow && node ? { workflow, node } : this.getScratchWorkflow();
		return target.workflow.expression.getSimpleParameterValue(target.node, value, mode, additionalKeys, undefined, value);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		_executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const supplied = structuredClone(this.lookup(nodeCredentials, type));
		if (raw) return supplied;

		const properties = this.getCredentialsProperties(type);
		const withDefaults =
			(NodeHelpers.getNodeParameters(properties, supplied as INodeParameters, true, false, null, null) as ICredentialDataDecryptedObject | null) ?? {};
		// Keep fields the type does not declare (n8n keeps e.g. oauthTokenData the same way).
		const data: ICredentialDataDecryptedObject = { ...supplied, ...withDefaults };

		for (const [key, value] of Object.entries(data)) {
			if (typeof value === 'string' && isExpression(value)) {
				data[key] = this.resolveValue(
					value,
					{},
					expressionResolveValues?.workflow,
					expressionResolveValues?.node,
					mode,
				) as ICredentialDataDecryptedObject[string];
			}
		}
		return data;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const options = requestOptions as IHttpRequestOptions;
		if (!this.credentialTypes.recognizes(typeName)) return options;
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (!authenticate) return options;
		if (typeof authenticate === 'function') return await authenticate(credentials, options);
		if (authenticate.type !== 'generic') return options;

		const keys = { $credentials: credentials };
		const target = options as unknown as Record<string, Record<string, unknown> | undefined>;
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			if (!entries) continue;
			const bucket = (target[section] ??= {});
			for (const [rawKey, rawValue] of Object.entries(entries as Record<string, unknown>)) {
				const key = String(this.resolveValue(rawKey, keys, workflow, node));
				bucket[key] = this.resolveValue(rawValue, keys, workflow, node);
			}
		}
		return options;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const data = this.lookup(nodeCredentials, type);
		const id = nodeCredentials.id ?? undefined;
		return {
			id,
			name: nodeCredentials.name,
			type,
			data: undefined,
			getData: async () => structuredClone(data),
			getDataToSave: () => ({ id, name: nodeCredentials.name, type, data: '' }),
		} as unknown as ICredentials;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const key = nodeCredentials.id && this.store[nodeCredentials.id] ? nodeCredentials.id : type;
		this.store[key] = data;
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		await this.updateCredentials(nodeCredentials, type, { ...this.lookup(nodeCredentials, type), ...data });
	}
}
