// `npm publish` runs this first (the `prepublishOnly` script). n8n refuses community packages
// published without an npm provenance statement, which only a CI run can make: releases are
// published by .github/workflows/publish.yml when a version tag is pushed. So a publish from
// any other place is refused and the message says what to run instead. `npm publish --dry-run`
// still works everywhere, to see what would be published.
const inGitHubActions = process.env.GITHUB_ACTIONS === 'true';
const dryRun = process.env.npm_config_dry_run === 'true';

if (!inGitHubActions && !dryRun) {
	process.stderr.write(
		[
			'',
			'npm publish refused: releases are published by GitHub Actions with an npm provenance',
			'statement, which n8n requires of every community node (a publish from this machine would',
			'have none, and n8n would refuse that version for good). Run:',
			'',
			'    npm run release',
			'',
			'It checks, bumps the version, moves CHANGELOG.md\'s Unreleased entries under it, commits,',
			'tags v<version> and pushes; the tag starts .github/workflows/publish.yml, which publishes.',
			'To see what would be published: npm publish --dry-run',
			'',
		].join('\n'),
	);
	process.exit(1);
}
