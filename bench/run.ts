/**
 * `npm run bench` (full, a few minutes) or `npm run bench -- --quick` (small numbers, a smoke
 * run). `--only=a,c` runs some sections. See bench/README.md for what is measured and how.
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
import { isMissingFeature } from './ipc';
import { measureMemory } from './memory';
import { measurePerItem } from './per-item';
import { measureRateLimit } from './rate-limit';
import { environment, loadAverage, render, writeJson, type BenchResult } from './report';
import { SandboxProcess } from './sandbox';
import { ROOT, SUBJECTS, missingNodeOptions, type SubjectName } from './subjects';

const SIZES = {
	full: {
		rateLimit: { items: 1000, requestsPerSecond: 25 },
		perItem: { items: 1000, warmUpRounds: 1, rounds: 7 },
		memory: { items: 10_000 },
	},
	quick: {
		rateLimit: { items: 100, requestsPerSecond: 25 },
		perItem: { items: 200, warmUpRounds: 1, rounds: 3 },
		memory: { items: 1000 },
	},
};

type Section = 'a' | 'b' | 'c';

function parseArgs(argv: string[]): { quick: boolean; sections: Set<Section> } {
	let quick = process.env.BENCH_QUICK === '1';
	let sections = new Set<Section>(['a', 'b', 'c']);
	for (const arg of argv) {
		if (arg === '--quick') quick = true;
		else if (arg.startsWith('--only=')) {
			const wanted = arg.slice('--only='.length).split(',');
			const unknown = wanted.filter((s) => !['a', 'b', 'c'].includes(s));
			if (unknown.length > 0) throw new Error(`--only takes a, b and c, not ${unknown.join(', ')}`);
			sections = new Set(wanted as Section[]);
		} else throw new Error(`Unknown argument ${arg} (known: --quick, --only=a,b,c)`);
	}
	return { quick, sections };
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
	const { quick, sections } = parseArgs(process.argv.slice(2));
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

	const sandbox = SandboxProcess.launch();
	try {
		if (sections.has('a')) {
			try {
				result.rateLimit = await measureRateLimit({
					sandbox,
					packages,
					...sizes.rateLimit,
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
		}
		if (sections.has('b')) {
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
					goalMet: false,
					notes: [],
					runs: [],
				};
			}
		}
		if (sections.has('c')) {
			try {
				result.memory = await measureMemory({ sandbox, ...sizes.memory, missingNodeOptions: missingOptions, log });
			} catch (error) {
				failed = true;
				log(`ERROR: (c) failed: ${describe(error)}`);
				result.memory = { status: 'error', error: describe(error), items: sizes.memory.items, rows: [], notes: [] };
			}
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
