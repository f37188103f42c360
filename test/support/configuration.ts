/**
 * Running Portal Configuration operations through the engine, and reading what Stripe got.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import type Stripe from 'stripe';

import type { DeepPartial, PortalConfiguration, RecordedRequest } from '../sandbox';
import { runStripeNode, type SessionRun, type TestEnvironment } from './session';

export const CONFIGURATIONS_PATH = '/v1/billing_portal/configurations';

export const configurationById = (value: string) => ({ __rl: true, mode: 'id', value });

export async function runConfiguration(
	environment: TestEnvironment,
	operation: 'create' | 'get' | 'getAll' | 'update',
	parameters: INodeParameters,
	items: IDataObject[] = [{}],
	options: { continueOnFail?: boolean; credentials?: IDataObject } = {},
): Promise<SessionRun> {
	return runStripeNode(environment, { resource: 'portalConfiguration', operation, ...parameters }, items, options);
}

/** The decoded body of a create request, typed as Stripe's SDK types it. */
export function createBody(request: RecordedRequest): Stripe.BillingPortal.ConfigurationCreateParams {
	return request.body as unknown as Stripe.BillingPortal.ConfigurationCreateParams;
}

export function updateBody(request: RecordedRequest): Stripe.BillingPortal.ConfigurationUpdateParams {
	return request.body as Stripe.BillingPortal.ConfigurationUpdateParams;
}

/** Adds `count` configurations, oldest first, so the list returns them in reverse. */
export function addConfigurations(environment: TestEnvironment, count: number, partial: DeepPartial<PortalConfiguration> = {}): string[] {
	const ids: string[] = [];
	for (let index = 0; index < count; index++) {
		ids.push(environment.sandbox.addConfiguration({ name: `Configuration ${index + 1}`, ...partial }).id);
	}
	return ids;
}
