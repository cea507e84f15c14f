#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `meson install` into a scratch DESTDIR, then what a user of the installed
# files does, with the variables docs/install.md gives:
#   - gst-inspect-1.0 finds the rnn plugin (GST_PLUGIN_PATH, and
#     LD_LIBRARY_PATH for librnn-core outside the system folders) and
#     reports the project's version;
#   - pkg-config finds rnn-core at that version, and a program built
#     against the installed headers checks the version at build time
#     (RNN_CHECK_VERSION) and at run time (rnn_version_string());
#   - the results header is installed where docs/embedding.md says;
#   - no installed object carries a RUNPATH or RPATH.
# Usage: test-install.sh BUILD_DIR PROJECT_VERSION
set -euo pipefail
build=$1 version=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

opt() {
  meson introspect "$build" --buildoptions | python3 -c \
    'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$1"
}
# an installed sanitizer build cannot be loaded by the stock gst-inspect-1.0
# (ASan wants to be the first library): nothing a user installs
if [ "$(opt b_sanitize)" != "none" ]; then
  echo "sanitizer build ($(opt b_sanitize)): the install test is for plain builds; skipped"
  exit 77
fi
meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest/install.log" 2>&1 \
  || { cat "$dest/install.log"; exit 1; }
prefix=$(opt prefix) libdir=$(opt libdir)
case "$libdir" in /*) ;; *) libdir="$prefix/$libdir" ;; esac
root="$dest$prefix" lib="$dest$libdir"
fail() { echo "FAIL: $*" >&2; exit 1; }

# the element, from the installed plugin alone
export GST_PLUGIN_PATH="$lib/gstreamer-1.0" LD_LIBRARY_PATH="$lib"
export GST_REGISTRY="$dest/registry.bin" GST_PLUGIN_SYSTEM_PATH_1_0=""
out=$(gst-inspect-1.0 rnn 2>&1) || fail "gst-inspect-1.0 rnn: $out"
grep -Eq "^  Version +$version\$" <<<"$out" \
  || fail "gst-inspect-1.0 rnn does not report version $version: $(grep Version <<<"$out")"
for e in rnn rnntext; do
  gst-inspect-1.0 "$e" >/dev/null 2>&1 || fail "gst-inspect-1.0 $e"
done
echo "gst-inspect-1.0: rnn plugin $version from $GST_PLUGIN_PATH"

# the library, through pkg-config (its paths are the prefix's; the files
# are under DESTDIR until a package puts them there)
export PKG_CONFIG_PATH="$lib/pkgconfig"
got=$(pkg-config --modversion rnn-core) || fail "pkg-config rnn-core"
[ "$got" = "$version" ] || fail "pkg-config says rnn-core $got, not $version"
inc=$(pkg-config --variable=includedir rnn-core)
libd=$(pkg-config --variable=libdir rnn-core)
grep -q -- "-I$inc/gst-rnn" <<<"$(pkg-config --cflags rnn-core)" \
  || fail "pkg-config --cflags rnn-core: $(pkg-config --cflags rnn-core)"
grep -q -- "-lrnn-core" <<<"$(pkg-config --libs rnn-core)" \
  || fail "pkg-config --libs rnn-core: $(pkg-config --libs rnn-core)"
cat >"$dest/v.c" <<'C'
#include <rnn.h>
#include <stdio.h>
#include <string.h>
#if !RNN_CHECK_VERSION(0, 0, 1) || RNN_CHECK_VERSION(RNN_VERSION_MAJOR, RNN_VERSION_MINOR, RNN_VERSION_MICRO + 1)
#error "RNN_CHECK_VERSION is wrong"
#endif
int main (int argc, char **argv) {
  guint a, b, c;
  rnn_version (&a, &b, &c);
  char s[64];
  snprintf (s, sizeof s, "%u.%u.%u", a, b, c);
  if (strcmp (rnn_version_string (), argv[1]) || strcmp (RNN_VERSION_STRING, argv[1])
      || strcmp (s, argv[1])) {
    fprintf (stderr, "library %s (%s), headers %s, project %s\n",
        rnn_version_string (), s, RNN_VERSION_STRING, argv[1]);
    return 1;
  }
  return 0;
}
C
# shellcheck disable=SC2046
cc -o "$dest/v" "$dest/v.c" -I"$dest$inc/gst-rnn" -L"$dest$libd" -lrnn-core \
  $(pkg-config --cflags --libs glib-2.0) \
  || fail "a program against the installed rnn.h does not build"
"$dest/v" "$version" || fail "version mismatch"
echo "pkg-config: rnn-core $got; headers and library agree"

[ -f "$root/include/gstreamer-1.0/gst/rnn/gstrnnmeta.h" ] \
  || fail "gstrnnmeta.h not at include/gstreamer-1.0/gst/rnn/"

n=0
while IFS= read -r -d '' so; do
  n=$((n + 1))
  if readelf -d "$so" | grep -Eq '\((RUNPATH|RPATH)\)'; then
    fail "$so has $(readelf -d "$so" | grep -E 'RUNPATH|RPATH')"
  fi
done < <(find "$dest" -name '*.so*' -type f -print0)
((n >= 2)) || fail "expected the plugin and the library, found $n shared objects"
echo "no RUNPATH in the $n installed shared objects"
