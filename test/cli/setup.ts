/**
 * The set-up `npm run demo`, `npm run dev` and `npm run test:e2e` share: the Stripe sandbox and a
 * mail catcher on 127.0.0.1, the pinned n8n CLI, an n8n user folder with this package installed
 * from its `npm pack` tarball, credentials for every credential the examples name, and the
 * example workflows imported with `n8n import:credentials` / `n8n import:workflow`.
 */
import { mkdirSync, rmSync } from 'node:fs';

import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS, StripeSandbox } from '../sandbox';
import { ensureN8n } from './install';
import { type CredentialImport, exampleWorkflows, N8nInstance, type WorkflowJson } from './instance';
import { MailCatcher } from './mail-catcher';

/** The login page link the sandbox's default configuration gets, as on an account that turned it on. */
export const DEMO_LOGIN_PAGE_URL = 'https://billing.stripe.com/p/login/test_SandboxDefaultLogin01';

export interface SetUpOptions {
	/** The n8n user folder; emptied first unless `keep` is set. */
	userFolder: string;
	keep?: boolean;
	/** Fixed sandbox port (dev mode keeps one across restarts); default: any free port. */
	sandboxPort?: number;
	/** A real Stripe test key: adds a second credential pointing at api.stripe.com. */
	stripeTestKey?: string;
	/** Extra workflows to import beside the examples (the end-to-end test's own). */
	extraWorkflows?: WorkflowJson[];
	/** Default true; dev mode imports them on its first run only, so later edits in the editor stay. */
	importWorkflows?: boolean;
	log?: (line: string) => void;
}

export interface DemoSetUp {
	sandbox: StripeSandbox;
	mail: MailCatcher;
	instance: N8nInstance;
	examples: Array<{ file: string; workflow: WorkflowJson }>;
	credentials: CredentialImport[];
	packagedFiles: string[];
	stop(): Promise<void>;
}

export const REAL_KEY_CREDENTIAL = { id: 'stripeTestKey', name: 'Stripe (your test key)' };

export async function setUpDemo(options: SetUpOptions): Promise<DemoSetUp> {
	const log = options.log ?? (() => undefined);
	const install = ensureN8n(log);

	const sandbox = new StripeSandbox({ port: options.sandboxPort });
	const sandboxUrl = await sandbox.start();
	const configuration = sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
	if (configuration) configuration.login_page = { enabled: true, url: DEMO_LOGIN_PAGE_URL };
	const mail = new MailCatcher();
	const mailPort = await mail.start();
	const stopServers = async () => {
		await sandbox.stop();
		await mail.stop();
	};
	log(`Stripe sandbox on ${sandboxUrl}, mail catcher on smtp://127.0.0.1:${mailPort}`);

	try {
		if (!options.keep) rmSync(options.userFolder, { recursive: true, force: true });
		mkdirSync(options.userFolder, { recursive: true });
		const instance = new N8nInstance(install, options.userFolder);
		const { files } = instance.installPackage();
		log(`Installed the npm pack tarball (${files.length} files) into ${instance.nodesFolder}`);

		const examples = exampleWorkflows();
		const workflows = [...examples.map((example) => example.workflow), ...(options.extraWorkflows ?? [])];
		const credentials = credentialsFor(workflows, { sandboxUrl, mailPort });
		if (options.stripeTestKey) {
			credentials.push({
				...REAL_KEY_CREDENTIAL,
				type: 'stripeBillingPortalApi',
				data: { secretKey: options.stripeTestKey, apiVersion: DEFAULT_API_VERSION, baseUrl: 'https://api.stripe.com' },
			});
		}
		await instance.importCredentials(credentials);
		const importWorkflows = options.importWorkflows ?? true;
		if (importWorkflows) await instance.importWorkflows(workflows);
		log(`Imported ${credentials.length} credentials${importWorkflows ? ` and ${workflows.length} workflows` : ''} with the n8n ${install.version} CLI`);
		return { sandbox, mail, instance, examples, credentials, packagedFiles: files, stop: stopServers };
	} catch (error) {
		await stopServers();
		throw error;
	}
}

/**
 * One credential per credential reference in the workflows, so each imports ready to run: Stripe
 * credentials point at the sandbox, SMTP at the mail catcher. Others (the AI example's OpenAI
 * account) are left for the user to create, as after importing a workflow by hand.
 */
export function credentialsFor(workflows: WorkflowJson[], endpoints: { sandboxUrl: string; mailPort: number }): CredentialImport[] {
	const found = new Map<string, CredentialImport>();
	for (const workflow of workflows) {
		for (const node of workflow.nodes) {
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				let data: Record<string, unknown> | undefined;
				if (type === 'stripeBillingPortalApi') {
					data = { secretKey: DEFAULT_SECRET_KEY, apiVersion: DEFAULT_API_VERSION, baseUrl: endpoints.sandboxUrl };
				} else if (type === 'smtp') {
					data = { host: '127.0.0.1', port: endpoints.mailPort, secure: false, disableStartTls: true, user: '', password: '' };
				}
				if (data && !found.has(reference.id)) found.set(reference.id, { id: reference.id, name: reference.name, type, data });
			}
		}
	}
	return [...found.values()];
}
