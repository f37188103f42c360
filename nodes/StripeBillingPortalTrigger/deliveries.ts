/**
 * What this process remembers of deliveries, in memory and bounded: the event IDs it has already
 * handed to n8n (Stripe delivers at least once) and, per Stripe object, the newest event seen
 * (Stripe does not deliver in order). Never in the workflow's static data: n8n saves the whole
 * static data object after a delivery that changed it, so a delivery racing a re-publish could
 * write back an old endpoint secret. Being per process, it cannot see deliveries another process
 * took (queue mode with several webhook processes, a restart): the README shows n8n's Remove
 * Duplicates node for that.
 */

/** Enough for hours of a busy account's portal events, small enough to never matter in memory. */
const DEFAULT_CAPACITY = 10_000;

/** A Map used as a bounded insertion-ordered cache: the oldest entry goes first. */
class BoundedMap<V> {
	private readonly entries = new Map<string, V>();

	constructor(private readonly capacity: number) {}

	get(key: string): V | undefined {
		return this.entries.get(key);
	}

	set(key: string, value: V): void {
		this.entries.delete(key);
		this.entries.set(key, value);
		while (this.entries.size > this.capacity) {
			const oldest = this.entries.keys().next().value as string;
			this.entries.delete(oldest);
		}
	}

	get size(): number {
		return this.entries.size;
	}
}

interface Newest {
	created: number;
	eventId: string;
}

export class DeliveryMemory {
	private readonly seen: BoundedMap<true>;

	private readonly newest: BoundedMap<Newest>;

	constructor(capacity = DEFAULT_CAPACITY) {
		this.seen = new BoundedMap(capacity);
		this.newest = new BoundedMap(capacity);
	}

	/**
	 * Whether this event was already seen by this trigger (scope: one workflow's node), and marks
	 * it seen. Called only for deliveries that passed verification, so a forged copy cannot use up
	 * an event's ID before Stripe's genuine delivery arrives.
	 */
	firstDelivery(scope: string, eventId: string): boolean {
		const key = `${scope}\n${eventId}`;
		if (this.seen.get(key)) return false;
		this.seen.set(key, true);
		return true;
	}

	/**
	 * Whether this event is older than one already seen for the same Stripe object: true (older),
	 * false (newer than all seen), or null when its `created` second equals the newest seen, where
	 * Stripe's one-second timestamps cannot tell the order.
	 */
	staleness(scope: string, objectId: string | null, eventId: string, created: number): boolean | null {
		if (objectId === null) return false;
		const key = `${scope}\n${objectId}`;
		const newest = this.newest.get(key);
		if (newest === undefined || created > newest.created) {
			this.newest.set(key, { created, eventId });
			return false;
		}
		if (created < newest.created) return true;
		return newest.eventId === eventId ? false : null;
	}
}

/** One per process: a node class is loaded once per process, and so is this module. */
export const deliveryMemory = new DeliveryMemory();
