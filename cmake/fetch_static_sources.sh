#!/usr/bin/env bash
# Fetches, from Debian's source packages, the sources of the two C++
# libraries Debian ships shared only, so the kpi binary can link them
# statically and, with them, libstdc++ (cmake/static_cpp.cmake says why):
#   simdjson: singleheader/simdjson.{h,cpp} of the source package of the
#             installed libsimdjson-dev (the very version of its headers);
#   cctz:     abseil's copy of cctz (Debian's cctz source package is not on
#             every mirror), with abseil's namespaces taken off so that it
#             defines the symbols of the standalone library (namespace cctz).
# Both are Apache-2.0; their LICENSE files are kept beside the sources.
#
#   cmake/fetch_static_sources.sh DEST
#
# Writes DEST/simdjson/{simdjson.h,simdjson.cpp,LICENSE},
# DEST/cctz/{include/cctz/*.h,src/*,LICENSE} and DEST/.complete last;
# does nothing when DEST/.complete exists. Uses apt-get with a private
# source list (the machine's own Debian mirrors, as deb-src) and a private
# list directory under DEST: the machine's apt state is not touched, no root
# needed. Exits non-zero on any failure (CMake then links the shared
# libraries).
set -euo pipefail
dest=$1
[ -f "$dest/.complete" ] && exit 0
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || { echo "no apt-get" >&2; exit 1; }
work="$dest/.work"
rm -rf "$work" "$dest/simdjson" "$dest/cctz"
mkdir -p "$work/lists/partial" "$work/parts" "$work/dl"

# The machine's Debian sources, as deb-src.
touch "$work/sources.list"
[ -f /etc/apt/sources.list ] && sed -n 's/^deb \(.*\)$/deb-src \1/p' /etc/apt/sources.list >"$work/sources.list"
for f in /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && sed -n 's/^deb \(.*\)$/deb-src \1/p' "$f" >>"$work/sources.list"
done
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed 's/^Types:.*$/Types: deb-src/' "$f" >"$work/parts/$(basename "$f")"
done
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/parts"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root -qq)
mkdir -p "$work/cache"
apt-get "${apt_opts[@]}" update >&2

simdjson_version=$(dpkg-query -W -f='${source:Version}' libsimdjson-dev)
(cd "$work/dl" && apt-get "${apt_opts[@]}" source --download-only "simdjson=$simdjson_version" abseil >&2)

# simdjson: the amalgamated pair and its licence.
mkdir -p "$dest/simdjson"
tar -xf "$(ls "$work"/dl/simdjson_*.orig.tar.*)" -C "$work" --wildcards '*/singleheader/simdjson.h' \
    '*/singleheader/simdjson.cpp' '*/LICENSE'
cp "$work"/simdjson-*/singleheader/simdjson.h "$work"/simdjson-*/singleheader/simdjson.cpp "$dest/simdjson/"
cp "$work"/simdjson-*/LICENSE "$dest/simdjson/LICENSE"

# cctz from abseil: absl/time/internal/cctz/{include/cctz,src}, outside
# abseil's namespaces (absl::time_internal::cctz -> cctz, abseil's config
# header not needed once ABSL_NAMESPACE_BEGIN/END are gone).
tar -xf "$(ls "$work"/dl/abseil_*.orig.tar.*)" -C "$work" --wildcards '*/absl/time/internal/cctz/*' '*/LICENSE'
src=$(ls -d "$work"/abseil-*/absl/time/internal/cctz)
mkdir -p "$dest/cctz/include" "$dest/cctz/src"
cp -r "$src/include/cctz" "$dest/cctz/include/"
cp "$src"/src/*.cc "$src"/src/*.h "$dest/cctz/src/"
rm -f "$dest"/cctz/src/*_test.cc "$dest"/cctz/src/*benchmark*.cc
cp "$(ls -d "$work"/abseil-*)/LICENSE" "$dest/cctz/LICENSE"
sed -i -E -e '/^namespace (absl|time_internal) \{$/d' -e '/^ABSL_NAMESPACE_(BEGIN|END)$/d' \
    -e '/^\}  \/\/ namespace (absl|time_internal)$/d' -e '/^#include "absl\/base\/config.h"$/d' \
    -e 's#absl/time/internal/cctz/include/cctz/#cctz/#' -e 's/absl::time_internal::cctz/cctz/g' \
    "$dest"/cctz/include/cctz/*.h "$dest"/cctz/src/*
# Nothing of abseil may be left but include guards and MSVC-only pragmas.
if grep -n 'absl\|ABSL_' "$dest"/cctz/include/cctz/*.h "$dest"/cctz/src/* | grep -v '_H_$\|_H_ *$\|MANGLED'; then
  echo "abseil's cctz changed shape: not used" >&2
  exit 1
fi
rm -rf "$work"
touch "$dest/.complete"
