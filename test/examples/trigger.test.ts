/**
 * The trigger's example workflows through n8n's engine: the example's own trigger node registers
 * its endpoint at the sandbox, the sandbox plays the customer's portal action and delivers the
 * signed events, and the items webhook() hands to n8n run the rest of the example as n8n runs a
 * webhook execution (the trigger's output, then the nodes after it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INode } from 'n8n-workflow';

import { runWorkflow, TriggerUnderTest, type WorkflowJson } from '../harness';
import { SEED_IDS } from '../sandbox';
import { API_VERSION, PACKAGE_DIR, SECRET_KEY, useEnvironment } from '../support/session';
import { WebhookBridge } from '../trigger/bridge';

const environment = useEnvironment({ webhooks: { allowLocalUrls: true, retryDelaysMs: [20, 20] } });
const LOGIN_PAGE_URL = 'https://billing.stripe.com/p/login/test_SandboxDefaultLogin01';
const TRIGGER = 'Stripe Billing Portal Trigger';
let bridge: WebhookBridge;
let n8nUrl: string;

beforeAll(async () => {
	bridge = new WebhookBridge();
	n8nUrl = await bridge.start();
});

afterAll(async () => {
	await bridge.stop();
});

beforeEach(() => {
	bridge.executions.length = 0;
});

function example(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(PACKAGE_DIR, 'examples', file), 'utf8')) as WorkflowJson;
}

function credentials() {
	return { secretKey: SECRET_KEY, baseUrl: environment.sandbox.baseUrl, apiVersion: API_VERSION };
}

/** Publishes the example's trigger: checkExists, then create, as n8n does on activation. */
async function publish(workflow: WorkflowJson): Promise<TriggerUnderTest> {
	const node = workflow.nodes.find((candidate) => candidate.name === TRIGGER) as INode;
	const trigger = new TriggerUnderTest({
		pkg: environment.pkg,
		nodeType: 'stripeBillingPortalTrigger',
		parameters: node.parameters,
		credentials: { type: 'stripeBillingPortalApi', data: credentials() },
		workflowId: String(workflow.id),
		nodeId: node.id,
		webhookId: node.webhookId,
		baseUrl: n8nUrl,
	});
	expect((await trigger.hook('checkExists')).value).toBe(false);
	expect(await trigger.hook('create')).toMatchObject({ value: true });
	bridge.trigger = trigger;
	return trigger;
}

/** One webhook execution: the trigger's items as its output, then the example's other nodes. */
async function execute(workflow: WorkflowJson, execution: number) {
	const run = await runWorkflow({
		pkg: environment.pkg,
		workflow: { ...workflow, pinData: { [TRIGGER]: bridge.executions[execution] } },
		credentials: { stripeBillingPortalApi: credentials() },
		startNodeName: TRIGGER,
		mode: 'webhook',
	});
	expect(run.error).toBeUndefined();
	return run;
}

describe('trigger-support-cancellation-feedback.json', () => {
	it('a portal cancellation with the survey answered sends the success team one note with the reason and the comment', async () => {
		const workflow = example('trigger-support-cancellation-feedback.json');
		await publish(workflow);
		await environment.sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end', feedback: 'too_expensive', comment: 'Found a cheaper tool', surveyDelayMs: 50 });
		await environment.sandbox.webhooks.settled();
		// Two updates reached the trigger; only the survey's answer is this example's outcome.
		expect(bridge.executions).toHaveLength(1);
		const run = await execute(workflow, 0);
		expect(run.lastNodeItems.map((item) => item.json as IDataObject)).toEqual([
			expect.objectContaining({
				toEmail: 'success-team@example.com',
				subject: `Churn feedback: too_expensive (${SEED_IDS.jenny})`,
				emailFormat: 'text',
				text: expect.stringContaining('Reason picked: too_expensive\nComment: Found a cheaper tool\n'),
			}),
		]);
		expect((run.lastNodeItems[0].json as IDataObject).text).toContain(`https://dashboard.stripe.com/test/subscriptions/${SEED_IDS.jennyPro}`);
	});
});

describe('trigger-win-back-login-link.json', () => {
	it('a cancellation scheduled at period end emails the customer the lasting login link and the end date', async () => {
		const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
		if (configuration) configuration.login_page = { enabled: true, url: LOGIN_PAGE_URL };
		const workflow = example('trigger-win-back-login-link.json');
		await publish(workflow);
		const [scheduled] = await environment.sandbox.portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end' });
		await environment.sandbox.webhooks.settled();
		expect(bridge.executions).toHaveLength(1);
		const run = await execute(workflow, 0);
		const cancelAt = (scheduled.data.object as { cancel_at: number }).cancel_at;
		const endDate = new Date(cancelAt * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
		expect(run.lastNodeItems).toHaveLength(1);
		const email = run.lastNodeItems[0].json as IDataObject;
		expect(email).toMatchObject({ toEmail: 'jenny.rosen@example.com', subject: 'Sorry to see you go' });
		expect(email.text).toContain(`${LOGIN_PAGE_URL}?prefilled_email=jenny.rosen%40example.com`);
		expect(email.text).toContain(`your subscription ends on ${endDate}.`);
		// A lasting login link, never a portal session (a bearer link).
		expect(environment.sandbox.requestsTo('/v1/billing_portal/sessions', 'POST')).toHaveLength(0);
	});
});

describe('trigger-dedupe-across-processes.json', () => {
	it('keys n8n’s Remove Duplicates on the event ID and the outcome, right after the trigger', () => {
		// Remove Duplicates keeps its history in n8n's database: the real n8n runs it (test/e2e/n8n.e2e.ts).
		const workflow = example('trigger-dedupe-across-processes.json');
		const dedupe = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.removeDuplicates') as INode;
		expect(dedupe.parameters).toMatchObject({ operation: 'removeItemsSeenInPreviousExecutions', dedupeValue: '={{ $json.event.id }}-{{ $json.outcome }}' });
		expect(workflow.connections[TRIGGER].main[0]?.map((connection) => connection.node)).toEqual([dedupe.name]);
	});
});
