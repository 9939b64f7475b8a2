#!/usr/bin/env bash
# Refresh the two JavaScript packages the site's pages load, from the npm registry, into site/_static/:
#  - @jupyter-widgets/html-manager: its standalone embed bundle (standard ipywidgets 8 controls and
#    Output, no RequireJS) draws the saved widget state of the lessons' panels without a kernel;
#  - mathjax 3: tex-chtml.js and its fonts typeset the lessons' equations.
# The copies are committed, so `make site` needs no network and the pages need no CDN when they are
# read. Run this only to change a pinned version (and its integrity, from `npm view PKG@V dist.integrity`).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # NAME VERSION INTEGRITY: unpack the checked tarball into $work/NAME
    (cd "$work" && npm pack --silent "$1@$2" >/dev/null)
    local tarball got
    tarball=$(ls "$work"/*"$(basename "$1")"-"$2".tgz)
    got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    [ "$got" = "$3" ] || { echo "$1@$2: integrity $got, expected $3" >&2; exit 1; }
    mkdir -p "$work/$(basename "$1")" && tar -xzf "$tarball" -C "$work/$(basename "$1")"
}

# html-manager 1.0.x renders ipywidgets 8 state (@jupyter-widgets/controls 2.0).
HM=1.0.15
fetch @jupyter-widgets/html-manager $HM \
    sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==
out=_static/html-manager
rm -rf "$out" && mkdir -p "$out"
src="$work/html-manager/package/dist"
# embed.js and the Font Awesome files its CSS names (woff2 and woff: what browsers of this decade load)
cp "$src/embed.js" "$src/embed.js.LICENSE.txt" "$src/"*.woff2 "$src/"*.woff "$out/"
printf '%s\n' "@jupyter-widgets/html-manager $HM from the npm registry: dist/embed.js and its fonts," \
    "copied by site/vendor.sh. License: BSD-3-Clause (Jupyter Development Team); the notices of the" \
    "libraries bundled in it are in embed.js.LICENSE.txt." > "$out/README.txt"

MJ=3.2.2
fetch mathjax $MJ \
    sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==
out=_static/mathjax
rm -rf "$out" && mkdir -p "$out/output/chtml/fonts"
src="$work/mathjax/package"
cp "$src/LICENSE" "$src/es5/tex-chtml.js" "$out/"
cp -r "$src/es5/output/chtml/fonts/woff-v2" "$out/output/chtml/fonts/"
printf '%s\n' "mathjax $MJ from the npm registry: es5/tex-chtml.js and its woff-v2 fonts, copied by" \
    "site/vendor.sh. License: Apache-2.0 (LICENSE)." > "$out/README.txt"
du -sh _static/html-manager _static/mathjax
