import type { INodeProperties } from 'n8n-workflow';

import { configurationLocator } from '../../shared/locators';
import { agentReadable } from '../../transport/agent';
import { stripeErrorCheck } from '../../transport/errors';
import {
	buildConfigurationCreateBody,
	buildConfigurationListQuery,
	buildConfigurationUpdateRequest,
	buildConfigurationGetRequest,
} from './body';
import { CONFIGURATIONS_PATH } from './constants';
import { configurationErrorVocabularyFor } from './fieldNames';
import { configurationWriteFields, expandOption } from './fields';

const show = (operation: string[]) => ({ resource: ['portalConfiguration'], operation });

const checkStripeAnswer = stripeErrorCheck(configurationErrorVocabularyFor);

export const portalConfigurationDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['portalConfiguration'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a portal configuration',
				description: 'Create a portal configuration: which features customers get, and with which products and prices',
				routing: {
					request: { method: 'POST', url: CONFIGURATIONS_PATH },
					send: { preSend: [agentReadable(buildConfigurationCreateBody)], paginate: true },
					output: { postReceive: [checkStripeAnswer] },
				},
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a portal configuration',
				description: 'Get one portal configuration, including its login page link',
				routing: {
					request: { method: 'GET', url: CONFIGURATIONS_PATH },
					send: { preSend: [agentReadable(buildConfigurationGetRequest)], paginate: true },
					output: { postReceive: [checkStripeAnswer] },
				},
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many portal configurations',
				description: 'List portal configurations, newest first, one item each',
				routing: {
					request: { method: 'GET', url: CONFIGURATIONS_PATH },
					send: { preSend: [agentReadable(buildConfigurationListQuery)], paginate: true },
					output: { postReceive: [checkStripeAnswer] },
				},
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a portal configuration',
				description:
					'Change a portal configuration. Stripe has no delete for configurations: turn Active off to retire one.',
				routing: {
					request: { method: 'POST', url: CONFIGURATIONS_PATH },
					send: { preSend: [agentReadable(buildConfigurationUpdateRequest)], paginate: true },
					output: { postReceive: [checkStripeAnswer] },
				},
			},
		],
		default: 'getAll',
	},
	{
		...configurationLocator,
		required: true,
		description: 'The portal configuration (bpc_…)',
		displayOptions: { show: show(['get', 'update']) },
	},
	...configurationWriteFields('create'),
	...configurationWriteFields('update'),
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: show(['getAll']) },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { ...show(['getAll']), returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: show(['getAll']) },
		options: [
			{
				displayName: 'Active',
				name: 'active',
				type: 'boolean',
				default: true,
				description: 'Whether to list only active configurations (on) or only inactive ones (off)',
			},
			{
				displayName: 'Is Default',
				name: 'isDefault',
				type: 'boolean',
				default: true,
				description: 'Whether to list only the default configuration (on) or only the others (off)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: show(['getAll']) },
		options: [
			{
				displayName: 'Ending Before',
				name: 'endingBefore',
				type: 'string',
				default: '',
				placeholder: 'e.g. bpc_1PgL0Q2eZvKYlo2C3bEm3MLy',
				description: 'List the configurations created after this one (a configuration ID), oldest first, paging towards the newest',
			},
			expandOption(true),
			{
				displayName: 'Starting After',
				name: 'startingAfter',
				type: 'string',
				default: '',
				placeholder: 'e.g. bpc_1PgL0Q2eZvKYlo2C3bEm3MLy',
				description: 'List the configurations created before this one (a configuration ID), to resume an earlier listing',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: show(['create', 'get', 'update']) },
		options: [expandOption(false)],
	},
];
