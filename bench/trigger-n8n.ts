/**
 * (t) through n8n: signed Stripe events posted to the production webhook URLs of a running n8n
 * (`n8n start`, SQLite), one workflow with this package's trigger and one with n8n's own Stripe
 * Trigger, side by side: the time per delivery a sender sees, with n8n's HTTP server, webhook
 * lookup and execution start around each trigger's own work.
 *
 * n8n's Stripe Trigger registers its endpoint at the hard-coded https://api.stripe.com when it is
 * published. n8n sends its requests through the proxy HTTPS_PROXY names, so a local proxy stands
 * in for Stripe's address: it answers CONNECT for api.stripe.com with a certificate made here for
 * that name (signed by a throwaway CA that only this n8n process trusts, NODE_EXTRA_CA_CERTS) and
 * hands the requests to the sandbox. Nothing else is proxied (NO_PROXY covers loopback).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

import { ensureN8n } from '../test/cli/install';
import { freePort, N8nInstance, type N8nServer, type WorkflowJson } from '../test/cli/instance';
import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS, StripeSandbox } from '../test/sandbox';
import { signatureHeader } from '../test/sandbox/webhooks/signature';
import { ROOT } from './subjects';

export const TRIGGER_IN_N8N_GOAL = 1.1;
const STRIPE_HOST = 'api.stripe.com';
const OWNER = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Bench-Owner-2026' };

type Subject = 'this trigger' | "n8n's Stripe Trigger";

export interface TriggerInN8nSection {
	status: 'ok' | 'error';
	error?: string;
	deliveries: number;
	rounds: number;
	rows: Array<{ subject: Subject; medianMsPerDelivery: number; rangeMsPerDelivery: [number, number]; started: number }>;
	ratio: number;
	goalMet: boolean;
	runs: Array<{ round: number; subject: Subject; ms: number }>;
}

/** A CA and a certificate for api.stripe.com it signed, made with openssl for this run only. */
function certificates(dir: string): { caFile: string; key: Buffer; cert: Buffer } {
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const file = (name: string) => join(dir, name);
	const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
	openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=n8n-nodes-stripe-billing-portal bench CA']);
	openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('host.key'), '-out', file('host.csr'), '-subj', `/CN=${STRIPE_HOST}`]);
	writeFileSync(file('host.ext'), `subjectAltName=DNS:${STRIPE_HOST}\n`);
	openssl(['x509', '-req', '-in', file('host.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('host.pem'), '-days', '2', '-extfile', file('host.ext')]);
	return { caFile: file('ca.pem'), key: readFileSync(file('host.key')), cert: readFileSync(file('host.pem')) };
}

/** An HTTP proxy that tunnels only api.stripe.com, into a TLS server that forwards to the sandbox. */
async function stripeStandIn(sandboxUrl: string, key: Buffer, cert: Buffer): Promise<{ url: string; close: () => Promise<void> }> {
	const target = new URL(sandboxUrl);
	const tls = https.createServer({ key, cert }, (request, response) => {
		const upstream = http.request(
			{ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
			(answer) => {
				response.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(response);
			},
		);
		upstream.on('error', () => response.destroy());
		request.pipe(upstream);
	});
	const proxy = http.createServer((_request, response) => {
		response.statusCode = 405;
		response.end();
	});
	proxy.on('connect', (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
		if (!String(request.url).startsWith(`${STRIPE_HOST}:`)) {
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length > 0) socket.unshift(head);
		tls.emit('connection', socket);
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
		close: async () => {
			proxy.closeAllConnections();
			tls.closeAllConnections();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
		},
	};
}

function workflow(id: string, webhookId: string, node: { type: string; parameters: Record<string, unknown>; credentials: Record<string, { id: string; name: string }> }): WorkflowJson {
	return {
		id,
		name: `Bench ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [{ id: `${id}-trigger`, name: 'Trigger', typeVersion: 1, position: [0, 0], webhookId, ...node }] as unknown as WorkflowJson['nodes'],
		connections: {},
	};
}

/** n8n's REST API as its owner: enough to publish a workflow. */
async function ownerSession(baseUrl: string): Promise<(method: string, path: string, body?: unknown) => Promise<any>> {
	const headers = { 'content-type': 'application/json', 'browser-id': 'bench-trigger' };
	const setup = await fetch(`${baseUrl}/rest/owner/setup`, { method: 'POST', headers, body: JSON.stringify(OWNER) });
	if (setup.status !== 200) throw new Error(`owner setup: HTTP ${setup.status} ${await setup.text()}`);
	const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
	return async (method, path, body) => {
		const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...headers, cookie }, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await response.text();
		if (response.status !== 200) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
		return (JSON.parse(text) as { data: unknown }).data;
	};
}

/** Posts one delivery and resolves to its HTTP status. */
function post(agent: http.Agent, url: URL, payload: string, signature: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const request = http.request(
			{ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'content-length': Buffer.byteLength(payload) } },
			(response) => {
				response.resume();
				response.on('end', () => resolve(response.statusCode ?? 0));
			},
		);
		request.on('error', reject);
		request.end(payload);
	});
}

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function measureTriggersInN8n({ deliveries, rounds, log }: { deliveries: number; rounds: number; log: (line: string) => void }): Promise<TriggerInN8nSection> {
	const dir = join(ROOT, '.cache', 'bench', 'trigger-n8n');
	const { caFile, key, cert } = certificates(join(dir, 'tls'));
	const sandbox = new StripeSandbox({ webhooks: { allowLocalUrls: true } });
	const sandboxUrl = await sandbox.start();
	const standIn = await stripeStandIn(sandboxUrl, key, cert);
	let server: N8nServer | undefined;
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	try {
		const instance = new N8nInstance(ensureN8n(log), join(dir, 'user'));
		rmSync(join(dir, 'user', '.n8n', 'database.sqlite'), { force: true });
		instance.installPackage();
		const ours = { id: 'benchOursCred', name: 'Stripe (sandbox)' };
		const theirs = { id: 'benchTheirsCred', name: 'Stripe (n8n, through the stand-in)' };
		await instance.importCredentials([
			{ ...ours, type: 'stripeBillingPortalApi', data: { secretKey: DEFAULT_SECRET_KEY, apiVersion: DEFAULT_API_VERSION, baseUrl: sandboxUrl } },
			{ ...theirs, type: 'stripeApi', data: { secretKey: DEFAULT_SECRET_KEY } },
		]);
		const hooks: Record<Subject, string> = { 'this trigger': randomUUID(), "n8n's Stripe Trigger": randomUUID() };
		await instance.importWorkflows([
			workflow('benchTriggerOurs', hooks['this trigger'], {
				type: 'n8n-nodes-stripe-billing-portal.stripeBillingPortalTrigger',
				parameters: { events: ['canceled', 'cancellationScheduled', 'cancellationWithdrawn', 'cancellationFeedbackGiven'] },
				credentials: { stripeBillingPortalApi: ours },
			}),
			workflow('benchTriggerTheirs', hooks["n8n's Stripe Trigger"], {
				type: 'n8n-nodes-base.stripeTrigger',
				parameters: { events: ['customer.subscription.updated', 'customer.subscription.deleted'] },
				credentials: { stripeApi: theirs },
			}),
		]);
		const port = await freePort();
		server = await instance.start(port, 120_000, {
			N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			N8N_LOG_LEVEL: 'info',
			HTTPS_PROXY: standIn.url,
			NO_PROXY: '127.0.0.1,localhost',
			NODE_EXTRA_CA_CERTS: caFile,
		});
		const rest = await ownerSession(server.url);
		for (const id of ['benchTriggerOurs', 'benchTriggerTheirs']) {
			const saved = (await rest('GET', `/rest/workflows/${id}`)) as { versionId: string };
			await rest('POST', `/rest/workflows/${id}/activate`, { versionId: saved.versionId });
		}
		// n8n registers a published workflow's webhooks after it answered the publish.
		const registeredBy = Date.now() + 60_000;
		while (sandbox.webhooks.listEndpoints().length < 2 && Date.now() < registeredBy) await new Promise((resolve) => setTimeout(resolve, 250));
		const urls = Object.fromEntries(Object.entries(hooks).map(([subject, hook]) => [subject, `http://127.0.0.1:${port}/webhook/${hook}/webhook`])) as Record<Subject, string>;
		const secrets = Object.fromEntries(
			(Object.keys(urls) as Subject[]).map((subject) => {
				const endpoint = sandbox.webhooks.listEndpoints().find((candidate) => candidate.url === urls[subject]);
				if (!endpoint) {
					const registered = sandbox.webhooks.listEndpoints().map((candidate) => candidate.url);
					throw new Error(`${subject}: publishing registered no endpoint at ${urls[subject]} (registered: ${registered.join(', ') || 'none'}); n8n said:\n${instance.logTail(15)}`);
				}
				return [subject, sandbox.webhooks.secretsOf(endpoint.id)];
			}),
		) as Record<Subject, string[]>;
		log(`  (t) n8n ${server.url}: both triggers published, each with its endpoint at the sandbox`);

		const [template] = await new StripeSandbox().portal.cancel(SEED_IDS.jennyPro, { mode: 'at_period_end' });
		const runs: TriggerInN8nSection['runs'] = [];
		const started: Record<Subject, number> = { 'this trigger': 0, "n8n's Stripe Trigger": 0 };
		for (let round = 0; round <= rounds; round++) {
			const order: Subject[] = round % 2 === 0 ? ['this trigger', "n8n's Stripe Trigger"] : ["n8n's Stripe Trigger", 'this trigger'];
			for (const subject of order) {
				const timestamp = Math.floor(Date.now() / 1000);
				const prepared = Array.from({ length: deliveries }, (_, index) => {
					const payload = JSON.stringify({ ...template, id: `evt_1BenchN8n${round}${subject === 'this trigger' ? 'O' : 'T'}${index}`, created: timestamp }, null, 2);
					return { payload, signature: signatureHeader(payload, secrets[subject], timestamp) };
				});
				const url = new URL(urls[subject]);
				let ok = 0;
				const began = performance.now();
				for (const delivery of prepared) if ((await post(agent, url, delivery.payload, delivery.signature)) === 200) ok++;
				const ms = performance.now() - began;
				if (ok !== deliveries) throw new Error(`${subject}: ${ok} of ${deliveries} deliveries answered 200 in round ${round}`);
				if (round > 0) {
					runs.push({ round, subject, ms });
					started[subject] += ok;
				}
				log(`  (t) through n8n, round ${round}${round === 0 ? ' (warm-up)' : ''}: ${subject} ${(ms / deliveries).toFixed(2)} ms a delivery`);
			}
		}
		const rows = (Object.keys(started) as Subject[]).map((subject) => {
			const perDelivery = runs.filter((run) => run.subject === subject).map((run) => run.ms / deliveries);
			return { subject, medianMsPerDelivery: median(perDelivery), rangeMsPerDelivery: [Math.min(...perDelivery), Math.max(...perDelivery)] as [number, number], started: started[subject] };
		});
		const ratio = rows[0].medianMsPerDelivery / rows[1].medianMsPerDelivery;
		return { status: 'ok', deliveries, rounds, rows, ratio, goalMet: ratio <= TRIGGER_IN_N8N_GOAL, runs };
	} finally {
		agent.destroy();
		await server?.stop();
		await standIn.close();
		await sandbox.stop();
	}
}

export function triggerInN8nText(section: TriggerInN8nSection): string {
	const lines = [`(t) Trigger deliveries through a running n8n: ${section.deliveries} signed deliveries × ${section.rounds} rounds (+1 warm-up), one at a time to each production URL`];
	if (section.status === 'error') return `${lines[0]}\n  ERROR: ${section.error}`;
	for (const row of section.rows) {
		lines.push(`  ${row.subject.padEnd(24)} ${row.medianMsPerDelivery.toFixed(2).padStart(7)} ms/delivery (${row.rangeMsPerDelivery[0].toFixed(2)}–${row.rangeMsPerDelivery[1].toFixed(2)}), ${row.started} answered 200`);
	}
	lines.push(`  this trigger / n8n's Stripe Trigger: ${section.ratio.toFixed(3)} (goal ≤ ${TRIGGER_IN_N8N_GOAL.toFixed(2)}: ${section.goalMet ? 'met' : 'NOT met'})`);
	return lines.join('\n');
}
