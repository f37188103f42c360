#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH. Where the machine's node is older, Node 24 is
# installed from the npm registry (the `node` package ships the binary) into .tools/, which git
# ignores. Usage: bash scripts/node24.sh <command> [args…]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_version="24.21.0"

major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt 24 ]; then
	tools="$root/.tools/node-$node_version"
	if [ ! -x "$tools/node_modules/node/bin/node" ]; then
		echo "Installing Node.js $node_version into ${tools#"$root"/} (system node is $(node --version 2>/dev/null || echo missing))" >&2
		# The package's own install script fetches the binary package, so scripts must run here
		# even where an npmrc (or the caller's npm_config_ignore_scripts) turns them off.
		npm install --prefix "$tools" --no-save --no-package-lock --ignore-scripts=false \
			--no-audit --no-fund --loglevel=error "node@$node_version" >&2
	fi
	export PATH="$tools/node_modules/node/bin:$PATH"
fi
exec "$@"
