import type { IExecuteSingleFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	COUPON_ID_PATTERN,
	CUSTOMER_DASHBOARD_URL_PATTERN,
	STRIPE_ID_EXAMPLES,
	isStripeId,
	type StripeIdKind,
} from './ids';

/** An error about one field of one item, raised before anything is sent to Stripe. */
export function fieldError(
	context: IExecuteSingleFunctions,
	field: string,
	problem: string,
	fix: string,
): NodeOperationError {
	return new NodeOperationError(context.getNode(), `${field}: ${problem}`, {
		itemIndex: context.getItemIndex(),
		description: fix,
	});
}

function show(value: unknown): string {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return text.length > 80 ? `'${text.slice(0, 77)}…'` : `'${text}'`;
}

/**
 * Reads a text parameter of the current item. Expressions can yield numbers or null, and
 * copied values often carry spaces or line breaks, so the value is normalized to a trimmed
 * string; `undefined` means the user left it empty and nothing must be sent.
 */
export function optionalText(context: IExecuteSingleFunctions, name: string): string | undefined {
	const raw = context.getNodeParameter(name, '') as unknown;
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw === 'object') return JSON.stringify(raw);
	const text = String(raw).trim();
	return text === '' ? undefined : text;
}

export function requiredText(context: IExecuteSingleFunctions, name: string, field: string, fix: string): string {
	const text = optionalText(context, name);
	if (text === undefined) throw fieldError(context, field, 'is empty', fix);
	return text;
}

export function checkStripeId(
	context: IExecuteSingleFunctions,
	kind: StripeIdKind,
	value: string,
	field: string,
): string {
	if (!isStripeId(kind, value)) {
		throw fieldError(
			context,
			field,
			`${show(value)} is not a valid ID`,
			`Enter an ID that looks like ${STRIPE_ID_EXAMPLES[kind]} (copy it from the Stripe dashboard, or map it from an earlier node with an expression).`,
		);
	}
	return value;
}

export function optionalStripeId(
	context: IExecuteSingleFunctions,
	name: string,
	kind: StripeIdKind,
	field: string,
): string | undefined {
	const value = optionalText(context, name);
	return value === undefined ? undefined : checkStripeId(context, kind, value, field);
}

export function checkCouponId(context: IExecuteSingleFunctions, value: string, field: string): string {
	if (!COUPON_ID_PATTERN.test(value)) {
		throw fieldError(
			context,
			field,
			`${show(value)} is not a valid coupon ID`,
			'Coupon IDs contain only letters, digits, hyphens and underscores, e.g. SUMMER25 or Z4OV52SU. Use the coupon ID, not a customer-facing promotion code.',
		);
	}
	return value;
}

export function checkHttpUrl(context: IExecuteSingleFunctions, value: string, field: string): string {
	let parsed: URL | undefined;
	try {
		parsed = new URL(value);
	} catch {
		parsed = undefined;
	}
	if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !parsed.hostname) {
		throw fieldError(
			context,
			field,
			`${show(value)} is not a valid URL`,
			'Enter a full URL starting with https://, e.g. https://example.com/account.',
		);
	}
	return value;
}

/** A date/time parameter as Unix seconds; accepts ISO text, n8n DateTime values and Unix seconds. */
export function optionalUnixSeconds(
	context: IExecuteSingleFunctions,
	name: string,
	field: string,
): number | undefined {
	const raw = context.getNodeParameter(name, '') as unknown;
	if (raw === undefined || raw === null || raw === '') return undefined;
	if (typeof raw === 'number') {
		// Millisecond timestamps are a common mix-up; Stripe wants seconds.
		return Math.floor(raw > 1e12 ? raw / 1000 : raw);
	}
	const milliseconds = Date.parse(String(raw));
	if (Number.isNaN(milliseconds)) {
		throw fieldError(
			context,
			field,
			`${show(raw)} is not a date and time`,
			'Pick a date, or use an expression such as {{ $now.plus(7, "days") }}.',
		);
	}
	return Math.floor(milliseconds / 1000);
}

/**
 * The customer ID from the Customer resource locator, whichever mode the user chose.
 * The locator is read raw (not through n8n's extractValue), so that each mode gets an
 * error that says what that mode expects.
 */
export function customerIdFromLocator(context: IExecuteSingleFunctions, name: string, field: string): string {
	const locator = context.getNodeParameter(name, {}) as INodeParameterResourceLocator | string;
	const mode = typeof locator === 'object' && locator !== null ? locator.mode : 'id';
	const rawValue = typeof locator === 'object' && locator !== null ? locator.value : locator;
	const value = rawValue === undefined || rawValue === null ? '' : String(rawValue).trim();
	if (value === '') {
		throw fieldError(
			context,
			field,
			'is empty',
			'Pick a customer From List, enter its ID (cus_…), paste its Stripe dashboard link, or map an ID from an earlier node with an expression.',
		);
	}
	if (mode === 'url') {
		const match = CUSTOMER_DASHBOARD_URL_PATTERN.exec(value);
		if (!match) {
			throw fieldError(
				context,
				field,
				`${show(value)} is not a Stripe dashboard customer link`,
				'Paste a link like https://dashboard.stripe.com/test/customers/cus_QXg4jK0yT7oZ3r, or switch the mode to By ID.',
			);
		}
		return match[1];
	}
	return checkStripeId(context, 'customer', value, field);
}

/** The ID from a resource locator whose modes all hold the ID itself (From List, By ID). */
export function optionalIdFromLocator(
	context: IExecuteSingleFunctions,
	name: string,
	kind: StripeIdKind,
	field: string,
): string | undefined {
	const locator = context.getNodeParameter(name, '') as INodeParameterResourceLocator | string | undefined;
	const rawValue = typeof locator === 'object' && locator !== null ? locator.value : locator;
	const value = rawValue === undefined || rawValue === null ? '' : String(rawValue).trim();
	return value === '' ? undefined : checkStripeId(context, kind, value, field);
}
