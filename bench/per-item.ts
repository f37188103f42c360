/**
 * (b) Per-item cost without a limit: what one item costs this node on n8n's engine, next to the
 * minimal declarative node on the same engine and to Stripe's SDK calling the sandbox directly.
 *
 * All three run in one process, interleaved round by round in changing order, so that drift
 * (CPU frequency, JIT state, a noisy neighbour) falls on all of them alike; medians over the
 * measured rounds absorb the odd slow round. The goal is judged on the median of each round's own
 * ratio (this node over the minimal node, run seconds apart): the ratio of the two medians pairs
 * one round's figure with another's, so a slow spell that falls on one subject moves it.
 */
import Stripe from 'stripe';

import { inputItems, runThroughEngine, type LoadedPackage } from './engine';
import type { SandboxProcess } from './sandbox';
import { API_VERSION, CUSTOMER, RETURN_URL, SECRET_KEY, SUBJECTS, UNBOUNDED, type SubjectName } from './subjects';

export const RATIO_GOAL = 1.15;

export type PerItemSubject = SubjectName | 'sdk';

const LABELS: Record<PerItemSubject, string> = {
	ours: 'this node (engine)',
	minimal: 'minimal declarative node (engine)',
	sdk: 'stripe SDK, direct',
};

// Every order of the three, cycled through round by round.
const ORDERS: PerItemSubject[][] = [
	['ours', 'minimal', 'sdk'],
	['minimal', 'sdk', 'ours'],
	['sdk', 'ours', 'minimal'],
	['ours', 'sdk', 'minimal'],
	['sdk', 'minimal', 'ours'],
	['minimal', 'ours', 'sdk'],
];

export interface PerItemRun {
	subject: PerItemSubject;
	round: number;
	warmUp: boolean;
	wallMs: number;
	perItemUs: number;
	failedItems: number;
	sessions: number;
	failures: string[];
}

export interface PerItemSummary {
	subject: PerItemSubject;
	label: string;
	medianWallMs: number;
	medianPerItemUs: number;
	minPerItemUs: number;
	maxPerItemUs: number;
	/** Over the measured rounds: items that failed, and sessions that do not match items one to one. */
	failedItems: number;
	sessionMismatches: number;
}

export interface PerItemSection {
	status: 'measured' | 'error';
	error?: string;
	items: number;
	warmUpRounds: number;
	rounds: number;
	summaries: PerItemSummary[];
	/** Ratios of the subjects' medians. */
	ratios: { oursOverMinimal: number; oursOverSdk: number; minimalOverSdk: number };
	/** This node over the minimal node within each measured round: the median and the range. */
	paired: { median: number; min: number; max: number };
	goalMet: boolean;
	notes: string[];
	runs: PerItemRun[];
}

export function median(values: number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** This node's per-item time over the minimal node's, one figure per round that ran both. */
export function pairedRatios(runs: Array<Pick<PerItemRun, 'subject' | 'round' | 'perItemUs'>>): number[] {
	const rounds = [...new Set(runs.map((r) => r.round))];
	return rounds.flatMap((round) => {
		const ours = runs.find((r) => r.round === round && r.subject === 'ours');
		const minimal = runs.find((r) => r.round === round && r.subject === 'minimal');
		return ours && minimal ? [ours.perItemUs / minimal.perItemUs] : [];
	});
}

async function runSdk(stripe: Stripe, count: number): Promise<{ wallMs: number; failedItems: number; failures: string[] }> {
	const started = performance.now();
	// All at once, as RoutingNode sends a node's items: it starts every request, then awaits them all.
	const results = await Promise.allSettled(
		Array.from({ length: count }, () => stripe.billingPortal.sessions.create({ customer: CUSTOMER, return_url: RETURN_URL })),
	);
	const wallMs = performance.now() - started;
	const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
	const failures = [...new Set(rejected.map((r) => String((r.reason as Error)?.message ?? r.reason).slice(0, 140)))].slice(0, 3);
	return { wallMs, failedItems: rejected.length, failures };
}

export async function measurePerItem(options: {
	sandbox: SandboxProcess;
	packages: Record<SubjectName, LoadedPackage>;
	items: number;
	warmUpRounds: number;
	rounds: number;
	missingNodeOptions: string[];
	collectGarbage: () => void;
	log: (line: string) => void;
}): Promise<PerItemSection> {
	const { sandbox, packages, warmUpRounds, rounds, collectGarbage, log } = options;
	const items = inputItems(options.items);
	const baseUrl = await sandbox.start();
	const { hostname, port } = new URL(baseUrl);
	const stripe = new Stripe(SECRET_KEY, {
		apiVersion: API_VERSION as Stripe.LatestApiVersion,
		host: hostname,
		port: Number(port),
		protocol: 'http',
		maxNetworkRetries: 0,
		// Telemetry reports each request's latency on the next one; with a thousand in flight its
		// buffer overflows and it warns once per request.
		telemetry: false,
	});
	const notes: string[] = [];
	if (options.missingNodeOptions.includes('maxRequestsPerSecond')) {
		notes.push('the node has no requestSettings.maxRequestsPerSecond: it ran as it is (it has no throttle to lift)');
	}

	const runs: PerItemRun[] = [];
	const total = warmUpRounds + rounds;
	for (let round = 0; round < total; round++) {
		const warmUp = round < warmUpRounds;
		for (const subject of ORDERS[round % ORDERS.length]) {
			await sandbox.reset();
			// Garbage from the previous subject is collected now, not during this one's run.
			collectGarbage();
			const result =
				subject === 'sdk'
					? await runSdk(stripe, items.length)
					: await runThroughEngine(packages[subject], SUBJECTS[subject], {
							items,
							baseUrl,
							options: subject === 'ours' ? UNBOUNDED : undefined,
						});
			const sessions = await sandbox.sessionCount();
			runs.push({
				subject,
				round,
				warmUp,
				wallMs: result.wallMs,
				perItemUs: (result.wallMs * 1000) / items.length,
				failedItems: result.failedItems,
				sessions,
				failures: result.failures,
			});
		}
		const last = runs.slice(-3).map((r) => `${r.subject} ${r.perItemUs.toFixed(0)} µs`).join(', ');
		log(`(b) round ${round + 1}/${total}${warmUp ? ' (warm-up)' : ''}: ${last}`);
	}

	const measured = runs.filter((r) => !r.warmUp);
	const summaries = (['ours', 'minimal', 'sdk'] as const).map((subject): PerItemSummary => {
		const mine = measured.filter((r) => r.subject === subject);
		const perItem = mine.map((r) => r.perItemUs);
		return {
			subject,
			label: LABELS[subject],
			medianWallMs: median(mine.map((r) => r.wallMs)),
			medianPerItemUs: median(perItem),
			minPerItemUs: Math.min(...perItem),
			maxPerItemUs: Math.max(...perItem),
			failedItems: mine.reduce((sum, r) => sum + r.failedItems, 0),
			sessionMismatches: mine.filter((r) => r.sessions !== items.length).length,
		};
	});
	const [ours, minimal, sdk] = summaries.map((s) => s.medianPerItemUs);
	const ratios = { oursOverMinimal: ours / minimal, oursOverSdk: ours / sdk, minimalOverSdk: minimal / sdk };
	const perRound = pairedRatios(measured);
	const paired = { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
	for (const s of summaries) {
		if (s.failedItems > 0 || s.sessionMismatches > 0) {
			notes.push(`${s.label}: ${s.failedItems} failed items, ${s.sessionMismatches} runs whose session count ≠ items`);
		}
	}
	return {
		status: 'measured',
		items: items.length,
		warmUpRounds,
		rounds,
		summaries,
		ratios,
		paired,
		goalMet: paired.median <= RATIO_GOAL,
		notes,
		runs,
	};
}
