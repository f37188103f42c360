import { sleep } from 'n8n-workflow';

/** Where pacing reads the time, waits and draws its jitter; a unit test hands in a clock it moves itself. */
export interface Clock {
	now: () => number;
	/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	/**
	 * The Unix time in ms at which `now` read 0, as the wall clock says it now. Processes sharing
	 * an account read their shared timetable from it; without it they count from 0 (a test's
	 * clocks are one clock).
	 */
	epoch?: () => number;
	/** A number in [0, 1); without one, pacing has no jitter. */
	random?: () => number;
}

/** A signal's reason, or an error that says the wait was aborted when it gave none. */
export function abortReason(signal: AbortSignal): unknown {
	return signal.reason ?? new Error('The operation was aborted');
}

/*
 * Every item of a run watches the execution's one cancel signal. EventTarget compares each new
 * listener with every one it already holds, so a thousand items adding theirs cost a million
 * comparisons (measured: the largest share of the per-item cost). One listener per signal hands
 * the abort on to a set instead.
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `callback` once when `signal` aborts (at once if it has); returns what stops watching. */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
	if (signal.aborted) {
		callback();
		return () => undefined;
	}
	let callbacks = watchers.get(signal);
	if (!callbacks) {
		const watching = new Set<() => void>();
		callbacks = watching;
		watchers.set(signal, watching);
		signal.addEventListener(
			'abort',
			() => {
				const due = [...watching];
				watching.clear();
				for (const callback of due) callback();
			},
			{ once: true },
		);
	}
	const own = callbacks;
	own.add(callback);
	return () => {
		own.delete(callback);
	};
}

/**
 * Why a timer's own controller was aborted. An Error made once: abort() without a reason builds a
 * DOMException, and the host's sleep rejects with the reason wrapped in a new Error (a stack
 * trace each time) unless it is one already; a timer is cleared for every item.
 */
export const TIMER_CLEARED = new Error('Timer cleared');

/**
 * Waits `ms`, or rejects with the signal's reason the moment it aborts. The node runs on the
 * host's n8n-workflow, and its `sleep` has not taken a signal in every version n8n 2.x shipped
 * with: so the signal is watched here, and handed to `sleep` only so that a version that takes
 * it clears its timer (in one that does not, the timer runs out on its own, doing nothing).
 */
export async function abortableSleep(
	ms: number,
	signal?: AbortSignal,
	timer: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
): Promise<void> {
	if (signal?.aborted) throw abortReason(signal);
	const done = new AbortController();
	const elapsed = timer(ms, done.signal).then(
		() => true,
		() => false,
	);
	if (!signal) {
		await elapsed;
		return;
	}
	let stopWatching: () => void = () => undefined;
	const aborted = new Promise<false>((resolve) => {
		stopWatching = whenAborted(signal, () => resolve(false));
	});
	try {
		if (!(await Promise.race([elapsed, aborted]))) throw abortReason(signal);
	} finally {
		stopWatching();
		done.abort(TIMER_CLEARED);
	}
}

/**
 * Settles as `promise` does, or rejects with the signal's reason as soon as it aborts: a wait in
 * a queue (a turn behind other requests) ends at once instead of when the turn comes.
 */
export async function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
	if (!signal) return await promise;
	if (signal.aborted) throw abortReason(signal);
	let stopWatching: () => void = () => undefined;
	const aborted = new Promise<never>((_, reject) => {
		stopWatching = whenAborted(signal, () => reject(abortReason(signal)));
	});
	try {
		return await Promise.race([promise, aborted]);
	} finally {
		stopWatching();
	}
}

/** The real one: a monotonic clock, an abortable sleep and Math.random. */
export const realClock: Clock = {
	now: () => performance.now(),
	// Read each time, not `performance.timeOrigin`: a worker that has run for days then still agrees
	// with one started today after the wall clock was stepped (NTP, a resumed VM).
	epoch: () => Date.now() - performance.now(),
	sleep: abortableSleep,
	random: Math.random,
};
