/**
 * Stripe-shaped errors. Handlers throw StripeApiError; the server renders it as
 * `{ error: { code?, doc_url?, message, param?, request_log_url?, type } }` (Stripe's key order).
 */

export type StripeErrorType =
	| 'api_error'
	| 'card_error'
	| 'idempotency_error'
	| 'invalid_request_error'
	| (string & {});

export interface StripeErrorFields {
	type: StripeErrorType;
	code?: string;
	message: string;
	param?: string;
	/** Default: derived from `code` (https://stripe.com/docs/error-codes/<code-with-dashes>). Pass null to omit. */
	doc_url?: string | null;
	/** Normally filled in by the server from the Request-Id. */
	request_log_url?: string;
}

export interface StripeErrorBody {
	error: {
		code?: string;
		doc_url?: string;
		message: string;
		param?: string;
		request_log_url?: string;
		type: string;
	};
}

export class StripeApiError extends Error {
	readonly status: number;
	readonly body: StripeErrorBody;
	readonly headers: Record<string, string>;

	constructor(status: number, body: StripeErrorBody, headers: Record<string, string> = {}) {
		super(body.error.message);
		this.name = 'StripeApiError';
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

export function docUrlFor(code: string): string {
	return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

/** Builds the body of a Stripe error with Stripe's key order. */
export function stripeErrorBody(fields: StripeErrorFields): StripeErrorBody {
	const error: StripeErrorBody['error'] = {} as StripeErrorBody['error'];
	if (fields.code !== undefined) error.code = fields.code;
	const docUrl = fields.doc_url === undefined ? (fields.code ? docUrlFor(fields.code) : undefined) : fields.doc_url;
	if (docUrl) error.doc_url = docUrl;
	error.message = fields.message;
	if (fields.param !== undefined) error.param = fields.param;
	if (fields.request_log_url !== undefined) error.request_log_url = fields.request_log_url;
	error.type = fields.type;
	return { error };
}

/**
 * `stripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: "No such customer: 'cus_x'", param: 'customer' })`
 * The result has `status` and `body`, so it can also be spread into a fault:
 * `sandbox.queueFault({ kind: 'status', ...stripeError(402, {...}) })`.
 */
export function stripeError(
	status: number,
	fields: StripeErrorFields,
	headers?: Record<string, string>,
): StripeApiError {
	return new StripeApiError(status, stripeErrorBody(fields), headers);
}

const SUPPORT = 'If you have any questions, we can help at https://support.stripe.com/.';

/** Canned errors with Stripe's wording. */
export const errors = {
	noApiKey: () =>
		stripeError(
			401,
			{
				type: 'invalid_request_error',
				message:
					"You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
			},
			{ 'WWW-Authenticate': 'Bearer realm="Stripe"' },
		),
	invalidApiKey: (masked: string) =>
		stripeError(
			401,
			{ type: 'invalid_request_error', message: `Invalid API Key provided: ${masked}` },
			{ 'WWW-Authenticate': 'Bearer realm="Stripe"' },
		),
	permissionDenied: (maskedKey: string, accountId: string, permission: string) =>
		stripeError(403, {
			type: 'invalid_request_error',
			message: `The provided key '${maskedKey}' does not have the required permissions for this endpoint on account '${accountId}'. Having the '${permission}' permission would allow this request to continue.`,
		}),
	invalidApiVersion: (version: string) =>
		stripeError(400, {
			type: 'invalid_request_error',
			message: `Invalid Stripe API version: ${version}`,
		}),
	invalidContentType: () =>
		stripeError(400, {
			type: 'invalid_request_error',
			message: `Invalid request (check that your POST content type is application/x-www-form-urlencoded). ${SUPPORT}`,
		}),
	unrecognizedUrl: (method: string, path: string) =>
		stripeError(404, {
			type: 'invalid_request_error',
			message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
		}),
	unknownParameters: (params: string[]) =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'parameter_unknown',
			param: params[0],
			message:
				params.length === 1
					? `Received unknown parameter: ${params[0]}`
					: `Received unknown parameters: ${params.join(', ')}`,
		}),
	missingParam: (param: string, extra?: string) =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'parameter_missing',
			param,
			message: `Missing required param: ${param}.${extra ? ` ${extra}` : ''}`,
		}),
	emptyString: (param: string) =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'parameter_invalid_empty',
			param,
			message: `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
		}),
	invalidEnum: (param: string, values: readonly string[]) =>
		stripeError(400, {
			type: 'invalid_request_error',
			param,
			message: `Invalid ${param}: must be one of ${values.join(', ')}`,
		}),
	invalidInteger: (param: string, shown: string) =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'parameter_invalid_integer',
			param,
			message: `Invalid integer: ${shown}`,
		}),
	invalidBoolean: (param: string, shown: string) =>
		stripeError(400, { type: 'invalid_request_error', param, message: `Invalid boolean: ${shown}` }),
	invalidString: (param: string, shown: string) =>
		stripeError(400, { type: 'invalid_request_error', param, message: `Invalid string: ${shown}` }),
	stringTooLong: (param: string, value: string, max: number) =>
		stripeError(400, {
			type: 'invalid_request_error',
			param,
			message: `Invalid string: ${value.length > 20 ? `${value.slice(0, 20)}...` : value}; must be at most ${max} characters`,
		}),
	invalidHash: (param: string) =>
		stripeError(400, { type: 'invalid_request_error', param, message: 'Invalid hash' }),
	invalidArray: (param: string) =>
		stripeError(400, { type: 'invalid_request_error', param, message: 'Invalid array' }),
	tooSmall: (param: string, min: number) =>
		stripeError(400, {
			type: 'invalid_request_error',
			param,
			message: `This value must be greater than or equal to ${min}.`,
		}),
	tooLarge: (param: string, max: number) =>
		stripeError(400, {
			type: 'invalid_request_error',
			param,
			message: `This value must be less than or equal to ${max}.`,
		}),
	invalidUrl: (param: string) =>
		stripeError(400, { type: 'invalid_request_error', code: 'url_invalid', param, message: 'Not a valid URL' }),
	exclusive: (params: string[]) =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'parameters_exclusive',
			param: params[0],
			message: `You may only specify one of these parameters: ${params.join(', ')}.`,
		}),
	resourceMissing: (noun: string, id: string, param?: string) =>
		stripeError(404, {
			type: 'invalid_request_error',
			code: 'resource_missing',
			param,
			message: `No such ${noun}: '${id}'`,
		}),
	/**
	 * A parameter naming an object that was deleted: the code and message of one that never existed,
	 * with status 400 (the answer reported for a session created for a deleted customer; not
	 * checked against a live account here).
	 */
	deletedResource: (noun: string, id: string, param: string) =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'resource_missing',
			param,
			message: `No such ${noun}: '${id}'`,
		}),
	cannotExpand: (path: string, listHint: boolean) =>
		stripeError(400, {
			type: 'invalid_request_error',
			message: `This property cannot be expanded (${path}).${listHint ? ` You may want to try expanding 'data.${path}' instead.` : ''}`,
		}),
	invalidRequest: (message: string, param?: string, code?: string) =>
		stripeError(400, { type: 'invalid_request_error', message, param, code }),
	/**
	 * Type as Stripe's error docs define idempotency_error (a key reused with another endpoint or
	 * other parameters); status and message as in real responses quoted in public issues.
	 */
	idempotencyMismatch: (key: string) =>
		stripeError(400, {
			type: 'idempotency_error',
			message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
		}),
	/**
	 * Verbatim from a real answer quoted in public reports (stripe-go's log, 2018): 409, this type,
	 * code and doc_url.
	 */
	idempotencyKeyInUse: (key: string) =>
		stripeError(409, {
			type: 'invalid_request_error',
			code: 'idempotency_key_in_use',
			doc_url: 'https://stripe.com/docs/error-codes/idempotency-key-in-use',
			message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
		}),
	/** The 255-character limit is documented; this answer's status and wording are not known: unverified. */
	idempotencyKeyTooLong: (key: string) =>
		stripeError(400, {
			type: 'invalid_request_error',
			message: `Invalid Idempotency-Key: must be at most 255 characters long, but it has ${key.length}.`,
		}),
	/**
	 * Stripe-Account naming an account the key cannot act for, malformed or unknown alike. Message,
	 * code and doc_url as in real responses quoted in public reports; 403 because every SDK report
	 * of it is a PermissionError (the class SDKs use for 403).
	 */
	accountInvalid: (maskedKey: string, account: string) =>
		stripeError(403, {
			type: 'invalid_request_error',
			code: 'account_invalid',
			message: `The provided key '${maskedKey}' does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
		}),
	/**
	 * The test-mode body is verbatim from real 429s quoted in public reports (type, code, doc_url
	 * and message; no request_log_url). The live-mode message is the same text without the
	 * test-mode clause as seen in a stripe-python traceback whose mode was not stated: unverified.
	 */
	rateLimited: (livemode: boolean) =>
		stripeError(429, {
			type: 'invalid_request_error',
			code: 'rate_limit',
			message: `${livemode ? 'Request rate limit exceeded.' : 'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode.'} You can learn more about rate limits here https://stripe.com/docs/rate-limits.`,
		}),
	/**
	 * Another request holds the object's lock. A 429 like the limiters' but without their
	 * Stripe-Rate-Limited-Reason header (docs.stripe.com/rate-limits, object lock timeouts). Body
	 * as in real responses quoted in public issues (2021-2024): the message ends at "at a lower
	 * rate." there, while the error-codes page adds a sentence linking the rate-limit docs.
	 */
	lockTimeout: () =>
		stripeError(429, {
			type: 'invalid_request_error',
			code: 'lock_timeout',
			message:
				'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.',
		}),
};

/** Default error bodies for `{ kind: 'status' }` faults without a body. */
export function defaultFaultError(status: number): StripeErrorBody {
	switch (status) {
		case 400:
			return stripeErrorBody({ type: 'invalid_request_error', message: 'Invalid request.' });
		case 401:
			return errors.invalidApiKey('sk_test_****').body;
		case 402:
			return stripeErrorBody({
				type: 'card_error',
				code: 'card_declined',
				message: 'Your card was declined.',
			});
		case 403:
			return stripeErrorBody({
				type: 'invalid_request_error',
				message: 'The provided key does not have the required permissions for this endpoint.',
			});
		case 404:
			return stripeErrorBody({
				type: 'invalid_request_error',
				code: 'resource_missing',
				message: 'No such object.',
			});
		case 409:
			return errors.lockTimeout().body;
		case 429:
			return errors.rateLimited(false).body;
		default:
			return stripeErrorBody(
				status >= 500
					? {
							type: 'api_error',
							message: `An unknown error occurred. ${SUPPORT}`,
						}
					: { type: 'invalid_request_error', message: `Request failed with status ${status}.` },
			);
	}
}
