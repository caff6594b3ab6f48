#!/usr/bin/env bash
# migratectl starts light: it links no library that its daemon commands do
# not need (libpq, libcrypto, libpg_query and the like cost more than its
# whole start-up; issue 13). Commands that need them live in
# migratectl-full, built next to it, which migratectl executes for them
# (CTL_HEAVY in ctl/ctl.h). No timing here: the benchmark measures that.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

command -v readelf >/dev/null || fail "readelf (binutils) is needed"

# the libraries migratectl may load: libc, jansson, libmd, and what a
# sanitizer build adds
allowed='^(libc|libm|libjansson|libmd|libasan|libubsan|libgcc_s|libstdc\+\+|libpthread|libdl|librt)\.so'
needed=$(readelf -d "$MIGRATECTL" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[[ -n $needed ]] || fail "readelf found no NEEDED entry in $MIGRATECTL"
bad=$(grep -Ev "$allowed" <<<"$needed" || true)
[[ -z $bad ]] || fail "migratectl links $(echo $bad): move the commands that need it to migratectl-full (CTL_HEAVY in ctl/ctl.h)"
ok "migratectl links only $(echo $needed)"

full=$(dirname "$MIGRATECTL")/migratectl-full
[[ -x $full ]] || fail "no $full"
v=$("$MIGRATECTL" --version)
[[ $("$full" --version) == "$v" ]] || fail "migratectl-full --version differs from '$v'"
ok "migratectl-full is built next to migratectl, same version"
