import type { IExecuteSingleFunctions, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { findCredentialFieldError } from '../shared/baseUrl';
import { perItem } from '../shared/nodeRun';
import type { StripeErrorDetails } from './answers';
import {
	STRIPE_ERROR_DETAILS,
	rateLimitedError,
	stripeApiError,
	type RetryOutcome,
	type StripeApiError,
} from './errors';
import type { AccountLimiter, AttemptOutcome, Ticket } from './accountLimiter';
import { abortableSleep, abortReason, TIMER_CLEARED, whenAborted, type Clock } from './clock';
import { pacerFor, type Pacer } from './pacing';
import type { RequestSettings } from './settings';

const FIRST_RETRY_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** A Retry-After longer than this is not waited for: the run would look hung. */
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * A dropped or stalled connection, or one that closed while the answer came in
 * (ERR_BAD_RESPONSE), may have reached Stripe or not; with an idempotency key a retry is safe
 * either way. Refused connections and unknown hosts are configuration mistakes that a retry
 * cannot fix, so they fail at once.
 */
const RETRYABLE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_BAD_RESPONSE']);

/** What the retry loop needs to know about one attempt that failed. */
export interface Failure {
	httpStatus?: number;
	code?: string;
	type?: string;
	retryAfterSeconds?: number;
	shouldRetryHeader?: boolean;
	limitedReason?: StripeErrorDetails['limitedReason'];
	connectionCode?: string;
	/** Stripe's saved answer to the key: every resend under it gets the same one. */
	replayed?: boolean;
}

export function failureOf(error: unknown, connectionCode: (error: unknown) => string | undefined): Failure {
	const details = (error as StripeApiError | undefined)?.[STRIPE_ERROR_DETAILS];
	if (details) return failureFromDetails(details);
	// Refused before sending: no attempt can change the credential.
	if (findCredentialFieldError(error)) return {};
	return { connectionCode: connectionCode(error) };
}

export function failureFromDetails(details: StripeErrorDetails): Failure {
	return {
		httpStatus: details.httpStatus,
		code: details.stripe?.code,
		type: details.stripe?.type,
		retryAfterSeconds: details.retryAfterSeconds,
		shouldRetryHeader: details.shouldRetryHeader,
		limitedReason: details.limitedReason,
		...(details.replayed ? { replayed: true } : {}),
	};
}

/** Stripe's advice comes first; without it, only answers that a later attempt can change are retried. */
export function isRetryable(failure: Failure): boolean {
	const status = failure.httpStatus;
	if (status === undefined) return failure.connectionCode !== undefined && RETRYABLE_CONNECTION_CODES.has(failure.connectionCode);
	if (failure.shouldRetryHeader === false || failure.replayed === true) return false;
	if (status === 429 || status >= 500) return true;
	// A lock timeout, or an earlier attempt under the same idempotency key that Stripe is still
	// carrying out: Stripe answers that one with type invalid_request_error, so only its code
	// tells it apart from a conflict no resend can cure. Once the earlier attempt is done, a resend
	// gets its saved answer.
	if (status === 409)
		return (
			failure.shouldRetryHeader === true ||
			failure.code === 'lock_timeout' ||
			failure.code === 'idempotency_key_in_use' ||
			failure.type === 'idempotency_error'
		);
	return false;
}

/**
 * Exponential backoff with jitter: 0.5 s, 1 s, 2 s … up to 8 s, each scaled by a random 50–100 %
 * so that items rate-limited together do not come back together. Stripe's Retry-After, when
 * given, is the least we wait.
 */
export function retryDelayMs(retry: number, failure: Failure, random: () => number = Math.random): number {
	const backoff = Math.min(FIRST_RETRY_DELAY_MS * 2 ** (retry - 1), MAX_BACKOFF_MS);
	const jittered = backoff * (0.5 + random() / 2);
	const asked = failure.retryAfterSeconds === undefined ? 0 : failure.retryAfterSeconds * 1000;
	return Math.max(jittered, asked);
}

/**
 * Pauses between resends of a rate-limited request stay short: the account's budget, lowered
 * by the 429, already spaces the resends, and an item sleeping longer than its turn would leave
 * the budget unused while the execution holds one of n8n's concurrency slots.
 */
const FIRST_RATE_LIMITED_DELAY_MS = 250;
const MAX_RATE_LIMITED_DELAY_MS = 1_000;

/**
 * The pause before resending a request Stripe rate-limited for the n-th time: 0.25 s, 0.5 s,
 * then 1 s, each scaled by a random 50–100 % so that items limited together come back apart,
 * and never less than Stripe's Retry-After.
 */
export function rateLimitedDelayMs(limitedCount: number, failure: Failure, random: () => number = Math.random): number {
	const backoff = Math.min(FIRST_RATE_LIMITED_DELAY_MS * 2 ** (limitedCount - 1), MAX_RATE_LIMITED_DELAY_MS);
	const asked = failure.retryAfterSeconds === undefined ? 0 : failure.retryAfterSeconds * 1000;
	return Math.max(backoff * (0.5 + random() / 2), asked);
}

/** How an attempt's failure tunes the account's budgets. */
export function attemptOutcome(failure: Failure | undefined): AttemptOutcome {
	if (failure === undefined) return { kind: 'answered' };
	if (failure.httpStatus === 429 && failure.limitedReason !== undefined) return { kind: 'limited', reason: failure.limitedReason };
	return { kind: 'other' };
}

export interface PacedRequestContext {
	/** An item's context; or a trigger's webhook hook, which has no run to pace or cancel. */
	context: IExecuteSingleFunctions | IHookFunctions;
	settings: RequestSettings;
	connectionCode: (error: unknown) => string | undefined;
	/** The Stripe account's shared budgets, and the endpoint (method and path template) the request counts against. */
	limiter: AccountLimiter;
	endpoint: string;
	/** The run's pacer for the user's own cap unless given: unit tests hand in one on their own clock. */
	pacer?: Pacer;
	/** The item's share of Max Wait for Rate Limits unless given: unit tests hand in one to share between calls. */
	item?: ItemWait;
	/** How pauses wait; an abortable sleep unless given. */
	sleep?: Clock['sleep'];
	/** The clock patience is measured on. */
	now?: () => number;
	/** The real-time timer behind Timeout and Max Wait for Rate Limits (a test may shorten or lengthen it). */
	timer?: Clock['sleep'];
}

/**
 * Answers a request may come back with instead of throwing (lookups ask n8n not to throw on
 * HTTP errors): `failure` says which of them to retry; `giveUp` is called with the last one when
 * the retries run out or it is not retryable, and may throw or hand it back.
 */
export interface ResultRetry<T> {
	failure: (value: T) => Failure | undefined;
	giveUp: (value: T, outcome: RetryOutcome) => T;
}

/** An attempt that got no answer within Timeout: treated like a connection that timed out (retried with the same key). */
export class AttemptTimedOutError extends Error {
	readonly code = 'ETIMEDOUT';

	constructor(readonly timeoutSeconds: number) {
		super(`ETIMEDOUT: no answer within ${timeoutSeconds} s`);
		this.name = 'AttemptTimedOutError';
	}
}

/**
 * Runs one attempt, bounded in wall-clock time. n8n applies a request's `timeout` as a socket
 * idle timeout, so a server that trickles a byte now and then would hold the attempt (and its
 * place under the account's budgets) for ever. The attempt is raced against a timer instead:
 * when the timer wins, the attempt fails like a timed-out connection, and the signal it was
 * handed aborts, so that its request is cut off and its connection closed (an abandoned request
 * left open would hold one of Stripe's concurrency slots for as long as the server trickles).
 * The signal aborts too when the execution is stopped, and the attempt is abandoned at once.
 */
export async function withinTimeout<T>(
	attempt: (abandoned: AbortSignal) => Promise<T>,
	timeoutSeconds: number,
	stopped: AbortSignal | undefined,
	timer: Clock['sleep'] = abortableSleep,
): Promise<T> {
	if (stopped?.aborted) throw abortReason(stopped);
	return await new Promise<T>((resolve, reject) => {
		const settled = new AbortController();
		const abandoned = new AbortController();
		let stopWatching: () => void = () => undefined;
		const finish = () => {
			stopWatching();
			// Clears the timer (where the host's sleep takes a signal).
			settled.abort(TIMER_CLEARED);
		};
		const abandon = (reason: unknown) => {
			finish();
			reject(reason);
			abandoned.abort(reason);
		};
		if (stopped) stopWatching = whenAborted(stopped, () => abandon(abortReason(stopped)));
		timer(timeoutSeconds * 1000, settled.signal).then(
			() => abandon(new AttemptTimedOutError(timeoutSeconds)),
			() => undefined,
		);
		attempt(abandoned.signal).then(
			(value) => {
				finish();
				resolve(value);
			},
			(error: unknown) => {
				finish();
				reject(error);
			},
		);
	});
}

/**
 * Why the waits of an item ended early: compared by identity, never shown. Errors made once, as
 * TIMER_CLEARED is: the host's sleep wraps any other reason in a new Error.
 */
const RAN_OUT = new Error('Max Wait for Rate Limits ran out');
const STOPPED = new Error('Execution stopped');

/**
 * What one item's requests share of Max Wait for Rate Limits. An item may send several: the By
 * Email and Subscription Source lookups before its own request, each page of a list; Max Wait
 * bounds the item's wait across all of them, each request taking up where the one before left
 * off. Kept per item (and Retry On Fail try), so it goes with the item's context.
 */
export class ItemWait {
	/**
	 * How long the item's earlier requests waited for rate limits: for their turns under the
	 * user's cap and the account's budgets, and in the pauses before resending a rate-limited
	 * attempt. The time Stripe took to answer, attempts that timed out, and the pauses before
	 * resending after a failure that is not a 429 are not waits for rate limits, so a long list
	 * read page by page, or a slow or failing Stripe, does not use up Max Wait.
	 */
	waitedMs = 0;

	/** Attempts of the item's requests that Stripe rate-limited, all of them: what the message counts. */
	limitedAttempts = 0;

	/** Set when Stripe answered one of the item's attempts 429. */
	limited = false;

	/** The account's count of limited answers when the item first asked for a turn. */
	limitedAnswersBefore?: number;
}

const itemWaitFor = perItem(() => new ItemWait());

/**
 * An item's patience while one of its requests is under way: one signal that every wait of the
 * request (its turn under the user's cap and the account's budgets, the pause before a resend)
 * watches. It aborts when the execution is stopped, and when the item's Max Wait for Rate Limits
 * is used up, provided Stripe rate-limited the account (or this item) since the item first asked
 * for a turn: a long queue at the documented pace is not being rate-limited, so an item in it
 * fails only at the next 429.
 *
 * Max Wait is used up only by the waits `counted` runs (a turn, the pause after a 429): its timer
 * runs while one of them does, armed with what the item has left, so the time an attempt is in
 * flight (or times out) and the pauses after other failures are not counted.
 */
class Patience {
	private readonly controller = new AbortController();

	readonly signal = this.controller.signal;

	private stopListening?: () => void;

	private readonly stopWatching: () => void;

	private readonly limitedBefore: number;

	/** This request's counted waits that have ended, in ms. */
	private waitedMs = 0;

	/** When the counted wait under way began. */
	private waitingSince?: number;

	constructor(
		stopped: AbortSignal | undefined,
		private readonly limiter: AccountLimiter,
		private readonly item: ItemWait,
		/** What the item's Max Wait has left when this request starts. */
		private readonly leftMs: number,
		private readonly timer: Clock['sleep'],
		private readonly now: () => number,
	) {
		this.stopWatching = stopped ? whenAborted(stopped, () => this.controller.abort(STOPPED)) : () => undefined;
		item.limitedAnswersBefore ??= limiter.limitedAnswers;
		this.limitedBefore = item.limitedAnswersBefore;
	}

	/** How long this request has waited for rate limits, the wait under way included. */
	get spentMs(): number {
		return this.waitedMs + (this.waitingSince === undefined ? 0 : this.now() - this.waitingSince);
	}

	/** What is left of the item's Max Wait. */
	get remainingMs(): number {
		return this.leftMs - this.spentMs;
	}

	get ranOut(): boolean {
		return this.signal.aborted && this.signal.reason === RAN_OUT;
	}

	/** Runs a wait for rate limits (a turn, or the pause after a 429), counted against Max Wait. */
	async counted<T>(wait: () => Promise<T>): Promise<T> {
		const timerDone = new AbortController();
		const since = this.now();
		this.waitingSince = since;
		this.timer(Math.max(this.remainingMs, 0), timerDone.signal).then(
			() => this.usedUp(),
			() => undefined,
		);
		try {
			return await wait();
		} finally {
			this.waitedMs += this.now() - since;
			this.waitingSince = undefined;
			// Ends the Max Wait timer (where the host's sleep takes a signal).
			timerDone.abort(TIMER_CLEARED);
		}
	}

	/** Max Wait is used up: the item gives up now if it has been rate-limited, else at the next 429. */
	private usedUp(): void {
		if (this.signal.aborted || this.stopListening) return;
		if (this.item.limited || this.limiter.limitedAnswers > this.limitedBefore) this.controller.abort(RAN_OUT);
		else this.stopListening = this.limiter.onNextLimited(() => this.controller.abort(RAN_OUT));
	}

	end(): void {
		this.stopWatching();
		this.stopListening?.();
		if (!this.signal.aborted) this.controller.abort(STOPPED);
	}
}

/** The error of an item whose execution was stopped: n8n reads "canceled" in it as a stopped run. */
function canceledError(context: IExecuteSingleFunctions, inFlight: boolean): NodeOperationError {
	return new NodeOperationError(
		context.getNode(),
		inFlight
			? 'Execution canceled while waiting for Stripe’s answer: the request may have reached Stripe; nothing more was sent for this item'
			: 'Execution canceled: nothing more was sent to Stripe for this item',
		{ itemIndex: context.getItemIndex() },
	);
}

/**
 * Sends `attempt` when the user's cap (if any) and the account's budgets allow, and again when
 * Stripe or the network says it is worth it. Rate-limited answers (429) did nothing at Stripe,
 * so they are resent until the item has waited Max Wait for Rate Limits, over all its requests;
 * other retryable failures use up the counted Retries (per request). Every answer tunes the
 * account's budgets. A failure that ends the loop is rethrown with `onGiveUp` given the chance
 * to explain it.
 */
export async function pacedWithRetries<T>(
	{ context, settings, connectionCode, limiter, endpoint, pacer, item: givenItem, sleep: wait = abortableSleep, now = () => performance.now(), timer = abortableSleep }: PacedRequestContext,
	attempt: (abandoned: AbortSignal) => Promise<T>,
	onGiveUp: (error: unknown, outcome: RetryOutcome) => unknown,
	resultRetry?: ResultRetry<T>,
): Promise<T> {
	const cap = settings.maxRequestsPerSecond;
	// Hook contexts (the trigger's endpoint requests) have no execution to stop and no node run to pace.
	const itemContext = 'getExecutionCancelSignal' in context ? context : undefined;
	const runPacer = cap === undefined || !itemContext ? undefined : (pacer ?? pacerFor(itemContext));
	const stopped = itemContext?.getExecutionCancelSignal();
	// The account's limiter reads from the execution IDs whether other processes share its work (executionSpread.ts).
	const executionId = itemContext?.getExecutionId();
	// A hook's request is an item of its own.
	const item = givenItem ?? (itemContext ? itemWaitFor(itemContext) : new ItemWait());
	// Max Wait for Rate Limits counts the item's waits for rate limits: queueing behind a
	// rate-limited account is waiting for rate limits as much as a pause before a resend is. Each
	// of the item's requests has what the ones before it left.
	const patience = new Patience(stopped, limiter, item, settings.maxWaitSeconds * 1000 - item.waitedMs, timer, now);
	let retries = 0;
	/** This request's 429s, for the pauses between its resends. */
	let limitedCount = 0;
	let inFlight = false;
	/** This request's last rate-limited answer, for the error when the item's patience runs out while it waits. */
	let lastLimited: { thrown: unknown; value?: T } | undefined;
	const outcomeNow = (): RetryOutcome => ({
		retriesMade: retries,
		retriesAllowed: settings.retries,
		exhausted: true,
		rateLimited: { waitedMs: item.waitedMs + patience.spentMs, attempts: item.limitedAttempts, maxWaitSeconds: settings.maxWaitSeconds },
	});
	const sendUntilDone = async (): Promise<T> => {
		for (;;) {
			// The account's turn is taken within the run's: the user's cap spaces actual starts, even
			// while the account's budget (in slow start, or lowered) holds requests longer than it does.
			let ticket!: Ticket;
			const takeTicket = async () => {
				ticket = await limiter.take(endpoint, patience.signal, executionId);
			};
			await patience.counted(async () => {
				if (runPacer && cap !== undefined) await runPacer.take(cap, patience.signal, takeTicket);
				else await takeTicket();
			});
			let value!: T;
			let failure: Failure | undefined;
			let thrown: unknown;
			inFlight = true;
			try {
				value = await withinTimeout(attempt, settings.timeoutSeconds, stopped, timer);
				failure = resultRetry?.failure(value);
			} catch (error) {
				thrown = error;
				failure = failureOf(error, connectionCode);
			} finally {
				limiter.settle(ticket, attemptOutcome(failure));
			}
			if (failure === undefined) return value;
			if (stopped?.aborted) throw STOPPED;
			inFlight = false;

			const retryable = isRetryable(failure);
			let delay: number | undefined;
			/** A pause before resending a rate-limited attempt is a wait for rate limits; other pauses are not. */
			let countedDelay = false;
			let rateLimited: RetryOutcome['rateLimited'];
			if (retryable && failure.httpStatus === 429) {
				item.limited = true;
				item.limitedAttempts++;
				limitedCount++;
				lastLimited = { thrown, value };
				const pause = rateLimitedDelayMs(limitedCount, failure);
				if (pause <= patience.remainingMs) {
					delay = pause;
					countedDelay = true;
				} else rateLimited = outcomeNow().rateLimited;
			} else if (retryable && retries < settings.retries && (failure.retryAfterSeconds ?? 0) <= MAX_RETRY_AFTER_SECONDS) {
				retries++;
				delay = retryDelayMs(retries, failure);
			}
			if (delay === undefined) {
				const outcome: RetryOutcome = { retriesMade: retries, retriesAllowed: settings.retries, exhausted: retryable, rateLimited };
				if (thrown === undefined && resultRetry) return resultRetry.giveUp(value, outcome);
				throw onGiveUp(thrown, outcome);
			}
			const pause = delay;
			if (countedDelay) await patience.counted(async () => await wait(pause, patience.signal));
			else await wait(pause, patience.signal);
		}
	};
	/**
	 * What an item whose waits were cut short ends with: the stop, or its Max Wait. Anything else
	 * is already the item's own error (onGiveUp's), handed on as it is.
	 */
	const endedEarly = (error: unknown): T => {
		// Once the user stopped the execution, whatever ended the item is the stop.
		if (stopped?.aborted && itemContext) throw canceledError(itemContext, inFlight);
		if (!(patience.ranOut && error === RAN_OUT)) throw error;
		// Max Wait ran out while the item waited for its turn or before a resend.
		const outcome = outcomeNow();
		if (lastLimited?.thrown !== undefined) throw onGiveUp(lastLimited.thrown, outcome);
		if (lastLimited && resultRetry) return resultRetry.giveUp(lastLimited.value as T, outcome);
		// Never sent: the account was rate-limited all the while it queued.
		throw rateLimitedError(
			context,
			stripeApiError(context.getNode(), { httpStatus: 429, stripe: { message: 'the account was rate-limited while this item waited for its turn' } }),
			outcome,
		);
	};
	try {
		return await sendUntilDone().catch(endedEarly);
	} finally {
		item.waitedMs += patience.spentMs;
		patience.end();
	}
}
