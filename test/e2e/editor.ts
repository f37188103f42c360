/**
 * Playwright helpers that drive the n8n editor UI (checked against n8n 2.41.1) for end-to-end tests
 * of this package's node.
 *
 * Selectors prefer n8n's own `data-test-id` attributes; where the editor has none (labels, Element Plus
 * dropdowns) a short comment says why the fallback was chosen.
 */
import type { Dialog, Locator, Page } from 'playwright-core';

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	/** n8n rule: 8+ characters, at least one number and one capital letter. */
	password: string;
}

const NDV = '[data-test-id="ndv"]';
const PARAMS = `${NDV} [data-test-id="node-parameters"]`;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches a label text exactly, allowing the surrounding whitespace and a required-field "*". */
const exactLabel = (text: string): RegExp => new RegExp(`^\\s*${escapeRegExp(text)}\\s*\\*?\\s*$`);

/**
 * Sets up the owner account on a fresh instance (the editor sends every page to /setup until then),
 * then gets past the screens that may follow, ending on a page with the main sidebar.
 */
export async function setUpOwner(page: Page, baseUrl: string, owner: Owner): Promise<void> {
	await page.goto(`${baseUrl}/setup`, { waitUntil: 'domcontentloaded' });
	const form = page.locator('[data-test-id="setup-form"]');
	await form.waitFor({ state: 'visible', timeout: 30_000 });
	// The inputs sit in wrappers with data-test-id="email" etc.; the <input name=...> is the fillable part.
	await form.locator('input[name="email"]').fill(owner.email);
	await form.locator('input[name="firstName"]').fill(owner.firstName);
	await form.locator('input[name="lastName"]').fill(owner.lastName);
	await form.locator('input[name="password"]').fill(owner.password);
	await form.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 30_000 });
	await dismissOnboarding(page);
	await page.locator('[data-test-id="main-sidebar-settings"]').waitFor({ state: 'visible', timeout: 30_000 });
}

/**
 * Clicks away the screens n8n may show after sign-up. Most are off with the env vars the tests start
 * n8n with (see the report / test setup); this is the fallback when they are not.
 */
async function dismissOnboarding(page: Page): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		// Personalization survey (N8N_PERSONALIZATION_ENABLED): a modal whose only way out is "Get started".
		const survey = page.locator('[data-test-id="personalization-form"]');
		if (await survey.isVisible()) {
			await survey
				.getByRole('button', { name: /get started/i })
				.click({ timeout: 2_000 })
				.catch(() => undefined);
			continue;
		}
		// The "n8n Assistant" intro page (instance-ai module) that a new owner lands on at /assistant.
		// The page animates in and may move on by itself (it is swapped out mid-click), so the click is
		// short and allowed to miss; the loop looks again.
		const later = page.locator('[data-test-id="assistant-set-up-later"]');
		if (await later.isVisible()) {
			await later.click({ timeout: 2_000 }).catch(() => undefined);
			continue;
		}
		if (await page.locator('[data-test-id="main-sidebar-settings"]').isVisible()) {
			if (!/\/(assistant|setup)/.test(new URL(page.url()).pathname)) return;
		}
		await page.waitForTimeout(250);
	}
}

/** Closes dialogs other than the NDV that may cover the canvas (surveys, "what's new" panels...). */
async function dismissPopups(page: Page): Promise<void> {
	for (let round = 0; round < 3; round++) {
		// n8n modals are Element Plus dialogs (.el-overlay) or reka-ui dialogs (role=dialog); the NDV is a
		// <dialog data-test-id="ndv"> and must be left alone.
		const open = page.locator('.el-overlay:visible, [role="dialog"]:visible').filter({
			hasNot: page.locator(NDV),
		});
		if ((await open.count()) === 0) return;
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

/**
 * n8n lets one tab at a time edit a workflow. A tab that edited it and was closed without saying
 * goodbye (e.g. the browser context of an earlier test) keeps that write lock for a while, and then the
 * canvas is read-only with an "Editing in another tab [Edit here]" pill over its centre, which also
 * swallows clicks on the nodes under it. The pill has no test id, hence the role/name selector.
 * Clicks "Edit here" if the pill is (or, within `waitMs`, becomes) visible; returns whether it did.
 */
export async function takeOverEditing(page: Page, waitMs = 0): Promise<boolean> {
	const editHere = page.getByRole('button', { name: 'Edit here', exact: true });
	try {
		await editHere.waitFor({ state: 'visible', timeout: Math.max(waitMs, 1) });
	} catch {
		return false;
	}
	await editHere.click();
	await editHere.waitFor({ state: 'hidden' });
	return true;
}

/** page.goto that leaves a workflow with unsaved changes, dropping them. */
async function gotoDroppingChanges(page: Page, url: string): Promise<void> {
	// Leaving a workflow with unsaved changes raises a "beforeunload" prompt; accept it (drop the
	// changes). Playwright's default for unhandled dialogs is to dismiss them, which would cancel the
	// navigation and make goto time out.
	const leave = (dialog: Dialog): void => {
		if (dialog.type() === 'beforeunload') void dialog.accept();
	};
	page.on('dialog', leave);
	try {
		await page.goto(url, { waitUntil: 'domcontentloaded' });
	} finally {
		page.off('dialog', leave);
	}
}

/**
 * Opens a workflow in the editor and waits until its nodes are on the canvas and it is editable here.
 */
export async function openWorkflow(page: Page, baseUrl: string, workflowId: string): Promise<void> {
	await gotoDroppingChanges(page, `${baseUrl}/workflow/${encodeURIComponent(workflowId)}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ state: 'visible', timeout: 30_000 });
	// Who holds the write lock arrives over the push connection shortly after the canvas renders.
	await takeOverEditing(page, 2_000);
	await dismissPopups(page);
}

/** The canvas node with this name (each canvas node carries data-node-name). */
export function canvasNode(page: Page, nodeName: string): Locator {
	return page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName.replace(/"/g, '\\"')}"]`);
}

/** Opens the node details view (NDV) of a canvas node and waits for its parameters panel. */
export async function openNode(page: Page, nodeName: string): Promise<void> {
	const node = canvasNode(page, nodeName);
	await node.waitFor({ state: 'visible' });
	await takeOverEditing(page);
	await node.dblclick();
	await page.locator(PARAMS).waitFor({ state: 'visible', timeout: 15_000 });
	// The NDV header shows the node's name once the NDV is bound to the node.
	await page
		.locator(`${NDV} [data-test-id="node-title-container"]`)
		.filter({ hasText: nodeName })
		.waitFor({ state: 'visible' });
}

/** Closes the NDV with its close button ("Back to canvas") and waits until it is gone. */
export async function closeNode(page: Page): Promise<void> {
	const ndv = page.locator(NDV);
	if (!(await ndv.isVisible())) return;
	await ndv.locator('[data-test-id="ndv-close-button"]').click();
	await ndv.waitFor({ state: 'hidden' });
}

/**
 * The display names of the parameters shown in the open NDV's Parameters tab, top to bottom,
 * including the ones inside collections (e.g. "Locale" inside "Additional Fields").
 * The Credential selector is not a parameter and is left out.
 */
export async function visibleParameterLabels(page: Page): Promise<string[]> {
	const panel = page.locator(PARAMS);
	await panel.waitFor({ state: 'visible' });
	// Each parameter's label is a <label class="n8n-input-label"> inside data-test-id="input-label"; the
	// display name is its first .n8n-text span (the label can also hold the Fixed/Expression toggle and
	// an info icon). The Settings tab's parameters are in the DOM too but hidden, hence the visibility check.
	return panel.locator('[data-test-id="input-label"] label.n8n-input-label').evaluateAll((labels) =>
		labels
			.filter((label) => {
				const box = (label as HTMLElement).getBoundingClientRect();
				return box.width > 0 && box.height > 0 && getComputedStyle(label).visibility !== 'hidden';
			})
			.map((label) => (label.querySelector('.n8n-text')?.textContent ?? label.textContent ?? '').trim())
			.map((text) => text.replace(/\s*\*$/, ''))
			.filter((text) => text.length > 0),
	);
}

/** The visible label of the parameter with this display name, in the open NDV's Parameters tab. */
function parameterLabel(page: Page, displayName: string): Locator {
	return page
		.locator(`${PARAMS} [data-test-id="input-label"] label.n8n-input-label`)
		.filter({ has: page.locator('.n8n-text').filter({ hasText: exactLabel(displayName) }) })
		.filter({ visible: true })
		.first();
}

/**
 * The block of one parameter (label + input + nested parameters): the nearest data-test-id="parameter-item"
 * around its label. Nested parameters have their own parameter-item, so "nearest" matters.
 */
export function parameterItem(page: Page, displayName: string): Locator {
	return parameterLabel(page, displayName).locator('xpath=ancestor::*[@data-test-id="parameter-item"][1]');
}

/**
 * Element Plus renders every select's dropdown into the page up front, hidden, so "the open dropdown"
 * cannot be found by class. The combobox input names its own listbox in aria-controls; use that.
 */
async function openSelect(page: Page, combobox: Locator): Promise<Locator> {
	await combobox.scrollIntoViewIfNeeded();
	await combobox.click();
	const listId = await combobox.getAttribute('aria-controls');
	if (!listId) throw new Error('The dropdown has no aria-controls to find its option list by');
	const list = page.locator(`[id="${listId}"]`);
	await list.waitFor({ state: 'visible' });
	return list;
}

/**
 * The dropdown input of an "options" parameter. Its label's `for` is the parameter's internal name, and
 * the input's wrapper is data-test-id="parameter-input-<name>". (Just taking the item's first combobox
 * is wrong: the first parameter-item also holds the Credential select.)
 */
async function parameterCombobox(page: Page, displayName: string): Promise<Locator> {
	const name = await parameterLabel(page, displayName).getAttribute('for');
	if (!name) throw new Error(`The label "${displayName}" names no parameter`);
	return parameterItem(page, displayName)
		.locator(`[data-test-id="parameter-input-${name}"] input[role="combobox"]`)
		.first();
}

/** The display names of the options a dropdown parameter offers (opens and closes it). */
export async function parameterOptions(page: Page, parameterDisplayName: string): Promise<string[]> {
	const list = await openSelect(page, await parameterCombobox(page, parameterDisplayName));
	const names = await list.locator('[data-test-id="parameter-input-item"] .option-headline').allTextContents();
	await page.keyboard.press('Escape');
	await list.waitFor({ state: 'hidden' });
	return names.map((name) => name.trim());
}

/** Sets a dropdown ("options") parameter to the option with this display name. */
export async function selectOption(page: Page, parameterDisplayName: string, optionDisplayName: string): Promise<void> {
	const combobox = await parameterCombobox(page, parameterDisplayName);
	const list = await openSelect(page, combobox);
	// Options show their display name in .option-headline and their description under it.
	await list
		.locator('[data-test-id="parameter-input-item"]')
		.filter({ has: page.locator('.option-headline').filter({ hasText: exactLabel(optionDisplayName) }) })
		.click();
	await list.waitFor({ state: 'hidden' });
	// The closed select shows the chosen name as its input value.
	await waitForValue(combobox, optionDisplayName);
}

async function waitForValue(input: Locator, expected: string, timeoutMs = 5_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let value = '';
	while (Date.now() < deadline) {
		value = await input.inputValue();
		if (value.trim() === expected) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`Expected the dropdown to show "${expected}", it shows "${value}"`);
}

/**
 * Adds an option to a collection parameter ("Additional Fields" -> "Configuration") with its
 * "Add Field"/"Add option" dropdown, and waits for the option's parameter to appear.
 */
export async function addCollectionOption(
	page: Page,
	collectionDisplayName: string,
	optionDisplayName: string,
): Promise<void> {
	const item = parameterItem(page, collectionDisplayName);
	// A collection nested in this one has its own add dropdown before this one's, so take the last.
	const add = item.locator('[data-test-id="collection-parameter-add"]').last();
	const list = await openSelect(page, add.locator('input[role="combobox"]'));
	await list
		.locator('[data-test-id="collection-parameter-option"]')
		.filter({ hasText: exactLabel(optionDisplayName) })
		.click();
	await list.waitFor({ state: 'hidden' });
	await parameterLabel(page, optionDisplayName).waitFor({ state: 'visible' });
}

/**
 * Adds an item to a fixedCollection parameter ("Discounts" -> "Add Discount", "Features" -> "Add Feature"
 * -> "Customer Update"). With one option n8n shows a plain button; with several, a dropdown whose entry
 * must be named by `optionDisplayName`. Resolves once the fixedCollection has one more item.
 */
export async function addFixedCollectionItem(
	page: Page,
	collectionDisplayName: string,
	optionDisplayName?: string,
): Promise<void> {
	const item = parameterItem(page, collectionDisplayName);
	// The fixedCollection's body is data-test-id="fixed-collection-<parameter name>"; its first match in
	// the item is the outer one (nested fixedCollections sit inside it).
	const body = item.locator('[data-test-id^="fixed-collection-"]:not([data-test-id^="fixed-collection-add"]):not([data-test-id="fixed-collection-delete"])').first();
	const countItems = () => body.locator('[data-test-id="fixed-collection-delete"]').count();
	const before = await countItems();
	// The single-option button is the last "fixed-collection-add" in the body (nested ones come earlier).
	const button = body.locator('button[data-test-id="fixed-collection-add"]').last();
	if (optionDisplayName === undefined) {
		await button.scrollIntoViewIfNeeded();
		await button.click();
	} else {
		// Several options: n8n renders a filterable select (no test id) after the items; it is the last
		// combobox in the body, after any inside the existing items.
		const list = await openSelect(page, body.locator('input[role="combobox"]').last());
		await list.locator('li[role="option"]').filter({ hasText: exactLabel(optionDisplayName) }).click();
		await list.waitFor({ state: 'hidden' });
	}
	const deadline = Date.now() + 5_000;
	while ((await countItems()) <= before) {
		if (Date.now() > deadline) throw new Error(`No item was added to "${collectionDisplayName}"`);
		await page.waitForTimeout(100);
	}
}

/** The options a collection's "Add Field" dropdown still offers (the ones not yet added). */
export async function collectionOptions(page: Page, collectionDisplayName: string): Promise<string[]> {
	const add = parameterItem(page, collectionDisplayName).locator('[data-test-id="collection-parameter-add"]').last();
	const list = await openSelect(page, add.locator('input[role="combobox"]'));
	const names = await list.locator('[data-test-id="collection-parameter-option"]').allTextContents();
	await page.keyboard.press('Escape');
	await list.waitFor({ state: 'hidden' });
	return names.map((name) => name.trim());
}

/** Reports the canvas node's icon image and whether the browser could load it (naturalWidth > 0). */
export async function nodeIconRendered(page: Page, nodeName: string): Promise<{ src: string; naturalWidth: number }> {
	// Icons given as a file are an <img> inside .n8n-node-icon; icons given as a font icon are an <svg>.
	return imageState(canvasNode(page, nodeName).locator('.n8n-node-icon img').first());
}

/** Same as nodeIconRendered, for the icon in the open NDV's header next to the node's name. */
export async function ndvHeaderIconRendered(page: Page): Promise<{ src: string; naturalWidth: number }> {
	// The NDV header has no test id of its own; it is the <header> that holds the node title.
	return imageState(page.locator(`${NDV} header:has([data-test-id="node-title-container"]) .n8n-node-icon img`).first());
}

async function imageState(img: Locator): Promise<{ src: string; naturalWidth: number }> {
	await img.waitFor({ state: 'attached' });
	// Wait for the load to finish (successfully or not) so naturalWidth means something.
	await img.evaluate(
		(el: HTMLImageElement) =>
			el.complete
				? undefined
				: new Promise<void>((resolve) => {
						el.addEventListener('load', () => resolve(), { once: true });
						el.addEventListener('error', () => resolve(), { once: true });
					}),
	);
	return img.evaluate((el: HTMLImageElement) => ({ src: el.src, naturalWidth: el.naturalWidth }));
}

const CHAT = '[data-test-id="canvas-chat"]';
// The chat panel's message list is rendered by @n8n/chat, which has test ids only on the input and the
// typing indicator; its own class names (chat-message-from-bot...) are the stable part left.
const BOT_REPLY = `${CHAT} .chat-message-from-bot:not(.chat-message-typing)`;

/**
 * With a chat-triggered workflow open, sends `message` in the editor's chat panel (opening it with the
 * "Open chat" button if needed) and returns the text of the bot's reply once it has stopped changing.
 */
export async function chatInEditor(page: Page, message: string, timeoutMs = 60_000): Promise<string> {
	const input = page.locator(`${CHAT} [data-test-id="chat-input"]`);
	if (!(await input.isVisible())) {
		await takeOverEditing(page);
		await dismissPopups(page);
		// The button toggles the bottom panel ("Open chat" / "Hide chat"), so only click it when closed.
		await page.locator('[data-test-id="workflow-chat-button"]').click();
		await input.waitFor({ state: 'visible', timeout: 15_000 });
	}
	const replies = page.locator(BOT_REPLY);
	const before = await replies.count();
	await input.fill(message);
	await input.press('Enter');

	const typing = page.locator(`${CHAT} [data-test-id="chat-message-typing"]`);
	const deadline = Date.now() + timeoutMs;
	let text = '';
	let stableSince = 0;
	while (Date.now() < deadline) {
		if ((await replies.count()) > before && !(await typing.isVisible())) {
			// A streamed reply grows in place; take it once it has not changed for a moment.
			const now = await replyText(replies.last());
			if (now !== text) {
				text = now;
				stableSince = Date.now();
			} else if (Date.now() - stableSince >= 750) {
				await closeSuccessToasts(page);
				return text;
			}
		}
		await page.waitForTimeout(250);
	}
	throw new Error(`No reply in the chat panel within ${timeoutMs} ms${text ? ` (last seen: "${text}")` : ''}`);
}

/**
 * Closes "Workflow executed successfully" toasts: they stay ~4 s over the canvas's lower right corner,
 * where they cover nodes a test may click next. Error toasts are left up for the screenshot.
 */
async function closeSuccessToasts(page: Page): Promise<void> {
	// Element Plus notifications have no test id; the success ones carry the --success icon class.
	const toasts = page.locator('.el-notification:visible').filter({ has: page.locator('.el-notification--success') });
	for (const toast of await toasts.all()) {
		await toast.locator('.el-notification__closeBtn').click({ timeout: 2_000 }).catch(() => undefined);
	}
}

async function replyText(reply: Locator): Promise<string> {
	// The message text is in .chat-message-markdown; the hover actions (copy, repost) sit beside it.
	const markdown = reply.locator('.chat-message-markdown');
	const text = (await markdown.count()) > 0 ? await markdown.first().innerText() : await reply.innerText();
	return text.trim();
}

/**
 * Whether the canvas shows the node's green "success" mark from the last execution shown in the
 * editor. The mark arrives over the push connection, possibly just after a chat reply, so this waits
 * up to `timeoutMs` for it; an error mark answers false at once.
 */
export async function nodeRanSuccessfully(page: Page, nodeName: string, timeoutMs = 5_000): Promise<boolean> {
	const node = canvasNode(page, nodeName);
	const success = node.locator('[data-test-id="canvas-node-status-success"]');
	const error = node.locator('[data-test-id="canvas-node-status-error"]');
	const deadline = Date.now() + timeoutMs;
	do {
		if (await success.isVisible()) return true;
		if (await error.isVisible()) return false;
		await page.waitForTimeout(200);
	} while (Date.now() < deadline);
	return false;
}

const CREDENTIAL_MODAL = '[data-test-id="editCredential-modal"]';

/**
 * Opens the edit modal of an existing credential from the Overview's Credentials tab, by its name.
 * n8n tests a saved credential as the modal opens; read the outcome with credentialTestResult.
 */
export async function openCredential(page: Page, baseUrl: string, credentialName: string): Promise<void> {
	await gotoDroppingChanges(page, `${baseUrl}/home/credentials`);
	await page.locator('[data-test-id="resources-list-wrapper"]').waitFor({ state: 'visible', timeout: 30_000 });
	await dismissPopups(page);
	// Searching keeps the card on the first page however many credentials there are.
	// The test id sits on the <input> itself (n8n 2.41.1); the descendant form covers a wrapper.
	await page
		.locator('input[data-test-id="resources-list-search"], [data-test-id="resources-list-search"] input')
		.first()
		.fill(credentialName);
	// The card has no test id naming the credential; its title is the <h2> in the card content.
	const card = page
		.locator('[data-test-id="resources-list-item"]')
		.filter({ has: page.locator('[data-test-id="card-content"] h2').filter({ hasText: exactLabel(credentialName) }) })
		.first();
	await card.waitFor({ state: 'visible', timeout: 15_000 });
	await card.locator('[data-test-id="card-content"]').click();
	const modal = page.locator(CREDENTIAL_MODAL);
	await modal.waitFor({ state: 'visible', timeout: 15_000 });
	await modal
		.locator('[data-test-id="credential-name"]')
		.filter({ hasText: credentialName })
		.waitFor({ state: 'visible' });
}

/**
 * The connection-test banner of the open credential modal, once the test has answered:
 * "Connection tested successfully", or for a failure "Couldn’t connect with these settings" and, on
 * the next line, the reason the credential's test gave (n8n hides it behind "More details").
 * A form with invalid fields is not tested; then this returns n8n's "Please check the errors below".
 */
export async function credentialTestResult(page: Page, timeoutMs = 30_000): Promise<string> {
	const config = page.locator(`${CREDENTIAL_MODAL} [data-test-id="node-credentials-config-container"]`);
	const success = config.locator('[data-test-id="credentials-config-container-test-success"]');
	// Only the success banner has a test id. The banners are Element Plus tags themed by class; the
	// failed-test one is the danger tag with the "Retry credential test" button, the validation one has none.
	const failure = config
		.locator('.el-tag--danger')
		.filter({ has: page.locator('button[title="Retry credential test"]') });
	const invalid = config.locator('.el-tag--danger').filter({ hasNotText: /Retry/ });
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await success.isVisible()) return bannerMessage(success);
		if (await failure.first().isVisible()) {
			const banner = failure.first();
			// The reason is rendered after the banner row only once "More details" is clicked (it toggles).
			const details = banner.locator('.el-tag__content > div').nth(1);
			const more = banner.getByText('More details', { exact: true });
			if (!(await details.isVisible()) && (await more.isVisible())) {
				await more.click();
				await details.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
			}
			const reason = (await details.isVisible()) ? (await details.innerText()).trim() : '';
			return [await bannerMessage(banner), reason].filter((line) => line.length > 0).join('\n');
		}
		if (await invalid.first().isVisible()) return bannerMessage(invalid.first());
		await page.waitForTimeout(200);
	}
	throw new Error(`The credential modal showed no connection test result within ${timeoutMs} ms`);
}

/** The banner's message line, without its button and "More details" link. */
async function bannerMessage(banner: Locator): Promise<string> {
	// The message is the span next to the icon; innerText of the whole banner would add "Retry".
	const span = banner.locator('svg + span').first();
	const text = (await span.count()) > 0 ? await span.innerText() : await banner.innerText();
	return text.replace(/\u00a0/g, ' ').trim();
}

/**
 * Types a value into a text or password field of the open credential modal, found by its label.
 * (Saved secrets show as a placeholder value; fill() replaces it.) Not for dropdown fields.
 */
export async function setCredentialField(page: Page, label: string, value: string): Promise<void> {
	// Each field is its own <form data-test-id="credential-connection-parameter">; the label's first
	// span holds the display name (the label also holds the Fixed/Expression toggle).
	const field = page
		.locator(`${CREDENTIAL_MODAL} [data-test-id="credential-connection-parameter"]`)
		.filter({ has: page.locator('label span').filter({ hasText: exactLabel(label) }) })
		.first();
	const input = field.locator('[data-test-id="parameter-input-field"]').first();
	await input.waitFor({ state: 'visible' });
	await input.fill(value);
}

/**
 * Tests the credential again with what the modal currently shows, without saving it (the banner's
 * "Retry" button), and returns the new result as credentialTestResult does.
 */
export async function retestCredential(page: Page, timeoutMs = 30_000): Promise<string> {
	const retry = page.locator(`${CREDENTIAL_MODAL} button[title="Retry credential test"]:visible`).first();
	await retry.waitFor({ state: 'visible', timeout: 5_000 });
	// The old banner stays up while the new test runs, so wait for the test's answer, not for a banner.
	const answered = page.waitForResponse(
		(response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/rest/credentials/test',
		{ timeout: timeoutMs },
	);
	await retry.click();
	await answered;
	await page.waitForTimeout(300);
	return credentialTestResult(page, timeoutMs);
}

/**
 * Closes the credential modal without saving: with unsaved changes n8n asks "Close without saving?",
 * answered with its "Close" button.
 */
export async function closeCredential(page: Page): Promise<void> {
	const modal = page.locator(CREDENTIAL_MODAL);
	if (!(await modal.isVisible())) return;
	// The dialog's close (x) button in the modal header has no test id, only its aria-label.
	await modal.locator('button[aria-label="Close this dialog"]').first().click();
	const confirm = page.getByRole('dialog', { name: 'Close without saving?' });
	await Promise.race([
		confirm.waitFor({ state: 'visible', timeout: 5_000 }),
		modal.waitFor({ state: 'hidden', timeout: 5_000 }),
	]).catch(() => undefined);
	if (await confirm.isVisible()) {
		await confirm.getByRole('button', { name: 'Close', exact: true }).click();
	}
	await modal.waitFor({ state: 'hidden', timeout: 10_000 });
}
