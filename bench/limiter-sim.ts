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
 * About ten seconds; deterministic (seeded), so the figures repeat exactly.
 */
import { VirtualClock, burst, slidingWindow, tokenBucket, type Admit } from '../test/support/limiter-sim';

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

/**
 * Four workers whose credential states nothing (or states the account's limit, not the workers),
 * 40 s of work at each limit: the share of 429s falls as each worker's part of the limit, and the
 * burst the limiter holds, grow.
 */
async function sweep(): Promise<void> {
	for (const rate of [5, 8, 10, 12, 15, 20, 25]) {
		for (const stated of [false, true]) {
			const shape: Case = { processes: 4, jobs: rate * 40, rate, slots: 10, limits: stated ? { global: rate, endpoint: 25, search: 20 } : undefined };
			const cells: string[] = [];
			for (const [limiter, admit] of [
				['token bucket', (limit: number) => tokenBucket(limit, 0.4)],
				['sliding window', (limit: number) => slidingWindow(limit)],
			] as const)
				cells.push(`${limiter} ${await describe(shape, 1, admit)}`);
			console.log(`4 workers, account at ${rate}/s, credential ${stated ? 'states the limit' : 'states nothing'}: ${cells.join('; ')}`);
		}
	}
}

/**
 * No limiter of ours: four streams that keep fixed rates adding up to 80 % or 90 % of the limit,
 * each at a random phase, a refused request resent 200 ms later (which moves that stream's
 * phase), for 60 s; 20 seeded runs. Equal rates at even gaps repeat one pattern, so a collision
 * moves its stream once and is gone; rates spread over 5 % drift through each other and meet again and
 * again. How often that costs a request depends on how many requests the limit holds at once.
 */
function pacedStreams(): void {
	const streams = 4;
	const stream = (admit: Admit, limit: number, load: number, spread: number, jitter: number, seed: number): number => {
		const { random } = new VirtualClock(seed);
		const rates = Array.from({ length: streams }, (_, index) => ((load * limit) / streams) * (1 - spread / 2 + (spread * index) / (streams - 1)));
		const next = rates.map((rate) => (random() * 1000) / rate);
		let requests = 0;
		let refused = 0;
		for (;;) {
			let due = 0;
			for (let index = 1; index < streams; index++) if (next[index] < next[due]) due = index;
			const at = next[due];
			if (at > 60_000) return refused / requests;
			requests++;
			if (admit(at)) next[due] = at + (1000 / rates[due]) * (1 - jitter + 2 * jitter * random());
			else {
				refused++;
				next[due] = at + 200;
			}
		}
	};
	for (const limit of [5, 10, 25]) {
		for (const load of [0.8, 0.9]) {
			for (const [name, spread, jitter] of [
				['equal rates, even gaps', 0, 0],
				['equal rates, each gap ±5 %', 0, 0.05],
				['rates spread over 5 %, even gaps', 0.05, 0],
			] as const) {
				const cells: string[] = [];
				for (const [limiter, admit] of [
					['token bucket', () => tokenBucket(limit, 0.4)],
					['sliding window', () => slidingWindow(limit)],
				] as const) {
					let sum = 0;
					for (let seed = 1; seed <= 20; seed++) sum += stream(admit(), limit, load, spread, jitter, seed);
					cells.push(`${limiter} ${((100 * sum) / 20).toFixed(1)} %`);
				}
				console.log(`4 paced streams at ${load * 100} % of ${limit}/s, ${name}: refused ${cells.join(', ')}`);
			}
		}
	}
}

void main()
	.then(sweep)
	.then(pacedStreams);
