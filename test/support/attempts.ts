/**
 * What the node sent, read from the sandbox's log of every request it received (refused ones
 * included: the sandbox records a request before its limiter answers it). Pacing is judged on
 * these attempts, not on what the sandbox let through, which its own limit already caps.
 */
import type { RecordedRequest } from '../sandbox';

/** The most requests that arrived within any `windowMs` span (as Stripe's one-second windows count them). */
export function mostArrivalsInAnyWindow(requests: readonly RecordedRequest[], windowMs = 1000): number {
	const times = requests.map((request) => request.receivedAt).sort((a, b) => a - b);
	let most = 0;
	for (let first = 0, last = 0; last < times.length; last++) {
		while (times[last] - times[first] >= windowMs) first++;
		most = Math.max(most, last - first + 1);
	}
	return most;
}

/** The requests a limiter refused with a 429 (not a lock timeout). */
export function rateLimited(requests: readonly RecordedRequest[]): RecordedRequest[] {
	return requests.filter((request) => request.limitedReason !== undefined);
}
