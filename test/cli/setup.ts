/**
 * The set-up `npm run demo`, `npm run dev` and `npm run test:e2e` share: the Stripe sandbox and a
 * mail catcher and a scripted OpenAI-style chat model on 127.0.0.1, the pinned n8n CLI, an n8n user folder with this package installed
 * from its `npm pack` tarball, credentials for every credential the examples name, and the
 * example workflows imported with `n8n import:credentials` / `n8n import:workflow`.
 */
import { mkdirSync, rmSync } from 'node:fs';

import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS, StripeSandbox } from '../sandbox';
import { ensureN8n } from './install';
import { type CredentialImport, exampleWorkflows, N8nInstance, type WorkflowJson } from './instance';
import { ScriptedChatModel } from './chat-model';
import { MailCatcher } from './mail-catcher';

/** The login page link the sandbox's default configuration gets, as on an account that turned it on. */
export const DEMO_LOGIN_PAGE_URL = 'https://billing.stripe.com/p/login/test_SandboxDefaultLogin01';

export interface SetUpOptions {
	/** The n8n user folder; emptied first unless `keep` is set. */
	userFolder: string;
	keep?: boolean;
	/** Fixed sandbox port (dev mode keeps one across restarts); default: any free port. */
	sandboxPort?: number;
	/** A real Stripe test key: adds a second credential pointing at api.stripe.com. */
	stripeTestKey?: string;
	/** Extra workflows to import beside the examples (the end-to-end test's own). */
	extraWorkflows?: WorkflowJson[];
	/** Default true; dev mode imports them on its first run only, so later edits in the editor stay. */
	importWorkflows?: boolean;
	log?: (line: string) => void;
}

export interface DemoSetUp {
	sandbox: StripeSandbox;
	mail: MailCatcher;
	chatModel: ScriptedChatModel;
	instance: N8nInstance;
	examples: Array<{ file: string; workflow: WorkflowJson }>;
	credentials: CredentialImport[];
	packagedFiles: string[];
	stop(): Promise<void>;
}

export const REAL_KEY_CREDENTIAL = { id: 'stripeTestKey', name: 'Stripe (your test key)' };

export async function setUpDemo(options: SetUpOptions): Promise<DemoSetUp> {
	const log = options.log ?? (() => undefined);
	const install = ensureN8n(log);

	// Stripe refuses loopback webhook URLs; the sandbox takes them, as `stripe listen` makes a local n8n reachable: the trigger examples can be published.
	const sandbox = new StripeSandbox({ port: options.sandboxPort, webhooks: { allowLocalUrls: true } });
	const sandboxUrl = await sandbox.start();
	const configuration = sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
	if (configuration) configuration.login_page = { enabled: true, url: DEMO_LOGIN_PAGE_URL };
	const mail = new MailCatcher();
	const mailPort = await mail.start();
	const chatModel = new ScriptedChatModel();
	const chatModelUrl = await chatModel.start();
	const stopServers = async () => {
		await sandbox.stop();
		await mail.stop();
		await chatModel.stop();
	};
	log(`Stripe sandbox on ${sandboxUrl}, mail catcher on smtp://127.0.0.1:${mailPort}, scripted OpenAI-style chat model on ${chatModelUrl}`);

	try {
		if (!options.keep) rmSync(options.userFolder, { recursive: true, force: true });
		mkdirSync(options.userFolder, { recursive: true });
		const instance = new N8nInstance(install, options.userFolder);
		const { files } = instance.installPackage();
		log(`Installed the npm pack tarball (${files.length} files) into ${instance.nodesFolder}`);

		const examples = exampleWorkflows();
		const workflows = [...examples.map((example) => example.workflow), ...(options.extraWorkflows ?? [])];
		for (const example of examples) {
			if (example.workflow.nodes.some((node) => node.type === CHAT_TRIGGER)) workflows.push(chatAsCliWorkflow(example.workflow, DEMO_CHAT_MESSAGE));
		}
		const credentials = credentialsFor(workflows, { sandboxUrl, mailPort, chatModelUrl });
		if (options.stripeTestKey) {
			credentials.push({
				...REAL_KEY_CREDENTIAL,
				type: 'stripeBillingPortalApi',
				data: { secretKey: options.stripeTestKey, apiVersion: DEFAULT_API_VERSION, baseUrl: 'https://api.stripe.com' },
			});
		}
		await instance.importCredentials(credentials);
		const importWorkflows = options.importWorkflows ?? true;
		if (importWorkflows) await instance.importWorkflows(workflows);
		log(`Imported ${credentials.length} credentials${importWorkflows ? ` and ${workflows.length} workflows` : ''} with the n8n ${install.version} CLI`);
		return { sandbox, mail, chatModel, instance, examples, credentials, packagedFiles: files, stop: stopServers };
	} catch (error) {
		await stopServers();
		throw error;
	}
}

/**
 * One credential per credential reference in the workflows, so each imports ready to run: Stripe
 * credentials point at the sandbox, SMTP at the mail catcher, OpenAI at the scripted chat model.
 */
export function credentialsFor(workflows: WorkflowJson[], endpoints: { sandboxUrl: string; mailPort: number; chatModelUrl: string }): CredentialImport[] {
	const found = new Map<string, CredentialImport>();
	for (const workflow of workflows.flatMap(withInlineSubWorkflows)) {
		for (const node of workflow.nodes) {
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				let data: Record<string, unknown> | undefined;
				if (type === 'stripeBillingPortalApi') {
					data = { secretKey: DEFAULT_SECRET_KEY, apiVersion: DEFAULT_API_VERSION, baseUrl: endpoints.sandboxUrl };
				} else if (type === 'smtp') {
					data = { host: '127.0.0.1', port: endpoints.mailPort, secure: false, disableStartTls: true, user: '', password: '' };
				} else if (type === 'openAiApi') {
					data = { apiKey: 'sk-scripted-model', url: endpoints.chatModelUrl };
				}
				if (data && !found.has(reference.id)) found.set(reference.id, { id: reference.id, name: reference.name, type, data });
			}
		}
	}
	return [...found.values()];
}

/** A workflow and the sub-workflows its workflow tools define inline ("Define Below"), whose nodes name credentials too. */
function withInlineSubWorkflows(workflow: WorkflowJson): WorkflowJson[] {
	const inline = workflow.nodes
		.map((node) => (node.parameters as { source?: unknown; workflowJson?: unknown } | undefined) ?? {})
		.filter((parameters) => parameters.source === 'parameter' && typeof parameters.workflowJson === 'string')
		.map((parameters) => JSON.parse(parameters.workflowJson as string) as WorkflowJson);
	return [workflow, ...inline];
}

export const CHAT_TRIGGER = '@n8n/n8n-nodes-langchain.chatTrigger';
export const DEMO_CHAT_MESSAGE = 'Hi, I want to cancel my subscription. My email is jenny.rosen@example.com';

/**
 * `n8n execute` starts only from a manual or Execute Workflow trigger, so a chat-triggered
 * workflow gets a twin for the CLI: the chat trigger replaced by a manual trigger and a Set node
 * that emits what the chat trigger would (`sessionId`, `action`, `chatInput`). Everything
 * downstream (agent, model, tools) is the example's own.
 */
export function chatAsCliWorkflow(workflow: WorkflowJson, chatInput: string): WorkflowJson {
	const trigger = workflow.nodes.find((node) => node.type === CHAT_TRIGGER);
	if (!trigger) throw new Error(`${workflow.name} has no chat trigger`);
	const position = (trigger as { position?: [number, number] }).position ?? [0, 0];
	const manual = { id: 'cli-manual-trigger', name: "When clicking 'Execute workflow'", type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [position[0] - 220, position[1]], parameters: {} };
	const message = {
		id: 'cli-chat-message',
		name: 'Chat Message',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position,
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [
					{ id: 'm1', name: 'sessionId', value: 'cli-session', type: 'string' },
					{ id: 'm2', name: 'action', value: 'sendMessage', type: 'string' },
					{ id: 'm3', name: 'chatInput', value: chatInput, type: 'string' },
				],
			},
			options: {},
		},
	};
	const connections = { ...(workflow.connections as Record<string, unknown>) };
	connections[message.name] = connections[trigger.name];
	delete connections[trigger.name];
	connections[manual.name] = { main: [[{ node: message.name, type: 'main', index: 0 }]] };
	return {
		...workflow,
		id: `${workflow.id}Cli`.slice(0, 21),
		name: `${workflow.name} (one chat message, for n8n execute)`,
		nodes: [...workflow.nodes.filter((node) => node !== trigger), manual, message] as WorkflowJson['nodes'],
		connections,
	};
}
