/**
 * A stand-in for the context n8n hands a declarative node's hooks, for unit tests of single
 * pipeline stages: parameters from a plain object, a recorded `makeRoutingRequest`, no engine,
 * no sandbox and no clock of its own. The engine tests remain the proof of behaviour; these pin
 * down one stage's arithmetic at a time.
 */
import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	INode,
	INodeExecutionData,
} from 'n8n-workflow';

export const STUB_NODE: INode = {
	id: 'stub-node',
	name: 'Stripe Billing Portal',
	type: 'n8n-nodes-stripe-billing-portal.stripeBillingPortal',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

export interface StubOptions {
	parameters?: Record<string, unknown>;
	itemIndex?: number;
	executionId?: string;
	secretKey?: string;
	/** Answers the routing request, as n8n's engine would after preSend and postReceive. */
	route?: (request: DeclarativeRestApiSettings.ResultOptions, call: number) => Promise<INodeExecutionData[]>;
}

export interface StubContext extends IExecutePaginationFunctions {
	/** Every request handed to makeRoutingRequest, in order. */
	routed: DeclarativeRestApiSettings.ResultOptions[];
	/** Stops the execution, as n8n's Stop button does: aborts the signal the node gets. */
	stop: () => void;
}

function lookUp(parameters: Record<string, unknown>, path: string): unknown {
	let value: unknown = parameters;
	for (const part of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[part];
	}
	return value;
}

export function stubContext(options: StubOptions = {}): StubContext {
	const parameters = options.parameters ?? {};
	const nodeContext = {};
	const abort = new AbortController();
	const routed: DeclarativeRestApiSettings.ResultOptions[] = [];
	const context = {
		routed,
		stop: () => abort.abort(new Error('execution cancelled')),
		getNode: () => STUB_NODE,
		getItemIndex: () => options.itemIndex ?? 0,
		getExecutionId: () => options.executionId ?? 'exec1',
		getExecutionCancelSignal: () => abort.signal,
		getContext: () => nodeContext,
		getCredentials: async () => ({ secretKey: options.secretKey ?? 'sk_test_stub', baseUrl: 'https://api.stripe.test' }),
		getNodeParameter: (name: string, fallback?: unknown) => lookUp(parameters, name) ?? fallback,
		makeRoutingRequest: async (request: DeclarativeRestApiSettings.ResultOptions) => {
			routed.push(structuredClone(request));
			if (!options.route) throw new Error('the stub has no route');
			return await options.route(request, routed.length);
		},
	};
	return context as unknown as StubContext;
}

/** The request data n8n's routing node hands the pagination hook for one operation. */
export function routingRequest(method: string, url: string, qs: Record<string, unknown> = {}): DeclarativeRestApiSettings.ResultOptions {
	return {
		options: { method: method as 'GET', url, baseURL: 'https://api.stripe.test', qs: { ...qs }, headers: { Accept: 'application/json' } },
		paginate: true,
		maxResults: 0,
		preSend: [],
		postReceive: [],
		requestOperations: {},
	} as unknown as DeclarativeRestApiSettings.ResultOptions;
}
