/**
 * `npm run bench` (full, a few minutes) or `npm run bench -- --quick` (small numbers, a smoke
 * run). `--only=a,d` runs some sections; `--queue` adds queue mode (q), which starts Postgres,
 * Redis and n8n main and workers (slow: opt-in). See bench/README.md for what is measured and how.
 *
 * Exit code 0 when every section ran, 2 when a feature a measurement relies on is missing
 * (the table says which), 1 when a section failed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Loads the harness first, as n8n-core requires.
import { loadPackage, type LoadedPackage } from './engine';
import { BURST_GOALS, measureBursts } from './bursts';
import { isMissingFeature } from './ipc';
import { automaticRates, liftAccountLimits, limiterIsShared } from './limiter';
import { measureMemory } from './memory';
import { QUEUE_CREDENTIALS, QUEUE_LIMITERS, QUEUE_WALL_GOAL, measureQueue } from './queue';
import { measurePerItem } from './per-item';
import { measureRateLimit } from './rate-limit';
import { environment, loadAverage, render, writeJson, type BenchResult } from './report';
import { SandboxProcess } from './sandbox';
import { measureTriggers } from './trigger';
import { measureTriggersInN8n } from './trigger-n8n';
import { ROOT, SUBJECTS, missingNodeOptions, type SubjectName } from './subjects';

const SIZES = {
	full: {
		rateLimit: { items: 1000, requestsPerSecond: 25 },
		perItem: { items: 1000, warmUpRounds: 1, rounds: 11 },
		memory: { items: 10_000 },
		bursts: { bursts: [{ executions: 10, itemsPerExecution: 30 }, { executions: 200, itemsPerExecution: 1 }], singleItems: 1000 },
		queue: { calls: 200, requestsPerSecond: 5, workers: [1, 2, 4], concurrency: 10, limiters: QUEUE_LIMITERS, credentials: QUEUE_CREDENTIALS },
		trigger: { deliveries: 2000, rounds: 6 },
		triggerInN8n: { deliveries: 100, rounds: 4 },
	},
	quick: {
		rateLimit: { items: 100, requestsPerSecond: 25 },
		perItem: { items: 200, warmUpRounds: 1, rounds: 3 },
		memory: { items: 1000 },
		bursts: { bursts: [{ executions: 10, itemsPerExecution: 30 }, { executions: 200, itemsPerExecution: 1 }], singleItems: 300 },
		queue: { calls: 50, requestsPerSecond: 5, workers: [1, 2, 4], concurrency: 10, limiters: QUEUE_LIMITERS, credentials: QUEUE_CREDENTIALS },
		trigger: { deliveries: 300, rounds: 2 },
		triggerInN8n: { deliveries: 40, rounds: 2 },
	},
};

/** The sections a plain run measures; q (queue mode) only with --queue or --only=q. */
const DEFAULT_SECTIONS = ['a', 'b', 'c', 'd', 't'] as const;
const SECTIONS = [...DEFAULT_SECTIONS, 'q'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]): { quick: boolean; sections: Set<Section>; workers?: number[]; stated?: boolean } {
	let quick = process.env.BENCH_QUICK === '1';
	let sections = new Set<Section>(DEFAULT_SECTIONS);
	let queue = false;
	let workers: number[] | undefined;
	let stated: boolean | undefined;
	for (const arg of argv) {
		if (arg === '--quick') quick = true;
		else if (arg === '--queue') queue = true;
		else if (arg === '--credential=documented' || arg === '--credential=stated') {
			// (q) with only the credential that states nothing, or only the one that states the limit and the workers.
			stated = arg.endsWith('=stated');
		} else if (arg.startsWith('--workers=')) {
			// (q) with only these worker counts: a full (q) starts 12 clusters.
			workers = arg.slice('--workers='.length).split(',').map(Number);
			if (workers.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--workers takes whole numbers from 1, e.g. --workers=4`);
		}
		else if (arg.startsWith('--only=')) {
			const wanted = arg.slice('--only='.length).split(',');
			const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
			if (unknown.length > 0) throw new Error(`--only takes ${SECTIONS.join(', ')}, not ${unknown.join(', ')}`);
			sections = new Set(wanted as Section[]);
		} else throw new Error(`Unknown argument ${arg} (known: --quick, --queue, --workers=1,2,4, --credential=documented|stated, --only=${SECTIONS.join(',')})`);
	}
	if (queue) sections.add('q');
	return { quick, sections, workers, stated };
}

/** Forced collections between per-item runs keep one run's garbage out of the next one's time. */
function garbageCollector(): () => void {
	const exposed = (globalThis as { gc?: () => void }).gc;
	if (exposed) return exposed;
	setFlagsFromString('--expose-gc');
	return runInNewContext('gc') as () => void;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
	const { quick, sections, workers, stated } = parseArgs(process.argv.slice(2));
	const mode = quick ? 'quick' : 'full';
	const sizes = SIZES[mode];
	const startedAt = new Date();
	const started = performance.now();
	const result: BenchResult = {
		startedAt: startedAt.toISOString(),
		mode,
		sizes,
		environment: environment(),
		missingFeatures: [],
		totalS: 0,
		sectionS: {},
	};
	let failed = false;

	if (!existsSync(join(ROOT, 'dist', 'nodes'))) {
		throw new Error('dist/ is not built: `npm run bench` builds it; run `npm run build` first when starting bench/run.ts directly');
	}
	const packages = {} as Record<SubjectName, LoadedPackage>;
	for (const subject of Object.values(SUBJECTS)) packages[subject.name] = await loadPackage(subject.packageDir);
	const ours = packages.ours.nodeTypes.getByNameAndVersion(`${packages.ours.packageName}.${SUBJECTS.ours.nodeType}`);
	const missingOptions = missingNodeOptions(ours.description.properties);
	if (missingOptions.length > 0) {
		result.missingFeatures.push(`node options missing from the node's "options" collection: ${missingOptions.join(', ')}`);
		log(`ERROR: the node has no ${missingOptions.map((o) => `options.${o}`).join(', ')}; the bench runs it without them`);
	}
	// Checked before the bench requires the module itself: the loaded node must have put it in the cache.
	const nodeLoadedLimiter = limiterIsShared();
	let autoRates: ReturnType<typeof automaticRates> | undefined;
	try {
		autoRates = automaticRates();
	} catch (error) {
		result.missingFeatures.push(describe(error));
		log(`ERROR: ${describe(error)}`);
	}
	const limiterShared = autoRates !== undefined && nodeLoadedLimiter;
	if (autoRates && !limiterShared) {
		result.missingFeatures.push("the node's limiter module is not the one the bench reaches: (b) and (c) cannot lift its limits");
		log("ERROR: the loaded node does not use the limiter module the bench requires");
	}

	const sandbox = SandboxProcess.launch();
	try {
		if (sections.has('a')) {
			const sectionStarted = performance.now();
			try {
				result.rateLimit = await measureRateLimit({
					sandbox,
					packages,
					...sizes.rateLimit,
					automaticTestRate: autoRates?.test,
					missingNodeOptions: missingOptions,
					log,
				});
				if (result.rateLimit.status === 'missing-feature') {
					result.missingFeatures.push(String(result.rateLimit.error));
					log(`ERROR: (a) not measured: ${result.rateLimit.error}`);
				}
			} catch (error) {
				failed = true;
				result.rateLimit = { status: isMissingFeature(error) ? 'missing-feature' : 'error', error: describe(error), rows: [] };
				log(`ERROR: (a) failed: ${describe(error)}`);
			}
			result.sectionS.a = (performance.now() - sectionStarted) / 1000;
		}
		if (sections.has('b')) {
			const sectionStarted = performance.now();
			// Stripe's limits out of the node's way: the figure is the node's cost, not the limiter's pace.
			const restoreLimits = limiterShared ? liftAccountLimits() : undefined;
			try {
				result.perItem = await measurePerItem({
					sandbox,
					packages,
					...sizes.perItem,
					missingNodeOptions: missingOptions,
					collectGarbage: garbageCollector(),
					log,
				});
			} catch (error) {
				failed = true;
				log(`ERROR: (b) failed: ${describe(error)}`);
				result.perItem = {
					status: 'error',
					error: describe(error),
					items: sizes.perItem.items,
					warmUpRounds: sizes.perItem.warmUpRounds,
					rounds: sizes.perItem.rounds,
					summaries: [],
					ratios: { oursOverMinimal: Number.NaN, oursOverSdk: Number.NaN, minimalOverSdk: Number.NaN },
					paired: { median: Number.NaN, min: Number.NaN, max: Number.NaN },
					goalMet: false,
					notes: [],
					runs: [],
				};
			} finally {
				restoreLimits?.();
			}
			if (!limiterShared) result.perItem.notes.push("the node's account limiter was not lifted: this node ran at its automatic pace");
			result.sectionS.b = (performance.now() - sectionStarted) / 1000;
		}
		if (sections.has('c')) {
			const sectionStarted = performance.now();
			try {
				result.memory = await measureMemory({
					sandbox,
					...sizes.memory,
					liftLimits: limiterShared,
					missingNodeOptions: missingOptions,
					log,
				});
			} catch (error) {
				failed = true;
				log(`ERROR: (c) failed: ${describe(error)}`);
				result.memory = { status: 'error', error: describe(error), items: sizes.memory.items, rows: [], notes: [] };
			}
			result.sectionS.c = (performance.now() - sectionStarted) / 1000;
		}
		if (sections.has('d')) {
			const sectionStarted = performance.now();
			try {
				result.bursts = await measureBursts({ sandbox, packages, sizes: sizes.bursts, limiterShared, log });
			} catch (error) {
				failed = true;
				log(`ERROR: (d) failed: ${describe(error)}`);
				result.bursts = { status: 'error', error: describe(error), rows: [], goals: BURST_GOALS };
			}
			result.sectionS.d = (performance.now() - sectionStarted) / 1000;
		}
		if (sections.has('t')) {
			const sectionStarted = performance.now();
			try {
				result.trigger = await measureTriggers({ ours: packages.ours, ...sizes.trigger, collectGarbage: garbageCollector(), log });
			} catch (error) {
				failed = true;
				log(`ERROR: (t) failed: ${describe(error)}`);
				result.trigger = { status: 'error', error: describe(error), deliveries: sizes.trigger.deliveries, rounds: sizes.trigger.rounds, rows: [], ratio: Number.NaN, runs: [] };
			}
			try {
				result.triggerInN8n = await measureTriggersInN8n({ ...sizes.triggerInN8n, log });
			} catch (error) {
				failed = true;
				log(`ERROR: (t) through n8n failed: ${describe(error)}`);
				result.triggerInN8n = { status: 'error', error: describe(error), ...sizes.triggerInN8n, rows: [], ratio: Number.NaN, goalMet: false, runs: [] };
			}
			result.sectionS.t = (performance.now() - sectionStarted) / 1000;
		}
		if (sections.has('q')) {
			const sectionStarted = performance.now();
			try {
				result.queue = await measureQueue({ sandbox, sizes: {
						...sizes.queue,
						workers: workers ?? sizes.queue.workers,
						credentials: sizes.queue.credentials.filter((credential) => stated === undefined || credential.statesShares === stated),
					}, log });
			} catch (error) {
				failed = true;
				log(`ERROR: (q) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
				result.queue = { status: 'error', error: describe(error).slice(0, 2000), rows: [], wallGoal: QUEUE_WALL_GOAL };
			}
			result.sectionS.q = (performance.now() - sectionStarted) / 1000;
		}
	} finally {
		await sandbox.close();
	}

	result.totalS = (performance.now() - started) / 1000;
	result.environment.loadAverage.end = loadAverage();
	process.stdout.write(render(result));
	log(`JSON: ${writeJson(result)}`);
	if (failed) return 1;
	return result.missingFeatures.length > 0 ? 2 : 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		log(`ERROR: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
		process.exit(1);
	},
);
