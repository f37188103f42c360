import type {
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INode,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { STRIPE_DEFAULT_BASE_URL } from './constants';

/** The `error` object of a Stripe error response. */
export interface StripeErrorBody {
	type?: string;
	code?: string;
	decline_code?: string;
	message?: string;
	param?: string;
	doc_url?: string;
	request_log_url?: string;
}

/** What the transport knows about a failed request, passed on to retry decisions. */
export interface StripeErrorDetails {
	httpStatus: number;
	requestId?: string;
	stripe?: StripeErrorBody;
	/** The start of a body that is not a Stripe error (an HTML page from a proxy, say). */
	unexpectedBody?: string;
	retryAfterSeconds?: number;
	shouldRetryHeader?: boolean;
	/** Which form the failing parameter came from, so the hint can name the node's field. */
	form?: ParamForm;
}

/** The node form a request was built from: a resource, and whether its body was JSON input. */
export interface ParamForm {
	resource: string;
	jsonInput?: boolean;
}

/**
 * Marks errors made from a Stripe response, so the transport can tell them from
 * connection failures that never reached Stripe.
 */
export const STRIPE_ERROR_DETAILS = Symbol('stripeErrorDetails');

export type StripeApiError = NodeApiError & { [STRIPE_ERROR_DETAILS]?: StripeErrorDetails };

function headerValue(headers: IDataObject | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const lower = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === lower) {
			return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
		}
	}
	return undefined;
}

/**
 * Stripe names the failing request parameter (`param`); users know the node's field names.
 * Ordered most specific first.
 */
const SESSION_FIELDS_BY_PARAM: Array<[RegExp, string]> = [
	[/^flow_data\[subscription_update_confirm\]\[items\]\[\d+\]\[id\]$/, 'Subscription Item'],
	[/^flow_data\[subscription_update_confirm\]\[items\]\[\d+\]\[price\]$/, 'Item Changes → New Price'],
	[/^flow_data\[subscription_update_confirm\]\[items\]\[\d+\]\[quantity\]$/, 'Item Changes → New Quantity'],
	[/^flow_data\[subscription_update_confirm\]\[discounts\]/, 'Discounts'],
	[/^flow_data\[subscription_cancel\]\[retention\]/, 'Retention Coupon'],
	[/^flow_data\[\w+\]\[subscription\]$/, 'Subscription'],
	[/^flow_data\[after_completion\]\[redirect\]/, 'Redirect URL'],
	[/^flow_data\[after_completion\]\[hosted_confirmation\]/, 'Confirmation Message'],
	[/^flow_data\[after_completion\]/, 'After Completion'],
	[/^flow_data/, 'Flow'],
	[/^customer$/, 'Customer'],
	[/^customer_account$/, 'Customer Account'],
	[/^return_url$/, 'Return URL'],
	[/^configuration$/, 'Additional Fields → Configuration'],
	[/^locale$/, 'Additional Fields → Locale'],
	[/^on_behalf_of$/, 'Additional Fields → On Behalf Of'],
	[/^after_expiration/, 'Additional Fields → Login After Expiry / Login Available Until'],
	[/^expand/, 'Additional Fields → Expand'],
];

const CONFIGURATION_FIELDS_BY_PARAM: Array<[RegExp, string]> = [
	[/^business_profile\[headline\]$/, 'Business Headline'],
	[/^business_profile\[privacy_policy_url\]$/, 'Privacy Policy URL'],
	[/^business_profile\[terms_of_service_url\]$/, 'Terms of Service URL'],
	[/^default_return_url$/, 'Default Return URL'],
	[/^login_page/, 'Login Page'],
	[/^metadata/, 'Metadata'],
	[/^name$/, 'Name'],
	[/^active$/, 'Active'],
	[/^expand/, 'Options → Expand'],
	[/^(id|configuration)$/, 'Configuration'],
];

/** The node's names for the parts of `features[…]`. */
const FEATURE_PARTS: Record<string, string> = {
	customer_update: 'Customer Update',
	invoice_history: 'Invoice History',
	payment_method_update: 'Payment Method Update',
	subscription_cancel: 'Subscription Cancel',
	subscription_pause: 'Subscription Pause',
	subscription_update: 'Subscription Update',
	allowed_updates: 'Allowed Updates',
	default_allowed_updates: 'Allowed Updates',
	enabled: 'Enabled',
	payment_method_configuration: 'Payment Method Configuration',
	mode: 'Mode',
	proration_behavior: 'Proration Behavior',
	cancellation_reason: 'Ask for a Reason',
	options: 'Reasons Offered',
	feedback_options: 'Feedback Option IDs',
	duration: 'Duration',
	interval_options: 'Pause Lengths',
	interval: 'Interval',
	interval_count: 'Count',
	products: 'Products',
	product: 'Product ID',
	prices: 'Prices',
	adjustable_quantity: 'Adjustable Quantity',
	minimum: 'Minimum Quantity',
	maximum: 'Maximum Quantity',
	billing_cycle_anchor: 'Billing Cycle Anchor',
	schedule_at_period_end: 'Schedule at Period End When',
	conditions: 'Schedule at Period End When',
	trial_update_behavior: 'Trial Update Behavior',
};

/** `features[subscription_update][products][1][prices]` → "Features → Subscription Update → Products (entry 2) → Prices". */
function featureField(param: string): string | undefined {
	const parts = param.match(/[^[\]]+/g) ?? [];
	if (parts[0] !== 'features') return undefined;
	const names: string[] = ['Features'];
	for (const part of parts.slice(1)) {
		if (/^\d+$/.test(part)) {
			names[names.length - 1] += ` (entry ${Number(part) + 1})`;
		} else if (part === 'type' && names[names.length - 1] === 'Duration') {
			continue;
		} else {
			const name = FEATURE_PARTS[part] ?? part;
			if (name !== names[names.length - 1]) names.push(name);
		}
	}
	return names.join(' → ');
}

export function fieldForParam(param: string | undefined, form?: ParamForm): string | undefined {
	if (!param) return undefined;
	if (form?.resource === 'portalConfiguration') {
		if (form.jsonInput) return `'${param}' in Configuration (JSON)`;
		return featureField(param) ?? CONFIGURATION_FIELDS_BY_PARAM.find(([pattern]) => pattern.test(param))?.[1];
	}
	return SESSION_FIELDS_BY_PARAM.find(([pattern]) => pattern.test(param))?.[1];
}

/**
 * A hint for the errors users meet most, phrased as what to change in n8n or in Stripe.
 * Stripe's own message stays the error message; the hint goes into the description.
 */
export function hintFor(httpStatus: number, stripe: StripeErrorBody | undefined, form?: ParamForm): string | undefined {
	const message = stripe?.message ?? '';
	if (/No configuration provided and your (test|live) mode default configuration has not been created/.test(message)) {
		const mode = message.includes('live mode') ? '' : 'test/';
		return `Save your customer portal settings once in the Stripe dashboard (https://dashboard.stripe.com/${mode}settings/billing/portal) to create a default configuration, or choose a Configuration under Additional Fields.`;
	}
	if (httpStatus === 401) {
		return "Check the Secret Key in the 'Stripe Billing Portal API' credential: it must be a current secret key (sk_test_… or sk_live_…) or restricted key (rk_…) of this Stripe account.";
	}
	if (httpStatus === 403) {
		return "The key is a restricted key without the permission this request needs. In the Stripe dashboard under Developers → API keys, edit the key and grant 'Customer portal: Write' (and 'Customers: Read' to find customers By Email or from lists, 'Subscriptions: Read' to pick subscriptions from lists).";
	}
	const field = fieldForParam(stripe?.param, form);
	if (stripe?.code === 'resource_missing') {
		const where = field ? ` in ${field}` : stripe.param ? ` in '${stripe.param}'` : '';
		return `Check the ID${where}: it must exist in the same Stripe account and mode (test or live) as the credential's key. Test-mode IDs are not visible to live keys, and the other way round.`;
	}
	if (httpStatus === 400 && stripe?.type === 'idempotency_error') {
		return 'Request Settings → Idempotency Key: Stripe has seen this key in the last 24 hours with different parameters. Each distinct request needs its own key: build it from something unique to the request (e.g. the ticket ID and the flow), or leave the setting empty for a fresh key per item.';
	}
	if (httpStatus === 429) {
		return 'Stripe is rate-limiting this account (25 requests per second in test mode, 100 in live mode, shared by everything that uses it). Lower Request Settings → Max Requests per Second, or raise Request Settings → Retries.';
	}
	if (httpStatus >= 500) {
		return 'This is a problem on Stripe’s side. Retry later; if it persists, give Stripe support the request ID.';
	}
	if (field) return form?.jsonInput ? `Check ${field}.` : `Check the node's ${field} field.`;
	return undefined;
}

function describe(details: StripeErrorDetails): string {
	const { stripe, requestId } = details;
	const facts = [
		`HTTP ${details.httpStatus}`,
		stripe?.type ? `type: ${stripe.type}` : undefined,
		stripe?.code ? `code: ${stripe.code}` : undefined,
		stripe?.decline_code ? `decline code: ${stripe.decline_code}` : undefined,
		stripe?.param ? `param: ${stripe.param}` : undefined,
		requestId ? `request ID: ${requestId}` : undefined,
	].filter(Boolean);
	const lines = [facts.join(' · ')];
	const hint = hintFor(details.httpStatus, stripe, details.form);
	if (hint) lines.push(hint);
	if (details.unexpectedBody !== undefined) lines.push(`The response began with: ${details.unexpectedBody}`);
	if (stripe?.doc_url) lines.push(`Stripe docs: ${stripe.doc_url}`);
	if (stripe?.request_log_url) lines.push(`Request log: ${stripe.request_log_url}`);
	return lines.join('\n');
}

/** Builds the n8n error for a Stripe error response; the message is Stripe's own. */
export function stripeApiError(node: INode, details: StripeErrorDetails, itemIndex?: number): StripeApiError {
	const message =
		details.stripe?.message ??
		`Stripe answered HTTP ${details.httpStatus} with ${details.unexpectedBody === undefined ? 'no error message' : 'a body that is not a Stripe error'}`;
	// Only plain data goes into the error: n8n serializes it into error items and logs.
	const errorData: JsonObject = {
		httpStatus: details.httpStatus,
		...(details.requestId ? { requestId: details.requestId } : {}),
		...(details.stripe ? { stripeError: details.stripe as JsonObject } : {}),
	};
	const error: StripeApiError = new NodeApiError(node, errorData, {
		message,
		description: describe(details),
		httpCode: String(details.httpStatus),
		itemIndex,
	});
	error[STRIPE_ERROR_DETAILS] = details;
	return error;
}

export function errorDetailsFromResponse(response: IN8nHttpFullResponse): StripeErrorDetails {
	const headers = response.headers as IDataObject | undefined;
	const body = response.body as unknown;
	let stripe: StripeErrorBody | undefined;
	if (body && typeof body === 'object' && !Array.isArray(body) && 'error' in body) {
		const candidate = (body as { error: unknown }).error;
		if (candidate && typeof candidate === 'object') stripe = candidate as StripeErrorBody;
	}
	let unexpectedBody: string | undefined;
	if (!stripe && body !== undefined && body !== null && body !== '') {
		const text = (typeof body === 'string' ? body : JSON.stringify(body)).replace(/\s+/g, ' ').trim();
		unexpectedBody = text.length > 200 ? `${text.slice(0, 200)}…` : text;
	}
	const retryAfter = Number(headerValue(headers, 'retry-after'));
	const shouldRetry = headerValue(headers, 'stripe-should-retry');
	return {
		httpStatus: response.statusCode,
		requestId: headerValue(headers, 'request-id'),
		stripe,
		unexpectedBody,
		retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
		shouldRetryHeader: shouldRetry === undefined ? undefined : shouldRetry === 'true',
	};
}

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * postReceive for every operation. Requests are sent with `ignoreHttpStatusErrors`, so that
 * n8n does not replace Stripe's message with its generic "Bad request - please check your
 * parameters"; this hook turns any non-2xx answer into an error carrying Stripe's message.
 */
export async function throwOnStripeError(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const itemIndex = this.getItemIndex();
	if (response.statusCode >= 400) {
		const form: ParamForm = {
			resource: String(this.getNodeParameter('resource', 'portalSession')),
			jsonInput: this.getNodeParameter('inputMode', 'fields') === 'json',
		};
		throw stripeApiError(this.getNode(), { ...errorDetailsFromResponse(response), form }, itemIndex);
	}
	if (!isPlainObject(response.body)) {
		// A proxy, a captive portal or a wrong Base URL answers with HTML or text.
		const details = errorDetailsFromResponse(response);
		throw stripeApiError(
			this.getNode(),
			{
				...details,
				stripe: {
					message: `Expected a JSON object from Stripe but got ${typeof response.body === 'string' ? 'text' : typeof response.body}. Check the Base URL in the credential (normally ${STRIPE_DEFAULT_BASE_URL}).`,
				},
			},
			itemIndex,
		);
	}
	return items;
}
