import type { RouteDef } from '../router';
import { configurationRoutes } from './billingPortalConfigurations';
import { sessionRoutes } from './billingPortalSessions';
import { customerRoutes } from './customers';
import { subscriptionRoutes } from './subscriptions';

/** Every endpoint the sandbox serves, in matching order (literal paths before `:id` ones). */
export const ROUTES: readonly RouteDef[] = [
	...sessionRoutes,
	...configurationRoutes,
	...customerRoutes,
	...subscriptionRoutes,
];
