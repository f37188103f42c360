import type { INodeProperties, INodePropertyMode } from 'n8n-workflow';

import { dashboardUrl } from './dashboard';
import { EMAIL_EXAMPLE } from './email';
import {
	DASHBOARD_PATHS,
	STRIPE_ID_EXAMPLES,
	dashboardUrlSource,
	type DashboardLinkedKind,
	type StripeIdKind,
} from './ids';

export interface LocatorOptions {
	displayName: string;
	name: string;
	kind: StripeIdKind;
	/** What the By ID error calls the object, e.g. "customer ID". */
	idNoun: string;
	searchListMethod: string;
	description: string;
	required?: boolean;
	/** Adds a By URL mode that takes the object's Stripe dashboard link. */
	byUrl?: DashboardLinkedKind;
	/**
	 * Modes only this picker has, added after the shared ones (they do not replace them); the
	 * hooks that read the field must handle them. Named `modes` so n8n's lint knows these objects
	 * are locator modes, which take no default.
	 */
	modes?: INodePropertyMode[];
}

/**
 * A picker for one Stripe object: From List (searchable), By ID and, for objects with a
 * dashboard page, By URL.
 *
 * No mode carries n8n's `validation` pattern, although the editor would show its message at
 * once: n8n checks those patterns again before every execution (checkReadyForExecution), in a
 * sandbox that gives up after 250 ms of wall-clock time, and on a busy worker (a burst of
 * webhook calls in queue mode) that fails a whole execution now and then with "Regular
 * expression execution timed out" (1 of 400 in this package's queue-mode test). The node checks
 * every mode's value itself before anything is sent (shared/validation.ts), with a message that
 * names the field and the fix.
 */
export function stripeObjectLocator(options: LocatorOptions): INodeProperties {
	const { kind, byUrl } = options;
	const prefix = STRIPE_ID_EXAMPLES[kind].split('_')[0];
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		...(options.required ? { required: true } : {}),
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${options.displayName.toLowerCase()}…`,
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true, searchFilterRequired: false },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${STRIPE_ID_EXAMPLES[kind]}`,
				hint: `A ${options.idNoun} starts with ${prefix}_`,
			},
			...(byUrl
				? [
						{
							displayName: 'By URL',
							name: 'url',
							type: 'string' as const,
							placeholder: `e.g. ${dashboardUrl(`${DASHBOARD_PATHS[byUrl]}/${STRIPE_ID_EXAMPLES[kind]}`, false)}`,
							extractValue: { type: 'regex' as const, regex: dashboardUrlSource(byUrl) },
						},
					]
				: []),
			...(options.modes ?? []),
		],
	};
}

/** Portal configuration picker (From List or By ID). */
export const configurationLocator = stripeObjectLocator({
	displayName: 'Configuration',
	name: 'configuration',
	kind: 'configuration',
	idNoun: 'portal configuration ID',
	searchListMethod: 'searchConfigurations',
	description:
		'The portal configuration to use instead of the account’s default one. See <a href="https://docs.stripe.com/customer-management/integrate-customer-portal#configure">Stripe’s guide</a>.',
});

/**
 * A customer picker: From List, By ID, By URL and By Email (checked as one address in the
 * editor; what a resource does with it, look the customer up or use the address, is its own).
 */
export function customerLocatorWith({ description, required }: { description: string; required: boolean }): INodeProperties {
	return stripeObjectLocator({
		displayName: 'Customer',
		name: 'customer',
		kind: 'customer',
		idNoun: 'customer ID',
		searchListMethod: 'searchCustomers',
		description,
		required,
		byUrl: 'customer',
		modes: [
			{
				displayName: 'By Email',
				name: 'email',
				type: 'string',
				placeholder: `e.g. ${EMAIL_EXAMPLE}`,
				hint: 'Stripe matches the address exactly, case included; several customers can share one email',
			},
		],
	});
}
