import type { IExecuteSingleFunctions } from 'n8n-workflow';

type Context = IExecuteSingleFunctions;

/**
 * State made on first use and kept on an object n8n hands every item of a run, so it lasts for
 * that run without any global state; weak references let it go when the execution does. Where
 * the context has no such object, each call makes its own.
 */
export function keptPer<T>(ownerOf: (context: Context) => object | undefined, create: (context: Context) => T): (context: Context) => T {
	const states = new WeakMap<object, T>();
	return (context) => {
		const owner = ownerOf(context);
		if (!owner) return create(context);
		let state = states.get(owner);
		if (state === undefined) {
			state = create(context);
			states.set(owner, state);
		}
		return state;
	};
}

/**
 * n8n keeps one context object per node for the whole execution and hands every item's hooks
 * and requests the same one: it names "this node's run". A context without it falls back to the
 * execution's cancel signal.
 */
function nodeRunOf(context: Context): object | undefined {
	try {
		return context.getContext('node');
	} catch {
		return context.getExecutionCancelSignal();
	}
}

/** State shared by every item of one node run. */
export function perNodeRun<T>(create: (context: Context) => T): (context: Context) => T {
	return keptPer(nodeRunOf, create);
}
