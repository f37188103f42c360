/**
 * (q) Queue mode, opt-in (`--queue`): n8n main and N workers (test/cli/queue.ts: Postgres, Redis,
 * `n8n start` and `n8n worker --concurrency=10`, each with this package's `npm pack` tarball) run
 * a Webhook (answers at once) → Portal Session → Create workflow; C webhook calls arrive at once while the sandbox
 * holds the account to a limit the workers outrun. Every worker is its own process with its own
 * account limiter, which sees only its own traffic: the workers stay under the account's limit
 * only by adapting to the 429s Stripe sends them.
 *
 * Each call carries its id into the Return URL (`…/back?item=q17`), so the sandbox tells
 * duplicates by call, as in (d); the node uses its default idempotency keys
 * (`n8n-<execution>-item0-<random>`), which also tell which execution, and so which worker, sent
 * each request.
 */
import { join } from 'node:path';

import { QueueCluster, callWebhook } from '../test/cli/queue';
import type { WorkflowJson } from '../test/cli/instance';
import { BURST_GOALS } from './bursts';
import type { ItemStats, SandboxProcess, SecondCounts } from './sandbox';
import { API_VERSION, ROOT, SECRET_KEY, SUBJECTS } from './subjects';

export const QUEUE_WALL_GOAL = 1.25;

/** Stripe's limiter as its engineers describe it, holding 0.4 s (2 requests at 5/s), and the stricter window. */
export const QUEUE_LIMITERS: QueueLimiter[] = [{ label: 'token bucket 0.4 s', bucketSeconds: 0.4 }, { label: 'sliding window' }];

const FOLDER = join(ROOT, '.cache', 'queue-bench');
const CREDENTIAL = { id: 'stripeBench', name: 'Stripe (bench sandbox)' };
const WORKFLOW_ID = 'benchQueuePortalSessions';
const WEBHOOK_PATH = 'bench-portal-session';
const WEBHOOK_ID = '5c1e7a20-4b6d-4f3e-9a8c-2d7f1e0b6a93';
/**
 * Calls before the run, so that the burst meets a cluster that has run executions, as a
 * production cluster has: main's start-up and each worker's first loading of the package are not
 * part of what a burst costs (every call's own work in main and the workers still is).
 */
const WARM_UP = { workflowId: 'benchQueueWarmUp', path: 'bench-portal-warm-up', webhookId: '8e2b4d61-3f7a-4c9e-b1d5-6a0c9f3e7b28', calls: 4 };
/** From the first call until every execution has finished: the node may wait 180 s for one item. */
const RUN_DEADLINE_MS = 5 * 60_000;
/** For a webhook call to be answered (main answers once the execution is queued). */

/**
 * What the workers' credential says of the account: nothing (Stripe's documented limits, so the
 * workers find the sandbox's lower limit and each other from 429s alone), or the sandbox's limit
 * and how many workers share it (Custom Rate Limits and Processes Sharing the Account), as a
 * queue-mode deployment states its worker count.
 */
export interface QueueCredential {
	label: string;
	statesShares: boolean;
}

export const QUEUE_CREDENTIALS: QueueCredential[] = [
	{ label: 'documented limits', statesShares: false },
	{ label: 'states the limit and the workers', statesShares: true },
];

/** How the sandbox holds the account to its limit in a run. */
export interface QueueLimiter {
	label: string;
	/** Token buckets holding this many seconds of the rate; undefined: sliding windows. */
	bucketSeconds?: number;
}

export interface QueueSizes {
	calls: number;
	requestsPerSecond: number;
	workers: number[];
	concurrency: number;
	/**
	 * Each worker count runs against each: Stripe's limiter as its engineers describe it (a token
	 * bucket) and the sandbox's stricter sliding window, where two processes lose a whole request
	 * of a 5/s limit to timing (see TokenBucket in test/sandbox/ratelimit.ts).
	 */
	limiters: QueueLimiter[];
	credentials: QueueCredential[];
}

export interface QueueRow {
	workers: number;
	concurrency: number;
	calls: number;
	sandboxRequestsPerSecond: number;
	sandboxLimiter: string;
	credential: string;
	/** Creating the cluster and starting its n8n processes (not part of the run). */
	startUpS: number;
	floorS: number;
	wallS: number;
	wallOverFloor: number;
	/**
	 * The wall in three parts: from the first call to the first request Stripe got (n8n: webhooks,
	 * queue, workers picking up), from the first request to the last (the node's sending), and from
	 * the last request to the last execution's end.
	 */
	leadInS: number;
	sendingS: number;
	tailS: number;
	/** Session POSTs accepted per second from the first request to the last: the pace the workers kept. */
	acceptedPerSecond: number;
	/** Calls that did not end in a successful execution (not answered 200, or its execution not 'success' in Postgres). */
	failedExecutions: number;
	executionStatuses: Record<string, number>;
	httpStatuses: Record<string, number>;
	firstFailure?: string;
	requests: number;
	limited: number;
	limitedShare: number;
	steadyLimitedShare: number;
	limitedByReason: Record<string, number>;
	maxInAnyWindow: number;
	sessions: number;
	duplicates: number;
	itemFigures: Omit<ItemStats, 'timeline'>;
	timeline: SecondCounts[];
	/** Per worker: executions it ran, its session POSTs and their 429s, and its requests/429s per second. */
	perWorker: Record<string, { executions: number; requests: number; limited: number; timeline: SecondCounts[] }>;
	/** steadyLimited: 429s from the run's second second on; limited: all 429s, the start-up included. */
	goals: { failedZero: boolean; noDuplicates: boolean; wall: boolean; steadyLimited: boolean; limited: boolean };
	notes: string[];
	sandboxInternalErrors: string[];
}

export interface QueueSection {
	status: 'measured' | 'error';
	error?: string;
	rows: QueueRow[];
	wallGoal: number;
}

function workflow(id = WORKFLOW_ID, path = WEBHOOK_PATH, webhookId = WEBHOOK_ID): WorkflowJson {
	const nodes = [
		{
			id: `${webhookId}-webhook`,
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId,
			// Answering at once, as a webhook sender such as Stripe expects; each execution's outcome is
			// read from the database (as test/e2e/queue-mode.e2e.ts does: n8n 2.41.1 lost one of 400
			// "When Last Node Finishes" answers from its workers under load).
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		},
		{
			id: `${webhookId}-session`,
			name: 'Portal Session',
			type: 'n8n-nodes-stripe-billing-portal.stripeBillingPortal',
			typeVersion: 1,
			position: [220, 0],
			// The node's defaults otherwise, Request Settings included.
			parameters: { ...SUBJECTS.ours.parameters(), returnUrl: '={{ "https://example.com/back?item=q" + $json.body.callId }}' },
			credentials: { stripeBillingPortalApi: CREDENTIAL },
		},
	];
	return {
		id,
		name: `Bench: a portal session per webhook call (${path})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: { Webhook: { main: [[{ node: 'Portal Session', type: 'main', index: 0 }]] } },
	};
}

function countBy(values: Array<string | number>): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
	return counts;
}

async function runOnce(
	sandbox: SandboxProcess,
	sizes: QueueSizes,
	workers: number,
	limiter: QueueLimiter,
	credential: QueueCredential,
	log: (line: string) => void,
): Promise<QueueRow> {
	const notes: string[] = [];
	const startUp = performance.now();
	const limit = { requestsPerSecond: sizes.requestsPerSecond, bucketSeconds: limiter.bucketSeconds };
	// The credential names the sandbox's address, so the sandbox starts first; only the warm-up calls it before the run.
	const baseUrl = await sandbox.start(limit);
	const cluster = await QueueCluster.create({
		folder: join(FOLDER, `workers-${workers}-${limiter.bucketSeconds === undefined ? 'window' : 'bucket'}`),
		workers,
		concurrency: sizes.concurrency,
		log: (line) => log(`(q) ${line.trim()}`),
	});
	try {
		await cluster.main.importCredentials([
			{
				...CREDENTIAL,
				type: 'stripeBillingPortalApi',
				data: {
					secretKey: SECRET_KEY,
					apiVersion: API_VERSION,
					baseUrl,
					...(credential.statesShares
						? { customRateLimits: true, testRequestsPerSecond: sizes.requestsPerSecond, processesSharingAccount: workers }
						: {}),
				},
			},
		]);
		await cluster.main.importWorkflows([workflow(), workflow(WARM_UP.workflowId, WARM_UP.path, WARM_UP.webhookId)]);
		// import:workflow leaves them unpublished, and main registers production webhooks only at start-up.
		await cluster.publish(WORKFLOW_ID);
		await cluster.publish(WARM_UP.workflowId);
		await cluster.start();
		await cluster.waitForWebhooks(WORKFLOW_ID);
		await cluster.waitForWebhooks(WARM_UP.workflowId);
		await cluster.warmUp(WARM_UP.workflowId, WARM_UP.path, WARM_UP.calls, 'Portal Session');
		// reset() forgets the warm-up's requests and sessions, and the limit with them.
		await sandbox.reset();
		await sandbox.setRateLimit(limit);
		const startUpS = (performance.now() - startUp) / 1000;
		const before = await sandbox.stats();
		if (before.requests > 0) notes.push(`${before.requests} requests reached the sandbox before the run`);

		const floorS = sizes.calls / sizes.requestsPerSecond;
		log(
			`(q) ${workers} worker(s) × concurrency ${sizes.concurrency}: ${sizes.calls} webhook calls at once, sandbox ${sizes.requestsPerSecond}/s, ${limiter.label}, credential ${credential.label} (floor ${floorS.toFixed(1)} s)`,
		);
		const logOffsets = cluster.workerProcesses.map((worker) => worker.instance.logSize());
		const url = cluster.webhookUrl(WEBHOOK_PATH);
		const started = Date.now();
		const answers = await Promise.all(Array.from({ length: sizes.calls }, (_, callId) => callWebhook(url, callId)));
		const answeredMs = Date.now() - started;

		// Each call answered 200 queued one execution; the database has the last word on each one.
		const expected = answers.filter((status) => status === 200).length;
		const finished = (counts: Record<string, number>) =>
			Object.entries(counts)
				.filter(([status]) => !['new', 'running', 'waiting'].includes(status))
				.reduce((sum, [, count]) => sum + count, 0);
		const deadline = started + RUN_DEADLINE_MS;
		let statuses = await cluster.executionStatuses(WORKFLOW_ID);
		while (finished(statuses) < expected && Date.now() < deadline) {
			await new Promise((wait) => setTimeout(wait, 500));
			statuses = await cluster.executionStatuses(WORKFLOW_ID);
		}
		const lastStop = Number(
			await cluster.postgres.query(`select coalesce(extract(epoch from max("stoppedAt")) * 1000, 0) from execution_entity where "workflowId" = '${WORKFLOW_ID}'`),
		);
		const wallMs = Math.max(answeredMs, lastStop - started);

		const stats = await sandbox.stats();
		const { timeline, ...itemFigures } = await sandbox.itemStats();
		const posts = await sandbox.sessionPostLog();
		// Which worker ran which execution, from its log; the node's default key names the execution.
		const workerOf = new Map<string, string>();
		const perWorker: QueueRow['perWorker'] = {};
		cluster.workerProcesses.forEach((worker, index) => {
			const started = cluster.logMessages(worker, /^Worker started execution/, logOffsets[index]);
			perWorker[worker.name] = { executions: started.length, requests: 0, limited: 0, timeline: [] };
			for (const message of started) {
				const id = /^Worker started execution (\S+)/.exec(message)?.[1];
				if (id) workerOf.set(id, worker.name);
			}
		});
		let unassigned = 0;
		for (const [t, status, key] of posts) {
			const execution = /^n8n-(.+?)-item\d+-/.exec(key)?.[1];
			const name = execution === undefined ? undefined : workerOf.get(execution);
			if (!name) {
				unassigned++;
				continue;
			}
			const entry = perWorker[name];
			const second = Math.floor(t / 1000);
			while (entry.timeline.length <= second) entry.timeline.push({ requests: 0, limited: 0 });
			entry.requests++;
			entry.timeline[second].requests++;
			if (status === 429) {
				entry.limited++;
				entry.timeline[second].limited++;
			}
		}
		if (unassigned > 0) notes.push(`${unassigned} session POSTs could not be traced to a worker`);
		if (finished(statuses) < expected) notes.push(`${expected - finished(statuses)} executions had not finished after ${RUN_DEADLINE_MS / 1000} s`);
		notes.push(`every call answered after ${(answeredMs / 1000).toFixed(1)} s`);

		const httpStatuses = countBy(answers);
		const failedExecutions = Math.max(sizes.calls - (httpStatuses['200'] ?? 0), sizes.calls - (statuses.success ?? 0));
		const limited = stats.rateLimit?.limited ?? Number.NaN;
		const { secondHalf } = itemFigures;
		const steadyLimitedShare = secondHalf.requests === 0 ? 0 : secondHalf.limited / secondHalf.requests;
		const wallOverFloor = wallMs / 1000 / floorS;
		return {
			workers,
			concurrency: sizes.concurrency,
			calls: sizes.calls,
			sandboxRequestsPerSecond: sizes.requestsPerSecond,
			sandboxLimiter: limiter.label,
			credential: credential.label,
			startUpS,
			floorS,
			wallS: wallMs / 1000,
			wallOverFloor,
			leadInS: itemFigures.firstArrivalEpochMs === null ? Number.NaN : (itemFigures.firstArrivalEpochMs - started) / 1000,
			sendingS: itemFigures.arrivalSpanMs / 1000,
			tailS: itemFigures.lastArrivalEpochMs === null ? Number.NaN : (started + wallMs - itemFigures.lastArrivalEpochMs) / 1000,
			acceptedPerSecond: itemFigures.arrivalSpanMs > 0 ? ((stats.requests - limited - 1) * 1000) / itemFigures.arrivalSpanMs : Number.NaN,
			failedExecutions,
			executionStatuses: statuses,
			httpStatuses,
			firstFailure: failedExecutions > 0 ? await cluster.firstFailure(WORKFLOW_ID, 'Portal Session') : undefined,
			requests: stats.requests,
			limited,
			limitedShare: limited / stats.requests,
			steadyLimitedShare,
			limitedByReason: Object.fromEntries(Object.entries(stats.rateLimit?.limitedByReason ?? {}).filter(([, n]) => n > 0)),
			maxInAnyWindow: stats.rateLimit?.maxInAnyWindow ?? Number.NaN,
			sessions: stats.sessions,
			duplicates: itemFigures.duplicates,
			itemFigures,
			timeline,
			perWorker,
			goals: {
				failedZero: failedExecutions === 0,
				noDuplicates: itemFigures.duplicates === 0,
				wall: failedExecutions === 0 && wallOverFloor <= QUEUE_WALL_GOAL,
				steadyLimited: steadyLimitedShare <= BURST_GOALS.steadyLimitedShare,
				// Workers starting together (after a deploy) must not storm the account: Stripe asks
				// integrations not to generate needless load. The same 5 %, the first seconds included.
				limited: limited / stats.requests <= BURST_GOALS.steadyLimitedShare,
			},
			notes,
			sandboxInternalErrors: stats.internalErrors,
		};
	} finally {
		await cluster.stop();
	}
}

export async function measureQueue(options: { sandbox: SandboxProcess; sizes: QueueSizes; log: (line: string) => void }): Promise<QueueSection> {
	const rows: QueueRow[] = [];
	// A cluster per run: each worker's limiter starts afresh, as after a deploy.
	for (const credential of options.sizes.credentials) {
		for (const workers of options.sizes.workers) {
			for (const limiter of options.sizes.limiters) {
				const row = await runOnce(options.sandbox, options.sizes, workers, limiter, credential, options.log);
				options.log(
					`(q)   → ${row.failedExecutions} failed, ${row.requests} requests, ${row.limited} 429s, ${row.duplicates} dup, ${row.wallS.toFixed(1)} s (${row.wallOverFloor.toFixed(2)}× floor)`,
				);
				rows.push(row);
			}
		}
	}
	return { status: 'measured', rows, wallGoal: QUEUE_WALL_GOAL };
}
