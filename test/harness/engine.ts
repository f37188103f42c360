/**
 * Loading a package and running things through n8n's engine.
 */
import { Container } from '@n8n/di';
import {
	CredentialTestContext,
	ExecuteContext,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	LoadOptionsContext,
	PackageDirectoryLoader,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ExecuteWorkflowData,
	ExecutionError,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialsDecrypted,
	IConnections,
	IDataObject,
	IExecuteWorkflowInfo,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	IPinData,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow, createRunExecutionData } from 'n8n-workflow';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

import { ensureContainer } from './container';
import { HarnessCredentialsHelper } from './credentials-helper';
import type { CredentialStore } from './credentials-helper';
import { withLogCapture } from './logger';
import { createStandIns } from './stand-ins';
import { HarnessCredentialTypes, HarnessNodeTypes } from './types';

// ---------------------------------------------------------------------------------------------
// Public types

export interface LoadedPackage {
	/** n8n-core's loader, after loadAll(): nodeTypes / credentialTypes / known / types. */
	loader: PackageDirectoryLoader;
	/** The package's nodes as `<packageName>.<node>` plus the harness stand-ins (see stand-ins.ts). */
	nodeTypes: HarnessNodeTypes;
	credentialTypes: HarnessCredentialTypes;
	packageName: string;
	/** Real path of the package directory. */
	packageDir: string;
}

export interface SuppliedCredential {
	type: string;
	data: ICredentialDataDecryptedObject;
}

export interface RunNodeOptions {
	pkg: LoadedPackage;
	/** Name within the package, e.g. 'stripeBillingPortal'; becomes '<packageName>.<nodeType>'. */
	nodeType: string;
	/** Defaults to the node's latest version. */
	typeVersion?: number;
	/** Node parameters; '={{ ... }}' expressions are evaluated per item by the engine. */
	parameters: INodeParameters;
	/** json of the items an upstream node ('Items Source') feeds into the node. */
	items: IDataObject[];
	credentials?: SuppliedCredential;
	/** On Error: Continue → onError: 'continueRegularOutput'. */
	continueOnFail?: boolean;
	/** Anything else on the INode (name, retryOnFail, onError, executeOnce ...); wins over the above. */
	nodeSettings?: Partial<INode>;
	/** Execution mode, default 'manual' (a run started from the editor). */
	mode?: WorkflowExecuteMode;
	/** The workflow's ID, default 'harness-run-node'. */
	workflowId?: string;
	/** The execution's ID, default a new one per run (n8n numbers executions per database, so two instances can both run execution 1). */
	executionId?: string;
	/** Called once the execution has started, with what n8n's Stop button calls for it. */
	onStarted?: (execution: RunningExecution) => void;
}

/** A running execution, as n8n's Stop button sees it. */
export interface RunningExecution {
	/** Cancels it through WorkflowExecute's own PCancelable, as n8n's ActiveExecutions.stopExecution does. */
	stop: () => void;
}

export interface RunNodeResult {
	/** main[0] of the node's last run: what the next node receives (json, pairedItem, error). */
	items: INodeExecutionData[];
	/** The run's error (resultData.error) as the engine records it: message, description, httpCode, context ... */
	error?: ExecutionError;
	runData: IRunData;
	/** Everything logged through n8n's Logger / LoggerProxy during the run. */
	logs: string[];
	/** The engine's full result (status, resultData, executionData ...). */
	run: IRun;
	/** The name the node under test had in the workflow. */
	nodeName: string;
	/**
	 * The Executions list's Retry of this run, as n8n 2.41's ExecutionService.retry does it: a new
	 * execution ID (or the one given), a copy of the run's data as saved and read back, its error
	 * removed and the failed node's last run dropped, then the engine goes on from the saved stack.
	 */
	retryFromExecutionsList: (executionId?: string) => Promise<RunNodeResult>;
}

/** A workflow as exported from n8n (only nodes and connections are required). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
	pinData?: IPinData;
	[key: string]: unknown;
}

export interface RunWorkflowOptions {
	pkg: LoadedPackage;
	workflow: WorkflowJson;
	/** Credential data by credential type (or by the credential id / name used in the workflow). */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Node to start from; default: the workflow's trigger / start node. */
	startNodeName?: string;
	mode?: WorkflowExecuteMode;
}

export interface RunWorkflowResult {
	runData: IRunData;
	/** main[0] of the last node that ran. */
	lastNodeItems: INodeExecutionData[];
	error?: ExecutionError;
	logs: string[];
	run: IRun;
}

export interface RunListSearchOptions {
	pkg: LoadedPackage;
	nodeType: string;
	typeVersion?: number;
	/** Name in `methods.listSearch`. */
	method: string;
	filter?: string;
	paginationToken?: string;
	credentials?: SuppliedCredential;
	/** The node's current parameters, as the editor sends them. */
	parameters?: INodeParameters;
	/** Path of the parameter being edited, e.g. 'parameters.customer'. */
	path?: string;
}

export interface TestCredentialOptions {
	pkg: LoadedPackage;
	credentialType: string;
	data: ICredentialDataDecryptedObject;
}

// ---------------------------------------------------------------------------------------------
// Loading

const loaded = new Map<string, Promise<LoadedPackage>>();

async function load(packageDir: string): Promise<LoadedPackage> {
	ensureContainer();
	const loader = new PackageDirectoryLoader(packageDir);
	if (!loader.packageJson.n8n) {
		throw new Error(`${packageDir}/package.json has no "n8n" manifest`);
	}
	await loader.loadAll();
	const { packageName } = loader;
	return {
		loader,
		nodeTypes: new HarnessNodeTypes(packageName, loader, createStandIns()),
		credentialTypes: new HarnessCredentialTypes(loader, packageName),
		packageName,
		packageDir: loader.directory,
	};
}

/**
 * Loads a community package the way n8n does: n8n-core's PackageDirectoryLoader reading the
 * `n8n` manifest of `<packageDir>/package.json`. Loaded once per directory per test file.
 */
export async function loadPackage(packageDir: string): Promise<LoadedPackage> {
	const key = realpathSync(resolve(packageDir));
	let promise = loaded.get(key);
	if (!promise) {
		promise = load(key);
		loaded.set(key, promise);
		promise.catch(() => loaded.delete(key));
	}
	return await promise;
}

// ---------------------------------------------------------------------------------------------
// Shared plumbing

let executionCounter = 0;

function nextExecutionId(): string {
	executionCounter += 1;
	return `harness-${process.pid}-${executionCounter}`;
}

export function createAdditionalData(
	credentialsHelper: HarnessCredentialsHelper,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	const additionalData: IWorkflowExecuteAdditionalData = {
		credentialsHelper,
		executeWorkflow: async () => {
			throw new Error('Sub-workflow execution is not available in the harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('Task runners (Code node) are not available in the harness');
		},
		logAiEvent: () => {},
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		...extra,
	};
	return additionalData;
}

function latestVersion(type: INodeType | IVersionedNodeType): number {
	if ('nodeVersions' in type) return type.currentVersion;
	const { version } = type.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

function packageNodeType(pkg: LoadedPackage, nodeType: string, typeVersion?: number) {
	const fullType = `${pkg.packageName}.${nodeType}`;
	if (!pkg.nodeTypes.has(fullType)) {
		const known = Object.keys(pkg.loader.nodeTypes).join(', ') || 'none';
		throw new Error(`Package ${pkg.packageName} has no node "${nodeType}" (it has: ${known})`);
	}
	const version = typeVersion ?? latestVersion(pkg.nodeTypes.getByName(fullType));
	return { fullType, typeVersion: version, type: pkg.nodeTypes.getByNameAndVersion(fullType, version) };
}

function credentialsOnNode(credential?: SuppliedCredential): Pick<INode, 'credentials'> {
	if (!credential) return {};
	return { credentials: { [credential.type]: { id: `harness-${credential.type}`, name: `${credential.type} (harness)` } } };
}

function workflowBase(workflow: Workflow, nodes: INode[], connections: IConnections): IWorkflowBase {
	const now = new Date();
	return {
		id: workflow.id,
		name: workflow.name ?? workflow.id,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: now,
		updatedAt: now,
		nodes,
		connections,
		settings: workflow.settings,
	};
}

async function execute(
	workflow: Workflow,
	nodes: INode[],
	connections: IConnections,
	startNode: INode,
	store: CredentialStore,
	pkg: LoadedPackage,
	mode: WorkflowExecuteMode,
	pinData?: IPinData,
	givenExecutionId?: string,
	retrying?: IRun,
	onStarted?: (execution: RunningExecution) => void,
): Promise<{ run: IRun; logs: string[] }> {
	const { value: run, logs } = await withLogCapture(async () => {
		const executionId = givenExecutionId ?? nextExecutionId();
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowBase(workflow, nodes, connections));
		const credentialsHelper = new HarnessCredentialsHelper(pkg.credentialTypes, store, pkg.nodeTypes);
		const additionalData = createAdditionalData(credentialsHelper, { hooks, executionId, workflowId: workflow.id });
		additionalData.executeWorkflow = async (workflowInfo, _parentData, options) =>
			await executeSubWorkflow(workflowInfo, options.inputData ?? [{ json: {} }], credentialsHelper, pkg, mode);
		if (retrying) {
			// Saved to the database and read back: a plain copy, nothing shared with the first run.
			const data = JSON.parse(JSON.stringify(retrying.data)) as IRun['data'];
			const { lastNodeExecuted } = data.resultData;
			if (lastNodeExecuted) {
				delete data.resultData.error;
				const nodeRuns = data.resultData.runData?.[lastNodeExecuted];
				if (nodeRuns && nodeRuns.length > 0 && nodeRuns[nodeRuns.length - 1].error !== undefined) nodeRuns.pop();
			}
			return await new WorkflowExecute(additionalData, 'retry', data).processRunExecutionData(workflow);
		}
		const workflowExecute = new WorkflowExecute(additionalData, mode);
		const running = workflowExecute.run({ workflow, startNode, pinData });
		onStarted?.({ stop: () => running.cancel() });
		return await running;
	});
	return { run, logs };
}

/** Every sub-workflow run so far, oldest first, for tests to read what happened inside a workflow tool. */
export const subWorkflowRuns: IRun[] = [];

/**
 * A sub-workflow given as code (a workflow tool's "Define Below"), run as n8n runs one: its
 * trigger gets the caller's items, and the caller gets the output of the node that ran last.
 */
async function executeSubWorkflow(
	workflowInfo: IExecuteWorkflowInfo,
	inputData: INodeExecutionData[],
	credentialsHelper: HarnessCredentialsHelper,
	pkg: LoadedPackage,
	mode: WorkflowExecuteMode,
): Promise<ExecuteWorkflowData> {
	const code = workflowInfo.code;
	if (!code) throw new Error('The harness runs only sub-workflows given as code, not by ID');
	const workflow = new Workflow({
		id: code.id ?? 'harness-sub-workflow',
		name: code.name ?? 'Harness sub-workflow',
		nodes: code.nodes,
		connections: code.connections,
		active: false,
		nodeTypes: pkg.nodeTypes,
		settings: code.settings ?? { executionOrder: 'v1' },
	});
	const startNode = workflow.getStartNode();
	if (!startNode) throw new Error('The sub-workflow has no node to start from');
	const executionId = nextExecutionId();
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowBase(workflow, code.nodes, code.connections));
	const additionalData = createAdditionalData(credentialsHelper, { hooks, executionId, workflowId: workflow.id });
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: startNode, data: { main: [inputData] }, source: null }] },
	});
	const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
	subWorkflowRuns.push(run);
	const { runData, error, lastNodeExecuted } = run.data.resultData;
	if (error) throw error;
	return { executionId, data: [lastOutput(runData, lastNodeExecuted)] };
}

function lastOutput(runData: IRunData, nodeName: string | undefined): INodeExecutionData[] {
	if (!nodeName) return [];
	const task = runData[nodeName]?.at(-1);
	return task?.data?.[NodeConnectionTypes.Main]?.[0] ?? [];
}

// ---------------------------------------------------------------------------------------------
// runNode

const SOURCE_NODE_NAME = 'Items Source';

/**
 * Runs one node of the package in a real two-node workflow: 'Items Source' (harness stand-in
 * emitting `items`) → the node under test, executed by n8n-core's WorkflowExecute.
 */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const { pkg, items, credentials, continueOnFail, nodeSettings, mode = 'manual', onStarted } = options;
	const { fullType, typeVersion, type } = packageNodeType(pkg, options.nodeType, options.typeVersion);

	let nodeName = nodeSettings?.name ?? type.description.defaults.name ?? type.description.displayName;
	if (nodeName === SOURCE_NODE_NAME) nodeName = `${nodeName} (under test)`;

	const source: INode = {
		id: 'harness-items-source',
		name: SOURCE_NODE_NAME,
		type: 'harness.itemsSource',
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(items) },
	};
	const node: INode = {
		id: 'harness-node-under-test',
		name: nodeName,
		type: fullType,
		typeVersion,
		position: [250, 0],
		parameters: structuredClone(options.parameters),
		...credentialsOnNode(credentials),
		...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...nodeSettings,
	};
	const connections: IConnections = {
		[SOURCE_NODE_NAME]: { main: [[{ node: nodeName, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const nodes = [source, node];
	const workflow = new Workflow({
		id: options.workflowId ?? 'harness-run-node',
		name: `Harness: ${fullType}`,
		nodes,
		connections,
		active: false,
		nodeTypes: pkg.nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const store: CredentialStore = credentials ? { [credentials.type]: credentials.data } : {};

	const finish = (run: IRun, logs: string[]): RunNodeResult => {
		const { runData, error } = run.data.resultData;
		return {
			items: lastOutput(runData, nodeName),
			error: error as ExecutionError | undefined,
			runData,
			logs,
			run,
			nodeName,
			retryFromExecutionsList: async (executionId?: string) => {
				const retried = await execute(workflow, nodes, connections, source, store, pkg, 'retry', undefined, executionId, run);
				return finish(retried.run, retried.logs);
			},
		};
	};
	const { run, logs } = await execute(workflow, nodes, connections, source, store, pkg, mode, undefined, options.executionId, undefined, onStarted);
	return finish(run, logs);
}

// ---------------------------------------------------------------------------------------------
// runWorkflow

/**
 * Runs a workflow exported from n8n whose nodes are the package's nodes (`<packageName>.<node>`)
 * or harness stand-ins (see stand-ins.ts). Starts at the trigger unless `startNodeName` is given.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunWorkflowResult> {
	const { pkg, mode = 'manual' } = options;
	const json = structuredClone(options.workflow);
	for (const node of json.nodes) {
		if (!pkg.nodeTypes.has(node.type)) {
			throw new Error(
				`Node "${node.name}" has type "${node.type}", which is neither in ${pkg.packageName} nor a harness stand-in`,
			);
		}
	}
	const workflow = new Workflow({
		id: json.id ?? 'harness-workflow',
		name: json.name ?? 'Harness workflow',
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		nodeTypes: pkg.nodeTypes,
		settings: json.settings ?? { executionOrder: 'v1' },
		staticData: json.staticData,
		pinData: json.pinData,
	});
	const startNode = options.startNodeName
		? workflow.getNode(options.startNodeName)
		: workflow.getStartNode();
	if (!startNode) throw new Error('Could not find a node to start the workflow from');

	const { run, logs } = await execute(
		workflow,
		json.nodes,
		json.connections,
		startNode,
		{ ...options.credentials },
		pkg,
		mode,
		json.pinData,
	);
	const { runData, error, lastNodeExecuted } = run.data.resultData;
	return { runData, lastNodeItems: lastOutput(runData, lastNodeExecuted), error: error as ExecutionError | undefined, logs, run };
}

// ---------------------------------------------------------------------------------------------
// runListSearch

/**
 * Calls `methods.listSearch[method]` the way the editor does for a resource locator's
 * "From List" mode: on a LoadOptionsContext for a one-node workflow, with the node's current
 * parameters and credentials.
 */
export async function runListSearch(options: RunListSearchOptions): Promise<INodeListSearchResult> {
	const { pkg, credentials } = options;
	const { fullType, typeVersion, type } = packageNodeType(pkg, options.nodeType, options.typeVersion);
	const search = type.methods?.listSearch?.[options.method];
	if (!search) {
		const known = Object.keys(type.methods?.listSearch ?? {}).join(', ') || 'none';
		throw new Error(`Node ${fullType} has no listSearch method "${options.method}" (it has: ${known})`);
	}
	const node: INode = {
		id: 'harness-list-search',
		name: type.description.defaults.name ?? 'Node',
		type: fullType,
		typeVersion,
		position: [0, 0],
		parameters: structuredClone(options.parameters ?? {}),
		...credentialsOnNode(credentials),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: pkg.nodeTypes });
	const workflowNode = workflow.nodes[node.name];
	const store: CredentialStore = credentials ? { [credentials.type]: credentials.data } : {};
	const credentialsHelper = new HarnessCredentialsHelper(pkg.credentialTypes, store, pkg.nodeTypes);
	const additionalData = createAdditionalData(credentialsHelper, {
		currentNodeParameters: workflowNode.parameters,
	});
	const context = new LoadOptionsContext(workflow, workflowNode, additionalData, options.path ?? 'parameters');
	const { value } = await withLogCapture(async () => await search.call(context, options.filter, options.paginationToken));
	return value;
}

// ---------------------------------------------------------------------------------------------
// testCredential

const TEST_NODE_TYPE = 'harness.credentialTest';

function findTest(pkg: LoadedPackage, credentialType: string):
	| { kind: 'request'; request: ICredentialTestRequest }
	| { kind: 'function'; node: INodeType; method: string }
	| undefined {
	// Like n8n: a node's `testedBy` for this credential first, then the credential's own `test`.
	for (const { type } of Object.values(pkg.loader.nodeTypes)) {
		const versions = 'nodeVersions' in type ? Object.values(type.nodeVersions) : [type];
		for (const version of versions) {
			const testedBy = version.description.credentials?.find((c) => c.name === credentialType)?.testedBy;
			if (typeof testedBy === 'string') return { kind: 'function', node: version, method: testedBy };
			if (testedBy) return { kind: 'request', request: testedBy };
		}
	}
	const { test } = pkg.credentialTypes.getByName(credentialType);
	return test ? { kind: 'request', request: test } : undefined;
}

function statusCodeOf(error: unknown): number | undefined {
	const e = error as { httpCode?: unknown; cause?: { response?: { status?: unknown }; status?: unknown } };
	const candidates = [e?.cause?.response?.status, e?.cause?.status, e?.httpCode];
	for (const candidate of candidates) {
		const n = Number(candidate);
		if (Number.isInteger(n) && n > 0) return n;
	}
	return undefined;
}

function getPath(value: unknown, path: string): unknown {
	return path.split('.').reduce<unknown>((acc, key) => (acc === null || acc === undefined ? undefined : (acc as IDataObject)[key]), value);
}

/**
 * Tests a credential the way n8n's credential tester does: a node's `testedBy` method, or the
 * declarative `test` request sent through n8n-core's RoutingNode with the credential's
 * `authenticate` block applied, then the test's `rules`.
 */
export async function testCredential(options: TestCredentialOptions): Promise<INodeCredentialTestResult> {
	const { pkg, credentialType } = options;
	if (!pkg.credentialTypes.recognizes(credentialType)) {
		throw new Error(`Package ${pkg.packageName} has no credential type "${credentialType}"`);
	}
	const found = findTest(pkg, credentialType);
	if (!found) return { status: 'Error', message: 'No testing function found for this credential.' };

	const store: CredentialStore = { [credentialType]: options.data };
	const credentialsHelper = new HarnessCredentialsHelper(pkg.credentialTypes, store, pkg.nodeTypes);
	const details = { id: 'harness-credential-test', name: `${credentialType} (test)` };

	const { value } = await withLogCapture(async (): Promise<INodeCredentialTestResult> => {
		const additionalData = createAdditionalData(credentialsHelper);
		const data = await credentialsHelper.getDecrypted(additionalData, details, credentialType, 'internal');
		const decrypted: ICredentialsDecrypted = { ...details, type: credentialType, data };

		if (found.kind === 'function') {
			const method = found.node.methods?.credentialTest?.[found.method];
			if (!method) return { status: 'Error', message: `Node has no credentialTest method "${found.method}"` };
			return await method.call(new CredentialTestContext(additionalData), decrypted);
		}

		const { request, rules } = found.request;
		const testNodeType: INodeType = {
			description: {
				displayName: 'Credential Test',
				name: TEST_NODE_TYPE,
				group: ['transform'],
				version: 1,
				description: 'Sends a credential test request',
				defaults: { name: 'Credential Test' },
				inputs: [NodeConnectionTypes.Main],
				outputs: [NodeConnectionTypes.Main],
				credentials: [{ name: credentialType, required: true }],
				properties: [
					{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request } },
				],
			},
		};
		const node: INode = {
			id: 'harness-credential-test',
			name: 'Credential Test',
			type: TEST_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { temp: '' },
			credentials: { [credentialType]: details },
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: pkg.nodeTypes.withExtra({ [TEST_NODE_TYPE]: testNodeType }),
		});
		const workflowNode = workflow.nodes[node.name];
		const inputData = { main: [[{ json: {} }]] };
		const context = new ExecuteContext(
			workflow,
			workflowNode,
			additionalData,
			'internal',
			createRunExecutionData(),
			0,
			[],
			inputData,
			{ node: workflowNode, data: inputData, source: null },
			[],
		);
		let output: INodeExecutionData[][] | null | undefined;
		try {
			output = await new RoutingNode(context, testNodeType, decrypted).runNode();
		} catch (error) {
			const status = statusCodeOf(error);
			for (const rule of rules ?? []) {
				if (rule.type === 'responseCode' && status !== undefined && Number(rule.properties.value) === status) {
					return { status: 'Error', message: String(rule.properties.message) };
				}
			}
			const code = (error as { cause?: { code?: unknown } }).cause?.code;
			if (status === undefined && typeof code === 'string') return { status: 'Error', message: code };
			return { status: 'Error', message: (error as Error).message };
		}
		const body = output?.[0]?.[0]?.json;
		for (const rule of rules ?? []) {
			if (rule.type === 'responseSuccessBody' && getPath(body, String(rule.properties.key)) === rule.properties.value) {
				return { status: 'Error', message: String(rule.properties.message) };
			}
		}
		return { status: 'OK', message: 'Connection successful!' };
	});
	return value;
}
