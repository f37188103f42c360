import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../../shared/constants';
import { STRIPE_ID_PATTERNS } from '../../shared/ids';
import { fieldError, oneOf, quoteValue, readLocator, singleText } from '../../shared/validation';
import { sendLookupRequest, stripeList } from '../../transport';
import { isToolRun } from '../../transport/agent';
import { MULTIPLE_CUSTOMERS, type MultipleCustomersChoice } from './constants';
import { sessionErrorVocabulary } from './fieldNames';
import { NO_LINK_IN_CHAT_ADVICE } from './toolSafety';

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


function multipleCustomersChoice(context: IExecuteSingleFunctions): MultipleCustomersChoice {
	const field = 'If Several Customers Match';
	// Empty means the default here as in every other option field.
	const value = singleText(context, field, context.getNodeParameter('additionalFields.multipleCustomers', '')) ?? MULTIPLE_CUSTOMERS.fail;
	return oneOf(context, field, value, Object.values(MULTIPLE_CUSTOMERS).map((choice) => ({ value: choice }))) as MultipleCustomersChoice;
}

function isCustomerSummary(customer: unknown): customer is CustomerSummary {
	return (
		typeof customer === 'object' &&
		customer !== null &&
		typeof (customer as CustomerSummary).id === 'string' &&
		STRIPE_ID_PATTERNS.customer.test((customer as CustomerSummary).id)
	);
}

const customerList = stripeList(isCustomerSummary);

async function listCustomersByEmail(
	context: IExecuteSingleFunctions,
	sessionRequest: IHttpRequestOptions,
	email: string,
): Promise<CustomerListPage> {
	const page = await sendLookupRequest(context, sessionRequest, '/v1/customers', { email, limit: STRIPE_MAX_PAGE_SIZE }, customerList, {
		lookingUp: `This happened while looking up the Customer by email (${quoteValue(email)}), before any portal session was created.`,
		permission: "By Email reads customers: a restricted key needs 'Customers: Read' besides 'Customer portal: Write'.",
		unexpected: 'Expected a list of customers from Stripe but got something else. Check the Base URL in the credential.',
		vocabulary: sessionErrorVocabulary,
	});
	return { data: page.data, has_more: page.has_more === true };
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
	if (isToolRun(context)) {
		// What a model reads must not tell whether an address belongs to a customer (or to
		// several), nor invite it to try other addresses: one answer for every miss.
		throw fieldError(
			context,
			'Customer',
			'no portal link was made',
			'The e-mail address matched no single Stripe customer. As an AI tool the node does not say which, so that a chat cannot be used to find out who is a customer.',
			NO_LINK_IN_CHAT_ADVICE,
		);
	}
	if (chosen.kind === 'none') {
		const lowerCaseNote = result.triedLowerCase ? ` (nor its lower-case form ${quoteValue(result.email)})` : '';
		throw fieldError(
			context,
			'Customer',
			`no Stripe customer has the email ${quoteValue(email)}`,
			`Check the address${lowerCaseNote}: Stripe matches emails exactly, upper and lower case included, and only in the credential's account and mode (test or live). If the customer does not exist yet, create it first. Or choose the customer By ID or From List.`,
			'Ask the customer for the e-mail address their billing account uses (it may differ from the one they wrote from), then call this tool again with that address.',
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
