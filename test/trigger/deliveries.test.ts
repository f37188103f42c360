/**
 * At-least-once and out-of-order delivery, as one process can know them: a repeated event ID is
 * handed on once, an update older than one already seen is marked stale, and a tie within
 * Stripe's one-second timestamps is said to be unknown (null).
 */
import { DeliveryMemory } from '../../nodes/StripeBillingPortalTrigger/deliveries';

describe('the same event delivered again', () => {
	it('is handed on once per trigger; another workflow’s trigger gets its own copy', () => {
		const memory = new DeliveryMemory();
		expect(memory.firstDelivery('wf1/node1', 'evt_1')).toBe(true);
		expect(memory.firstDelivery('wf1/node1', 'evt_1')).toBe(false);
		expect(memory.firstDelivery('wf2/node1', 'evt_1')).toBe(true);
		expect(memory.firstDelivery('wf1/node1', 'evt_2')).toBe(true);
	});

	it('is remembered up to the capacity, the oldest forgotten first', () => {
		const memory = new DeliveryMemory(3);
		for (const id of ['evt_1', 'evt_2', 'evt_3', 'evt_4']) memory.firstDelivery('s', id);
		expect(memory.firstDelivery('s', 'evt_4')).toBe(false);
		expect(memory.firstDelivery('s', 'evt_2')).toBe(false);
		// evt_1 was the oldest of four in a memory of three.
		expect(memory.firstDelivery('s', 'evt_1')).toBe(true);
	});
});

describe('updates out of order', () => {
	it('an update older than one seen for the same object is stale; other objects are apart', () => {
		const memory = new DeliveryMemory();
		expect(memory.staleness('s', 'sub_1', 'evt_b', 1_000_010)).toBe(false);
		expect(memory.staleness('s', 'sub_1', 'evt_a', 1_000_005)).toBe(true);
		expect(memory.staleness('s', 'sub_2', 'evt_c', 1_000_005)).toBe(false);
		expect(memory.staleness('s', 'sub_1', 'evt_d', 1_000_020)).toBe(false);
	});

	it('two updates in the same second cannot be ordered: null', () => {
		const memory = new DeliveryMemory();
		expect(memory.staleness('s', 'sub_1', 'evt_a', 1_000_000)).toBe(false);
		expect(memory.staleness('s', 'sub_1', 'evt_b', 1_000_000)).toBeNull();
	});
});
