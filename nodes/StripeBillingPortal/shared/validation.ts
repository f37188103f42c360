import type { IExecuteSingleFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { dashboardUrl } from './dashboard';
import { EMAIL_EXAMPLE, EMAIL_MAX_LENGTH, EMAIL_PATTERN } from './email';
import { describeValue, quoteValue } from './quote';
import { isPlainObject, readBoolean, readNumber } from './values';
import {
	COUPON_ID_PATTERN,
	DASHBOARD_PATHS,
	STRIPE_ID_EXAMPLES,
	STRIPE_ID_MAX_LENGTH,
	STRIPE_TEXT_MAX_LENGTH,
	idFromDashboardUrl,
	isStripeId,
	type DashboardLinkedKind,
	type StripeIdKind,
} from './ids';

/**
 * What to do about an error, kept on the error itself. n8n shows a user the message and the
 * description, where the fix is; an AI agent gets only the message, so when the node runs as a
 * tool the transport appends the fix to it (`agent` where a model needs other words than a
 * person in the editor, e.g. "ask the customer" instead of "pick From List").
 */
export const ERROR_FIX = Symbol('errorFix');

export interface ErrorFix {
	user: string;
	agent?: string;
}

export function withFix<E extends object>(error: E, fix: ErrorFix): E {
	(error as E & { [ERROR_FIX]?: ErrorFix })[ERROR_FIX] = fix;
	return error;
}

export function fixOf(error: unknown): ErrorFix | undefined {
	return typeof error === 'object' && error !== null ? (error as { [ERROR_FIX]?: ErrorFix })[ERROR_FIX] : undefined;
}

/** An error about one field of one item, raised before anything is sent to Stripe. */
export function fieldError(
	context: IExecuteSingleFunctions,
	field: string,
	problem: string,
	fix: string,
	agentFix?: string,
): NodeOperationError {
	const error = new NodeOperationError(context.getNode(), `${field}: ${problem}`, {
		itemIndex: context.getItemIndex(),
		description: fix,
	});
	return withFix(error, { user: fix, ...(agentFix ? { agent: agentFix } : {}) });
}

// Kept importable from here, where the field checks that quote values live.
export { quoteValue } from './quote';
export { readNumber } from './values';

/** A form value as trimmed text; undefined when it is empty. */
export function textValue(raw: unknown): string | undefined {
	if (raw === undefined || raw === null) return undefined;
	const text = String(raw).trim();
	return text === '' ? undefined : text;
}

/**
 * Reads a text parameter of the current item. Expressions can yield numbers or null, and
 * copied values often carry spaces or line breaks, so the value is normalized to a trimmed
 * string; `undefined` means the user left it empty and nothing must be sent. A list or an
 * object from an expression is refused, naming `field`: sent as its JSON text it would reach
 * Stripe as a value nobody meant.
 */
export function optionalText(context: IExecuteSingleFunctions, name: string, field: string): string | undefined {
	return singleText(context, field, context.getNodeParameter(name, '') as unknown);
}

export function requiredText(context: IExecuteSingleFunctions, name: string, field: string, fix: string): string {
	const text = optionalText(context, name, field);
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
			value.length > STRIPE_ID_MAX_LENGTH
				? `${quoteValue(value)} is not a valid ID: it has ${value.length} characters, and Stripe's IDs have at most ${STRIPE_ID_MAX_LENGTH}`
				: `${quoteValue(value)} is not a valid ID`,
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
	const value = optionalText(context, name, field);
	return value === undefined ? undefined : checkStripeId(context, kind, value, field);
}

export function checkCouponId(context: IExecuteSingleFunctions, value: string, field: string): string {
	checkTextLength(context, value, field, 'Use the coupon ID from the Stripe dashboard (Product catalog → Coupons), e.g. SUMMER25.');
	if (!COUPON_ID_PATTERN.test(value)) {
		throw fieldError(
			context,
			field,
			`${quoteValue(value)} is not a valid coupon ID`,
			'Coupon IDs contain only letters, digits, hyphens and underscores, e.g. SUMMER25 or Z4OV52SU. Use the coupon ID, not a customer-facing promotion code.',
		);
	}
	return value;
}

/** Refuses text longer than Stripe takes (`maximum`, else its general 5,000), before it is sent. */
export function checkTextLength(context: IExecuteSingleFunctions, value: string, field: string, fix: string, maximum = STRIPE_TEXT_MAX_LENGTH): string {
	if (value.length > maximum) {
		throw fieldError(context, field, `is ${value.length} characters long`, `Stripe accepts at most ${maximum} characters here. ${fix}`);
	}
	return value;
}

/** Where the first space, control character or Unicode space of `text` is, if it has one. */
function firstBlank(text: string): number | undefined {
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code <= 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0x1680 || (code >= 0x2000 && code <= 0x200b) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff) {
			return index;
		}
	}
	return undefined;
}

/**
 * An absolute http(s) URL, sent exactly as checked. WHATWG parsing drops tabs and line breaks
 * inside a URL and percent-encodes spaces, so a URL that parses may still not be the text that
 * would be sent: any whitespace or control character is refused instead (Stripe refuses them).
 */
export function checkHttpUrl(context: IExecuteSingleFunctions, value: string, field: string): string {
	checkTextLength(context, value, field, 'Enter a full URL starting with https://, e.g. https://example.com/account.');
	const blank = firstBlank(value);
	if (blank !== undefined) {
		const code = value.charCodeAt(blank);
		throw fieldError(
			context,
			field,
			`${quoteValue(value)} contains ${code === 0x20 ? 'a space' : `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`} at position ${blank + 1}`,
			'A URL has no spaces, tabs or line breaks: write a space as %20, and check the expression gives one URL, e.g. https://example.com/account.',
		);
	}
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
			`${quoteValue(value)} is not a valid URL`,
			'Enter a full URL starting with https://, e.g. https://example.com/account.',
		);
	}
	return value;
}

/**
 * A single-value field as trimmed text, undefined when empty. A list or an object from an
 * expression is refused here: String() would send it as '[object Object]'.
 */
export function singleText(context: IExecuteSingleFunctions, field: string, raw: unknown): string | undefined {
	if (typeof raw === 'object' && raw !== null) {
		throw fieldError(context, field, `${quoteValue(raw)} is ${describeValue(raw)}, not a single value`, 'An expression here must give one value (text), not a list or an object.');
	}
	return textValue(raw);
}

/**
 * A list entered as a multi-select, or from an expression as a list or comma-separated text.
 * Each entry must be text or a number: an object or a nested list would reach Stripe as
 * '[object Object]' or as bracketed sub-keys, and true/false is no entry of any list here.
 */
export function textList(context: IExecuteSingleFunctions, field: string, raw: unknown): string[] {
	if (raw === undefined || raw === null) return [];
	if (isPlainObject(raw)) {
		throw fieldError(context, field, `${quoteValue(raw)} is an object, not a list`, 'An expression here must give a list, e.g. ["a", "b"], or comma-separated text, e.g. a, b.');
	}
	const entries: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
	return entries.flatMap((entry) => {
		if (typeof entry === 'number' && Number.isFinite(entry)) return [String(entry)];
		if (typeof entry !== 'string') {
			throw fieldError(context, field, `the entry ${quoteValue(entry)} is ${describeValue(entry)}, not text`, 'An expression here must give a list of texts, e.g. ["a", "b"], or comma-separated text, e.g. a, b.');
		}
		const text = entry.trim();
		return text === '' ? [] : [text];
	});
}

export function oneOf(context: IExecuteSingleFunctions, field: string, value: string, allowed: ReadonlyArray<{ value: string }>): string {
	if (!allowed.some((option) => option.value === value)) {
		throw fieldError(
			context,
			field,
			`${quoteValue(value)} is not an option`,
			`Choose one of: ${allowed.map((option) => option.value).join(', ')}.`,
		);
	}
	return value;
}

export function optionalChoice(context: IExecuteSingleFunctions, field: string, raw: unknown, allowed: ReadonlyArray<{ value: string }>): string | undefined {
	const value = singleText(context, field, raw);
	return value === undefined ? undefined : oneOf(context, field, value, allowed);
}

export function manyOf(context: IExecuteSingleFunctions, field: string, raw: unknown, allowed: ReadonlyArray<{ value: string }>): string[] | undefined {
	const values = [...new Set(textList(context, field, raw))];
	values.forEach((value) => oneOf(context, field, value, allowed));
	return values.length > 0 ? values : undefined;
}

/**
 * A yes/no field: true or false, or the text 'true'/'false' an expression or an options field
 * gives; undefined when empty (Keep Current). Anything else is refused, never read as false.
 */
export function booleanValue(context: IExecuteSingleFunctions, field: string, raw: unknown, fix = 'Give true or false.'): boolean | undefined {
	const value = readBoolean(raw);
	if (value === 'invalid') throw fieldError(context, field, `${quoteValue(typeof raw === 'object' && raw !== null ? raw : String(raw).trim())} is not true or false`, fix);
	return value;
}

/**
 * A whole number field of the current item, checked: undefined when blank, else a whole number
 * within [minimum, maximum], or a field error that names the field and says what to enter.
 * Without a maximum of its own, a number is still at most Number.MAX_SAFE_INTEGER: beyond it
 * a number is not exact, and from 1e21 on JavaScript writes it as 1e+21, which Stripe refuses
 * as an invalid integer.
 */
export function optionalWholeNumber(
	context: IExecuteSingleFunctions,
	raw: unknown,
	field: string,
	{ minimum, maximum, example, fix }: { minimum: number; maximum?: number; example?: number; fix?: string },
): number | undefined {
	const reading = readNumber(raw);
	if (reading.kind === 'empty') return undefined;
	const range = maximum === undefined ? `of ${minimum === 0 ? 'zero' : minimum} or more` : `from ${minimum} to ${maximum}`;
	if (reading.kind === 'invalid' || !Number.isInteger(reading.value) || reading.value < minimum || (maximum !== undefined && reading.value > maximum)) {
		throw fieldError(
			context,
			field,
			`${quoteValue(raw)} is not a whole number ${range}`,
			fix ?? `Enter a whole number ${range}, e.g. ${example ?? Math.max(minimum, 1)}, or leave the field empty.`,
		);
	}
	if (reading.value > Number.MAX_SAFE_INTEGER) {
		throw fieldError(
			context,
			field,
			`${quoteValue(raw)} is larger than ${Number.MAX_SAFE_INTEGER}, the largest whole number that can be sent exactly`,
			fix ?? `Enter a whole number from ${minimum} to ${Number.MAX_SAFE_INTEGER}, e.g. ${example ?? Math.max(minimum, 1)}, or leave the field empty.`,
		);
	}
	return reading.value;
}

/** Unix seconds Stripe can take: from 1970 to the year 9999. */
const LATEST_UNIX_SECONDS = 253_402_300_799;

/**
 * A date/time parameter as Unix seconds; accepts ISO text, n8n DateTime values and Unix seconds
 * (or milliseconds, a common mix-up), as a number or as text. NaN, Infinity and anything that is
 * no moment at all are refused with the field's name, never sent or turned into an exception.
 */
export function optionalUnixSeconds(
	context: IExecuteSingleFunctions,
	name: string,
	field: string,
): number | undefined {
	const raw = context.getNodeParameter(name, '') as unknown;
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
	// Millisecond timestamps are a common mix-up; Stripe wants seconds.
	const fromEpoch = (value: number) => Math.floor(Math.abs(value) > 1e12 ? value / 1000 : value);
	let seconds = Number.NaN;
	if (typeof raw === 'number') seconds = fromEpoch(raw);
	else if (typeof raw === 'string' && /^\d{9,}$/.test(raw.trim())) seconds = fromEpoch(Number(raw.trim()));
	else if (typeof raw !== 'boolean' && !Array.isArray(raw)) seconds = Math.floor(Date.parse(String(raw)) / 1000);
	if (!Number.isFinite(seconds) || seconds < 0 || seconds > LATEST_UNIX_SECONDS) {
		throw fieldError(
			context,
			field,
			`${quoteValue(raw)} is not a date and time`,
			'Pick a date, or use an expression such as {{ $now.plus(7, "days") }}.',
		);
	}
	return seconds;
}

/**
 * Expand paths from a multi-select or an expression: a list of strings, or comma-separated
 * text. Each must be one of `allowed` (the objects the request can expand); anything else is
 * refused rather than dropped or sent as a nested form value such as `expand[0][a]`.
 */
export function expandPaths(context: IExecuteSingleFunctions, raw: unknown, field: string, allowed: readonly string[]): string[] | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	const entries = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
	const paths: string[] = [];
	for (const entry of entries) {
		const path = typeof entry === 'string' ? entry.trim() : undefined;
		if (path === '') continue;
		if (path === undefined || !allowed.includes(path)) {
			throw fieldError(
				context,
				field,
				`${quoteValue(entry)} cannot be expanded here`,
				`Use ${allowed.map((value) => `'${value}'`).join(', ')}, as a list or comma-separated text, or leave the field empty.`,
			);
		}
		if (!paths.includes(path)) paths.push(path);
	}
	return paths.length > 0 ? paths : undefined;
}

/** The mode and trimmed value of a resource locator parameter (a plain string counts as By ID). */
export function readLocator(raw: unknown): { mode: string; value: string } {
	const locator = raw as INodeParameterResourceLocator | string | undefined | null;
	const isObject = typeof locator === 'object' && locator !== null;
	const value = isObject ? locator.value : locator;
	return {
		mode: isObject ? String(locator.mode) : 'id',
		value: value === undefined || value === null ? '' : String(value).trim(),
	};
}

/**
 * The ID a resource locator holds, whichever mode the user chose, or undefined where it holds
 * nothing usable. For the editor's list searches, which must not fail on a half-filled form.
 */
export function idInLocator(raw: unknown, kind: StripeIdKind): string | undefined {
	const { mode, value } = readLocator(raw);
	const id = mode === 'url' && kind in DASHBOARD_PATHS ? idFromDashboardUrl(kind as DashboardLinkedKind, value) : value;
	return id !== undefined && isStripeId(kind, id) ? id : undefined;
}

/**
 * The ID from a resource locator parameter of the current item. The locator is read raw (not
 * through n8n's extractValue), so that each mode gets an error saying what that mode expects.
 * Returns undefined for an empty optional locator.
 */
export function idFromLocator(
	context: IExecuteSingleFunctions,
	name: string,
	kind: StripeIdKind,
	field: string,
	{ required, emptyFix }: { required: boolean; emptyFix?: string },
): string | undefined {
	const { mode, value } = readLocator(context.getNodeParameter(name, ''));
	if (value === '') {
		if (!required) return undefined;
		throw fieldError(
			context,
			field,
			'is empty',
			emptyFix ?? `Pick one From List, enter its ID (like ${STRIPE_ID_EXAMPLES[kind]}), or map an ID from an earlier node with an expression.`,
		);
	}
	if (mode === 'url' && kind in DASHBOARD_PATHS) {
		const linked = kind as DashboardLinkedKind;
		const id = idFromDashboardUrl(linked, value);
		if (id === undefined) {
			throw fieldError(
				context,
				field,
				`${quoteValue(value)} is not a Stripe dashboard ${DASHBOARD_NOUNS[linked]} link`,
				`Paste a link like ${dashboardUrl(`${DASHBOARD_PATHS[linked]}/${STRIPE_ID_EXAMPLES[kind]}`, false)}, or switch the mode to By ID.`,
			);
		}
		return id;
	}
	return checkStripeId(context, kind, value, field);
}

const DASHBOARD_NOUNS: Record<DashboardLinkedKind, string> = { customer: 'customer', subscription: 'subscription' };

/**
 * The email in the Customer locator of the current item, checked before anything is sent,
 * whether typed or mapped by an expression (the locator gives n8n no pattern: see locators.ts).
 */
export function emailFromCustomerLocator(context: IExecuteSingleFunctions): string {
	const { value } = readLocator(context.getNodeParameter('customer', ''));
	if (value === '') {
		throw fieldError(
			context,
			'Customer',
			'the email is empty',
			`Enter the customer's email address, e.g. ${EMAIL_EXAMPLE}, or map it from an earlier node with {{ $json.email }}.`,
		);
	}
	if (value.length > EMAIL_MAX_LENGTH) {
		throw fieldError(
			context,
			'Customer',
			`the email is ${value.length} characters long`,
			`Stripe stores emails of at most ${EMAIL_MAX_LENGTH} characters, so no customer can have this one. Map only the address, e.g. {{ $json.email }}.`,
		);
	}
	if (!EMAIL_PATTERN.test(value)) {
		throw fieldError(
			context,
			'Customer',
			`${quoteValue(value)} is not an email address`,
			`By Email takes one address like ${EMAIL_EXAMPLE}, without a name or angle brackets around it. Map only the address (e.g. {{ $json.email }}), or switch the Customer field to By ID.`,
		);
	}
	return value;
}
