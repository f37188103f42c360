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

/**
 * n8n makes a context of its own for each item of a node run, and again for each Retry On Fail
 * try, each with its own `helpers`; the context it hands the item's pagination hook is made from
 * the item's (Object.create) and reads the same `helpers`. So that object names "this item, in
 * this try", for the item's preSend and pagination hooks alike. A context without it (none in
 * n8n) makes its own state on each call.
 */
function itemOf(context: Context): object | undefined {
	return (context as Partial<Context>).helpers;
}

/** State shared by every hook and request of one item, in one try of one node run. */
export function perItem<T>(create: (context: Context) => T): (context: Context) => T {
	return keptPer(itemOf, create);
}
