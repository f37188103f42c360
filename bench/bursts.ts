/**
 * (d) Bursts of concurrent executions: what happens when many executions reach one Stripe
 * account at the same moment, as n8n runs them (one execution per webhook call or trigger event,
 * all at once in one process), against the sandbox's documented limiters.
 *
 * This node runs on n8n's engine, every execution through the harness and all started together
 * with Promise.all; each execution's node sends all its items at once (RoutingNode does), and
 * the node's account limiter, shared by every execution of the process, is what keeps them
 * under the account's limit. Stripe's SDK at its defaults runs the same scenarios the same way
 * (one client per execution, as a Code node would make, every item's call started at once).
 *
 * Every item carries a unique id in its Return URL (`…/back?item=e3-i17`), so the sandbox can
 * tell, per item, how many sessions it created: two created sessions for one item are a
 * duplicate, whatever idempotency keys they came with.
 */
import Stripe from 'stripe';
import type { IDataObject } from 'n8n-workflow';

import { runThroughEngine, topReasons, type EngineRun, type LoadedPackage } from './engine';
import { limiterState, type LimiterState } from './limiter';
import type { ItemStats, RateLimit, SandboxProcess, SandboxStats, SecondCounts } from './sandbox';
import { CUSTOMER, RETURN_URL_BASE, RETURN_URL_EXPRESSION, SECRET_KEY, SUBJECTS, type SubjectName } from './subjects';

/**
 * A live-mode key the sandbox accepts besides its test key (loopback http: the node allows it);
 * short and with underscores, so nothing in the repository looks like a leaked live key.
 */
export const LIVE_SECRET_KEY = 'sk_live_bench_burst';
const SESSIONS_ENDPOINT = 'POST /v1/billing_portal/sessions';

/** Goals, as the README states them. */
export const BURST_GOALS = {
	/** Wall over the floor for a burst of executions in one process. */
	burstWall: 1.15,
	/** Wall over the floor for one execution of many items. */
	singleWall: 1.1,
	/** Share of requests answered 429 in the steady state: the second half of the run's requests by arrival time. */
	steadyLimitedShare: 0.05,
};

/** How often the node's account limiter is read during its runs. */
const SAMPLE_EVERY_MS = 250;

export type BurstSubject = 'ours' | 'sdk';

const LABELS: Record<BurstSubject, string> = { ours: 'this node', sdk: 'stripe SDK, defaults' };

export interface BurstScenario {
	id: string;
	label: string;
	live: boolean;
	executions: number;
	itemsPerExecution: number;
	sandboxLimit: RateLimit;
	/** The limit that binds a session-creating run: items / this is the floor. */
	bindingPerSecond: number;
	binding: string;
	wallGoal: number;
}

export interface BurstSizes {
	bursts: Array<{ executions: number; itemsPerExecution: number }>;
	singleItems: number;
}

export function burstScenarios(sizes: BurstSizes): BurstScenario[] {
	const scenarios: BurstScenario[] = [];
	for (const live of [false, true]) {
		for (const { executions, itemsPerExecution } of sizes.bursts) {
			scenarios.push({
				id: `${live ? 'live' : 'test'}-${executions}x${itemsPerExecution}`,
				label: `${live ? 'live' : 'test'} key, ${executions} exec × ${itemsPerExecution} items`,
				live,
				executions,
				itemsPerExecution,
				sandboxLimit: live ? { requestsPerSecond: 25, livePerSecond: 100, endpointPerSecond: 25 } : { requestsPerSecond: 25 },
				bindingPerSecond: 25,
				binding: live ? 'endpoint 25/s (global 100/s)' : 'global 25/s',
				wallGoal: BURST_GOALS.burstWall,
			});
		}
	}
	scenarios.push({
		id: `test-1x${sizes.singleItems}`,
		label: `test key, 1 exec × ${sizes.singleItems} items`,
		live: false,
		executions: 1,
		itemsPerExecution: sizes.singleItems,
		sandboxLimit: { requestsPerSecond: 25 },
		bindingPerSecond: 25,
		binding: 'global 25/s',
		wallGoal: BURST_GOALS.singleWall,
	});
	return scenarios;
}

export interface LimiterSample extends Pick<LimiterState, 'globalRate' | 'concurrencyCap' | 'inFlight' | 'waiting'> {
	/** ms since the run started */
	t: number;
	endpointRate: number | null;
}

export interface BurstRow {
	scenario: string;
	label: string;
	subject: BurstSubject;
	subjectLabel: string;
	live: boolean;
	executions: number;
	items: number;
	binding: string;
	floorS: number;
	wallGoal: number;
	wallS: number;
	wallOverFloor: number;
	failedItems: number;
	failedExecutions: number;
	/** Every request the sandbox received during the run. */
	requests: number;
	/** Requests answered 429 (the sandbox's limiter counter). */
	limited: number;
	limitedShare: number;
	/** 429s over requests in the second half of the run (by arrival time): the steady state. */
	steadyLimitedShare: number;
	limitedByReason: Record<string, number>;
	/** Requests per second from the first arrival to the last: the pace the run kept while it sent. */
	achievedPerSecond: number;
	/** The busiest 1000 ms of the limit that binds (global in test mode, the sessions endpoint in live mode). */
	maxInAnyWindow: number;
	sessions: number;
	duplicates: number;
	/** The sandbox's figures by item. */
	itemFigures: Omit<ItemStats, 'timeline'>;
	timeline: SecondCounts[];
	failures: string[];
	timedOut: boolean;
	/** The node's account limiter over the run (this node only). */
	limiter?: { samples: LimiterSample[]; minGlobalRate: number; minEndpointRate: number | null; minConcurrencyCap: number; shared: boolean };
	goals: { failedZero: boolean; noDuplicates: boolean; wall: boolean; steadyLimited: boolean } | null;
	notes: string[];
	sandboxInternalErrors: string[];
}

export interface BurstSection {
	status: 'measured' | 'error';
	error?: string;
	rows: BurstRow[];
	goals: typeof BURST_GOALS;
}

interface RunOutcome {
	wallMs: number;
	failedItems: number;
	failedExecutions: number;
	failures: string[];
	timedOut: boolean;
}

function executionItems(scenario: BurstScenario): IDataObject[][] {
	return Array.from({ length: scenario.executions }, (_, e) =>
		Array.from({ length: scenario.itemsPerExecution }, (_, i) => ({ id: `e${e}-i${i}` })),
	);
}

/**
 * Waits for every execution, or until `deadlineMs`; executions still running then count as
 * failed (their figures are what the sandbox saw until then).
 */
async function settleAll(
	runs: Array<Promise<{ failed: number; failures: string[] }>>,
	itemsPerExecution: number,
	started: number,
	deadlineMs: number,
): Promise<RunOutcome> {
	const done: Array<{ failed: number; failures: string[] } | undefined> = runs.map(() => undefined);
	let lastEnd = started;
	const all = Promise.all(
		runs.map(async (run, index) => {
			try {
				done[index] = await run;
			} catch (error) {
				done[index] = { failed: itemsPerExecution, failures: [String((error as Error)?.message ?? error).slice(0, 140)] };
			}
			lastEnd = performance.now();
		}),
	);
	let timer: NodeJS.Timeout | undefined;
	const timedOut = await Promise.race([
		all.then(() => false),
		new Promise<boolean>((resolve) => {
			timer = setTimeout(() => resolve(true), deadlineMs);
		}),
	]);
	clearTimeout(timer);
	const finished = done.filter((d): d is { failed: number; failures: string[] } => d !== undefined);
	const unfinished = done.length - finished.length;
	return {
		wallMs: (timedOut ? performance.now() : lastEnd) - started,
		failedItems: finished.reduce((sum, d) => sum + d.failed, 0) + unfinished * itemsPerExecution,
		failedExecutions: finished.filter((d) => d.failed > 0).length + unfinished,
		failures: topReasons(finished.flatMap((d) => d.failures)),
		timedOut,
	};
}

async function runOurs(
	pkg: LoadedPackage,
	scenario: BurstScenario,
	baseUrl: string,
	secretKey: string,
	deadlineMs: number,
): Promise<RunOutcome> {
	const started = performance.now();
	const runs = executionItems(scenario).map(async (items) => {
		const run: EngineRun = await runThroughEngine(pkg, SUBJECTS.ours, {
			items,
			baseUrl,
			secretKey,
			parameters: { returnUrl: RETURN_URL_EXPRESSION },
			// Production executions started by a webhook call, as n8n runs them.
			mode: 'webhook',
		});
		return { failed: run.failedItems, failures: run.runError ? [...run.failures, `run error: ${run.runError}`] : run.failures };
	});
	return await settleAll(runs, scenario.itemsPerExecution, started, deadlineMs);
}

function sdkReason(reason: unknown): string {
	const { statusCode, message } = (reason ?? {}) as { statusCode?: unknown; message?: unknown };
	return `${statusCode === undefined ? '' : `${String(statusCode)} `}${String(message ?? reason)}`.slice(0, 140);
}

async function runSdk(scenario: BurstScenario, baseUrl: string, secretKey: string, deadlineMs: number): Promise<RunOutcome> {
	const { hostname, port } = new URL(baseUrl);
	// Telemetry (on by default) warns once per request when a thousand are in flight; the
	// warnings are counted and kept off the terminal, the behaviour is the SDK's default.
	const emitWarning = process.emitWarning;
	let telemetryWarnings = 0;
	process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
		if (rest[0] === 'Stripe') telemetryWarnings++;
		else (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
	}) as typeof process.emitWarning;
	try {
		const started = performance.now();
		const runs = executionItems(scenario).map(async (items) => {
			// One client per execution, at its defaults (2 network retries, 80 s timeout, telemetry on).
			const stripe = new Stripe(secretKey, { host: hostname, port: Number(port), protocol: 'http' });
			const results = await Promise.allSettled(
				items.map((item) => stripe.billingPortal.sessions.create({ customer: CUSTOMER, return_url: `${RETURN_URL_BASE}${String(item.id)}` })),
			);
			const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
			return { failed: rejected.length, failures: rejected.map((r) => sdkReason(r.reason)) };
		});
		const outcome = await settleAll(runs, scenario.itemsPerExecution, started, deadlineMs);
		if (telemetryWarnings > 0) outcome.failures.push(`(not a failure) ${telemetryWarnings} SDK telemetry warnings kept off the terminal`);
		return outcome;
	} finally {
		process.emitWarning = emitWarning;
	}
}

export async function measureBursts(options: {
	sandbox: SandboxProcess;
	packages: Record<SubjectName, LoadedPackage>;
	sizes: BurstSizes;
	limiterShared: boolean;
	log: (line: string) => void;
}): Promise<BurstSection> {
	const { sandbox, packages, log } = options;
	const rows: BurstRow[] = [];
	for (const scenario of burstScenarios(options.sizes)) {
		for (const subject of ['ours', 'sdk'] as const) {
			const secretKey = scenario.live ? LIVE_SECRET_KEY : SECRET_KEY;
			// A fresh sandbox on a new port: the node's account limiter (per Base URL and key) starts afresh too.
			const baseUrl = await sandbox.start(scenario.sandboxLimit, { secretKeys: [SECRET_KEY, LIVE_SECRET_KEY] });
			const items = scenario.executions * scenario.itemsPerExecution;
			const floorS = items / scenario.bindingPerSecond;
			// Generous, so that only a hang ends a run early: the node may wait up to 180 s for an item.
			const deadlineMs = Math.max(3 * floorS, floorS + 60) * 1000;
			log(`(d) ${scenario.label}, ${LABELS[subject]}: ${items} items at ${scenario.binding} (floor ${floorS.toFixed(1)} s)`);

			const samples: LimiterSample[] = [];
			let sampler: NodeJS.Timeout | undefined;
			const runStarted = performance.now();
			if (subject === 'ours') {
				const sample = () => {
					const state = limiterState(baseUrl, secretKey, scenario.live);
					samples.push({
						t: Math.round(performance.now() - runStarted),
						globalRate: state.globalRate,
						endpointRate: state.endpoints[SESSIONS_ENDPOINT]?.rate ?? null,
						concurrencyCap: state.concurrencyCap,
						inFlight: state.inFlight,
						waiting: state.waiting,
					});
				};
				sampler = setInterval(sample, SAMPLE_EVERY_MS);
			}
			let outcome: RunOutcome;
			try {
				outcome =
					subject === 'ours'
						? await runOurs(packages.ours, scenario, baseUrl, secretKey, deadlineMs)
						: await runSdk(scenario, baseUrl, secretKey, deadlineMs);
			} finally {
				clearInterval(sampler);
			}
			const stats: SandboxStats = await sandbox.stats();
			const { timeline, ...itemFigures } = await sandbox.itemStats();
			const rateLimit = stats.rateLimit;
			const limited = rateLimit?.limited ?? Number.NaN;
			const bindingWindow = scenario.live ? rateLimit?.endpoints?.[SESSIONS_ENDPOINT]?.maxInAnyWindow : rateLimit?.maxInAnyWindow;
			const wallOverFloor = outcome.wallMs / 1000 / floorS;
			const { secondHalf } = itemFigures;
			const steadyLimitedShare = secondHalf.requests === 0 ? 0 : secondHalf.limited / secondHalf.requests;
			const notes: string[] = [];
			if (outcome.timedOut) notes.push(`timed out after ${(deadlineMs / 1000).toFixed(0)} s; unfinished executions count as failed`);
			if (itemFigures.unattributed > 0) notes.push(`${itemFigures.unattributed} sessions name no item: duplicates cannot be told for them`);
			if (stats.statuses && (stats.statuses['429'] ?? 0) !== limited) {
				notes.push(`429s by recorded status ${stats.statuses['429'] ?? 0} ≠ limiter counter ${limited}`);
			}
			const succeededBySandbox = itemFigures.itemsWithSession;
			if (!outcome.timedOut && succeededBySandbox !== items - outcome.failedItems) {
				notes.push(`the sandbox created sessions for ${succeededBySandbox} items, the run reports ${items - outcome.failedItems} through`);
			}
			let limiter: BurstRow['limiter'];
			if (subject === 'ours') {
				const endpointRates = samples.map((s) => s.endpointRate).filter((r): r is number => r !== null);
				limiter = {
					samples,
					minGlobalRate: Math.min(...samples.map((s) => s.globalRate)),
					minEndpointRate: endpointRates.length > 0 ? Math.min(...endpointRates) : null,
					minConcurrencyCap: Math.min(...samples.map((s) => s.concurrencyCap)),
					shared: options.limiterShared,
				};
				if (!options.limiterShared) notes.push("the bench could not reach the node's own limiter module: its samples are not the node's");
			}
			const row: BurstRow = {
				scenario: scenario.id,
				label: scenario.label,
				subject,
				subjectLabel: LABELS[subject],
				live: scenario.live,
				executions: scenario.executions,
				items,
				binding: scenario.binding,
				floorS,
				wallGoal: scenario.wallGoal,
				wallS: outcome.wallMs / 1000,
				wallOverFloor,
				failedItems: outcome.failedItems,
				failedExecutions: outcome.failedExecutions,
				requests: stats.requests,
				limited,
				limitedShare: limited / stats.requests,
				steadyLimitedShare,
				limitedByReason: Object.fromEntries(Object.entries(rateLimit?.limitedByReason ?? {}).filter(([, n]) => n > 0)),
				maxInAnyWindow: bindingWindow ?? Number.NaN,
				achievedPerSecond: itemFigures.arrivalSpanMs > 0 ? ((stats.requests - 1) * 1000) / itemFigures.arrivalSpanMs : Number.NaN,
				sessions: stats.sessions,
				duplicates: itemFigures.duplicates,
				itemFigures,
				timeline,
				failures: outcome.failures,
				timedOut: outcome.timedOut,
				limiter,
				goals:
					subject === 'ours'
						? {
								failedZero: outcome.failedItems === 0,
								noDuplicates: itemFigures.duplicates === 0,
								wall: outcome.failedItems === 0 && wallOverFloor <= scenario.wallGoal,
								steadyLimited: steadyLimitedShare <= BURST_GOALS.steadyLimitedShare,
							}
						: null,
				notes,
				sandboxInternalErrors: stats.internalErrors,
			};
			rows.push(row);
			log(
				`(d)   → ${row.failedItems} failed, ${row.requests} requests, ${row.limited} 429s, ${row.duplicates} dup, ${row.wallS.toFixed(1)} s (${row.wallOverFloor.toFixed(2)}× floor)`,
			);
		}
	}
	return { status: 'measured', rows, goals: BURST_GOALS };
}
