/**
 * The pipeline every request of the package goes through: the turn under the account's budgets
 * (and the user's cap), the attempts and their retries, the check of the answer against the
 * shape asked for, and the finished error. Each way in (items, lookups, list searches, the
 * trigger's hooks) injects n8n's sender for it; this is the one module that calls n8n's request
 * helpers, so no other module can send around the budgets or the error wording.
 */
import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../shared/constants';
import type { AccountLimiter, Ticket } from './accountLimiter';
import { failedAnswer, type StripeErrorDetails } from './answers';
import { findConnectionErrorCode } from './connection';
import type { RetryOutcome } from './errors';
import { abortableSleep, TIMER_CLEARED } from './clock';
import { DEFAULT_TIMEOUT_SECONDS } from './constants';
import { attemptOutcome, failureFromDetails, pacedWithRetries, withinTimeout } from './retry';
import type { RequestSettings } from './settings';

export type PipelineContext = IExecuteSingleFunctions | IHookFunctions | ILoadOptionsFunctions;

/**
 * One of n8n's senders, bound to the context of the way in. `abandoned` aborts when the attempt
 * is given up (its Timeout is up, or the execution was stopped): the sender hands it to n8n as
 * the request's abort signal, so that the request is cut off and its connection closed.
 */
export type Sender<Request, Answer> = (request: Request, abandoned: AbortSignal) => Promise<Answer>;

/** Where n8n reads the signal that aborts a request: item contexts have it, hooks and list searches do not. */
const CANCEL_SIGNAL = 'getExecutionCancelSignal';

/**
 * Starts `send` with `abandoned` as the signal n8n gives the request. n8n's
 * httpRequestWithAuthentication replaces a request's own `abortSignal` with
 * `this.getExecutionCancelSignal()` where its context has that method (an item's); elsewhere
 * (a hook's, a list search's) it keeps the request's. So `request.abortSignal` is set by the
 * caller, and for the span of the synchronous call that starts the request `getExecutionCancelSignal`
 * on `host` (the context n8n reads it from) answers `abandoned` instead, then is put back.
 *
 * Why this cannot leak to another item or attempt: the override is in place only while `send()`
 * runs up to its first await, and JavaScript runs nothing else meanwhile, so no other item's
 * request (nor a later attempt of this one) can start while it is there, even where `host` were
 * an object shared by several items; n8n reads the signal in that span (n8n 2.x: the routing's
 * and the helper's async functions read it before their first await). `abandoned` stands for
 * the execution's signal too, since it aborts when the execution is stopped. Where a version
 * reads the signal later, or a context lacks the method, the override is simply not seen: the
 * request then gets the execution's signal, as before (a timed-out attempt is abandoned but its
 * connection is not closed).
 */
function startWithAttemptSignal<Answer>(host: unknown, abandoned: AbortSignal, send: () => Promise<Answer>): Promise<Answer> {
	const target = host as Record<string, unknown> | null;
	if (target === null || typeof target[CANCEL_SIGNAL] !== 'function') return send();
	const own = Object.getOwnPropertyDescriptor(target, CANCEL_SIGNAL);
	try {
		Object.defineProperty(target, CANCEL_SIGNAL, { value: () => abandoned, configurable: true, writable: true });
	} catch {
		// A context n8n froze: it keeps the execution's signal.
		return send();
	}
	try {
		return send();
	} finally {
		if (own) Object.defineProperty(target, CANCEL_SIGNAL, own);
		else delete target[CANCEL_SIGNAL];
	}
}

/**
 * Item requests go through n8n's routing, so that the operation's postReceive hooks (Stripe's
 * errors in the resource's words, the login link's output) run on every page and every attempt.
 * n8n builds the context it hands the request hook (this one, with makeRoutingRequest) on top of
 * the item's own context, and its routing sends with the item's context: that is where it reads
 * the abort signal.
 */
export function routingSender(
	context: IExecutePaginationFunctions,
): Sender<DeclarativeRestApiSettings.ResultOptions, INodeExecutionData[]> {
	return async (request, abandoned) =>
		await startWithAttemptSignal(Object.getPrototypeOf(context), abandoned, async () =>
			await context.makeRoutingRequest({ ...request, options: { ...request.options, abortSignal: abandoned } }),
		);
}

/** Lookups, list searches and hooks send with the credential, which adds the key after checking the Base URL. */
export function authenticatedSender(context: PipelineContext): Sender<IHttpRequestOptions, IN8nHttpFullResponse> {
	return async (request, abandoned) =>
		await startWithAttemptSignal(context, abandoned, async () =>
			(await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, { ...request, abortSignal: abandoned })) as IN8nHttpFullResponse,
		);
}

/** How a way in sends: n8n's sender for it, the account's budget it counts against, and its retries. */
export type Route<Request, Answer> = {
	send: Sender<Request, Answer>;
	limiter: AccountLimiter;
	/** The endpoint (method and path template) the request counts against. */
	endpoint: string;
} & (
	| {
			/** An item's (paced by the run, stopped with the execution) or a trigger's hook's. */
			context: IExecuteSingleFunctions | IHookFunctions;
			/** Request Settings; a hook's are the defaults. */
			settings: RequestSettings;
	  }
	| {
			/**
			 * A list search: one request a person waits for in the editor, with no item to read
			 * settings from, sent once and never retried.
			 */
			context: ILoadOptionsFunctions;
			settings?: undefined;
			/** How long the search may wait in all, for its turn and for the answer; default DEFAULT_TIMEOUT_SECONDS. */
			timeoutSeconds?: number;
	  }
);

/** What the request is expected to answer, and how an answer that is not that becomes the error to show. */
export interface Expected<Answer, Checked> {
	/** An answer the retry loop should see as failed (and perhaps retry); none: only thrown errors fail. */
	failure?: (answer: Answer) => StripeErrorDetails | undefined;
	/** The answer in the shape asked for, or the finished error for one that is not. */
	checked: (answer: Answer, outcome: RetryOutcome) => Checked;
	/** The finished error for an attempt that threw (no answer, or an error n8n's routing raised). */
	thrown: (error: unknown, outcome: RetryOutcome) => unknown;
}

const NOT_RETRIED = { retriesMade: 0, retriesAllowed: 0, exhausted: false } satisfies RetryOutcome;

/**
 * Sends a request along its route and returns the checked answer, or throws the finished
 * error: a way in never looks at a status, a shape or a retry count itself.
 */
export async function sendThroughPipeline<Request, Answer, Checked>(
	route: Route<Request, Answer>,
	request: Request,
	expected: Expected<Answer, Checked>,
): Promise<Checked> {
	if (route.settings === undefined) return await sendOnce(route, request, expected);
	const { context, send, limiter, endpoint, settings } = route;
	// A failed answer is checked where the retry loop gives up on it, so that its error comes out
	// of the loop as a thrown one would: a stop of the execution still takes precedence.
	let givenUp: { checked: Checked } | undefined;
	const answer = await pacedWithRetries<Answer>(
		{ context, settings, connectionCode: findConnectionErrorCode, limiter, endpoint },
		async (abandoned) => await send(request, abandoned),
		expected.thrown,
		expected.failure && {
			failure: (value) => {
				const details = expected.failure?.(value);
				return details ? failureFromDetails(details) : undefined;
			},
			giveUp: (value, outcome) => {
				givenUp = { checked: expected.checked(value, outcome) };
				return value;
			},
		},
	);
	return givenUp ? givenUp.checked : expected.checked(answer, NOT_RETRIED);
}

const TURN_WAIT_OVER = new Error('The list search waited too long for its turn');

/**
 * A list search's single attempt: its turn under the account's budgets, then one request, within
 * one wall-clock bound (Timeout). A person waits for it in the editor while a large run may hold
 * the account at its limit; and n8n's `timeout` is a socket idle timeout, which a server that
 * trickles a byte now and then never reaches. When the bound is reached the attempt frees its
 * place under the budgets, as an item's attempt does.
 */
async function sendOnce<Request, Answer, Checked>(
	route: Route<Request, Answer>,
	request: Request,
	expected: Expected<Answer, Checked>,
): Promise<Checked> {
	const { context, send, limiter, endpoint } = route;
	const timeoutSeconds = (route.settings === undefined ? route.timeoutSeconds : undefined) ?? DEFAULT_TIMEOUT_SECONDS;
	const startedAt = performance.now();
	const turnWait = new AbortController();
	const timerDone = new AbortController();
	abortableSleep(timeoutSeconds * 1000, timerDone.signal).then(
		() => turnWait.abort(TURN_WAIT_OVER),
		() => undefined,
	);
	let ticket: Ticket;
	try {
		ticket = await limiter.take(endpoint, turnWait.signal);
	} catch {
		// The limiter gives up a turn only when its signal, this bound's, is aborted.
		throw new NodeOperationError(
			context.getNode(),
			`Stripe's rate limits kept this search waiting over ${timeoutSeconds} s for its turn: other executions are using this account's requests`,
			{ description: 'Try again in a moment, or enter the value By ID.' },
		);
	} finally {
		timerDone.abort(TIMER_CLEARED);
	}
	const remainingSeconds = Math.max(0.001, timeoutSeconds - (performance.now() - startedAt) / 1000);
	let answer: Answer;
	try {
		answer = await withinTimeout(async (abandoned) => await send(request, abandoned), remainingSeconds, undefined);
	} catch (error) {
		limiter.settle(ticket, { kind: 'other' });
		throw expected.thrown(error, NOT_RETRIED);
	}
	const failed = expected.failure?.(answer);
	limiter.settle(ticket, attemptOutcome(failed && failureFromDetails(failed)));
	return expected.checked(answer, NOT_RETRIED);
}

/** Stripe's answer as list searches and hooks read it: anything failedAnswer refuses is a failure. */
export function unusableAnswer(accept: readonly number[] = []): (answer: IN8nHttpFullResponse) => StripeErrorDetails | undefined {
	return (answer) => (accept.includes(answer.statusCode) ? undefined : failedAnswer(answer));
}
