/**
 * Object locks (docs.stripe.com/rate-limits, object lock timeouts): Stripe locks an object while
 * some operations change it, and a request that cannot get the lock in time fails with a 429
 * whose code is lock_timeout. Here a POST to a path with an object ID holds that object's lock
 * for `holdMs` while it is handled; another POST to the object meanwhile is refused at once
 * (Stripe waits a little first). Reads take no lock.
 */
import type { ObjectLocks } from './types';

export function checkObjectLocks(locks: ObjectLocks | undefined): void {
	if (locks !== undefined && !(Number.isFinite(locks.holdMs) && locks.holdMs > 0))
		throw new Error(`objectLocks.holdMs must be a number > 0, got ${locks.holdMs}`);
}

export class LockTable {
	options: ObjectLocks | undefined;
	/** How many requests found their object locked since start or clear(). */
	timeouts = 0;
	/** Held locks by object, each with the token of its holder, so a late release frees only its own. */
	private readonly held = new Map<string, symbol>();

	constructor(options: ObjectLocks | undefined) {
		checkObjectLocks(options);
		this.options = options;
	}

	/**
	 * Takes the object's lock: its release function, or undefined when another request holds it
	 * (counted as a timeout).
	 */
	take(object: string): (() => void) | undefined {
		if (this.held.has(object)) {
			this.timeouts++;
			return undefined;
		}
		const token = Symbol(object);
		this.held.set(object, token);
		return () => {
			if (this.held.get(object) === token) this.held.delete(object);
		};
	}

	/** Frees every lock and forgets the count (not the options). */
	clear(): void {
		this.held.clear();
		this.timeouts = 0;
	}
}
