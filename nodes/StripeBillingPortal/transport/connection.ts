import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { STRIPE_DEFAULT_BASE_URL } from '../shared/constants';

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
};

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
export function connectionError(node: INode, baseUrl: string, cause: unknown, itemIndex?: number): NodeApiError {
	const code = findConnectionErrorCode(cause);
	const what = code ? (CONNECTION_ERROR_MESSAGES[code] ?? `The request failed (${code})`) : 'The request failed';
	const cleanError: JsonObject = { code: code ?? null, baseUrl };
	return new NodeApiError(node, cleanError, {
		message: `Could not reach Stripe at ${baseUrl || 'the Base URL'}: ${what}`,
		description: `Check the Base URL in the 'Stripe Billing Portal API' credential (normally ${STRIPE_DEFAULT_BASE_URL}) and that this n8n instance can reach it. For a local sandbox or stripe-mock, make sure it is running.`,
		httpCode: 'none',
		itemIndex,
	});
}
