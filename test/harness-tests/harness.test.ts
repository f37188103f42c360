/**
 * The engine harness, proven against a minimal declarative fixture package and a tiny local
 * HTTP server (not the Stripe sandbox): items and parameters go in, the server sees the requests
 * n8n sends, the next node gets the items n8n outputs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import {
	loadPackage,
	n8nFolder,
	runListSearch,
	runNode,
	runWorkflow,
	testCredential,
	userFolder,
} from '../harness';
import type { LoadedPackage, WorkflowJson } from '../harness';
import { DEFAULT_API_VERSION as API_VERSION } from '../sandbox';

const FIXTURE_DIR = resolve(__dirname, '../fixtures/minimal-declarative-node');
const PACKAGE_NAME = 'n8n-nodes-minimal-stripe-fixture';
const GOOD_KEY = 'sk_test_harnessGoodKey4242';

// ---- what ~/.n8n looks like before the tests, to prove nothing is written there ----------------

function snapshotFolder(folder: string): string[] {
	if (!existsSync(folder)) return ['<absent>'];
	const entries: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) walk(path);
			else entries.push(`${path} ${statSync(path).mtimeMs}`);
		}
	};
	walk(folder);
	return entries.sort();
}
const homeN8nFolder = join(homedir(), '.n8n');
const homeN8nBefore = snapshotFolder(homeN8nFolder);

// ---- a tiny Stripe-shaped server ---------------------------------------------------------------

interface RecordedRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	body: string;
	form: URLSearchParams;
}

const requests: RecordedRequest[] = [];
let server: Server;
let baseUrl: string;
let sessionCounter = 0;

function startServer(): Promise<void> {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const body = Buffer.concat(chunks).toString('utf8');
			const recorded: RecordedRequest = {
				method: req.method ?? '',
				path: url.pathname,
				query: url.searchParams,
				headers: req.headers,
				body,
				form: new URLSearchParams(body),
			};
			requests.push(recorded);
			const send = (status: number, payload: unknown) => {
				res.writeHead(status, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(payload));
			};
			if (req.headers.authorization !== `Bearer ${GOOD_KEY}`) {
				return send(401, {
					error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' },
				});
			}
			if (req.method === 'POST' && url.pathname === '/v1/billing_portal/sessions') {
				const customer = recorded.form.get('customer') ?? '';
				if (!customer.startsWith('cus_') || customer === 'cus_missing') {
					return send(400, {
						error: {
							type: 'invalid_request_error',
							code: 'resource_missing',
							param: 'customer',
							message: `No such customer: '${customer}'`,
						},
					});
				}
				sessionCounter += 1;
				return send(200, {
					id: `bps_${sessionCounter}`,
					object: 'billing_portal.session',
					customer,
					return_url: recorded.form.get('return_url'),
					url: `https://billing.stripe.com/p/session/test_${sessionCounter}`,
				});
			}
			if (req.method === 'GET' && url.pathname === '/v1/customers') {
				const all = [
					{ id: 'cus_A', object: 'customer', email: 'ada@example.com' },
					{ id: 'cus_B', object: 'customer', email: null, name: 'Grace' },
				];
				const email = url.searchParams.get('email');
				const data = email ? all.filter((c) => c.email === email) : all;
				return send(200, { object: 'list', data, has_more: !email });
			}
			if (req.method === 'GET' && url.pathname === '/v1/billing_portal/configurations') {
				return send(200, { object: 'list', data: [{ id: 'bpc_1' }], has_more: false });
			}
			return send(404, { error: { type: 'invalid_request_error', message: 'Unrecognized request URL' } });
		});
	});
	return new Promise((done) => {
		server.listen(0, '127.0.0.1', () => {
			baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			done();
		});
	});
}

function credentials(secretKey = GOOD_KEY) {
	return { type: 'minimalStripeApi', data: { secretKey, apiVersion: API_VERSION, baseUrl } };
}

let pkg: LoadedPackage;

beforeAll(async () => {
	await startServer();
	pkg = await loadPackage(FIXTURE_DIR);
});

afterAll(async () => {
	await new Promise((done) => server.close(done));
});

beforeEach(() => {
	requests.length = 0;
});

describe('loadPackage', () => {
	it('loads the node and the credential listed in the package.json n8n manifest', () => {
		expect(pkg.packageName).toBe(PACKAGE_NAME);
		expect(Object.keys(pkg.loader.nodeTypes)).toEqual(['minimalStripe']);
		expect(Object.keys(pkg.loader.credentialTypes)).toEqual(['minimalStripeApi']);
		expect(pkg.loader.known.credentials.minimalStripeApi.supportedNodes).toEqual(['minimalStripe']);
		expect(pkg.loader.types.nodes.map((d) => d.name)).toEqual(['minimalStripe']);

		const nodeType = pkg.nodeTypes.getByNameAndVersion(`${PACKAGE_NAME}.minimalStripe`, 1);
		expect(nodeType.description.requestDefaults?.baseURL).toBe('={{$credentials.baseUrl}}');
		expect(pkg.credentialTypes.getSupportedNodes('minimalStripeApi')).toEqual([`${PACKAGE_NAME}.minimalStripe`]);
		expect(pkg.nodeTypes.getKnownTypes()).toHaveProperty(['n8n-nodes-base.manualTrigger']);
	});
});

describe('runNode', () => {
	const parameters = {
		resource: 'portalSession',
		operation: 'create',
		customer: { __rl: true, mode: 'id', value: '={{ $json.customer }}' },
		returnUrl: '={{ "https://example.com/account/" + $json.ref }}',
	};

	it('sends one form-encoded POST per item, authenticated by the credential, and pairs each output item with its input', async () => {
		const items = [
			{ customer: 'cus_1', ref: 'a' },
			{ customer: 'cus_2', ref: 'b' },
			{ customer: 'cus_3', ref: 'c' },
		];
		const result = await runNode({ pkg, nodeType: 'minimalStripe', parameters, items, credentials: credentials() });

		expect(result.error).toBeUndefined();
		expect(requests).toHaveLength(3);
		for (const request of requests) {
			expect(request.method).toBe('POST');
			expect(request.path).toBe('/v1/billing_portal/sessions');
			expect(request.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
			expect(request.headers['stripe-version']).toBe(API_VERSION);
			expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
		}
		const bodies = requests
			.map((r) => Object.fromEntries(r.form))
			.sort((a, b) => a.customer.localeCompare(b.customer));
		expect(bodies).toEqual([
			{ customer: 'cus_1', return_url: 'https://example.com/account/a' },
			{ customer: 'cus_2', return_url: 'https://example.com/account/b' },
			{ customer: 'cus_3', return_url: 'https://example.com/account/c' },
		]);

		expect(result.items).toHaveLength(3);
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({ object: 'billing_portal.session', customer: items[index].customer });
		});
		expect(result.runData['Items Source'][0].data?.main[0]).toHaveLength(3);
		expect(result.logs.join('\n')).not.toContain(GOOD_KEY);
	});

	it('surfaces an HTTP 400 as the run error, the way n8n reports it', async () => {
		const items = [{ customer: 'cus_1' }, { customer: 'cus_missing' }, { customer: 'cus_3' }];
		const result = await runNode({ pkg, nodeType: 'minimalStripe', parameters, items, credentials: credentials() });

		expect(result.error).toBeDefined();
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '400',
			message: 'Bad request - please check your parameters',
		});
		expect(result.error?.description).toContain("No such customer: 'cus_missing'");
		expect(result.error?.context?.itemIndex).toBe(1);
		expect(result.items).toEqual([]);
		expect(result.runData['Minimal Stripe'][0].executionStatus).toBe('error');
		expect(result.logs.join('\n')).not.toContain(GOOD_KEY);
	});

	it('with continueOnFail, turns the failing item into an error item and lets the others succeed', async () => {
		const items = [{ customer: 'cus_1' }, { customer: 'cus_missing' }, { customer: 'cus_3' }];
		const result = await runNode({
			pkg,
			nodeType: 'minimalStripe',
			parameters,
			items,
			credentials: credentials(),
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.customer).toBe('cus_1');
		expect(result.items[2].json.customer).toBe('cus_3');
		expect(result.items[1].json).toEqual({ error: 'Bad request - please check your parameters' });
		expect(result.items[1].error?.description).toContain("No such customer: 'cus_missing'");
	});
});

describe('runListSearch', () => {
	it('calls the listSearch method through a LoadOptionsContext with the credential applied', async () => {
		const result = await runListSearch({
			pkg,
			nodeType: 'minimalStripe',
			method: 'searchCustomers',
			credentials: credentials(),
		});
		expect(result.results).toEqual([
			{ name: 'ada@example.com', value: 'cus_A', url: 'https://dashboard.stripe.com/customers/cus_A' },
			{ name: 'Grace', value: 'cus_B', url: 'https://dashboard.stripe.com/customers/cus_B' },
		]);
		expect(result.paginationToken).toBe('cus_B');
		expect(requests).toHaveLength(1);
		expect(requests[0].headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
		expect(requests[0].query.get('limit')).toBe('10');
	});

	it('passes the filter and the pagination token', async () => {
		const result = await runListSearch({
			pkg,
			nodeType: 'minimalStripe',
			method: 'searchCustomers',
			filter: 'ada@example.com',
			paginationToken: 'cus_0',
			credentials: credentials(),
		});
		expect(result.results.map((r) => r.value)).toEqual(['cus_A']);
		expect(requests[0].query.get('email')).toBe('ada@example.com');
		expect(requests[0].query.get('starting_after')).toBe('cus_0');
	});
});

describe('testCredential', () => {
	it('returns OK when the test request succeeds', async () => {
		const result = await testCredential({ pkg, credentialType: 'minimalStripeApi', data: credentials().data });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(requests[0].method).toBe('GET');
		expect(requests[0].path).toBe('/v1/billing_portal/configurations');
		expect(requests[0].query.get('limit')).toBe('1');
		expect(requests[0].headers['stripe-version']).toBe(API_VERSION);
	});

	it('returns Error when the server answers 401', async () => {
		const result = await testCredential({
			pkg,
			credentialType: 'minimalStripeApi',
			data: credentials('sk_test_wrong').data,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/authoriz/i);
		expect(requests[0].headers.authorization).toBe('Bearer sk_test_wrong');
	});

	it('fills credential fields the caller left out from the credential type defaults', async () => {
		const result = await testCredential({
			pkg,
			credentialType: 'minimalStripeApi',
			data: { secretKey: GOOD_KEY, baseUrl },
		});
		expect(result.status).toBe('OK');
		expect(requests[0].headers['stripe-version']).toBe(API_VERSION);
	});
});

describe('runWorkflow', () => {
	it('runs an exported workflow: Manual Trigger → Edit Fields → the package node → No Operation', async () => {
		const workflow: WorkflowJson = {
			name: 'Portal link',
			nodes: [
				{
					id: '1',
					name: "When clicking 'Execute workflow'",
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: '2',
					name: 'Edit Fields',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [200, 0],
					parameters: {
						mode: 'manual',
						assignments: {
							assignments: [
								{ id: 'a', name: 'customer', value: 'cus_wf', type: 'string' },
								{ id: 'b', name: 'target.url', value: '={{ "https://example.com/" + "back" }}', type: 'string' },
							],
						},
						options: {},
					},
				},
				{
					id: '3',
					name: 'Create Portal Session',
					type: `${PACKAGE_NAME}.minimalStripe`,
					typeVersion: 1,
					position: [400, 0],
					parameters: {
						customer: { __rl: true, mode: 'id', value: '={{ $json.customer }}' },
						returnUrl: '={{ $json.target.url }}',
					},
					credentials: { minimalStripeApi: { id: 'cred-1', name: 'Stripe test' } },
				},
				{
					id: '4',
					name: 'Done',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [600, 0],
					parameters: {},
				},
			],
			connections: {
				"When clicking 'Execute workflow'": { main: [[{ node: 'Edit Fields', type: 'main', index: 0 }]] },
				'Edit Fields': { main: [[{ node: 'Create Portal Session', type: 'main', index: 0 }]] },
				'Create Portal Session': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
			},
		};
		const result = await runWorkflow({ pkg, workflow, credentials: { minimalStripeApi: credentials().data } });

		expect(result.error).toBeUndefined();
		expect(Object.keys(result.runData)).toEqual([
			"When clicking 'Execute workflow'",
			'Edit Fields',
			'Create Portal Session',
			'Done',
		]);
		expect(result.lastNodeItems).toHaveLength(1);
		expect(result.lastNodeItems[0].json).toMatchObject({ customer: 'cus_wf', return_url: 'https://example.com/back' });
		expect(requests).toHaveLength(1);
		expect(Object.fromEntries(requests[0].form)).toEqual({ customer: 'cus_wf', return_url: 'https://example.com/back' });
		expect(result.logs.some((line) => line.includes('Workflow execution finished successfully'))).toBe(true);
	});
});

describe('settings', () => {
	it('keeps n8n-core in a temporary user folder and never writes to ~/.n8n', () => {
		expect(process.env.N8N_USER_FOLDER).toBe(userFolder);
		expect(resolve(userFolder)).not.toBe(resolve(homedir()));
		expect(existsSync(join(n8nFolder, 'config'))).toBe(true);
		expect(snapshotFolder(homeN8nFolder)).toEqual(homeN8nBefore);
	});
});
