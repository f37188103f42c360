import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { sessionErrorVocabulary } from '../resources/portalSession';
import { idInLocator } from '../shared/validation';
import { sendListSearchRequest } from '../transport';
import { describePrice, type StripeSubscriptionItem } from './searchSubscriptions';

/**
 * Lists the items of the subscription chosen in the Subscription field. Nothing to list until
 * that field holds a subscription ID; its value is checked before it goes into the URL path.
 */
export async function searchSubscriptionItems(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const subscription = idInLocator(this.getCurrentNodeParameter('subscription'), 'subscription');
	if (!subscription) return { results: [] };
	const response = await sendListSearchRequest(this, `/v1/subscriptions/${subscription}`, {}, sessionErrorVocabulary);
	const items = ((response.items as { data?: StripeSubscriptionItem[] } | undefined)?.data ?? []).map((item) => ({
		name: `${describePrice(item.price)} × ${item.quantity ?? 1}`,
		value: item.id,
	}));
	const term = filter?.trim().toLowerCase();
	return {
		results: items.filter((item) => !term || item.name.toLowerCase().includes(term) || item.value.toLowerCase().includes(term)),
	};
}
