import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import {
	CURRENT_SUBSCRIPTION_STATUSES,
	MULTIPLE_CUSTOMERS,
	chooseCustomer,
	lookUpCustomersByEmail,
	sessionErrorVocabulary,
	type CustomerListPage,
} from '../resources/portalSession';
import { STRIPE_MAX_PAGE_SIZE } from '../shared/constants';
import { dashboardUrl } from '../shared/dashboard';
import { isEmailAddress } from '../shared/email';
import { idInLocator, readLocator } from '../shared/validation';
import { sendListSearchRequest } from '../transport';
import { listSearchToken } from '../transport/paging';

interface StripePrice {
	id: string;
	nickname?: string | null;
	unit_amount?: number | null;
	currency?: string;
	recurring?: { interval: string; interval_count: number } | null;
}

export interface StripeSubscriptionItem {
	id: string;
	quantity?: number;
	price: StripePrice;
}

interface StripeSubscription {
	id: string;
	status: string;
	livemode?: boolean;
	cancel_at_period_end?: boolean;
	items?: { data: StripeSubscriptionItem[] };
}

// Currencies Stripe counts in whole units rather than cents.
const ZERO_DECIMAL_CURRENCIES = new Set([
	'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]);

/** "Pro · 29.00 EUR / month", as a person reads a price. */
export function describePrice(price: StripePrice): string {
	const parts = [price.nickname || price.id];
	if (typeof price.unit_amount === 'number' && price.currency) {
		const zeroDecimal = ZERO_DECIMAL_CURRENCIES.has(price.currency.toLowerCase());
		const amount = zeroDecimal ? String(price.unit_amount) : (price.unit_amount / 100).toFixed(2);
		const every = price.recurring
			? ` / ${price.recurring.interval_count > 1 ? `${price.recurring.interval_count} ` : ''}${price.recurring.interval}${price.recurring.interval_count > 1 ? 's' : ''}`
			: '';
		parts.push(`${amount} ${price.currency.toUpperCase()}${every}`);
	}
	return parts.join(' · ');
}

function label(subscription: StripeSubscription): string {
	const items = subscription.items?.data ?? [];
	const first = items[0] ? describePrice(items[0].price) : subscription.id;
	const more = items.length > 1 ? ` (+${items.length - 1} more)` : '';
	const status = subscription.cancel_at_period_end ? `${subscription.status}, cancels at period end` : subscription.status;
	return `${first}${more} · ${status}`;
}

/**
 * The customer the Customer field designates, as far as the editor can tell. By Email resolves
 * the address as the node will when it runs (same case fallback, same choice among several
 * matches), so the list shows the subscriptions of the customer the session will be for; when
 * that is not one customer yet (an expression, no match, several), undefined.
 */
async function chosenCustomer(context: ILoadOptionsFunctions): Promise<string | undefined> {
	const locator = context.getCurrentNodeParameter('customer');
	const { mode, value } = readLocator(locator);
	if (mode !== 'email') return idInLocator(locator, 'customer');
	// The editor hands over parameters unevaluated: '=' starts an expression.
	if (value.startsWith('=') || !isEmailAddress(value)) return undefined;
	const choice =
		context.getCurrentNodeParameter('additionalFields.multipleCustomers') === MULTIPLE_CUSTOMERS.mostRecent
			? MULTIPLE_CUSTOMERS.mostRecent
			: MULTIPLE_CUSTOMERS.fail;
	const result = await lookUpCustomersByEmail(value, async (email) => {
		const page = await sendListSearchRequest(context, '/v1/customers', { email, limit: STRIPE_MAX_PAGE_SIZE }, sessionErrorVocabulary);
		return {
			data: Array.isArray(page.data) ? (page.data as CustomerListPage['data']) : [],
			has_more: page.has_more === true,
		};
	});
	const chosen = chooseCustomer(result, choice);
	// Checked like any other ID before it goes into a request.
	return chosen.kind === 'found' ? idInLocator(chosen.id, 'customer') : undefined;
}

/**
 * Lists the subscriptions of the customer chosen in the Customer field (all customers' when
 * that field holds an expression, nothing yet, or an email that is not one customer's), newest
 * first, only those a portal flow can act on (the same "current" statuses Subscription Source
 * uses; Stripe's list already leaves out canceled ones).
 */
export async function searchSubscriptions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const customer = await chosenCustomer(this);
	const response: IDataObject = await sendListSearchRequest(this, '/v1/subscriptions', {
		limit: STRIPE_MAX_PAGE_SIZE,
		...(customer ? { customer } : {}),
		...(paginationToken ? { starting_after: paginationToken } : {}),
	}, sessionErrorVocabulary);
	const subscriptions = (response.data as StripeSubscription[] | undefined) ?? [];
	const term = filter?.trim().toLowerCase();
	const current: readonly string[] = CURRENT_SUBSCRIPTION_STATUSES;
	const results = subscriptions
		.filter((subscription) => current.includes(subscription.status))
		.map((subscription) => ({
			name: label(subscription),
			value: subscription.id,
			url: dashboardUrl(`subscriptions/${subscription.id}`, subscription.livemode === true),
		}))
		.filter((result) => !term || result.name.toLowerCase().includes(term) || result.value.toLowerCase().includes(term));
	return { results, paginationToken: listSearchToken(subscriptions, response.has_more, paginationToken) };
}
