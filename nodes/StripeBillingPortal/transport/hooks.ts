import type { IDataObject, IHookFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeOperationError, randomString } from 'n8n-workflow';

import { baseUrlOf, findCredentialFieldError } from '../shared/baseUrl';
import { CREDENTIAL_TYPE } from '../shared/constants';
import { credentialAccount } from '../shared/rateLimits';
import { DEFAULT_MAX_WAIT_SECONDS, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS } from './constants';
import { connectionError } from './connection';
import type { ErrorVocabulary } from './answers';
import { noteRetries, stripeApiError } from './errors';
import { accountFingerprint, endpointKey, limiterFor } from './limiter';
import { authenticatedSender, sendThroughPipeline, unusableAnswer } from './pipeline';
import { sendingOptions } from './settings';

export interface HookRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** A path template's filled-in form; any ID in it must have been checked by the caller. */
	path: string;
	/** The path as the account limiter counts it (e.g. with `{id}`), when it has an ID in it. */
	endpoint?: string;
	qs?: IDataObject;
	/** Form fields already in Stripe's bracket notation (`enabled_events[]`, `metadata[key]`). */
	form?: Array<[string, string]>;
	/** Statuses handed back instead of thrown, e.g. 404 for an endpoint already gone. */
	accept?: number[];
	vocabulary?: ErrorVocabulary;
}

/**
 * A request from a trigger's webhook hooks (checkExists, create, delete): the credential's key
 * and Stripe-Version, the account's shared budgets, the same retries and the same Stripe error
 * messages as item requests. Hooks run outside any execution, so there is no item, no Request
 * Settings and no cancel signal. A POST gets one idempotency key for all its attempts, so a
 * resend after a dropped connection cannot create a second endpoint (n8n's own retries of a
 * registration are separate calls: the trigger's reconciling makes those safe).
 */
export async function sendHookRequest(context: IHookFunctions, request: HookRequest): Promise<IN8nHttpFullResponse> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = baseUrlOf(credentials.baseUrl);
	// The node's own reading, so that a key pasted with quotes or "Bearer " shares its budgets.
	const { secretKey, live, limits } = credentialAccount(credentials, (message) => new NodeOperationError(context.getNode(), message));
	const limiter = limiterFor(accountFingerprint(baseUrl, secretKey), live, limits);
	const headers: IDataObject = { Accept: 'application/json' };
	let body: string | undefined;
	if (request.method === 'POST') {
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
		headers['Idempotency-Key'] = `n8n-hook-${randomString(32)}`;
		body = new URLSearchParams(request.form ?? []).toString();
	}
	const settings = { retries: DEFAULT_RETRIES, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, maxWaitSeconds: DEFAULT_MAX_WAIT_SECONDS };
	const route = {
		context,
		send: authenticatedSender(context),
		limiter,
		endpoint: endpointKey(request.method, request.endpoint ?? request.path),
		settings,
	};
	const failure = unusableAnswer(request.accept);
	return await sendThroughPipeline(
		route,
		{
			method: request.method,
			url: `${baseUrl}${request.path}`,
			qs: request.qs,
			headers,
			body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			...sendingOptions(settings.timeoutSeconds),
		},
		{
			failure,
			checked: (response, outcome) => {
				const failed = failure(response);
				if (failed) throw noteRetries(stripeApiError(context.getNode(), { ...failed, vocabulary: request.vocabulary }), outcome);
				return response;
			},
			thrown: (error, outcome) => {
				const refused = findCredentialFieldError(error);
				if (refused) return new NodeOperationError(context.getNode(), refused.message);
				return noteRetries(connectionError(context.getNode(), baseUrl, error, undefined, settings.timeoutSeconds), outcome);
			},
		},
	);
}
