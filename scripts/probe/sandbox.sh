#!/usr/bin/env bash
# Re-measures the facts the stage executor relies on (docs/stage-executor.md): which namespace + copy-on-write
# combinations let a Debian image's RUN `apt-get install` work, what the upper dir looks like
# afterwards, emulated foreign-arch RUN, kill behaviour and USER switching.
# Prints one line per check: STATUS  check-id  detail   (STATUS is ok, FAIL or info; "FAIL" on a
# check whose id ends in ".expect-fail" means the expected failure did NOT happen).
#
# Usage (as root, on a Debian 12 machine):
#   apt-get install -y mmdebstrap arch-test uidmap fuse-overlayfs attr qemu-user-static binfmt-support iproute2
#   bash scripts/probe/sandbox.sh            # full: apt-get install gcc libc6-dev + compile hello.c (~3 min)
#   QUICK=1 bash scripts/probe/sandbox.sh    # apt-get install the small `hello` package instead (~2 min)
#   ROOTFS=/path/rootfs.tar bash ...         # reuse a `mmdebstrap --variant=minbase bookworm` tarball
#   KEEP=1 bash ...                          # keep the work dir (printed at the end)
# It creates two throwaway users (obprobe: with an /etc/subuid+subgid range, obprobe1: without) and
# removes them again at exit, along with their subuid lines.
set -uo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root (the script creates test users and mounts as real root)"; exit 2; }

QUICK=${QUICK:-0}
WORK=$(mktemp -d /tmp/ocibake-probe.XXXXXX)
chmod 0755 "$WORK"
SUBUSER=obprobe NOSUBUSER=obprobe1 SUBSTART=200000
CREATED_USERS=()
FUSE_MODE_BEFORE=""

line() { printf '%-5s %-40s %s\n' "$1" "$2" "$3"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

cleanup() {
  for u in "${CREATED_USERS[@]}"; do userdel -r "$u" >/dev/null 2>&1 || userdel "$u" >/dev/null 2>&1; sed -i "/^$u:/d" /etc/subuid /etc/subgid; done
  [ -n "$FUSE_MODE_BEFORE" ] && chmod "$FUSE_MODE_BEFORE" /dev/fuse
  if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

for t in mmdebstrap unshare newuidmap fuse-overlayfs getfattr setfattr ip runuser; do
  command -v "$t" >/dev/null || { echo "missing $t: apt-get install -y mmdebstrap uidmap fuse-overlayfs attr iproute2 util-linux"; exit 2; }
done
line info tools "$(unshare --version | head -1); kernel $(uname -r); $(fuse-overlayfs --version 2>/dev/null | head -1)"
unshare --help | grep -q -- '--map-users' && line info unshare.map-users "unshare has --map-users/--map-groups/--map-auto" || line info unshare.map-users "no --map-users in this unshare"

# --- the rootfs and the two-layer image -------------------------------------------------------
ROOTFS=${ROOTFS:-}
if [ -z "$ROOTFS" ]; then
  t0=$(date +%s%N)
  if mmdebstrap --variant=minbase bookworm "$WORK/rootfs.tar" >"$WORK/mmdebstrap.log" 2>&1; then
    line ok mmdebstrap.minbase "$(( $(stat -c %s "$WORK/rootfs.tar") / 1048576 )) MiB in $(ms_since "$t0") ms"
  else line FAIL mmdebstrap.minbase "$(tail -1 "$WORK/mmdebstrap.log")"; exit 1; fi
  ROOTFS=$WORK/rootfs.tar
fi
chmod 0644 "$ROOTFS"

# The per-RUN sandbox, shared by every case. Runs INSIDE `unshare ... --mount --pid --fork`.
# args: MODE(overlay|fuse|copy) LOWERS(L2:L1) UPPER WORKDIR MERGED EXTRA-OPTS, then the RUN's script on stdin.
# It stays the namespace's pid 1 and runs chroot as a child: pid 1 must never change credentials,
# or the kernel clears the PR_SET_PDEATHSIG that `unshare --kill-child` set (see kill.* checks).
cat >"$WORK/sandbox-run.sh" <<'EOF'
#!/bin/bash
set -e
MODE=$1 LOWER=$2 U=$3 W=$4 M=$5 EXTRA=$6
case $MODE in
  overlay) mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$U,workdir=$W${EXTRA:+,$EXTRA}" "$M" ;;
  fuse) fuse-overlayfs -o "lowerdir=$LOWER,upperdir=$U,workdir=$W${EXTRA:+,$EXTRA}" "$M" 2>/dev/null ;;
  copy) # flatten: copy the bottom layer, then apply each upper layer's whiteouts, opaque dirs and files
    ls=$(echo "$LOWER" | tr ':' '\n' | tac); first=1
    for l in $ls; do
      if [ $first = 1 ]; then cp -a "$l/." "$M/"; first=0; continue; fi
      (cd "$l" && find . -mindepth 1 -type d) | while read -r d; do
        getfattr --only-values -n user.overlay.opaque "$l/$d" 2>/dev/null | grep -q y && rm -rf "${M:?}/$d" || true; done
      (cd "$l" && find . -type c) | while read -r c; do
        [ "$(stat -c %t:%T "$l/$c")" = 0:0 ] && rm -rf "${M:?}/$c" || true; done
      (cd "$l" && find . -mindepth 1 ! -type c) | while read -r p; do
        if [ -d "$l/$p" ]; then mkdir -p "$M/$p"; else cp -a "$l/$p" "$M/$p"; fi; done
    done ;;
esac
mount -t proc -o nosuid,nodev,noexec proc "$M/proc"
mount -t tmpfs -o nosuid,mode=0755,size=65536k tmpfs "$M/dev"
for d in null zero full random urandom tty; do touch "$M/dev/$d"; mount --bind "/dev/$d" "$M/dev/$d"; done
mkdir -p "$M/dev/pts" "$M/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec devpts "$M/dev/pts"
ln -s pts/ptmx "$M/dev/ptmx"; ln -s /proc/self/fd "$M/dev/fd"
ln -s /proc/self/fd/0 "$M/dev/stdin"; ln -s /proc/self/fd/1 "$M/dev/stdout"; ln -s /proc/self/fd/2 "$M/dev/stderr"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$M/dev/shm"
# A missing mount point is created in the upper dir: the layer differ has to drop these stubs.
for f in resolv.conf hosts; do [ -e "$M/etc/$f" ] || touch "$M/etc/$f"; mount --bind -o ro "/etc/$f" "$M/etc/$f"; done
[ -n "${NETNS_LO:-}" ] && ip link set lo up
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root APTOPT="${APTOPT:-}" \
  chroot ${USERSPEC:-} "$M" ${SHELL_IN:-/bin/bash} -s
EOF
chmod 0755 "$WORK/sandbox-run.sh"

# The RUN under test. QUICK installs `hello` (one new /usr/share/doc dir is enough to hit EXDEV).
if [ "$QUICK" = 1 ]; then INSTALL="hello"; CHECK="hello >/dev/null"; else
  INSTALL="gcc libc6-dev"
  CHECK='printf "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n" >/tmp/h.c && gcc -o /tmp/h /tmp/h.c && /tmp/h >/dev/null && rm /tmp/h.c /tmp/h'
fi
cat >"$WORK/payload.sh" <<EOF
export DEBIAN_FRONTEND=noninteractive
echo "view motd=\$(test -e /etc/motd && echo present || echo gone) opt_old=\$(ls /opt/old | tr '\n' ,)"
apt-get update -q \$APTOPT >/tmp/apt-update.log 2>&1 || { grep -m1 -E '^E:' /tmp/apt-update.log; exit 1; }
grep -m1 -E '^(W|E):' /tmp/apt-update.log | sed 's/^/aptwarn /' || true
apt-get install -y -q --no-install-recommends \$APTOPT $INSTALL >/tmp/apt-install.log 2>&1 || { grep -m1 -A1 'error processing' /tmp/apt-install.log | tail -1; grep -m1 '^E:' /tmp/apt-install.log; exit 1; }
$CHECK && echo RUN-OK
rm -f /etc/issue.net; rm -rf /opt/old && mkdir /opt/old && echo z >/opt/old/z
EOF
chmod 0644 "$WORK/payload.sh"

# make_layers DIR: L1 = the rootfs (+ /opt/old/{a,b}), L2 = a whiteout of /etc/motd (char 0/0) and
# /opt/old replaced by an opaque dir holding only c. Run as the user whose mapping the image is for.
cat >"$WORK/make-layers.sh" <<'EOF'
set -e
D=$1 ROOTFS=$2 XATTR=$3
cd "$D"; rm -rf L1 L2 U W M; mkdir L1 L2 U W M
tar --numeric-owner -xpf "$ROOTFS" -C L1 2>/dev/null || true   # device nodes fail in a userns: bound from the host instead
mkdir -p L1/opt/old && echo a >L1/opt/old/a && echo b >L1/opt/old/b
mkdir -p L2/etc L2/opt/old && echo c >L2/opt/old/c && echo l2 >L2/l2
mknod L2/etc/motd c 0 0
setfattr -n "$XATTR" -v y L2/opt/old
EOF
reset_uw() { rm -rf "$1/U" "$1/W" "$1/M"; mkdir "$1/U" "$1/W" "$1/M"; chown "$(stat -c %u:%g "$1")" "$1/U" "$1/W" "$1/M"; }
lower_sum() { (cd "$1" && find L1 L2 -printf '%p %s %m %u %g %T@\n' | sort | sha256sum | cut -c1-16); }
host_sum() { cat /etc/resolv.conf /etc/hosts | sha256sum | cut -c1-16; }
leftover_mounts() { grep -l " $1/M" /proc/[0-9]*/mountinfo 2>/dev/null | wc -l; }
# in_mntns NS: how many processes are still in mount namespace NS (a `readlink /proc/PID/ns/mnt`);
# the namespace, and the overlay mounted in it, is gone with the last one.
in_mntns() { local n=0 p; for p in /proc/[0-9]*; do [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$1" ] && n=$((n + 1)); done; echo $n; }

# run_case ID DIR AS-USER UNSHARE-ARGS MODE EXTRA [expect-fail]
run_case() {
  local id=$1 dir=$2 user=$3 uargs=$4 mode=$5 extra=$6 expect=${7:-}
  reset_uw "$dir"
  local before; before=$(lower_sum "$dir"); local hb; hb=$(host_sum)
  local t0; t0=$(date +%s%N)
  local cmd="cd $dir && unshare $uargs --mount --pid --fork --kill-child $WORK/sandbox-run.sh $mode L2:L1 U W M '$extra' <$WORK/payload.sh"
  local out
  if [ "$user" = root ]; then out=$(APTOPT="${APTOPT:-}" bash -c "$cmd" 2>&1); else out=$(runuser -u "$user" -- env APTOPT="${APTOPT:-}" bash -c "$cmd" 2>&1); fi
  local ms; ms=$(ms_since "$t0")
  local view; view=$(grep -m1 '^view' <<<"$out" | cut -d' ' -f2-)
  local host="host-clean"
  [ "$(lower_sum "$dir")" = "$before" ] || host="LOWER-CHANGED"
  [ "$(host_sum)" = "$hb" ] || host="$host HOST-ETC-CHANGED"
  [ "$(leftover_mounts "$dir")" = 0 ] || host="$host MOUNTS-LEFT"
  if grep -q RUN-OK <<<"$out"; then
    if [ -n "$expect" ]; then line FAIL "$id" "worked, expected a failure (${ms} ms)"; else line ok "$id" "apt-get install $INSTALL + run: ${ms} ms; $view; $host$(grep -m1 '^aptwarn' <<<"$out" | sed 's/^aptwarn/; apt:/')"; fi
  else
    local err; err=$(grep -v -e '^view' -e lazytime <<<"$out" | head -2 | tr '\n' ' ' | cut -c1-160)
    if [ -n "$expect" ]; then line ok "$id" "fails as expected: $err"; else line FAIL "$id" "$err ($view)"; fi
  fi
}

# upper_report ID DIR: what whiteouts and opaque markers the RUN left in the upper dir.
# The payload deleted /etc/issue.net (a lower file) and replaced /opt/old (a lower dir).
upper_report() {
  local u=$2/U
  local wh; wh=$( [ -c "$u/etc/issue.net" ] && stat -c 'issue.net=char %t:%T' "$u/etc/issue.net" || { [ -e "$u/etc/.wh.issue.net" ] && echo "issue.net=.wh. file"; } || echo "issue.net=NONE")
  local op; op=$(getfattr -d -m - --absolute-names "$u/opt/old" 2>/dev/null | grep -E 'opaque' | sed "s|^|opt/old |" | tr '\n' ' ')
  [ -e "$u/opt/old/.wh..wh..opq" ] && op="$op+ .wh..wh..opq file"
  local newdirs; newdirs=$(getfattr -R -d -m - --absolute-names "$u" 2>/dev/null | grep -c 'opaque=')
  local extra; extra=$(find "$u" -type c -printf '%P\n' | grep -vc -e '^etc/issue.net$' -e '/.wh..opq$')
  local stubs; stubs=$( [ -f "$u/etc/hosts" ] && [ ! -s "$u/etc/hosts" ] && echo "empty etc/hosts mountpoint stub" )
  line info "$1" "$wh; $op; $newdirs dirs marked opaque in all; $extra more 0/0 whiteouts (of paths the RUN made and removed); $stubs; $(getfattr -d -m - --absolute-names "$u" 2>/dev/null | grep -oE '^[a-z]+\.[a-z]+\.[a-z]+' | sort -u | tr '\n' ' ')"
}

# --- case 1: real root ------------------------------------------------------------------------
C1=$WORK/root; mkdir -p "$C1"
bash "$WORK/make-layers.sh" "$C1" "$ROOTFS" trusted.overlay.opaque
run_case root.overlay.default "$C1" root "--propagation private" overlay ""
upper_report root.overlay.upper "$C1"
run_case root.overlay.off "$C1" root "--propagation private" overlay "redirect_dir=off,index=off,metacopy=off"
line info root.overlay.module-defaults "$(cd /sys/module/overlay/parameters && for p in redirect_dir index metacopy xino_auto; do printf '%s=%s ' $p "$(cat $p)"; done)"

# --network=none: an empty netns has lo DOWN; `ip link set lo up` from inside the ns before chroot.
out=$(unshare --net sh -c 'ip -br link show lo | tr -s " " | cut -d" " -f2; ip link set lo up; ip -br link | wc -l; ip -br addr show lo | tr -s " " | cut -d" " -f3-')
line info root.netns "lo before: $(sed -n 1p <<<"$out"); interfaces: $(sed -n 2p <<<"$out"); after 'ip link set lo up': $(sed -n 3p <<<"$out")"
reset_uw "$C1"
out=$(cd "$C1" && NETNS_LO=1 unshare --net --mount --pid --fork --kill-child "$WORK/sandbox-run.sh" overlay L2:L1 U W M "" <<<'echo "127.0.0.1:9 => $( (exec 3<>/dev/tcp/127.0.0.1/9) 2>&1 | grep -m1 -o "Connection refused") (lo answers);"; echo "apt-get update => $(timeout 10 apt-get update 2>&1 | grep -m1 -o "Temporary failure resolving")"' 2>&1 | tr '\n' ' ')
line info root.netns.run "$out"

# --- case 2: unprivileged with a subuid range ----------------------------------------------
id "$SUBUSER" >/dev/null 2>&1 || { useradd -M -s /bin/bash "$SUBUSER"; CREATED_USERS+=("$SUBUSER"); }
id "$NOSUBUSER" >/dev/null 2>&1 || { useradd -M -s /bin/bash "$NOSUBUSER"; CREATED_USERS+=("$NOSUBUSER"); }
sed -i "/^$SUBUSER:/d;/^$NOSUBUSER:/d" /etc/subuid /etc/subgid   # useradd may have added ranges itself
echo "$SUBUSER:$SUBSTART:65536" >>/etc/subuid; echo "$SUBUSER:$SUBSTART:65536" >>/etc/subgid
if [ "$(stat -c %a /dev/fuse)" != 666 ]; then
  line info fuse.dev "/dev/fuse is mode $(stat -c %a /dev/fuse) (no udev rule here): unprivileged fuse-overlayfs fails 'fuse: failed to open /dev/fuse: Permission denied'; chmod 0666 for this run"
  FUSE_MODE_BEFORE=$(stat -c %a /dev/fuse); chmod 0666 /dev/fuse
fi
C2=$WORK/sub; mkdir -p "$C2"; chown "$SUBUSER:" "$C2"
NS2="unshare --user --map-auto --map-root-user"
line info sub.map "$(runuser -u "$SUBUSER" -- $NS2 cat /proc/self/uid_map | tr -s ' ' | tr '\n' ';')"
t0=$(date +%s%N)
runuser -u "$SUBUSER" -- $NS2 bash "$WORK/make-layers.sh" "$C2" "$ROOTFS" user.overlay.opaque
line info sub.unpack "tar -xpf inside the ns: $(ms_since "$t0") ms; _apt-owned lists/partial is host uid $(stat -c %u "$C2/L1/var/lib/apt/lists/partial"); $(find "$C2/L1/dev" -type c | wc -l) device nodes (mknod EPERM)"
probe=$(runuser -u "$SUBUSER" -- $NS2 bash -c "cd $C2 && t=\$(mktemp -d ./p.XXXX) && cd \$t &&
  { mknod wh c 0 0 2>/dev/null && echo mknod-0/0=ok || echo mknod-0/0=EPERM; }
  { mknod nul c 1 3 2>/dev/null && echo mknod-1/3=ok || echo mknod-1/3=EPERM; }
  touch f; { setfattr -n user.x -v 1 f 2>/dev/null && echo user.xattr=ok || echo user.xattr=fail; }
  { setfattr -n trusted.x -v 1 f 2>/dev/null && echo trusted.xattr=ok || echo trusted.xattr=EPERM; }
  { chown 42:42 f 2>/dev/null && echo chown42=ok || echo chown42=fail; }
  { chown 70000 f 2>/dev/null && echo chown70000=ok || echo chown70000=EINVAL; }
  cat /proc/self/setgroups | sed 's/^/setgroups=/'; cd .. && rm -rf \$t" | tr '\n' ' ')
line info sub.capabilities "$probe"
run_case sub.overlay.no-userxattr.expect-fail "$C2" "$SUBUSER" "--user --map-auto --map-root-user" overlay "" expect
run_case sub.overlay.userxattr "$C2" "$SUBUSER" "--user --map-auto --map-root-user" overlay "userxattr"
upper_report sub.overlay.upper "$C2"
run_case sub.fuse-overlayfs "$C2" "$SUBUSER" "--user --map-auto --map-root-user" fuse ""
upper_report sub.fuse-overlayfs.upper "$C2"
run_case sub.copy "$C2" "$SUBUSER" "--user --map-auto --map-root-user" copy ""
opts=""
for o in userxattr,redirect_dir=off userxattr,metacopy=on userxattr,index=on; do
  r=$(runuser -u "$SUBUSER" -- $NS2 --mount bash -c "cd $C2 && rm -rf U W && mkdir U W && mount -t overlay overlay -o lowerdir=L2:L1,upperdir=U,workdir=W,$o M 2>/dev/null && echo mounts || echo EINVAL")
  opts="$opts$o=$r; "
done
line info sub.overlay.options "$opts(dmesg: 'conflicting options: userxattr,redirect_dir=follow'; userxattr implies redirect_dir=nofollow)"

# --- case 3: unprivileged, one uid (no subuid range) -----------------------------------------
C3=$WORK/nosub; mkdir -p "$C3"; chown "$NOSUBUSER:" "$C3"
runuser -u "$NOSUBUSER" -- unshare --user --map-root-user bash "$WORK/make-layers.sh" "$C3" "$ROOTFS" user.overlay.opaque
run_case nosub.apt-default.expect-fail "$C3" "$NOSUBUSER" "--user --map-root-user" overlay userxattr expect
APTOPT="-o APT::Sandbox::User=root" run_case nosub.overlay.userxattr+sandbox-root "$C3" "$NOSUBUSER" "--user --map-root-user" overlay userxattr
APTOPT="-o APT::Sandbox::User=root" run_case nosub.fuse-overlayfs+sandbox-root "$C3" "$NOSUBUSER" "--user --map-root-user" fuse ""
APTOPT="-o APT::Sandbox::User=root" run_case nosub.copy+sandbox-root "$C3" "$NOSUBUSER" "--user --map-root-user" copy ""
reset_uw "$C3"
out=$(cd "$C3" && runuser -u "$NOSUBUSER" -- unshare --user --map-root-user --mount --pid --fork "$WORK/sandbox-run.sh" overlay L2:L1 U W M userxattr <<<'apt-get -q -o APT::Sandbox::User=root update >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -q --reinstall passwd 2>&1 | grep -m1 -A1 "error processing" | tail -1' 2>&1)
line info nosub.non-root-owned-files "reinstall passwd (ships root:shadow files): ${out:-works}"

# --- case 4: foreign architecture through binfmt_misc ------------------------------------------
[ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable >/dev/null 2>&1
if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  line info arch.binfmt "qemu-aarch64: $(grep -E '^(enabled|flags|interpreter)' /proc/sys/fs/binfmt_misc/qemu-aarch64 | tr '\n' ' ')"
  ALP=${ALPINE_ARM64:-$(realpath -m "$(dirname "$0")/../../../shared/fixtures/alpine/3.20.3/alpine-minirootfs-3.20.3-aarch64.tar.gz")}
  [ -f "$ALP" ] || ALP=/work/shared/fixtures/alpine/3.20.3/alpine-minirootfs-3.20.3-aarch64.tar.gz
  cat >"$WORK/alpine.sh" <<'EOF'
/bin/busybox adduser -D -u 10001 app && echo "$(uname -m) $(id app)"
EOF
  for who in root "$SUBUSER"; do
    A=$WORK/alpine-$who; mkdir -p "$A"; chown "$who:" "$A"
    pre="bash -c"; [ "$who" = root ] || pre="runuser -u $who -- $NS2 bash -c"
    $pre "cd $A && mkdir -p L1 L2 U W M && tar -xzpf $ALP -C L1 2>/dev/null; echo x >L2/l2"
    extra=""; [ "$who" = root ] || extra=userxattr
    uargs="--propagation private"; [ "$who" = root ] || uargs="--user --map-auto --map-root-user"
    t0=$(date +%s%N)
    if [ "$who" = root ]; then out=$(cd "$A" && SHELL_IN=/bin/sh unshare $uargs --mount --pid --fork "$WORK/sandbox-run.sh" overlay L2:L1 U W M "$extra" <"$WORK/alpine.sh" 2>&1)
    else out=$(cd "$A" && runuser -u "$who" -- env SHELL_IN=/bin/sh unshare $uargs --mount --pid --fork "$WORK/sandbox-run.sh" overlay L2:L1 U W M "$extra" <"$WORK/alpine.sh" 2>&1); fi
    ms=$(ms_since "$t0")
    grep -q 'aarch64 uid=10001' <<<"$out" && line ok "arch.alpine-arm64.$([ "$who" = root ] && echo root || echo sub)" "adduser -D -u 10001 app emulated, whole RUN incl. mounts ${ms} ms: $out" || line FAIL "arch.alpine-arm64.$who" "$out"
  done
else line FAIL arch.binfmt "no qemu-aarch64 handler (apt-get install qemu-user-static binfmt-support)"; fi

# --- case 5: SIGKILL of the parent unshare while a RUN sleeps ----------------------------------
# unshare_of PID: the `unshare` process above PID (the RUN's sandbox parent).
unshare_of() { local p=$1; while [ -n "$p" ] && [ "$p" != 1 ]; do [ "$(cat /proc/$p/comm 2>/dev/null)" = unshare ] && { echo "$p"; return; }; p=$(awk '/^PPid/{print $2}' /proc/$p/status 2>/dev/null); done; }
# kill_case ID DIR USER UARGS EXTRA USERSPEC
kill_case() {
  local id=$1 dir=$2 user=$3 uargs=$4 extra=$5 spec=$6 mark=$((RANDOM + 40000))
  reset_uw "$dir"
  local pre=""; [ "$user" = root ] || pre="runuser -u $user --"
  (cd "$dir" && exec setsid $pre env USERSPEC="$spec" unshare $uargs --mount --pid --fork $KC "$WORK/sandbox-run.sh" overlay L2:L1 U W M "$extra" <<<"sleep $mark & sleep $((mark+1)); wait" >/dev/null 2>&1) &
  disown $!
  local i; for i in $(seq 50); do pgrep -f "^sleep $((mark+1))\$" >/dev/null && break; sleep 0.1; done
  local sp; sp=$(pgrep -f "^sleep $((mark+1))\$" | head -1); local ns; ns=$(readlink "/proc/$sp/ns/mnt")
  kill -KILL "$(unshare_of "$sp")"; sleep 0.7
  local left; left=$(pgrep -f "^sleep $mark\$|^sleep $((mark+1))\$" | wc -l)
  line info "$id" "after SIGKILL of unshare: $left RUN processes left, $(in_mntns "$ns") processes still in the RUN's mount namespace"
  pgrep -f "^sleep $mark\$|^sleep $((mark+1))\$" | xargs -r kill -KILL; sleep 0.3
}
KC="" kill_case kill.root.no-kill-child "$C1" root "--propagation private" "" ""
KC="--kill-child" kill_case kill.root.kill-child "$C1" root "--propagation private" "" ""
KC="--kill-child" kill_case kill.sub.kill-child "$C2" "$SUBUSER" "--user --map-auto --map-root-user" userxattr ""
# When pid 1 itself changes uid (exec chroot --userspec), the kernel clears its parent-death signal.
cat >"$WORK/exec-userspec.sh" <<'EOF'
#!/bin/bash
M=$5; mount -t overlay overlay -o "lowerdir=$2,upperdir=$3,workdir=$4${6:+,$6}" "$M"; mount -t proc proc "$M/proc"
exec chroot --userspec=1000:1000 "$M" /bin/bash -s
EOF
chmod 0755 "$WORK/exec-userspec.sh"
reset_uw "$C1"; mark=$((RANDOM + 40000))
(cd "$C1" && exec setsid unshare --mount --pid --fork --kill-child "$WORK/exec-userspec.sh" overlay L2:L1 U W M "" <<<"sleep $mark; true" >/dev/null 2>&1) &
disown $!
for i in $(seq 50); do pgrep -f "^sleep $mark\$" >/dev/null && break; sleep 0.1; done
sp=$(pgrep -f "^sleep $mark\$" | head -1); ns=$(readlink "/proc/$sp/ns/mnt")
kill -KILL "$(unshare_of "$sp")"; sleep 0.7
line info kill.root.kill-child+exec-userspec "pid 1 exec'd chroot --userspec: $(pgrep -f "^sleep $mark\$" | wc -l) RUN processes left after SIGKILL of unshare, $(in_mntns "$ns") processes still in its mount namespace"
pgrep -f "^sleep $mark\$" | xargs -r kill -KILL

# --- case 6: USER via chroot --userspec -----------------------------------------------------------
userspec_case() {
  local id=$1 dir=$2 user=$3 uargs=$4 extra=$5 out
  reset_uw "$dir"
  local pre=""; [ "$user" = root ] || pre="runuser -u $user --"
  out=$(cd "$dir" && $pre env USERSPEC="--userspec=1000:1000 --groups=42,100" unshare $uargs --mount --pid --fork "$WORK/sandbox-run.sh" overlay L2:L1 U W M "$extra" <<<'echo "$(id -u):$(id -g) groups=$(id -G | tr " " ,)"; touch /tmp/f && stat -c "file=%u:%g" /tmp/f' 2>&1 | tr '\n' ' ')
  line info "$id" "--userspec=1000:1000 --groups=42,100 => $out"
}
userspec_case userspec.root "$C1" root "--propagation private" ""
userspec_case userspec.sub "$C2" "$SUBUSER" "--user --map-auto --map-root-user" userxattr
userspec_case userspec.nosub "$C3" "$NOSUBUSER" "--user --map-root-user" userxattr
