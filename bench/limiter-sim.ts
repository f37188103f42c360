/**
 * The limiter's simulator (test/support/limiter-sim.ts, the convergence test's `burst()`):
 * processes that cannot see each other, each with its own AccountLimiter from the source tree, on
 * one virtual clock against one account, a token bucket (0.4 s of burst) or the sandbox's sliding
 * window; executions numbered in queue order. Prints the cases docs/performance.md (tenth
 * session) reports, each run with and without the execution IDs (before the budgets read them,
 * every process started as if alone).
 *
 *   npx ts-node --transpile-only --project test/tsconfig.json bench/limiter-sim.ts
 *
 * About four seconds; deterministic (seeded), so the figures repeat exactly.
 */
import { burst, slidingWindow, tokenBucket, type Admit } from '../test/support/limiter-sim';

interface Case {
	processes: number;
	jobs: number;
	/** The account's real limit, below what the credential says (Stripe's documented 25/s in test mode). */
	rate: number;
	slots: number;
	/** What the credential states (Custom Rate Limits); without, Stripe's documented limits. */
	limits?: { global: number; endpoint: number; search: number };
}

const SEEDS = 6;
const CASES: Array<[string, Case]> = [
	['4 workers, Stripe’s documented 25/s, 1,000 jobs', { processes: 4, jobs: 1000, rate: 25, slots: 20 }],
	['4 workers, hidden 12/s (another app uses half), 500 jobs', { processes: 4, jobs: 500, rate: 12, slots: 20 }],
	['2 workers, hidden 12/s, 500 jobs', { processes: 2, jobs: 500, rate: 12, slots: 20 }],
	['4 workers, the bench’s hidden 5/s, 200 jobs', { processes: 4, jobs: 200, rate: 5, slots: 10 }],
	['2 workers, hidden 5/s, 200 jobs', { processes: 2, jobs: 200, rate: 5, slots: 10 }],
	[
		'4 workers, 5/s that the credential states (not the workers), 200 jobs',
		{ processes: 4, jobs: 200, rate: 5, slots: 10, limits: { global: 5, endpoint: 25, search: 20 } },
	],
	['1 process, hidden 5/s, 200 jobs', { processes: 1, jobs: 200, rate: 5, slots: 10 }],
];

/** Six seeded runs of `shape` with each process's execution IDs every `idStride`-th (0: no IDs): mean and range refused, range of walls. */
async function describe(shape: Case, idStride: number, admit: (rate: number) => Admit): Promise<string> {
	const refused: number[] = [];
	const walls: number[] = [];
	for (let seed = 1; seed <= SEEDS; seed++) {
		const result = await burst(admit(shape.rate), shape.processes, shape.jobs, { seed, slots: shape.slots, limits: shape.limits, idStride });
		refused.push(result.limited / result.requests);
		walls.push(result.seconds / (shape.jobs / shape.rate));
	}
	const mean = refused.reduce((sum, share) => sum + share, 0) / refused.length;
	const percent = (share: number) => (100 * share).toFixed(1);
	return `${percent(mean)} % refused (${percent(Math.min(...refused))}–${percent(Math.max(...refused))}), ${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)}× the floor`;
}

async function main(): Promise<void> {
	for (const [name, shape] of CASES) {
		for (const [limiter, admit] of [
			['token bucket', (rate: number) => tokenBucket(rate, 0.4)],
			['sliding window', (rate: number) => slidingWindow(rate)],
		] as const) {
			const withIds = await describe(shape, 1, admit);
			const withoutIds = await describe(shape, 0, admit);
			console.log(`${name}, ${limiter}: with execution IDs ${withIds}; without ${withoutIds}`);
		}
	}
	// A process alone whose executions are every fourth (other workflows' run in between): it looks shared and starts more slowly.
	for (const jobs of [100, 1000]) {
		const shape = { processes: 1, jobs, rate: 25, slots: jobs === 100 ? 100 : 10 };
		console.log(`1 process, ${jobs} jobs at 25/s, every 4th ID its own: ${await describe(shape, 4, (rate) => tokenBucket(rate, 0.4))}; consecutive IDs ${await describe(shape, 1, (rate) => tokenBucket(rate, 0.4))}`);
	}
}

void main();
