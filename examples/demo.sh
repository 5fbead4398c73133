#!/usr/bin/env bash
# The main job on embedded defaults: a throwaway git repository and a throwaway
# SPEC_KITTY_HOME, a feature taken through every lane, then the board and the queue.
# No server is needed: not logged in, events wait in the local queue.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sk() {
  local shown=() a
  for a in "$@"; do [[ $a == *" "* ]] && shown+=("\"$a\"") || shown+=("$a"); done
  echo "\$ spec-kitty ${shown[*]}"
  node "$root/dist/spec-kitty.cjs" "$@"
  echo
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SPEC_KITTY_HOME="$work/home"
mkdir -p "$work/demo-project" && cd "$work/demo-project"
git init -q -b main && git remote add origin git@git.example.com:acme/demo-project.git

sk init
sk feature create "Checkout flow"
sk wp add 001-checkout-flow "Cart model"
sk wp add 001-checkout-flow "Payment form" --deps WP01
sk implement WP01
sk review WP01
sk accept
sk implement WP02
sk status
sk plugins list
sk sync status
