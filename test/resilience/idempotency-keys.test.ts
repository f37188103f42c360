/**
 * Default idempotency keys across retries, through n8n's engine: the node's Settings → Retry On
 * Fail runs the whole node again, every item included, and each item must send the key it sent
 * the first time so Stripe (here the sandbox, which keeps Stripe's idempotency contract: a key
 * seen before gets its first answer, other parameters under it get idempotency_error) answers
 * from its cache instead of creating again. Stripe has no delete for configurations.
 */
import { Container } from '@n8n/di';
import { InstanceSettings } from 'n8n-core';
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { runNode } from '../harness';
import { SEED_IDS, type RecordedRequest } from '../sandbox';
import { CONFIGURATIONS_PATH } from '../support/configuration';
import { credentialsFor, NODE_TYPE, useEnvironment, type TestEnvironment } from '../support/session';

const environment = useEnvironment();

/** Retry On Fail as the node's Settings tab sets it: 3 tries, the shortest wait n8n allows (1 s for 0). */
const RETRY_ON_FAIL: Partial<INode> = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };

/**
 * A Create per item, each named by its headline. JSON input passes a value the node cannot check
 * through to Stripe: the refused item's "sometimes" for invoice history's `enabled`, which Stripe's
 * parameter validation refuses (so, as at Stripe, nothing is saved under its key).
 */
const configurationJson = (name = '') =>
	`={{ JSON.stringify({ features: { invoice_history: { enabled: $json.invoices ?? true } }, business_profile: { headline: $json.headline }${name} }) }}`;
const createByHeadline: INodeParameters = {
	resource: 'portalConfiguration',
	operation: 'create',
	inputMode: 'json',
	configurationJson: configurationJson(),
};
const REFUSED_HEADLINE = 'Refused shop';
const REFUSED = { headline: REFUSED_HEADLINE, invoices: 'sometimes' };
const REFUSED_MESSAGE = /^Invalid boolean: sometimes/;

async function run(
	env: TestEnvironment,
	parameters: INodeParameters,
	items: IDataObject[],
	extra: { nodeSettings?: Partial<INode>; workflowId?: string; executionId?: string; requestSettings?: INodeParameters } = {},
) {
	const before = env.sandbox.requests.length;
	const result = await runNode({
		pkg: env.pkg,
		nodeType: NODE_TYPE,
		parameters: extra.requestSettings ? { ...parameters, requestSettings: extra.requestSettings } : parameters,
		items,
		credentials: credentialsFor(env.sandbox),
		nodeSettings: extra.nodeSettings,
		workflowId: extra.workflowId,
		executionId: extra.executionId,
	});
	return { ...result, requests: env.sandbox.requests.slice(before) };
}

const createPosts = (requests: RecordedRequest[]) =>
	requests.filter((request) => request.method === 'POST' && request.path === CONFIGURATIONS_PATH);
const keyOf = (request: RecordedRequest) => String(request.headers['idempotency-key']);
/** Configurations the tests made: the sandbox starts with its seeded default one. */
const madeConfigurations = (env: TestEnvironment) =>
	env.sandbox.listConfigurations().filter((configuration) => configuration.id !== SEED_IDS.defaultConfiguration);

describe('Default idempotency keys across Retry On Fail', () => {
	it('10 Create items, one refused by Stripe, 3 tries: exactly 9 configurations, every later try answered from Stripe’s cache', async () => {
		const items = Array.from({ length: 10 }, (_, index) => (index === 4 ? REFUSED : { headline: `Shop ${index + 1}` }));
		const result = await run(environment, createByHeadline, items, { nodeSettings: RETRY_ON_FAIL });

		// The refused item fails the node on every try; its message is Stripe's own.
		expect(result.error?.message).toMatch(REFUSED_MESSAGE);
		const posts = createPosts(result.requests);
		expect(posts).toHaveLength(30);
		expect(madeConfigurations(environment)).toHaveLength(9);
		expect(madeConfigurations(environment).map((configuration) => configuration.business_profile.headline).sort()).toEqual(
			items.filter((_, index) => index !== 4).map((item) => item.headline).sort(),
		);

		// Each item sent one key on all three tries; ten items, ten keys.
		const triesByKey = new Map<string, RecordedRequest[]>();
		for (const post of posts) triesByKey.set(keyOf(post), [...(triesByKey.get(keyOf(post)) ?? []), post]);
		expect(triesByKey.size).toBe(10);
		for (const tries of triesByKey.values()) expect(tries).toHaveLength(3);
		// 9 good items × 2 later tries replayed; the refused one was never saved (validation comes first at Stripe).
		expect(posts.filter((post) => post.replayed === true)).toHaveLength(18);
		const refusedTries = posts.filter((post) => (post.body as IDataObject).business_profile !== undefined && ((post.body as { business_profile: IDataObject }).business_profile.headline === REFUSED_HEADLINE));
		expect(refusedTries).toHaveLength(3);
		expect(refusedTries.every((post) => post.replayed !== true)).toBe(true);
	});

	it('the node’s own retry (a response lost after Stripe made the configuration) and Retry On Fail share one key', async () => {
		environment.sandbox.queueFault({ kind: 'drop-after', method: 'POST', path: CONFIGURATIONS_PATH });
		const items = [{ headline: 'Shop 1' }, REFUSED];
		const result = await run(environment, createByHeadline, items, { nodeSettings: RETRY_ON_FAIL });

		expect(result.error?.message).toMatch(REFUSED_MESSAGE);
		const shop = createPosts(result.requests).filter((post) => JSON.stringify(post.body).includes('Shop 1'));
		// First try: the dropped attempt and the node's retry; then one request on each later try.
		expect(shop).toHaveLength(4);
		expect(new Set(shop.map(keyOf)).size).toBe(1);
		expect(madeConfigurations(environment)).toHaveLength(1);
	});

	it('Retry in the Executions list (a new execution ID, the data copied) sends the first execution’s keys again', async () => {
		const items = Array.from({ length: 10 }, (_, index) => (index === 4 ? REFUSED : { headline: `Shop ${index + 1}` }));
		const first = await run(environment, createByHeadline, items, { executionId: '41' });
		expect(first.error?.message).toMatch(REFUSED_MESSAGE);
		expect(madeConfigurations(environment)).toHaveLength(9);

		const before = environment.sandbox.requests.length;
		const retried = await first.retryFromExecutionsList('42');
		const posts = createPosts(environment.sandbox.requests.slice(before));

		expect(retried.error?.message).toMatch(REFUSED_MESSAGE);
		expect(posts).toHaveLength(10);
		expect(posts.map(keyOf).sort()).toEqual(createPosts(first.requests).map(keyOf).sort());
		expect(posts.filter((post) => post.replayed === true)).toHaveLength(9);
		expect(madeConfigurations(environment)).toHaveLength(9);
		// The retry's custom data still names the execution whose keys it sends.
		expect(retried.run.data.resultData.metadata).toMatchObject({ stripeIdempotencyExecution: '41' });
	});

	it('a workflow re-run (a new execution) sends new keys: it is a new request', async () => {
		const first = await run(environment, createByHeadline, [{ headline: 'Shop 1' }]);
		const second = await run(environment, createByHeadline, [{ headline: 'Shop 1' }]);
		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		expect(keyOf(createPosts(second.requests)[0])).not.toBe(keyOf(createPosts(first.requests)[0]));
		expect(madeConfigurations(environment)).toHaveLength(2);
	});
});

describe('Keys never meet across workflows and n8n instances', () => {
	// n8n numbers executions per database: two instances (or two workflows) can both run execution 7.
	const SAME_EXECUTION = '7';

	it('the same execution ID in another workflow sends another key; in the same workflow, the same key', async () => {
		const shop = [{ headline: 'Shop 1' }];
		const a = await run(environment, createByHeadline, shop, { workflowId: 'wf-orders', executionId: SAME_EXECUTION });
		const b = await run(environment, createByHeadline, shop, { workflowId: 'wf-refunds', executionId: SAME_EXECUTION });
		const again = await run(environment, createByHeadline, shop, { workflowId: 'wf-orders', executionId: SAME_EXECUTION });

		expect(keyOf(createPosts(b.requests)[0])).not.toBe(keyOf(createPosts(a.requests)[0]));
		expect(createPosts(b.requests)[0].replayed).not.toBe(true);
		expect(b.items[0].json.id).not.toBe(a.items[0].json.id);
		// The control: the key depends on nothing else, so the same workflow and execution replay.
		expect(keyOf(createPosts(again.requests)[0])).toBe(keyOf(createPosts(a.requests)[0]));
		expect(again.items[0].json.id).toBe(a.items[0].json.id);
	});

	it('another n8n instance with the same workflow, node and execution IDs sends another key', async () => {
		const shop = [{ headline: 'Shop 1' }];
		const settings = Container.get(InstanceSettings);
		const own = settings.instanceId;
		const a = await run(environment, createByHeadline, shop, { workflowId: 'wf-orders', executionId: SAME_EXECUTION });
		// A second instance, as n8n derives it from another encryption key.
		Object.defineProperty(settings, 'instanceId', { value: 'another-n8n-instance', configurable: true });
		try {
			const b = await run(environment, createByHeadline, shop, { workflowId: 'wf-orders', executionId: SAME_EXECUTION });
			expect(keyOf(createPosts(b.requests)[0])).not.toBe(keyOf(createPosts(a.requests)[0]));
			expect(b.items[0].json.id).not.toBe(a.items[0].json.id);
		} finally {
			Object.defineProperty(settings, 'instanceId', { value: own, configurable: true });
		}
		expect(madeConfigurations(environment)).toHaveLength(2);
	});
});

describe('The user’s own Idempotency Key', () => {
	it('wins over the default, on every try', async () => {
		const items = [{ headline: 'Shop 1', order: 'A-1' }, { ...REFUSED, order: 'A-2' }];
		const result = await run(environment, createByHeadline, items, {
			nodeSettings: RETRY_ON_FAIL,
			requestSettings: { idempotencyKey: '={{ "order-" + $json.order }}' },
		});
		expect(result.error?.message).toMatch(REFUSED_MESSAGE);
		expect(createPosts(result.requests).map(keyOf).sort()).toEqual(['order-A-1', 'order-A-1', 'order-A-1', 'order-A-2', 'order-A-2', 'order-A-2']);
		expect(madeConfigurations(environment)).toHaveLength(1);
	});

	it('reused for another request: Stripe’s message first, then what to change, in the message itself', async () => {
		const requestSettings = { idempotencyKey: 'order-A-1' };
		await run(environment, createByHeadline, [{ headline: 'Shop 1' }], { requestSettings });
		const result = await run(environment, createByHeadline, [{ headline: 'Shop 2' }], { requestSettings });
		expect(result.error?.message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with/);
		expect(result.error?.message).toMatch(/Request Settings → Idempotency Key: give each distinct request its own key/);
		expect(madeConfigurations(environment)).toHaveLength(1);
	});
});

describe('Answers Stripe gives because of a key', () => {
	it('a 5xx Stripe saved under the key: not resent in vain, and the message says Retry On Fail cannot fix it', async () => {
		environment.sandbox.queueFault({ kind: 'fail-after-start', method: 'POST', path: CONFIGURATIONS_PATH });
		const result = await run(environment, createByHeadline, [{ headline: 'Shop 1' }], { nodeSettings: RETRY_ON_FAIL });

		const posts = createPosts(result.requests);
		// Try 1: the failure and one retry that gets it replayed (a replay is not retried); tries 2 and 3: one replay each.
		expect(posts.map((post) => post.status)).toEqual([500, 500, 500, 500]);
		expect(posts.map((post) => post.replayed === true)).toEqual([false, true, true, true]);
		expect(new Set(posts.map(keyOf)).size).toBe(1);
		expect(result.error?.message).toMatch(/^Stripe failed this request on its side \(HTTP 500\)/);
		expect(result.error?.message).toMatch(/Retry On Fail and Request Settings → Retries cannot fix it/);
		expect(result.error?.message).toMatch(/start a new execution, which sends new keys/);
		expect(madeConfigurations(environment)).toHaveLength(0);
	});

	it('an expression whose value changes between tries: Stripe’s idempotency_error, said in the message with what to do', async () => {
		const parameters: INodeParameters = {
			...createByHeadline,
			configurationJson: configurationJson(', name: "Made " + $now.toMillis()'),
		};
		const result = await run(environment, parameters, [{ headline: 'Shop 1' }, REFUSED], { nodeSettings: RETRY_ON_FAIL });

		const first = createPosts(result.requests).filter((post) => JSON.stringify(post.body).includes('Shop 1'));
		expect(first).toHaveLength(3);
		expect(first.slice(1).map((post) => post.status)).toEqual([400, 400]);
		expect(result.error?.message).toMatch(/^Stripe refused the request: this item’s request differs from the one first sent under its key, in an earlier try of this run/);
		expect(result.error?.message).toMatch(/Make the item’s fields give the same values on every try/);
		expect(result.error?.description).toMatch(/Keys for idempotent requests can only be used with the same parameters/);
		expect(madeConfigurations(environment)).toHaveLength(1);
	});
});
