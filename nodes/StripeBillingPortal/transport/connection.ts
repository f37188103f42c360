import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { STRIPE_DEFAULT_BASE_URL } from '../shared/constants';
import { shortened } from '../shared/quote';
import { withFix } from '../shared/validation';

const CONNECTION_ERROR_MESSAGES: Record<string, string> = {
	ECONNREFUSED: 'The connection was refused',
	ECONNRESET: 'The connection was closed before Stripe answered',
	ENOTFOUND: 'The host name could not be resolved',
	EAI_AGAIN: 'The host name could not be resolved (DNS lookup failed)',
	ETIMEDOUT: 'The connection timed out',
	ECONNABORTED: 'The request timed out',
	EHOSTUNREACH: 'The host is unreachable',
	EPIPE: 'The connection was closed while the request was sent',
	ERR_INVALID_URL: 'The Base URL is not a valid URL',
	ERR_BAD_RESPONSE: 'The connection closed while Stripe was answering',
};

/**
 * Codes of requests that reached Stripe, or may have, whose answer was lost: retried with the
 * same idempotency key, and described as such rather than as a wrong Base URL.
 */
const ANSWER_LOST = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ERR_BAD_RESPONSE']);

/** Finds the Node.js system error code (ECONNREFUSED, …) wherever n8n nested it. */
export function findConnectionErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	return Object.keys(CONNECTION_ERROR_MESSAGES).find((code) => message.includes(code));
}

/**
 * The error for a request that never got an answer. n8n's own says only "The service refused
 * the connection"; this one names where the request went and what to check, and carries plain
 * data only, so nothing of the request (its Authorization header included) can reach error
 * items or logs.
 */
export function connectionError(
	node: INode,
	baseUrl: string,
	cause: unknown,
	itemIndex?: number,
	timeoutSeconds?: number,
): NodeApiError {
	const code = findConnectionErrorCode(cause);
	const cleanError: JsonObject = { code: code ?? null, baseUrl };
	const where = baseUrl ? shortened(baseUrl) : 'the Base URL';
	if (code !== undefined && ANSWER_LOST.has(code)) {
		const timedOut = code !== 'ERR_BAD_RESPONSE';
		return connectionFix(new NodeApiError(node, cleanError, {
			message: timedOut
				? `No answer from Stripe at ${where}: the request timed out${timeoutSeconds ? ` after ${timeoutSeconds} s` : ''}`
				: `No complete answer from Stripe at ${where}: ${CONNECTION_ERROR_MESSAGES[code]}`,
			description: `The request may have reached Stripe. Every retry of it sent the same idempotency key, so Stripe carried out a create or update at most once; re-running the workflow would send a new key. If Stripe is slow at the moment (https://status.stripe.com), raise Request Settings → ${timedOut ? 'Timeout or ' : ''}Retries.`,
			httpCode: 'none',
			itemIndex,
		}));
	}
	const what = code ? (CONNECTION_ERROR_MESSAGES[code] ?? `The request failed (${code})`) : 'The request failed';
	return connectionFix(new NodeApiError(node, cleanError, {
		message: `Could not reach Stripe at ${where}: ${what}`,
		description: `Check the Base URL in the 'Stripe Billing Portal API' credential (normally ${STRIPE_DEFAULT_BASE_URL}) and that this n8n instance can reach it. For a local sandbox or stripe-mock, make sure it is running.`,
		httpCode: 'none',
		itemIndex,
	}));
}

/** A connection error's description is what to do about it, for an agent too. */
function connectionFix(error: NodeApiError): NodeApiError {
	return withFix(error, { user: error.description ?? '' });
}
