import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE, STRIPE_DEFAULT_BASE_URL } from '../shared/constants';
import { errorDetailsFromResponse, stripeApiError } from '../shared/errors';
import { listSearchAccountHeaders } from '../shared/resilience';
import { connectionError } from '../shared/transport';

export function dashboardUrl(path: string, livemode: boolean): string {
	return `https://dashboard.stripe.com/${livemode ? '' : 'test/'}${path}`;
}

/**
 * A GET for the editor's list searches, with the node's credential and the same error
 * handling as node requests, so a missing permission shows Stripe's message in the list.
 */
export async function stripeGet(context: ILoadOptionsFunctions, path: string, qs: IDataObject): Promise<IDataObject> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = String(credentials.baseUrl || STRIPE_DEFAULT_BASE_URL).replace(/\/+$/, '');
	// List searches show the connected account's objects when the node acts for one.
	const headers = listSearchAccountHeaders(context);
	let response;
	try {
		response = await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
			method: 'GET',
			url: `${baseUrl}${path}`,
			qs,
			headers,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		});
	} catch (error) {
		throw connectionError(context.getNode(), baseUrl, error);
	}
	if (response.statusCode >= 400) throw stripeApiError(context.getNode(), errorDetailsFromResponse(response));
	return response.body as IDataObject;
}
