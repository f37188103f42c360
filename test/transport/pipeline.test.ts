/**
 * The one send pipeline, driven by a stub sender: how often it sends on each kind of route,
 * what the answer check and the error forms receive, and which answers count as failed. The
 * ways in (items, lookups, list searches, hooks) are proven end to end by the engine tests.
 */
import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { AccountLimiter, type AttemptOutcome } from '../../nodes/StripeBillingPortal/transport/accountLimiter';
import type { RetryOutcome } from '../../nodes/StripeBillingPortal/transport/errors';
import {
	authenticatedSender,
	routingSender,
	sendThroughPipeline,
	unusableAnswer,
	type Expected,
	type PipelineContext,
} from '../../nodes/StripeBillingPortal/transport/pipeline';
import type { RequestSettings } from '../../nodes/StripeBillingPortal/transport/settings';
import { stubContext } from '../support/stub-context';

const answer = (statusCode: number, body: unknown = {}): IN8nHttpFullResponse => ({ statusCode, body: body as IN8nHttpFullResponse['body'], headers: {} });

/** A sender that hands out the given answers in turn (the last one again when they run out). */
function sender(answers: Array<IN8nHttpFullResponse | Error>) {
	const sent: string[] = [];
	const send = async (request: string) => {
		sent.push(request);
		const next = answers[Math.min(sent.length - 1, answers.length - 1)];
		if (next instanceof Error) throw next;
		return next;
	};
	return { send, sent };
}

/** Records what the check and the error form were handed. */
function expecting() {
	const seen: { checked?: { status: number; outcome: RetryOutcome }; thrown?: { error: unknown; outcome: RetryOutcome } } = {};
	const expected: Expected<IN8nHttpFullResponse, unknown> = {
		failure: unusableAnswer(),
		checked: (response, outcome) => {
			seen.checked = { status: response.statusCode, outcome };
			if (response.statusCode >= 400) throw new Error(`refused with ${response.statusCode}`);
			return response.body;
		},
		thrown: (error, outcome) => {
			seen.thrown = { error, outcome };
			return new Error('no answer');
		},
	};
	return { expected, seen };
}

/** A limiter whose settlements are recorded; it never makes anyone wait. */
function recordingLimiter() {
	const limiter = new AccountLimiter(false);
	const settled: AttemptOutcome[] = [];
	const settle = limiter.settle.bind(limiter);
	limiter.settle = (ticket, outcome) => {
		settled.push(outcome);
		settle(ticket, outcome);
	};
	return { limiter, settled };
}

/**
 * Sends 'request' along a route with the given answers: an item's route with these Request
 * Settings, or a list search's (no settings) without them.
 */
async function sendAlong(answers: Array<IN8nHttpFullResponse | Error>, settings?: RequestSettings) {
	const { send, sent } = sender(answers);
	const { expected, seen } = expecting();
	const { limiter, settled } = recordingLimiter();
	const endpoint = 'GET /v1/customers';
	// The editor's context: nothing of it is read on the way out.
	const route = settings ? { context: stubContext(), send, limiter, endpoint, settings } : { context: {} as ILoadOptionsFunctions, send, limiter, endpoint };
	const result = await sendThroughPipeline(route, 'request', expected).then(
		(value) => ({ value }),
		(error: unknown) => ({ error: (error as Error).message }),
	);
	return { ...result, sent, seen, settled };
}

describe('sendThroughPipeline', () => {
	it('returns a usable answer as the check hands it back', async () => {
		const result = await sendAlong([answer(200, { object: 'customer' })], { retries: 2, timeoutSeconds: 30, maxWaitSeconds: 60 });
		expect(result).toMatchObject({ value: { object: 'customer' }, sent: ['request'], settled: [{ kind: 'answered' }] });
		expect(result.seen.checked).toEqual({ status: 200, outcome: { retriesMade: 0, retriesAllowed: 0, exhausted: false } });
	});

	it('retries a failed answer within Request Settings, then hands the check the outcome it ended with', async () => {
		const result = await sendAlong([answer(500, { error: { message: 'down' } })], { retries: 1, timeoutSeconds: 30, maxWaitSeconds: 60 });
		expect(result).toMatchObject({ error: 'refused with 500', sent: ['request', 'request'], settled: [{ kind: 'other' }, { kind: 'other' }] });
		expect(result.seen.checked).toEqual({ status: 500, outcome: { retriesMade: 1, retriesAllowed: 1, exhausted: true, rateLimited: undefined } });
	});

	it('sends a route without Request Settings (a list search) once, even when the answer could be retried', async () => {
		const result = await sendAlong([answer(503, { error: { message: 'down' } })]);
		expect(result).toMatchObject({ error: 'refused with 503', sent: ['request'], settled: [{ kind: 'other' }] });
		expect(result.seen.checked?.outcome).toEqual({ retriesMade: 0, retriesAllowed: 0, exhausted: false });
	});

	it('gives an attempt that threw its finished form, and does not check an answer it never got', async () => {
		const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const result = await sendAlong([refused], { retries: 2, timeoutSeconds: 30, maxWaitSeconds: 60 });
		expect(result).toMatchObject({ error: 'no answer', sent: ['request'], settled: [{ kind: 'other' }] });
		expect(result.seen.thrown?.error).toBe(refused);
		expect(result.seen.checked).toBeUndefined();
	});
});

describe('unusableAnswer', () => {
	it('fails what failedAnswer refuses, except the statuses a caller accepts', () => {
		expect(unusableAnswer()(answer(200, { object: 'list', data: [] }))).toBeUndefined();
		expect(unusableAnswer()(answer(404, { error: { message: 'gone' } }))?.httpStatus).toBe(404);
		expect(unusableAnswer([404])(answer(404, { error: { message: 'gone' } }))).toBeUndefined();
		expect(unusableAnswer()(answer(200, '<html>'))).toMatchObject({ httpStatus: 200 });
	});
});

/**
 * n8n's helper replaces a request's abort signal with `this.getExecutionCancelSignal()` where the
 * context has that method, reading it before its first await (n8n-core 2.x); the routing sends
 * with the item context the request hook's context is built on.
 */
function itemContextOf(execution: AbortSignal) {
	const seen: Array<AbortSignal | undefined> = [];
	const pending: Array<() => void> = [];
	const itemContext = {
		getExecutionCancelSignal: () => execution,
		helpers: {
			async httpRequestWithAuthentication(this: { getExecutionCancelSignal?: () => AbortSignal }, _type: string, request: IHttpRequestOptions) {
				seen.push(this.getExecutionCancelSignal ? this.getExecutionCancelSignal() : (request.abortSignal as AbortSignal | undefined));
				await new Promise<void>((resolve) => pending.push(resolve));
				return answer(200);
			},
		},
	};
	return { itemContext, seen, pending };
}

function paginationContextOn(itemContext: ReturnType<typeof itemContextOf>['itemContext']): IExecutePaginationFunctions {
	return Object.create(itemContext, {
		makeRoutingRequest: {
			value: async (request: DeclarativeRestApiSettings.ResultOptions): Promise<INodeExecutionData[]> => {
				await itemContext.helpers.httpRequestWithAuthentication.call(itemContext, 'stripeBillingPortalApi', request.options as IHttpRequestOptions);
				return [];
			},
		},
	}) as IExecutePaginationFunctions;
}

const ROUTED = { options: { method: 'POST', url: '/v1/billing_portal/sessions' } } as DeclarativeRestApiSettings.ResultOptions;

describe('the attempt’s abort signal reaches n8n’s request', () => {
	it('an item’s routed request gets its attempt’s signal, not the execution’s; the item context is left as it was', async () => {
		const execution = new AbortController().signal;
		const { itemContext, seen, pending } = itemContextOf(execution);
		const attempt = new AbortController();
		const sent = routingSender(paginationContextOn(itemContext))(ROUTED, attempt.signal);
		expect(seen).toEqual([attempt.signal]);
		expect(Object.getOwnPropertyDescriptor(itemContext, 'getExecutionCancelSignal')?.value()).toBe(execution);
		pending[0]();
		await sent;
	});

	it('two items in flight at once each keep their own attempt’s signal, even where n8n read both from one shared object', async () => {
		const execution = new AbortController().signal;
		const { itemContext: shared, seen, pending } = itemContextOf(execution);
		const first = new AbortController();
		const second = new AbortController();
		// The override lasts only while the request starts, so the second item's cannot replace the
		// first's while the first is still in flight.
		const firstSent = routingSender(paginationContextOn(shared))(ROUTED, first.signal);
		const secondSent = routingSender(paginationContextOn(shared))(ROUTED, second.signal);
		// A request n8n sends later on, for anything else, gets the execution's signal again.
		const otherSent = shared.helpers.httpRequestWithAuthentication.call(shared, 'stripeBillingPortalApi', {} as IHttpRequestOptions);
		expect(seen).toEqual([first.signal, second.signal, execution]);
		for (const resolve of pending) resolve();
		await Promise.all([firstSent, secondSent, otherSent]);
	});

	it('a context without the method (a hook’s, a list search’s) gets the attempt’s signal on the request itself', async () => {
		const seen: unknown[] = [];
		const hookContext = {
			helpers: {
				httpRequestWithAuthentication: async (_type: string, request: IHttpRequestOptions) => {
					seen.push(request.abortSignal);
					return answer(200);
				},
			},
		} as unknown as PipelineContext;
		const attempt = new AbortController();
		const request = { method: 'GET', url: '/v1/customers' } as IHttpRequestOptions;
		await authenticatedSender(hookContext)(request, attempt.signal);
		expect(seen).toEqual([attempt.signal]);
		// The caller's request is not changed: each attempt hands its own signal.
		expect(request.abortSignal).toBeUndefined();
	});

	it('where n8n reads the signal after an await, the request gets the execution’s, as before', async () => {
		const execution = new AbortController().signal;
		const seen: unknown[] = [];
		const lateReader = {
			getExecutionCancelSignal: () => execution,
			helpers: {
				async httpRequestWithAuthentication(this: { getExecutionCancelSignal: () => AbortSignal }) {
					await Promise.resolve();
					seen.push(this.getExecutionCancelSignal());
					return answer(200);
				},
			},
		} as unknown as PipelineContext;
		await authenticatedSender(lateReader)({} as IHttpRequestOptions, new AbortController().signal);
		expect(seen).toEqual([execution]);
	});
});
