import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { sessionErrorVocabulary } from '../resources/portalSession';
import { STRIPE_MAX_PAGE_SIZE } from '../shared/constants';
import { dashboardUrl } from '../shared/dashboard';
import { sendListSearchRequest } from '../transport';
import { listSearchToken } from '../transport/paging';

interface StripeCustomer {
	id: string;
	name?: string | null;
	email?: string | null;
	livemode?: boolean;
}

function label(customer: StripeCustomer): string {
	if (customer.name && customer.email) return `${customer.name} <${customer.email}>`;
	return customer.name || customer.email || customer.id;
}

/** Stripe search queries quote values with double quotes; backslash-escape what would end them. */
function quoteSearchValue(value: string): string {
	return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Lists customers newest first. With a filter it uses Stripe's customer search, matching
 * name or email by substring, since the list endpoint only filters by exact email.
 */
export async function searchCustomers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const term = filter?.trim();
	let response: IDataObject;
	if (term) {
		const quoted = quoteSearchValue(term);
		response = await sendListSearchRequest(this, '/v1/customers/search', {
			query: `name~${quoted} OR email~${quoted}`,
			limit: STRIPE_MAX_PAGE_SIZE,
			...(paginationToken ? { page: paginationToken } : {}),
		}, sessionErrorVocabulary);
	} else {
		response = await sendListSearchRequest(this, '/v1/customers', {
			limit: STRIPE_MAX_PAGE_SIZE,
			...(paginationToken ? { starting_after: paginationToken } : {}),
		}, sessionErrorVocabulary);
	}
	const customers = (response.data as StripeCustomer[] | undefined) ?? [];
	const results = customers.map((customer) => ({
		name: label(customer),
		value: customer.id,
		url: dashboardUrl(`customers/${customer.id}`, customer.livemode === true),
	}));
	if (!term) return { results, paginationToken: listSearchToken(customers, response.has_more, paginationToken) };
	// Search pages by an opaque token; one that comes back unchanged would show the same page again.
	const nextPage = typeof response.next_page === 'string' && response.next_page !== paginationToken ? response.next_page : undefined;
	return { results, paginationToken: response.has_more === true ? nextPage : undefined };
}
