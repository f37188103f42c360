/**
 * A trigger node's webhook side through n8n-core's own contexts: `HookContext` for
 * `webhookMethods` (checkExists, create, delete), as n8n runs them on activation, on "Listen for
 * test event" and on deactivation; `WebhookContext` for `webhook()`, as n8n runs it for a
 * request to the webhook URL. The workflow object (and its static data) lives across calls, as
 * in a running n8n; what n8n's HTTP server would do (answer the request) is recorded.
 */
import { HookContext, WebhookContext } from 'n8n-core';
import type { IDataObject, INode, IWebhookData, IWebhookResponseData, WebhookSetupMethodNames } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { createAdditionalData, type LoadedPackage, type SuppliedCredential } from './engine';
import { HarnessCredentialsHelper } from './credentials-helper';
import { withLogCapture } from './logger';

export interface TriggerOptions {
	pkg: LoadedPackage;
	/** Name within the package, e.g. 'stripeBillingPortalTrigger'. */
	nodeType: string;
	parameters: INode['parameters'];
	credentials: SuppliedCredential;
	workflowId?: string;
	nodeId?: string;
	webhookId?: string;
	/** n8n's base URL (N8N_WEBHOOK_URL); webhook URLs are `<base>/webhook/…` and `<base>/webhook-test/…`. */
	baseUrl?: string;
	/** The workflow's static data as saved, e.g. carried over from a previous activation. */
	staticData?: IDataObject;
}

export interface Delivery {
	headers: Record<string, string | string[] | undefined>;
	/** What n8n's body parser keeps as `req.rawBody`; undefined to leave it out. */
	rawBody?: Buffer;
	/** What n8n's body parser made of it; by default the raw body parsed as JSON, as n8n does for application/json. */
	body?: unknown;
	test?: boolean;
}

export interface DeliveryResult {
	/** What the trigger answered itself (a refusal or an acknowledgement), if it did. */
	answered?: { status: number; body: unknown };
	/** What webhook() returned: workflowData starts an execution. */
	result: IWebhookResponseData;
	logs: string[];
}

export class TriggerUnderTest {
	readonly workflow: Workflow;

	readonly node: INode;

	private readonly options: TriggerOptions;

	constructor(options: TriggerOptions) {
		this.options = options;
		const fullType = `${options.pkg.packageName}.${options.nodeType}`;
		this.node = {
			id: options.nodeId ?? 'b3a1c1f2-7f1e-4d7a-9f43-2f3c1e0a9b11',
			name: 'Stripe Billing Portal Trigger',
			type: fullType,
			typeVersion: 1,
			position: [0, 0],
			webhookId: options.webhookId ?? '5c2f0b1e-3d4a-4e6f-8a9b-0c1d2e3f4a5b',
			parameters: structuredClone(options.parameters),
			credentials: { [options.credentials.type]: { id: `harness-${options.credentials.type}`, name: `${options.credentials.type} (harness)` } },
		};
		this.workflow = new Workflow({
			id: options.workflowId ?? 'wf-trigger-1',
			name: 'Trigger under test',
			nodes: [this.node],
			connections: {},
			active: true,
			nodeTypes: options.pkg.nodeTypes,
			staticData: structuredClone(options.staticData ?? {}),
			settings: { executionOrder: 'v1' },
		});
	}

	/** The node's static data, as the trigger reads and writes it. */
	get staticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node);
	}

	/** The whole workflow static data, as n8n would save it. */
	savedStaticData(): IDataObject {
		// n8n observes static data through a proxy; saving writes it out as JSON.
		return JSON.parse(JSON.stringify(this.workflow.staticData)) as IDataObject;
	}

	private additionalData() {
		const helper = new HarnessCredentialsHelper(this.options.pkg.credentialTypes, { [this.options.credentials.type]: this.options.credentials.data }, this.options.pkg.nodeTypes);
		const base = (this.options.baseUrl ?? 'http://localhost:5678').replace(/\/+$/, '');
		return createAdditionalData(helper, {
			workflowId: this.workflow.id,
			instanceBaseUrl: `${base}/`,
			webhookBaseUrl: `${base}/webhook`,
			webhookTestBaseUrl: `${base}/webhook-test`,
		});
	}

	private webhookData(test: boolean, additionalData: ReturnType<typeof createAdditionalData>): IWebhookData {
		const type = this.options.pkg.nodeTypes.getByNameAndVersion(this.node.type, 1);
		const description = type.description.webhooks?.[0];
		if (!description) throw new Error(`${this.node.type} has no webhook`);
		return {
			httpMethod: 'POST',
			node: this.node.name,
			path: String(description.path),
			webhookDescription: description,
			workflowId: this.workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node.webhookId,
			isTest: test,
		};
	}

	/** The webhook URL n8n gives this trigger. */
	webhookUrl(test = false): string {
		const base = (this.options.baseUrl ?? 'http://localhost:5678').replace(/\/+$/, '');
		return `${base}/${test ? 'webhook-test' : 'webhook'}/${this.node.webhookId}/webhook`;
	}

	/** Runs one of webhookMethods.default, in production (activation) or test ("Listen for test event") mode. */
	async hook(method: WebhookSetupMethodNames, { test = false }: { test?: boolean } = {}): Promise<{ value?: boolean; error?: Error; logs: string[] }> {
		const type = this.options.pkg.nodeTypes.getByNameAndVersion(this.node.type, 1);
		const run = type.webhookMethods?.default?.[method];
		if (!run) throw new Error(`${this.node.type} has no webhookMethods.default.${method}`);
		const additionalData = this.additionalData();
		const context = new HookContext(this.workflow, this.node, additionalData, test ? 'manual' : 'trigger', test ? 'manual' : 'activate', this.webhookData(test, additionalData));
		const { value, logs } = await withLogCapture(async () => {
			try {
				return { value: await run.call(context) };
			} catch (error) {
				return { error: error as Error };
			}
		});
		return { ...value, logs };
	}

	/** A request to the webhook URL, through webhook(). */
	async deliver({ headers, rawBody, body: parsedBody, test = false }: Delivery): Promise<DeliveryResult> {
		const type = this.options.pkg.nodeTypes.getByNameAndVersion(this.node.type, 1);
		if (!type.webhook) throw new Error(`${this.node.type} has no webhook()`);
		const lowerHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
		let answered: DeliveryResult['answered'];
		const response = {
			statusCode: 200,
			status(code: number) {
				this.statusCode = code;
				return this;
			},
			json(body: unknown) {
				answered = { status: this.statusCode, body };
				return this;
			},
			send(body: unknown) {
				answered = { status: this.statusCode, body };
				return this;
			},
			end() {
				answered ??= { status: this.statusCode, body: undefined };
				return this;
			},
		};
		let body: unknown = parsedBody ?? {};
		if (parsedBody === undefined) {
			try {
				body = rawBody ? JSON.parse(rawBody.toString('utf8')) : {};
			} catch {
				body = {};
			}
		}
		const request = { method: 'POST', headers: lowerHeaders, body, rawBody, params: {}, query: {} };
		const additionalData = this.additionalData();
		const withRequest = { ...additionalData, httpRequest: request, httpResponse: response } as unknown as typeof additionalData;
		const webhook = type.webhook;
		const context = new WebhookContext(this.workflow, this.node, withRequest, test ? 'manual' : 'webhook', this.webhookData(test, withRequest), [], null);
		const { value: result, logs } = await withLogCapture(async () => await webhook.call(context));
		return { answered, result, logs };
	}
}
