# bench/xz-floor.sh - the decompression floors the bench scripts compare with
#
# Sourced by run.sh, cold-parts.sh and scale.sh, so that their floors are
# the same commands:
#
#   xz_floor_cmd LIST JOBS          xz -dc of every tarball listed in LIST
#                                   (one path a line) to /dev/null, JOBS at
#                                   a time, one xz process a tarball: what a
#                                   loop of bpftool runs pays to decompress
#   xz_floor_cmd LIST JOBS batch    the same with 4 x JOBS xz processes, each
#                                   decoding a slice of the tarballs in turn
#                                   (xz keeps its decoder from one file to
#                                   the next): LZMA itself, without the cost
#                                   of a process a tarball (docs/benchmarks.md,
#                                   "A stricter floor")
#
# Each prints a command for `sh -c`, to be timed as one.

xz_floor_cmd() { # LIST JOBS [batch]
  local per=1 n
  if [ "${3:-}" = batch ]; then
    n=$(wc -l <"$1")
    per=$(( (n + 4 * $2 - 1) / (4 * $2) ))
  fi
  echo "xargs -P '$2' -n '$per' -a '$1' xz -dc >/dev/null"
}
