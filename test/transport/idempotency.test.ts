/**
 * The default idempotency key, from a stub context: what goes into it, what keeps it stable
 * across tries and what keeps it apart from every other request. The engine tests
 * (test/resilience/idempotency-keys.test.ts) prove the behaviour through n8n; these pin down the key.
 */
import type { IExecuteData, IExecuteSingleFunctions } from 'n8n-workflow';

import {
	defaultIdempotencyKey,
	idempotencyKeyFor,
	KEYS_EXECUTION_DATA_KEY,
	type AttemptIdentity,
} from '../../nodes/StripeBillingPortal/transport/idempotency';
import { isRetryable } from '../../nodes/StripeBillingPortal/transport/retry';
import type { RequestSettings } from '../../nodes/StripeBillingPortal/transport/settings';

const identity: AttemptIdentity = {
	instanceId: 'instance-a',
	workflowId: 'wf1',
	nodeId: 'node-1',
	executionId: '7',
	runIndex: 0,
	itemIndex: 3,
};

const settings: RequestSettings = { retries: 2, timeoutSeconds: 80, maxWaitSeconds: 180 };

interface StubParts {
	instanceId?: string;
	workflowId?: string;
	nodeId?: string;
	executionId?: string | undefined;
	runIndex?: number;
	itemIndex?: number;
	executeData?: IExecuteData;
	customData?: Record<string, string>;
	/** n8n's 10-key cap: set() is ignored. */
	customDataFull?: boolean;
}

function contextOf(parts: StubParts = {}): IExecuteSingleFunctions {
	const customData = parts.customData ?? {};
	const executionId = 'executionId' in parts ? parts.executionId : '7';
	return {
		getInstanceId: () => parts.instanceId ?? 'instance-a',
		getWorkflow: () => ({ id: parts.workflowId ?? 'wf1', name: 'Orders', active: true }),
		getNode: () => ({ id: parts.nodeId ?? 'node-1', name: 'Stripe', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} }),
		getExecutionId: () => executionId,
		getItemIndex: () => parts.itemIndex ?? 3,
		getWorkflowDataProxy: () => ({ $runIndex: parts.runIndex ?? 0 }),
		getExecuteData: () => parts.executeData,
		customData: {
			get: (key: string) => customData[key],
			set: (key: string, value: string) => {
				if (!parts.customDataFull) customData[key] = value;
			},
			getAll: () => ({ ...customData }),
			setAll: () => undefined,
		},
	} as unknown as IExecuteSingleFunctions;
}

describe('defaultIdempotencyKey', () => {
	it('shows execution and item, then a 20-character digest', () => {
		expect(defaultIdempotencyKey(identity)).toMatch(/^n8n-7-item3-[A-Za-z0-9]{20}$/);
	});

	it('is the same for the same attempt, and different when any one part differs', () => {
		const key = defaultIdempotencyKey(identity);
		expect(defaultIdempotencyKey({ ...identity })).toBe(key);
		const others = [
			{ instanceId: 'instance-b' },
			{ workflowId: 'wf2' },
			{ nodeId: 'node-2' },
			{ executionId: '8' },
			{ runIndex: 1 },
			{ itemIndex: 4 },
		].map((change) => defaultIdempotencyKey({ ...identity, ...change }));
		expect(new Set([key, ...others]).size).toBe(7);
	});

	it('stays within Stripe’s 255 characters and header-safe for any execution ID', () => {
		const key = defaultIdempotencyKey({ ...identity, executionId: `ü€ ${'x'.repeat(1000)}\n` });
		expect(key.length).toBeLessThanOrEqual(255);
		expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
		expect(defaultIdempotencyKey({ ...identity, executionId: '€€' })).toMatch(/^n8n-run-item3-/);
	});
});

describe('idempotencyKeyFor', () => {
	it('the user’s own key wins', () => {
		expect(idempotencyKeyFor(contextOf(), { ...settings, idempotencyKey: 'order-A-1' })).toBe('order-A-1');
	});

	it('reads instance, workflow, node, execution, run index and item from the context', () => {
		expect(idempotencyKeyFor(contextOf(), settings)).toBe(defaultIdempotencyKey(identity));
		expect(idempotencyKeyFor(contextOf({ runIndex: 2 }), settings)).toBe(defaultIdempotencyKey({ ...identity, runIndex: 2 }));
	});

	it('records the execution in its custom data, and an execution retried from the Executions list sends the first one’s keys', () => {
		const customData: Record<string, string> = {};
		const first = idempotencyKeyFor(contextOf({ customData }), settings);
		expect(customData[KEYS_EXECUTION_DATA_KEY]).toBe('7');
		const retried = idempotencyKeyFor(contextOf({ executionId: '8', customData: { ...customData } }), settings);
		expect(retried).toBe(first);
	});

	it('with no room left in the custom data, keys belong to the execution alone', () => {
		const key = idempotencyKeyFor(contextOf({ executionId: '8', customDataFull: true }), settings);
		expect(key).toBe(defaultIdempotencyKey({ ...identity, executionId: '8' }));
	});

	it('an execution without an ID: the same key on every try of one node run, another for another run', () => {
		const run = {} as IExecuteData;
		const tryOne = idempotencyKeyFor(contextOf({ executionId: undefined, executeData: run }), settings);
		const tryTwo = idempotencyKeyFor(contextOf({ executionId: '__UNKNOWN__', executeData: run }), settings);
		const otherRun = idempotencyKeyFor(contextOf({ executionId: undefined, executeData: {} as IExecuteData }), settings);
		expect(tryOne).toMatch(/^n8n-unsaved-[0-9a-f]{24}-item3-/);
		expect(tryTwo).toBe(tryOne);
		expect(otherRun).not.toBe(tryOne);
	});
});

describe('a failure Stripe replays under the key', () => {
	it('is not retried: every resend would get the same saved answer', () => {
		expect(isRetryable({ httpStatus: 500 })).toBe(true);
		expect(isRetryable({ httpStatus: 500, replayed: true })).toBe(false);
	});
});
