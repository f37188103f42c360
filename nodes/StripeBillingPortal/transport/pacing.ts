import type { IExecuteSingleFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../shared/constants';
import { AUTO_REQUESTS_PER_SECOND } from './constants';
import type { RequestSettings } from './settings';

/** Where the pacer reads the time and waits; a test hands it a clock it moves itself. */
export interface PacerClock {
	now: () => number;
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realClock: PacerClock = { now: () => performance.now(), sleep };

/**
 * Request spacing shared by every item of one node run. n8n starts all items' requests at
 * once; here they queue, and each starts `1000 / rate` ms after the previous one actually
 * started. Spacing from actual starts rather than from a precomputed timetable matters: while
 * n8n prepares a thousand items the event loop is busy, and a timetable's overdue slots would
 * all fire together the moment it frees up, a burst Stripe would answer with 429s.
 */
export class Pacer {
	private queue: Promise<void> = Promise.resolve();

	private lastStart = Number.NEGATIVE_INFINITY;

	/** The automatic rate, read from the credential once per run rather than once per item. */
	autoRate?: Promise<number>;

	/** Requests queued for their turn; while there are any, newcomers queue behind them. */
	private waiting = 0;

	constructor(private readonly clock: PacerClock = realClock) {}

	async take(requestsPerSecond: number, signal?: AbortSignal): Promise<void> {
		const interval = 1000 / requestsPerSecond;
		// With nobody queued and the interval already over, going through the queue would only
		// cost time: measured, it made an unpaced run a quarter slower.
		if (this.waiting === 0 && this.clock.now() - this.lastStart >= interval) {
			this.lastStart = this.clock.now();
			return;
		}
		this.waiting++;
		const turn = this.queue.then(async () => {
			const wait = this.lastStart + interval - this.clock.now();
			// Below a millisecond a timer only adds its own delay.
			if (wait >= 1) await this.clock.sleep(wait, signal);
			this.lastStart = this.clock.now();
		});
		// A cancelled wait must not stall the requests queued behind it.
		this.queue = turn.catch(() => undefined);
		try {
			await turn;
		} finally {
			this.waiting--;
		}
	}
}

/*
 * n8n keeps one context object per node for the whole execution and gives every item's
 * request the same one, so it identifies "this node's run" without any global state. Weak
 * references let the pacer go when the execution does.
 */
const pacers = new WeakMap<object, Pacer>();

export function pacerFor(context: IExecuteSingleFunctions): Pacer {
	let owner: object | undefined;
	try {
		owner = context.getContext('node');
	} catch {
		owner = context.getExecutionCancelSignal();
	}
	if (!owner) return new Pacer();
	let pacer = pacers.get(owner);
	if (!pacer) {
		pacer = new Pacer();
		pacers.set(owner, pacer);
	}
	return pacer;
}

/** The automatic rate for a key: anything that is not clearly live gets the lower test-mode rate. */
export function autoRateForKey(secretKey: unknown): number {
	return /^[sr]k_live_/.test(String(secretKey ?? '').trim()) ? AUTO_REQUESTS_PER_SECOND.live : AUTO_REQUESTS_PER_SECOND.test;
}

async function autoRequestsPerSecond(context: IExecuteSingleFunctions): Promise<number> {
	try {
		const credentials = await context.getCredentials(CREDENTIAL_TYPE);
		return autoRateForKey(credentials.secretKey);
	} catch {
		return AUTO_REQUESTS_PER_SECOND.test;
	}
}

/** The rate this item's requests are paced at: the user's, else the automatic one of the run. */
export async function requestRateFor(context: IExecuteSingleFunctions, pacer: Pacer, settings: RequestSettings): Promise<number> {
	if (settings.maxRequestsPerSecond !== undefined) return settings.maxRequestsPerSecond;
	pacer.autoRate ??= autoRequestsPerSecond(context);
	return await pacer.autoRate;
}
