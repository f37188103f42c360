/**
 * Queue-mode workers at Stripe's documented limits: the case bench (q) cannot run on two cores
 * (n8n's own work per webhook call holds it to about 12 executions a second, docs/performance.md).
 * Each worker is a process of its own with the built package in n8n's engine (n8n-core's
 * WorkflowExecute, as in (d)), running up to `--concurrency` executions at once (n8n's worker
 * default, 10); the parent hands out the executions in queue order, numbered one after the other
 * as n8n numbers them, the next to whichever worker has a free slot (as Bull gives a job to the
 * worker that asks). What is not n8n's: the queue (the parent instead of Redis) and the
 * webhook's main process. The sandbox, in a process of its own, holds the account to `--rate`; the
 * credential states nothing, so each worker's budget starts from Stripe's documented 25/s and
 * meets the others only through 429s and its execution IDs.
 *
 *   npx ts-node --transpile-only --project test/tsconfig.json bench/engine-workers.ts [--rate=25] [--workers=4,2,1] [--seconds=40] [--no-ids]
 *
 * --no-ids gives the executions IDs that are not numbers, which the budgets cannot read: every
 * worker then starts as if alone, as before they read them.
 * About seconds × 2 limiters × worker counts, plus start-up.
 */
import { resolve } from 'node:path';

import { ChildClient, forkTypeScript } from './ipc';
import { SandboxProcess, type RateLimit } from './sandbox';
import { SECRET_KEY } from './subjects';

/** A second key of the sandbox's one account: the warm-up's requests then go through a limiter of their own. */
const WARM_UP_KEY = 'sk_test_bench_warm_up';

interface Options {
	rate: number;
	workers: number[];
	seconds: number;
	concurrency: number;
	/** Execution IDs the budgets cannot read (not numbers), as before they read them: every worker then starts as if alone. */
	noIds: boolean;
}

function options(): Options {
	const value = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
	return {
		rate: Number(value('rate') ?? 25),
		workers: (value('workers') ?? '4,2,1').split(',').map(Number),
		seconds: Number(value('seconds') ?? 40),
		concurrency: Number(value('concurrency') ?? 10),
		noIds: process.argv.includes('--no-ids'),
	};
}

async function runOnce(sandbox: SandboxProcess, workers: number, limit: RateLimit, label: string, opts: Options): Promise<string> {
	const baseUrl = await sandbox.start(limit, { secretKeys: [SECRET_KEY, WARM_UP_KEY] });
	const clients = Array.from({ length: workers }, (_, index) => new ChildClient(forkTypeScript(resolve(__dirname, 'engine-worker-process.ts')), `worker ${index + 1}`));
	try {
		await Promise.all(clients.map(async (client) => await client.call('load')));
		// A warmed-up worker, as a production one is; its requests go through another key's limiter and are then forgotten.
		const warmUps = await Promise.all(clients.map(async (client) => await client.call<{ failed: number; failures: string[] }>('run', baseUrl, WARM_UP_KEY, 'warm-up')));
		const warmUpFailure = warmUps.find((outcome) => outcome.failed > 0);
		if (warmUpFailure) throw new Error(`The warm-up failed: ${warmUpFailure.failures.join('; ')}`);
		await sandbox.reset();
		await sandbox.setRateLimit(limit);
		const jobs = Math.round(opts.rate * opts.seconds);
		let next = 1;
		let failed = 0;
		const failures: string[] = [];
		const perWorker = clients.map(() => 0);
		const started = performance.now();
		// Slot by slot across the workers, so that their first executions interleave as Bull hands them out.
		const slots = Array.from({ length: opts.concurrency }, () => clients.map((client, worker) => ({ client, worker }))).flat();
		await Promise.all(
			slots.map(async ({ client, worker }) => {
				while (next <= jobs) {
					const id = `${opts.noIds ? 'run-' : ''}${next++}`;
					const outcome = await client.call<{ failed: number; failures: string[] }>('run', baseUrl, SECRET_KEY, id);
					failed += outcome.failed;
					failures.push(...outcome.failures);
					perWorker[worker]++;
				}
			}),
		);
		const wallS = (performance.now() - started) / 1000;
		const stats = await sandbox.stats();
		const items = await sandbox.itemStats();
		const limited = stats.rateLimit?.limited ?? Number.NaN;
		const requests = (stats.rateLimit?.accepted ?? 0) + limited;
		const firstFive = items.timeline.slice(0, 5).reduce((sum, second) => sum + second.limited, 0);
		const floorS = jobs / opts.rate;
		return (
			`${workers} worker(s), ${label}, ${jobs} executions at ${opts.rate}/s${opts.noIds ? ', IDs not numbers' : ''}: ` +
			`${limited} of ${requests} answered 429 (${((100 * limited) / requests).toFixed(1)} %; ${firstFive} in the first 5 s), ` +
			`wall ${wallS.toFixed(1)} s = ${(wallS / floorS).toFixed(2)}× the ${floorS.toFixed(0)} s floor, ` +
			`failed ${failed}, duplicates ${items.duplicates}, executions per worker ${perWorker.join('/')}` +
			(failures.length > 0 ? `; ${failures.slice(0, 2).join('; ')}` : '')
		);
	} finally {
		await Promise.all(clients.map(async (client) => await client.close()));
	}
}

async function main(): Promise<void> {
	const opts = options();
	const sandbox = SandboxProcess.launch();
	try {
		for (const workers of opts.workers) {
			for (const [label, limit] of [
				['token bucket 0.4 s', { requestsPerSecond: opts.rate, bucketSeconds: 0.4 }],
				['sliding window', { requestsPerSecond: opts.rate }],
			] as const) {
				console.log(await runOnce(sandbox, workers, limit, label, opts));
			}
		}
	} finally {
		await sandbox.close();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
