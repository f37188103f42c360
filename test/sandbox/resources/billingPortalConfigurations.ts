/**
 * /v1/billing_portal/configurations: list and retrieve.
 * (Create `POST /v1/billing_portal/configurations` and update `POST /v1/billing_portal/configurations/:id`
 * go here as two more RouteDefs with write permission and `ConfigurationCreateParams` schemas.)
 */
import { errors } from '../errors';
import { listParams, listPage, resolveExpand, type ListParams } from '../list';
import { expandSchema, s } from '../params';
import type { RequestContext, RouteDef } from '../router';
import type { PortalConfiguration } from '../store';

const PORTAL_READ = { resource: 'billing_portal', access: 'read' } as const;

/** `application` is null on configurations created by the account itself, and stays null when expanded. */
const EXPANDABLE = ['application'];

export function renderConfiguration(c: PortalConfiguration, ctx: RequestContext): PortalConfiguration {
	return { ...c, livemode: ctx.livemode };
}

export const configurationRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: '/v1/billing_portal/configurations',
		permission: PORTAL_READ,
		params: s.object({ ...listParams, active: s.boolean(), is_default: s.boolean() }),
		handle(ctx) {
			const p = ctx.params as ListParams & { active?: boolean; is_default?: boolean };
			resolveExpand(p.expand, EXPANDABLE, 'list');
			const all = ctx.store
				.listConfigurations()
				.filter(
					(c) =>
						(p.active === undefined || c.active === p.active) &&
						(p.is_default === undefined || c.is_default === p.is_default),
				);
			return listPage(all, p, 'configuration', '/v1/billing_portal/configurations', (c) => renderConfiguration(c, ctx));
		},
	},
	{
		method: 'GET',
		path: '/v1/billing_portal/configurations/:id',
		permission: PORTAL_READ,
		params: s.object({ expand: expandSchema }),
		handle(ctx) {
			resolveExpand((ctx.params as ListParams).expand, EXPANDABLE, 'object');
			const configuration = ctx.store.getConfiguration(ctx.pathParams.id);
			if (!configuration) throw errors.resourceMissing('configuration', ctx.pathParams.id, 'id');
			return renderConfiguration(configuration, ctx);
		},
	},
];
