/**
 * Idempotency keys for the node's POSTs, and the words for the answers Stripe gives because
 * of them. Stripe saves the first answer to a key once the endpoint has started (a 500
 * included) and sends that answer again to every later request with the key and the same
 * parameters, for at least 24 hours (docs.stripe.com/api/idempotent_requests).
 */
import { createHash, randomBytes } from 'node:crypto';

import type { IExecuteData, IExecuteSingleFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { keptPer } from '../shared/nodeRun';
import { withoutClosingDots } from '../shared/quote';
import { withFix } from '../shared/validation';
import { SETTINGS_FIELD } from './constants';
import type { StripeErrorDetails } from './answers';
import { STRIPE_ERROR_DETAILS, type StripeApiError } from './errors';
import type { RequestSettings } from './settings';
import { isToolRun, nodeOf } from './agent';

/** 20 letters and digits (62 symbols): about 119 bits of the digest, so keys of different attempts never meet. */
const KEY_DIGEST_LENGTH = 20;
/** The execution ID is shown in the key only up to this length; the digest covers all of it. */
const SHOWN_EXECUTION_ID_LENGTH = 64;

/**
 * A run whose execution has no ID (n8n's placeholder, or none) still needs one value shared by
 * its Retry On Fail tries: n8n hands every try of a node run the same execute-data object, so a
 * random value kept on that object is the run's identity until it is garbage-collected.
 */
const runWithoutExecutionId = keptPer(executeDataOf, () => `unsaved-${randomBytes(12).toString('hex')}`);

/** What identifies one item's request across every try of the same node run. */
export interface AttemptIdentity {
	instanceId: string;
	workflowId: string;
	nodeId: string;
	/** The execution that first ran the node: this one, or the one the Executions list retried. */
	executionId: string;
	runIndex: number;
	itemIndex: number;
}

function text(read: () => unknown): string {
	try {
		const value = read();
		return value === undefined || value === null ? '' : String(value);
	} catch {
		return '';
	}
}

function readRunIndex(context: IExecuteSingleFunctions): number {
	try {
		// n8n works the run index out before its Retry On Fail loop, so every try reads the same one.
		const runIndex = Number(context.getWorkflowDataProxy(context.getItemIndex()).$runIndex);
		return Number.isInteger(runIndex) && runIndex >= 0 ? runIndex : 0;
	} catch {
		return 0;
	}
}

/**
 * Run indexes by node run. Building n8n's workflow data proxy for every item was the largest cost
 * of making a key (measured with the bench's per-item run); the run index is one for all items
 * of a node run, and n8n hands each of them the same execute data.
 */
const runIndexOf = keptPer(
	// An AI agent's tool calls share one execute data, each call a run of its own (one item each).
	(context) => (isToolRun(context) ? undefined : executeDataOf(context)),
	readRunIndex,
);

function executeDataOf(context: IExecuteSingleFunctions): IExecuteData | undefined {
	try {
		return context.getExecuteData();
	} catch {
		return undefined;
	}
}

function executionIdOf(context: IExecuteSingleFunctions): string {
	const id = text(() => context.getExecutionId());
	// n8n-core shows '__UNKNOWN__' for an execution it has not saved.
	if (id !== '' && id !== '__UNKNOWN__') return id;
	return runWithoutExecutionId(context);
}

/**
 * The execution's custom data key naming the execution whose keys this one sends. The Executions
 * list's Retry runs a failed execution again under a new ID but with a copy of its data (n8n
 * 2.41's ExecutionService.retry: the failed node's last run removed, everything else kept, the
 * custom data included), so the retried node run sends the keys the first run sent.
 */
export const KEYS_EXECUTION_DATA_KEY = 'stripeIdempotencyExecution';

function keysExecutionOf(context: IExecuteSingleFunctions): string {
	const executionId = executionIdOf(context);
	try {
		const customData = context.customData;
		const earlier = customData.get(KEYS_EXECUTION_DATA_KEY);
		if (typeof earlier === 'string' && earlier !== '') return earlier;
		customData.set(KEYS_EXECUTION_DATA_KEY, executionId);
	} catch {
		// An n8n without execution custom data: keys then belong to this execution alone.
	}
	// n8n keeps at most 10 custom data keys and ignores more: keys then belong to this execution alone.
	return executionId;
}

export function attemptIdentity(context: IExecuteSingleFunctions): AttemptIdentity {
	return {
		instanceId: text(() => context.getInstanceId()),
		workflowId: text(() => context.getWorkflow().id),
		nodeId: text(() => nodeOf(context).id),
		executionId: keysExecutionOf(context),
		runIndex: runIndexOf(context),
		itemIndex: context.getItemIndex(),
	};
}

/** 0–25 → A–Z, 26–51 → a–z, 52–61 → 0–9. */
function letterOrDigit(symbol: number): string {
	if (symbol < 26) return String.fromCharCode(65 + symbol);
	if (symbol < 52) return String.fromCharCode(97 + symbol - 26);
	return String.fromCharCode(48 + symbol - 52);
}

function digestOf(identity: AttemptIdentity): string {
	// Newlines cannot occur in any of the parts' usual forms; JSON keeps them apart regardless.
	const digest = createHash('sha256')
		.update(JSON.stringify(['n8n-stripe-billing-portal', identity.instanceId, identity.workflowId, identity.nodeId, identity.executionId, identity.runIndex, identity.itemIndex]))
		.digest();
	let key = '';
	for (let index = 0; index < KEY_DIGEST_LENGTH; index++) key += letterOrDigit(digest[index] % 62);
	return key;
}

/**
 * The default key: the same for every try of one item in one node run (the node's own retries
 * and n8n's Retry On Fail), different for every other item, run, execution, node, workflow and
 * n8n instance. Execution IDs are counters per n8n database, so the instance, workflow and node
 * go into the digest: two n8n instances on one Stripe account never share a key (the one
 * exception, a copy of another's database, is in docs/requests.md). Execution and item stay
 * readable, so a request in Stripe's logs leads back to the run that sent it.
 */
export function defaultIdempotencyKey(identity: AttemptIdentity): string {
	const shown = identity.executionId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, SHOWN_EXECUTION_ID_LENGTH) || 'run';
	return `n8n-${shown}-item${identity.itemIndex}-${digestOf(identity)}`;
}

/** The key for the item's POST: the user's own from Request Settings, else the default. */
export function idempotencyKeyFor(context: IExecuteSingleFunctions, settings: RequestSettings): string {
	if (settings.idempotencyKey !== undefined) return settings.idempotencyKey;
	return defaultIdempotencyKey(attemptIdentity(context));
}

/** Whether a failed answer is Stripe's saved answer to an earlier request with the same key. */
export function isReplayedFailure(details: StripeErrorDetails | undefined): boolean {
	return details?.replayed === true && details.httpStatus >= 500;
}

/**
 * An error Stripe gave because of the key, reworded so its message says what happened and what
 * to do (an AI agent reads only the message); undefined for any other error.
 */
export function idempotencyFailure(node: INode, error: StripeApiError, settings: RequestSettings, itemIndex: number): NodeApiError | undefined {
	const details = error[STRIPE_ERROR_DETAILS];
	if (!details) return undefined;
	const ownKey = settings.idempotencyKey !== undefined;
	const keyRefused = details.httpStatus === 400 && details.stripe?.type === 'idempotency_error';
	if (keyRefused && ownKey) {
		// Stripe's message names the user's own key and says to use another: it stays first.
		const fix = `${SETTINGS_FIELD} → Idempotency Key: give each distinct request its own key, e.g. {{ "ticket-" + $json.ticketId + "-" + $json.flow }}, or leave the setting empty for a key per item and run.`;
		error.message = `${withoutClosingDots(details.stripe?.message ?? 'Stripe refused the idempotency key')}. ${fix}`;
		return withFix(error, { user: fix });
	}
	let message: string;
	let fix: string;
	if (keyRefused) {
		fix = 'Make the item’s fields give the same values on every try, then start a new execution, which sends new keys (Retry in the Executions list sends the same ones). Stripe did nothing for this request.';
		message = `Stripe refused the request: this item’s request differs from the one first sent under its key, in an earlier try of this run or in the execution the Executions list retried (an expression that reads the time or a random value, or a workflow edited before the retry). ${fix}`;
	} else if (details.httpStatus === 409 && details.stripe?.code === 'idempotency_key_in_use') {
		// Stripe's own words ("Please try again later") would have the user start a new execution,
		// whose new key creates again once the earlier attempt succeeds.
		fix = ownKey
			? `Raise ${SETTINGS_FIELD} → Retries or Timeout, so the node waits for Stripe's answer; once Stripe has finished, a request with the same Idempotency Key and parameters gets that answer instead of creating again.`
			: `Raise ${SETTINGS_FIELD} → Retries or Timeout, so the node waits for Stripe's answer; Retry in the Executions list sends the same keys and gets that answer once Stripe has finished. Check the request log in the Stripe dashboard before starting a new execution, which sends new keys and would create again.`;
		const earlier = ownKey
			? 'another request under the same idempotency key (an earlier attempt of this item whose answer did not come in time, or another item or execution with the same Idempotency Key)'
			: 'an earlier attempt of this item’s request (sent under the same idempotency key, whose answer did not come in time)';
		message = `Stripe is still carrying out ${earlier}, so it did not run this one; that request may yet succeed. ${fix}`;
	} else if (isReplayedFailure(details)) {
		fix = ownKey
			? `Check the request log in the Stripe dashboard for whether the object was made, then set ${SETTINGS_FIELD} → Idempotency Key to a new value or run once the key is more than 24 hours old.`
			: 'Check the request log in the Stripe dashboard for whether the object was made, then start a new execution, which sends new keys (Retry in the Executions list sends the same ones).';
		message = `Stripe failed this request on its side (HTTP ${details.httpStatus}) and answers every resend under the same idempotency key with that saved failure, so Retry On Fail and ${SETTINGS_FIELD} → Retries cannot fix it. ${fix}`;
	} else {
		return undefined;
	}
	// The facts line of the usual description, without its hint: the hint assumes the user's own key.
	const facts = (error.description ?? '').split('\n')[0];
	const description = [
		facts,
		details.stripe?.message ? `Stripe's message: ${details.stripe.message}` : undefined,
		fix,
		details.stripe?.request_log_url ? `Request log: ${details.stripe.request_log_url}` : undefined,
	].filter((line) => line !== undefined && line !== '');
	const failure: StripeApiError = new NodeApiError(node, { httpStatus: details.httpStatus, ...(details.requestId ? { requestId: details.requestId } : {}) } as JsonObject, {
		message,
		description: description.join('\n'),
		httpCode: String(details.httpStatus),
		itemIndex,
	});
	failure[STRIPE_ERROR_DETAILS] = details;
	return withFix(failure, { user: fix });
}
