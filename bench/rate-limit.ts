/**
 * (a) Rate limit: N items against a sandbox that answers 429 above R requests per second. The
 * node is to pace itself and retry, so that every item gets its session, once, in about N / R
 * seconds. The minimal node shows what happens without that.
 */
import { inputItems, runThroughEngine, type EngineRun, type LoadedPackage } from './engine';
import { isMissingFeature } from './ipc';
import type { IDataObject } from 'n8n-workflow';

import type { RateLimit, SandboxProcess, SandboxStats } from './sandbox';
import { SUBJECTS, type NodeOptions, type SubjectName } from './subjects';

/**
 * What the node's account limiter allows a test-mode key (Stripe's 25/s × its 0.96 margin),
 * when the built limiter cannot be read for it (limiter.ts automaticRates()).
 */
export const AUTO_RATE_TEST_KEY = 24;
/** The goal for wall time over the floor. */
export const WALL_GOAL = 1.1;

/**
 * An account whose limits Stripe raised (or a stand-in with its own): the sandbox at 100/s
 * globally and per endpoint, the credential stating the same (Custom Rate Limits). Without the
 * credential's limits the node would hold it to Stripe's documented 25/s: 16 s instead of 4.
 */
export const RAISED_ACCOUNT = { items: 400, requestsPerSecond: 100, wallGoal: 1.15 } as const;

export interface RateLimitRow {
	subject: SubjectName;
	label: string;
	setting: string;
	items: number;
	sandboxRequestsPerSecond: number;
	/** The pace the node is set to (null: no throttle). */
	nodeRequestsPerSecond: number | null;
	/** items / the slower of the two rates: no run that respects the limit can be faster. */
	floorS: number;
	wallS: number;
	wallOverFloor: number;
	failedItems: number;
	outputItems: number;
	succeededItems: number;
	/** 429s the sandbox sent, from its rate-limit counters. */
	limited: number;
	/** The same, counted from the recorded requests' status (null if the sandbox records none). */
	limitedByStatus: number | null;
	accepted: number;
	maxInAnyWindow: number;
	requests: number;
	sessions: number;
	/** Sessions created beyond one per successful item (a retried request that had succeeded). */
	duplicates: number;
	failures: string[];
	runError?: string;
	timedOut: boolean;
	/** Whether the goals apply (this node's runs) and which ones were met. */
	goals: { failedZero: boolean; wall: boolean; noDuplicates: boolean } | null;
	notes: string[];
	sandboxInternalErrors: string[];
}

export interface RateLimitSection {
	status: 'measured' | 'missing-feature' | 'error';
	error?: string;
	rows: RateLimitRow[];
}

interface RunPlan {
	subject: SubjectName;
	setting: string;
	options?: NodeOptions;
	nodeRequestsPerSecond: number | null;
	/** Set for a run with its own sizes: items, the sandbox's limit, the credential's fields, the goal. */
	items?: number;
	sandboxLimit?: RateLimit;
	credentialData?: IDataObject;
	wallGoal?: number;
}

/**
 * The user's Max Requests per Second is a cap on top of the account limiter, which always
 * applies: the node's pace is the lower of the two.
 */
function plans(requestsPerSecond: number, automatic: number): RunPlan[] {
	return [
		{
			subject: 'ours',
			setting: `Max Requests per Second = ${requestsPerSecond}`,
			options: { maxRequestsPerSecond: requestsPerSecond },
			nodeRequestsPerSecond: Math.min(requestsPerSecond, automatic),
		},
		{ subject: 'ours', setting: `default (auto: ${Number(automatic.toFixed(2))}/s for a test key)`, nodeRequestsPerSecond: automatic },
		{ subject: 'minimal', setting: 'no throttle, no retries', nodeRequestsPerSecond: null },
		{
			subject: 'ours',
			setting: `raised account: credential and sandbox at ${RAISED_ACCOUNT.requestsPerSecond}/s (Custom Rate Limits)`,
			nodeRequestsPerSecond: RAISED_ACCOUNT.requestsPerSecond,
			items: RAISED_ACCOUNT.items,
			sandboxLimit: { requestsPerSecond: RAISED_ACCOUNT.requestsPerSecond, endpointPerSecond: RAISED_ACCOUNT.requestsPerSecond },
			credentialData: {
				customRateLimits: true,
				testRequestsPerSecond: RAISED_ACCOUNT.requestsPerSecond,
				endpointRequestsPerSecond: RAISED_ACCOUNT.requestsPerSecond,
			},
			wallGoal: RAISED_ACCOUNT.wallGoal,
		},
	];
}

/** Resolves to undefined when the run takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<undefined>((done) => {
		timer = setTimeout(() => done(undefined), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

export async function measureRateLimit(options: {
	sandbox: SandboxProcess;
	packages: Record<SubjectName, LoadedPackage>;
	items: number;
	requestsPerSecond: number;
	/** The node's automatic rate for a test key, as its built limiter says (default AUTO_RATE_TEST_KEY). */
	automaticTestRate?: number;
	missingNodeOptions: string[];
	log: (line: string) => void;
}): Promise<RateLimitSection> {
	const { sandbox, packages, log } = options;
	const rows: RateLimitRow[] = [];
	for (const plan of plans(options.requestsPerSecond, options.automaticTestRate ?? AUTO_RATE_TEST_KEY)) {
		const subject = SUBJECTS[plan.subject];
		const items = inputItems(plan.items ?? options.items);
		const sandboxLimit = plan.sandboxLimit ?? { requestsPerSecond: options.requestsPerSecond };
		const { requestsPerSecond } = sandboxLimit;
		let baseUrl: string;
		try {
			baseUrl = await sandbox.start(sandboxLimit);
		} catch (error) {
			if (isMissingFeature(error)) return { status: 'missing-feature', error: (error as Error).message, rows };
			throw error;
		}
		const notes: string[] = [];
		if (plan.subject === 'ours' && options.missingNodeOptions.includes('maxRequestsPerSecond')) {
			notes.push('the node has no requestSettings.maxRequestsPerSecond: this measures it without a throttle');
		}
		const rate = Math.min(requestsPerSecond, plan.nodeRequestsPerSecond ?? requestsPerSecond);
		const floorS = items.length / rate;
		// Generous, so only a hang ends a run early; the run is then reported as timed out.
		const deadlineMs = Math.max(3 * floorS, floorS + 30) * 1000;
		log(`(a) ${subject.label}, ${plan.setting}: ${items.length} items at ${requestsPerSecond}/s (floor ${floorS.toFixed(1)} s)`);

		const started = performance.now();
		const pending = runThroughEngine(packages[plan.subject], subject, { items, baseUrl, options: plan.options, credentialData: plan.credentialData });
		const run: EngineRun | undefined = await within(pending, deadlineMs);
		const wallMs = run?.wallMs ?? performance.now() - started;
		if (!run) {
			notes.push(`timed out after ${(deadlineMs / 1000).toFixed(0)} s; the figures are what the sandbox saw until then`);
			pending.catch(() => undefined);
		}
		// The next start() replaces this sandbox, so whatever an abandoned run still sends goes nowhere.
		const stats: SandboxStats = await sandbox.stats();
		const rateLimit = stats.rateLimit ?? { accepted: Number.NaN, limited: Number.NaN, maxInAnyWindow: Number.NaN };
		const succeededItems = run?.succeededItems ?? 0;
		const failedItems = run?.failedItems ?? items.length;
		const wallOverFloor = wallMs / 1000 / floorS;
		const duplicates = stats.sessions - succeededItems;
		rows.push({
			subject: plan.subject,
			label: subject.label,
			setting: plan.setting,
			items: items.length,
			sandboxRequestsPerSecond: requestsPerSecond,
			nodeRequestsPerSecond: plan.nodeRequestsPerSecond,
			floorS,
			wallS: wallMs / 1000,
			wallOverFloor,
			failedItems,
			outputItems: run?.outputItems ?? 0,
			succeededItems,
			limited: rateLimit.limited,
			limitedByStatus: stats.statuses ? (stats.statuses['429'] ?? 0) : null,
			accepted: rateLimit.accepted,
			maxInAnyWindow: rateLimit.maxInAnyWindow,
			requests: stats.requests,
			sessions: stats.sessions,
			duplicates,
			failures: run?.failures ?? [],
			runError: run?.runError,
			timedOut: !run,
			goals:
				plan.subject === 'ours'
					? {
							failedZero: failedItems === 0,
							// Fast because items failed is not fast.
							wall: failedItems === 0 && wallOverFloor <= (plan.wallGoal ?? WALL_GOAL),
							noDuplicates: duplicates === 0,
						}
					: null,
			notes,
			sandboxInternalErrors: stats.internalErrors,
		});
	}
	return { status: 'measured', rows };
}
