/**
 * The preSend hooks of Portal Configuration's operations: each reads the item's parameters and
 * hands the transport the request options (path, body or query) for its operation.
 */
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../../shared/constants';
import { isPlainObject } from '../../shared/values';
import { booleanValue, checkStripeId, expandPaths, fieldError, idFromLocator, optionalWholeNumber, singleText } from '../../shared/validation';
import { own } from './bodyTree';
import { CONFIGURATIONS_PATH, expandable, type ConfigurationWrite } from './constants';
import { bodyFromFields, checkFieldRules } from './fieldsBody';
import { JSON_FIELD, bodyFromJson } from './jsonBody';

type Context = IExecuteSingleFunctions;

/** Options → Expand of the current item; Get Many expands under `data.`. */
function optionsExpand(context: Context, listing: boolean): string[] {
	return expandPaths(context, context.getNodeParameter('options.expand', []), 'Options → Expand', expandable(listing)) ?? [];
}

function configurationBody(context: Context, write: ConfigurationWrite): IDataObject {
	const mode = context.getNodeParameter('inputMode', 'fields') as string;
	const body = mode === 'json' ? bodyFromJson(context, write) : bodyFromFields(context, write);
	if (mode !== 'json') checkFieldRules(context, body);
	if (write === 'create' && (!isPlainObject(body.features) || Object.keys(body.features).length === 0)) {
		throw fieldError(
			context,
			mode === 'json' ? JSON_FIELD : 'Features',
			'no feature is set',
			'Stripe requires features: add at least one (e.g. Invoice History, enabled).',
		);
	}
	if (write === 'update' && Object.keys(body).length === 0) {
		throw fieldError(
			context,
			mode === 'json' ? JSON_FIELD : 'Update Fields',
			'nothing to update',
			'Add a field under Update Fields or a feature under Features.',
		);
	}
	const expand = optionsExpand(context, false);
	if (expand.length > 0) {
		if (own(body, 'expand') !== undefined) {
			throw fieldError(context, 'Options → Expand', `is set together with 'expand' in ${JSON_FIELD}`, 'Give the expansions in one place: remove Options → Expand, or the expand key of the JSON.');
		}
		body.expand = expand;
	}
	return body;
}

/** The configuration ID for the URL path: validated, so nothing but `bpc_…` reaches the path. */
function configurationPath(context: Context): string {
	const id = idFromLocator(context, 'configuration', 'configuration', 'Configuration', { required: true }) as string;
	return `${CONFIGURATIONS_PATH}/${encodeURIComponent(id)}`;
}

/** preSend of Portal Configuration → Create. */
export async function buildConfigurationCreateBody(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.body = configurationBody(this, 'create');
	return requestOptions;
}

/** preSend of Portal Configuration → Update. */
export async function buildConfigurationUpdateRequest(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const url = configurationPath(this);
	requestOptions.body = configurationBody(this, 'update');
	requestOptions.url = url;
	return requestOptions;
}

/** preSend of Portal Configuration → Get. */
export async function buildConfigurationGetRequest(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.url = configurationPath(this);
	const qs: IDataObject = {};
	const expand = optionsExpand(this, false);
	if (expand.length > 0) qs.expand = expand;
	requestOptions.qs = qs;
	return requestOptions;
}

/** preSend of Portal Configuration → Get Many: filters and the first page's size. */
export async function buildConfigurationListQuery(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const qs: IDataObject = {};
	// The transport's paging reads Return All the same way (readBoolean); what is neither true nor false is refused here.
	const returnAll = booleanValue(this, 'Return All', this.getNodeParameter('returnAll', false)) ?? false;
	if (returnAll) {
		qs.limit = STRIPE_MAX_PAGE_SIZE;
	} else {
		const limit = optionalWholeNumber(this, this.getNodeParameter('limit', 50), 'Limit', { minimum: 1, example: 50 }) ?? 50;
		qs.limit = Math.min(limit, STRIPE_MAX_PAGE_SIZE);
	}
	const filters = this.getNodeParameter('filters', {}) as unknown;
	if (isPlainObject(filters)) {
		const active = booleanValue(this, 'Filters → Active', filters.active);
		const isDefault = booleanValue(this, 'Filters → Is Default', filters.isDefault);
		if (active !== undefined) qs.active = active;
		if (isDefault !== undefined) qs.is_default = isDefault;
	}
	const cursor = (name: string, field: string): string | undefined => {
		const value = singleText(this, field, this.getNodeParameter(`options.${name}`, ''));
		return value === undefined ? undefined : checkStripeId(this, 'configuration', value, field);
	};
	const startingAfter = cursor('startingAfter', 'Starting After');
	const endingBefore = cursor('endingBefore', 'Ending Before');
	if (startingAfter && endingBefore) {
		throw fieldError(this, 'Starting After', 'is set together with Ending Before', 'Stripe pages in one direction at a time: keep one of the two.');
	}
	if (startingAfter) qs.starting_after = startingAfter;
	if (endingBefore) qs.ending_before = endingBefore;
	const expand = optionsExpand(this, true);
	if (expand.length > 0) qs.expand = expand;
	requestOptions.qs = qs;
	return requestOptions;
}
