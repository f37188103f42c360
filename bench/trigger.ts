/**
 * (t) Trigger deliveries: signed Stripe events handed to a trigger's webhook() through n8n-core's
 * own WebhookContext with an Express-like request (n8n's Stripe Trigger reads `req.header()`), this package's Stripe Billing Portal Trigger side
 * by side with n8n's own Stripe Trigger (n8n-nodes-base of the pinned n8n CLI) verifying
 * signatures with a secret in its static data, as it does once activated. Both get the same
 * deliveries: distinct event ids (so this trigger's per-process dedupe never short-cuts), each
 * signed with the endpoint secret and a current timestamp, every one of which both hand on as
 * workflow data. Rounds alternate which trigger goes first; the first round is a warm-up.
 *
 * This measures the handlers' own work alone, where it can be seen (a delivery through a running
 * n8n costs hundreds of times more, the same for both): trigger-n8n.ts measures deliveries through
 * a running n8n, where the goal is judged. A bare Webhook node is no fair anchor (n8n lets only
 * its own Webhook node skip the expression isolate).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { WebhookContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IDataObject, INode, IWebhookData, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { loadPackage, type LoadedPackage } from './engine';
import { writeStoredEndpoint } from '../nodes/StripeBillingPortalTrigger/endpoints';
import { ensureN8n } from '../test/cli/install';
import { HarnessCredentialsHelper } from '../test/harness';
import { createAdditionalData } from '../test/harness/engine';
import { SEED_IDS, StripeSandbox } from '../test/sandbox';
import { signatureHeader } from '../test/sandbox/webhooks/signature';
import { API_VERSION, ROOT, SECRET_KEY } from './subjects';

const SECRET = 'whsec_benchTriggerSecret0000000000000';
const NODE_NAME = 'Trigger';

export interface TriggerRow {
	subject: 'this trigger' | "n8n's Stripe Trigger";
	medianMsPerDelivery: number;
	deliveriesPerSecond: number;
	rangeMsPerDelivery: [number, number];
	handedOn: number;
}

export interface TriggerSection {
	status: 'ok' | 'error';
	error?: string;
	deliveries: number;
	rounds: number;
	rows: TriggerRow[];
	/** This trigger's time per delivery over n8n's Stripe Trigger's: the handlers' own work alone (the goal is judged through n8n, trigger-n8n.ts). */
	ratio: number;
	runs: Array<{ round: number; subject: string; ms: number }>;
}

/** One published trigger node in a workflow, its static data holding the endpoint secret, as after activation. */
class BenchTrigger {
	private readonly workflow: Workflow;
	private readonly node: INode;
	private readonly additionalData: IWorkflowExecuteAdditionalData;
	private readonly webhookData: IWebhookData;
	private readonly webhook: (this: WebhookContext) => Promise<{ workflowData?: unknown }>;

	constructor(options: {
		pkg: LoadedPackage;
		nodeType: string;
		workflowId: string;
		parameters: INode['parameters'];
		credentials: { type: string; data: ICredentialDataDecryptedObject };
		staticData: IDataObject;
	}) {
		const type = options.pkg.nodeTypes.getByNameAndVersion(`${options.pkg.packageName}.${options.nodeType}`, 1);
		const description = type.description.webhooks?.[0];
		if (!type.webhook || !description) throw new Error(`${options.nodeType} has no webhook`);
		this.webhook = type.webhook as unknown as BenchTrigger['webhook'];
		this.node = {
			id: 'a0b1c2d3-0000-4000-8000-000000000001',
			name: NODE_NAME,
			type: `${options.pkg.packageName}.${options.nodeType}`,
			typeVersion: 1,
			position: [0, 0],
			webhookId: 'a0b1c2d3-0000-4000-8000-0000000000aa',
			parameters: options.parameters,
			credentials: { [options.credentials.type]: { id: `bench-${options.credentials.type}`, name: options.credentials.type } },
		};
		this.workflow = new Workflow({
			id: options.workflowId,
			name: 'Bench trigger',
			nodes: [this.node],
			connections: {},
			active: true,
			nodeTypes: options.pkg.nodeTypes,
			staticData: { [`node:${NODE_NAME}`]: options.staticData },
			settings: { executionOrder: 'v1' },
		});
		const helper = new HarnessCredentialsHelper(options.pkg.credentialTypes, { [options.credentials.type]: options.credentials.data }, options.pkg.nodeTypes);
		this.additionalData = createAdditionalData(helper, { workflowId: options.workflowId });
		this.webhookData = {
			httpMethod: 'POST',
			node: NODE_NAME,
			path: String(description.path),
			webhookDescription: description,
			workflowId: options.workflowId,
			workflowExecuteAdditionalData: this.additionalData,
			webhookId: this.node.webhookId,
			isTest: false,
		};
	}

	/** One request through webhook(), as n8n's server hands it over (body parsed, rawBody kept); whether it started an execution. */
	async deliver(headers: Record<string, string>, rawBody: Buffer): Promise<boolean> {
		const request = {
			method: 'POST',
			headers,
			body: JSON.parse(rawBody.toString('utf8')) as unknown,
			rawBody,
			params: {},
			query: {},
			header: (name: string) => headers[name.toLowerCase()],
			get: (name: string) => headers[name.toLowerCase()],
		};
		const response = {
			statusCode: 200,
			status(code: number) {
				this.statusCode = code;
				return this;
			},
			json() {
				return this;
			},
			send() {
				return this;
			},
			end() {
				return this;
			},
		};
		const additionalData = { ...this.additionalData, httpRequest: request, httpResponse: response } as unknown as IWorkflowExecuteAdditionalData;
		const context = new WebhookContext(this.workflow, this.node, additionalData, 'webhook', this.webhookData, [], null);
		const result = await this.webhook.call(context);
		return result.workflowData !== undefined;
	}
}

/**
 * n8n's Stripe Trigger and its credential, from the pinned CLI's n8n-nodes-base, as a package
 * n8n-core's PackageDirectoryLoader can load on its own (loading all of n8n-nodes-base would take
 * hundreds of node classes): a manifest naming two files that re-export n8n's.
 */
async function loadN8nStripeTrigger(log: (line: string) => void): Promise<LoadedPackage> {
	const base = join(ensureN8n(log).dir, 'node_modules', 'n8n-nodes-base', 'dist');
	const dir = join(ROOT, '.cache', 'bench', 'n8n-stripe-trigger');
	mkdirSync(join(dir, 'dist', 'nodes'), { recursive: true });
	mkdirSync(join(dir, 'dist', 'credentials'), { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify({
			name: 'n8n-nodes-base-stripe-trigger',
			version: '0.0.0',
			n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/StripeTrigger.node.js'], credentials: ['dist/credentials/StripeApi.credentials.js'] },
		}),
	);
	writeFileSync(join(dir, 'dist', 'nodes', 'StripeTrigger.node.js'), `module.exports = require(${JSON.stringify(join(base, 'nodes', 'Stripe', 'StripeTrigger.node.js'))});\n`);
	writeFileSync(join(dir, 'dist', 'credentials', 'StripeApi.credentials.js'), `module.exports = require(${JSON.stringify(join(base, 'credentials', 'StripeApi.credentials.js'))});\n`);
	return loadPackage(dir);
}

/** A customer.subscription.updated event as the sandbox's portal makes it (a scheduled cancellation), to copy with new ids. */
async function templateEvent(): Promise<Record<string, unknown>> {
	const sandbox = new StripeSandbox();
	const [event] = await sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end' });
	return structuredClone(event) as unknown as Record<string, unknown>;
}

/** The static data activation leaves behind, written by the trigger's own code for a test-mode endpoint. */
function storedAfterActivation(): IDataObject {
	const staticData: IDataObject = {};
	writeStoredEndpoint(
		staticData,
		{
			id: 'we_1BenchOurs',
			url: 'https://n8n.example.com/webhook/bench/webhook',
			enabled_events: ['customer.subscription.updated', 'customer.subscription.deleted'],
			api_version: API_VERSION,
			status: 'enabled',
			livemode: false,
			metadata: {},
		},
		SECRET,
	);
	return staticData;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function measureTriggers({
	ours,
	deliveries,
	rounds,
	collectGarbage,
	log,
}: {
	ours: LoadedPackage;
	deliveries: number;
	rounds: number;
	collectGarbage: () => void;
	log: (line: string) => void;
}): Promise<TriggerSection> {
	const theirs = await loadN8nStripeTrigger(log);
	const template = await templateEvent();
	const subjects = {
		'this trigger': (round: number) =>
			new BenchTrigger({
				pkg: ours,
				nodeType: 'stripeBillingPortalTrigger',
				workflowId: `bench-ours-${round}`,
				parameters: { events: ['canceled', 'cancellationScheduled', 'cancellationWithdrawn', 'cancellationFeedbackGiven'] },
				credentials: { type: 'stripeBillingPortalApi', data: { secretKey: SECRET_KEY, apiVersion: API_VERSION, baseUrl: 'http://127.0.0.1:9' } },
				staticData: storedAfterActivation(),
			}),
		"n8n's Stripe Trigger": (round: number) =>
			new BenchTrigger({
				pkg: theirs,
				nodeType: 'stripeTrigger',
				workflowId: `bench-theirs-${round}`,
				parameters: { events: ['customer.subscription.updated', 'customer.subscription.deleted'] },
				credentials: { type: 'stripeApi', data: { secretKey: SECRET_KEY } },
				staticData: { webhookId: 'we_1BenchTheirs', webhookSecret: SECRET },
			}),
	} as const;
	const runs: TriggerSection['runs'] = [];
	const handedOn: Record<string, number> = {};
	for (let round = 0; round <= rounds; round++) {
		const order = (round % 2 === 0 ? ['this trigger', "n8n's Stripe Trigger"] : ["n8n's Stripe Trigger", 'this trigger']) as Array<keyof typeof subjects>;
		for (const name of order) {
			const trigger = subjects[name](round);
			// Signed now, so every timestamp is within the tolerance; ids unique per round and subject.
			const timestamp = Math.floor(Date.now() / 1000);
			const prepared = Array.from({ length: deliveries }, (_, index) => {
				const payload = JSON.stringify({ ...template, id: `evt_1Bench${round}${name === 'this trigger' ? 'O' : 'T'}${index}`, created: timestamp }, null, 2);
				return {
					headers: { 'stripe-signature': signatureHeader(payload, [SECRET], timestamp), 'content-type': 'application/json; charset=utf-8' },
					rawBody: Buffer.from(payload),
				};
			});
			collectGarbage();
			let count = 0;
			const started = performance.now();
			for (const delivery of prepared) if (await trigger.deliver(delivery.headers, delivery.rawBody)) count++;
			const ms = performance.now() - started;
			if (round > 0) {
				runs.push({ round, subject: name, ms });
				handedOn[name] = (handedOn[name] ?? 0) + count;
			}
			if (count !== deliveries) throw new Error(`${name} handed on ${count} of ${deliveries} deliveries in round ${round}`);
			log(`  (t) round ${round}${round === 0 ? ' (warm-up)' : ''}: ${name} ${(ms / deliveries).toFixed(3)} ms a delivery`);
		}
	}
	const rows: TriggerRow[] = (Object.keys(subjects) as Array<TriggerRow['subject']>).map((subject) => {
		const perDelivery = runs.filter((run) => run.subject === subject).map((run) => run.ms / deliveries);
		const med = median(perDelivery);
		return {
			subject,
			medianMsPerDelivery: med,
			deliveriesPerSecond: 1000 / med,
			rangeMsPerDelivery: [Math.min(...perDelivery), Math.max(...perDelivery)],
			handedOn: handedOn[subject] ?? 0,
		};
	});
	const ratio = rows[0].medianMsPerDelivery / rows[1].medianMsPerDelivery;
	return { status: 'ok', deliveries, rounds, rows, ratio, runs };
}

export function triggerText(section: TriggerSection): string {
	const lines = [`(t) Trigger deliveries: ${section.deliveries} signed deliveries × ${section.rounds} rounds (+1 warm-up), through n8n-core's WebhookContext`];
	if (section.status === 'error') return `${lines[0]}\n  ERROR: ${section.error}`;
	lines.push('  subject                  ms/delivery (median, range)   deliveries/s   handed on');
	for (const row of section.rows) {
		lines.push(
			`  ${row.subject.padEnd(24)} ${row.medianMsPerDelivery.toFixed(3).padStart(7)} (${row.rangeMsPerDelivery[0].toFixed(3)}–${row.rangeMsPerDelivery[1].toFixed(3)})     ${row.deliveriesPerSecond.toFixed(0).padStart(8)}   ${row.handedOn}`,
		);
	}
	lines.push(`  this trigger / n8n's Stripe Trigger, handlers alone: ${section.ratio.toFixed(3)} (this one also decodes outcomes and remembers deliveries; the goal is judged through n8n, next)`);
	return lines.join('\n');
}
