import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	NodeApiError,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from './constants';
import { errorDetailsFromResponse, stripeApiError } from './errors';
import { STRIPE_ID_PATTERNS } from './ids';
import {
	accountHeaders,
	failureFromDetails,
	noteRetries,
	pacedWithRetries,
	rateLimitedError,
	readRequestSettings,
} from './resilience';
import { connectionError, findConnectionErrorCode } from './transport';
import { fieldError, quoteValue, readLocator } from './validation';

/**
 * One address, not a validator of RFC 5322: it keeps out what users paste by mistake (a name with
 * the address, several addresses, spaces, a missing domain). The domain's labels exclude the dot,
 * so the pattern runs in linear time in the editor's regex sandbox too.
 */
export const EMAIL_PATTERN = /^[^\s@<>]+@[^\s@<>.]+(?:\.[^\s@<>.]+)+$/;

/** Regex source for the resource locator's validation, which n8n anchors itself. */
export const EMAIL_REGEX_SOURCE = EMAIL_PATTERN.source.replace(/^\^/, '').replace(/\$$/, '');

/** Stripe stores a customer's email with at most this many characters. */
export const EMAIL_MAX_LENGTH = 512;

/** Stripe's list endpoints return at most this many objects per page. */
const LIST_LIMIT = 100;

export const EMAIL_EXAMPLE = 'jenny.rosen@example.com';

/** Values of Additional Fields → If Several Customers Match. */
export const MULTIPLE_CUSTOMERS = { fail: 'fail', mostRecent: 'mostRecent' } as const;
export type MultipleCustomersChoice = (typeof MULTIPLE_CUSTOMERS)[keyof typeof MULTIPLE_CUSTOMERS];

export function isEmailAddress(value: string): boolean {
	return value.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(value);
}

export interface CustomerSummary {
	id: string;
	created: number;
}

/** A page of `GET /v1/customers`, as far as the lookup reads it. */
export interface CustomerListPage {
	data: CustomerSummary[];
	has_more: boolean;
}

export interface EmailLookupResult {
	/** The address the customers were found under: the one given, or its lower-cased form. */
	email: string;
	/** Whether the lower-cased form was tried after the address as given matched nobody. */
	triedLowerCase: boolean;
	customers: CustomerSummary[];
	/** More than `customers` match (Stripe's `has_more`). */
	hasMore: boolean;
}

/**
 * Asks Stripe for the customers with this email. Stripe's email filter is case-sensitive, and
 * sign-up forms and Stripe Checkout usually store addresses lower-cased, while addresses typed
 * or mapped from other systems often carry capitals ("Jenny.Rosen@Example.com"). So when the
 * address as given matches nobody and has capitals, its lower-cased form is tried once; the
 * exact form always goes first, so a customer stored with those capitals is still found.
 */
export async function lookUpCustomersByEmail(
	email: string,
	listByEmail: (email: string) => Promise<CustomerListPage>,
): Promise<EmailLookupResult> {
	const first = await listByEmail(email);
	const lowerCase = email.toLowerCase();
	if (first.data.length > 0 || lowerCase === email) {
		return { email, triedLowerCase: false, customers: first.data, hasMore: first.has_more };
	}
	const second = await listByEmail(lowerCase);
	return { email: lowerCase, triedLowerCase: true, customers: second.data, hasMore: second.has_more };
}

/**
 * The object created last (a customer, or a subscription); on equal `created` seconds the first
 * in Stripe's (newest-first) order.
 */
export function mostRecentlyCreated<Created extends { created: number }>(objects: Created[]): Created | undefined {
	return objects.reduce<Created | undefined>(
		(newest, object) => (newest === undefined || object.created > newest.created ? object : newest),
		undefined,
	);
}

export type CustomerChoice =
	| { kind: 'found'; id: string }
	| { kind: 'none' }
	| { kind: 'several'; count: number; moreThanCount: boolean };

/**
 * Which customer a lookup designates. With several matches, Stripe's first page holds the newest
 * ones (it lists newest first), so the most recent of that page is the most recent of all.
 */
export function chooseCustomer(result: EmailLookupResult, choice: MultipleCustomersChoice): CustomerChoice {
	const { customers, hasMore } = result;
	if (customers.length === 0) return { kind: 'none' };
	if (customers.length === 1 && !hasMore) return { kind: 'found', id: customers[0].id };
	if (choice === MULTIPLE_CUSTOMERS.mostRecent) {
		return { kind: 'found', id: (mostRecentlyCreated(customers) as CustomerSummary).id };
	}
	return { kind: 'several', count: customers.length, moreThanCount: hasMore };
}


/**
 * The email in the Customer locator of the current item, checked before anything is sent: an
 * expression can yield anything, and the editor's pattern check does not see its result.
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

function multipleCustomersChoice(context: IExecuteSingleFunctions): MultipleCustomersChoice {
	const raw = context.getNodeParameter('additionalFields.multipleCustomers', MULTIPLE_CUSTOMERS.fail) as unknown;
	const value = typeof raw === 'string' ? raw.trim() : raw;
	if (value === MULTIPLE_CUSTOMERS.fail || value === MULTIPLE_CUSTOMERS.mostRecent) return value;
	throw fieldError(
		context,
		'If Several Customers Match',
		`${quoteValue(String(value))} is not an option`,
		`Choose one of: ${Object.values(MULTIPLE_CUSTOMERS).join(', ')}.`,
	);
}

function headersWithout(headers: IDataObject | undefined, names: string[]): IDataObject {
	const dropped = new Set(names.map((name) => name.toLowerCase()));
	return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !dropped.has(name.toLowerCase())));
}

function isCustomerListPage(body: unknown): body is CustomerListPage {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
	const { data } = body as { data?: unknown };
	return (
		Array.isArray(data) &&
		data.every(
			(customer) =>
				typeof customer === 'object' &&
				customer !== null &&
				typeof (customer as CustomerSummary).id === 'string' &&
				STRIPE_ID_PATTERNS.customer.test((customer as CustomerSummary).id),
		)
	);
}

/**
 * A GET on behalf of the session request (a lookup the session needs first): it goes through
 * the same transport settings and headers as the session request, with the node's credential
 * supplying Authorization and Stripe-Version, Request Settings' Stripe-Account scoping it to the
 * same connected account, and the same pacing and retries as every request of the run. What is
 * looked for goes only into the query string, never into a path.
 */
export async function sendLookupRequest(
	context: IExecuteSingleFunctions,
	sessionRequest: IHttpRequestOptions,
	url: string,
	qs: IDataObject,
	lookingUp: string,
): Promise<IN8nHttpFullResponse> {
	const settings = readRequestSettings(context);
	const lookup: IHttpRequestOptions = {
		...sessionRequest,
		method: 'GET',
		url,
		qs,
		// A GET has no body to describe; an idempotency key belongs to the session's POST alone.
		headers: { ...headersWithout(sessionRequest.headers, ['Content-Type', 'Idempotency-Key']), ...accountHeaders(settings) },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	delete lookup.body;
	const baseUrl = String(sessionRequest.baseURL ?? '');
	return await pacedWithRetries<IN8nHttpFullResponse>(
		{ context, settings, connectionCode: findConnectionErrorCode },
		async () => await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, lookup),
		(error, outcome) => noteRetries(connectionError(context.getNode(), baseUrl, error, context.getItemIndex()), outcome),
		{
			failure: (response) => (response.statusCode >= 400 ? failureFromDetails(errorDetailsFromResponse(response)) : undefined),
			giveUp: (response, outcome) => {
				if (response.statusCode === 429 && outcome.exhausted) {
					const error = rateLimitedError(context, stripeApiError(context.getNode(), errorDetailsFromResponse(response)), outcome);
					error.description = `${lookingUp}\n${error.description ?? ''}`;
					throw error;
				}
				return response;
			},
		},
	);
}

/**
 * The error for a lookup Stripe refused (or answered with something that is not the list
 * asked for): Stripe's message, preceded by what was being looked up, so that the user knows
 * no session was attempted, and, for a 403, which permission the lookup needs.
 */
export function lookupResponseError(
	context: IExecuteSingleFunctions,
	response: IN8nHttpFullResponse,
	{ lookingUp, permission, unexpected }: { lookingUp: string; permission: string; unexpected: string },
): NodeApiError {
	const details = errorDetailsFromResponse(response);
	const error = stripeApiError(
		context.getNode(),
		response.statusCode >= 400 ? details : { ...details, stripe: { message: unexpected } },
		context.getItemIndex(),
	);
	const permissionNote = response.statusCode === 403 ? `\n${permission}` : '';
	error.description = `${lookingUp}${permissionNote}\n${error.description ?? ''}`;
	return error;
}

async function listCustomersByEmail(
	context: IExecuteSingleFunctions,
	sessionRequest: IHttpRequestOptions,
	email: string,
): Promise<CustomerListPage> {
	const lookingUp = `This happened while looking up the Customer by email (${quoteValue(email)}), before any portal session was created.`;
	const response = await sendLookupRequest(context, sessionRequest, '/v1/customers', { email, limit: LIST_LIMIT }, lookingUp);
	if (response.statusCode >= 400 || !isCustomerListPage(response.body)) {
		throw lookupResponseError(context, response, {
			lookingUp,
			permission: "By Email reads customers: a restricted key needs 'Customers: Read' besides 'Customer portal: Write'.",
			unexpected: 'Expected a list of customers from Stripe but got something else. Check the Base URL in the credential.',
		});
	}
	return { data: response.body.data, has_more: response.body.has_more === true };
}

/**
 * The ID of the customer with the email of the current item's Customer locator (By Email mode),
 * or a field error that says why there is not exactly one and what to change.
 */
export async function customerIdFromEmail(
	context: IExecuteSingleFunctions,
	sessionRequest: IHttpRequestOptions,
	email: string,
): Promise<string> {
	const choice = multipleCustomersChoice(context);
	const result = await lookUpCustomersByEmail(email, async (address) =>
		await listCustomersByEmail(context, sessionRequest, address),
	);
	const chosen = chooseCustomer(result, choice);
	if (chosen.kind === 'found') return chosen.id;
	if (chosen.kind === 'none') {
		const lowerCaseNote = result.triedLowerCase ? ` (nor its lower-case form ${quoteValue(result.email)})` : '';
		throw fieldError(
			context,
			'Customer',
			`no Stripe customer has the email ${quoteValue(email)}`,
			`Check the address${lowerCaseNote}: Stripe matches emails exactly, upper and lower case included, and only in the credential's account and mode (test or live). If the customer does not exist yet, create it first. Or choose the customer By ID or From List.`,
		);
	}
	const count = chosen.moreThanCount ? `more than ${chosen.count}` : String(chosen.count);
	throw fieldError(
		context,
		'Customer',
		`${count} Stripe customers have the email ${quoteValue(result.email)}`,
		"Stripe allows several customers with one email. To take the one created last, set Additional Fields → If Several Customers Match to 'Use the Most Recently Created'; to take a particular one, choose the customer By ID or From List.",
	);
}

/** Whether the Customer locator of the current item is in By Email mode. */
export function customerLocatorIsEmail(context: IExecuteSingleFunctions): boolean {
	return readLocator(context.getNodeParameter('customer', '')).mode === 'email';
}
