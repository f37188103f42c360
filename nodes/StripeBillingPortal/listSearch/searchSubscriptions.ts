import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { idInLocator } from '../shared/validation';
import { dashboardUrl, stripeGet } from './stripeGet';

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
 * Lists the subscriptions of the customer chosen in the Customer field (all customers' when
 * that field holds an expression or nothing yet), newest first, without canceled ones: no
 * portal flow acts on those.
 */
export async function searchSubscriptions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const customer = idInLocator(this.getCurrentNodeParameter('customer'), 'customer');
	const response: IDataObject = await stripeGet(this, '/v1/subscriptions', {
		limit: 100,
		...(customer ? { customer } : {}),
		...(paginationToken ? { starting_after: paginationToken } : {}),
	});
	const subscriptions = (response.data as StripeSubscription[] | undefined) ?? [];
	const term = filter?.trim().toLowerCase();
	const results = subscriptions
		.map((subscription) => ({
			name: label(subscription),
			value: subscription.id,
			url: dashboardUrl(`subscriptions/${subscription.id}`, subscription.livemode === true),
		}))
		.filter((result) => !term || result.name.toLowerCase().includes(term) || result.value.toLowerCase().includes(term));
	const last = subscriptions[subscriptions.length - 1];
	return { results, paginationToken: response.has_more === true && last ? last.id : undefined };
}
