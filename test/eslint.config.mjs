// ESLint for the tests, the demos and the bench (bench/eslint.config.mjs reuses this file). The
// repository's own eslint.config.mjs is n8n's default (`n8n-node cloud-support` requires it
// unchanged) and holds the package's code to n8n Cloud's rules, which forbid what tests need:
// node:fs, child processes, `process`, timers, the console. `npm run lint` runs ESLint with
// `--flag unstable_config_lookup_from_file` (ESLint 10's default), so each file takes the
// nearest eslint.config.mjs: this one below test/ and bench/, n8n's everywhere else.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({
	files: ['**/*.ts'],
	extends: [js.configs.recommended, tseslint.configs.recommended],
	rules: {
		'prefer-spread': 'off',
		// Interface implementations keep the parameters they ignore, named with a leading underscore.
		'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		// Tests read JSON answers of the sandbox field by field.
		'@typescript-eslint/no-explicit-any': 'off',
	},
});
