import { sleep } from 'n8n-workflow';

/** Where pacing reads the time and waits; a unit test hands in a clock it moves itself. */
export interface Clock {
	now: () => number;
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The real one: a monotonic clock and n8n's cancellable sleep. */
export const realClock: Clock = { now: () => performance.now(), sleep };
