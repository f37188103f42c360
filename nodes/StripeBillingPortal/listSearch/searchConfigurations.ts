import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../shared/constants';
import { PORTAL_SETTINGS_PAGE, dashboardUrl } from '../shared/dashboard';
import { CONFIGURATIONS_PATH } from '../shared/stripePaths';
import { sessionErrorVocabulary } from '../resources/portalSession';
import { sendListSearchRequest } from '../transport';
import { listSearchToken } from '../transport/paging';

interface StripePortalConfiguration {
	id: string;
	name?: string | null;
	is_default?: boolean;
	active?: boolean;
	livemode?: boolean;
	business_profile?: { headline?: string | null } | null;
}

function label(configuration: StripePortalConfiguration): string {
	const title = configuration.name || configuration.business_profile?.headline || configuration.id;
	const notes = [configuration.is_default ? 'default' : undefined, configuration.active === false ? 'inactive' : undefined]
		.filter(Boolean)
		.join(', ');
	return notes ? `${title} (${notes})` : title;
}

/** Lists portal configurations newest first; Stripe has no search for them, so filtering is local. */
export async function searchConfigurations(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const response = await sendListSearchRequest(this, CONFIGURATIONS_PATH, {
		limit: STRIPE_MAX_PAGE_SIZE,
		...(paginationToken ? { starting_after: paginationToken } : {}),
	}, sessionErrorVocabulary);
	const configurations = (response.data as StripePortalConfiguration[] | undefined) ?? [];
	const term = filter?.trim().toLowerCase();
	const results = configurations
		.filter((configuration) => !term || label(configuration).toLowerCase().includes(term) || configuration.id.toLowerCase().includes(term))
		.map((configuration) => ({
			name: label(configuration),
			value: configuration.id,
			url: dashboardUrl(PORTAL_SETTINGS_PAGE, configuration.livemode === true),
		}));
	return { results, paginationToken: listSearchToken(configurations, response.has_more, paginationToken) };
}
