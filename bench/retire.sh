# bench/retire.sh - set aside, rather than delete, what a benchmark clears
#
# Sourced by the bench scripts:
#
#   retire_init DIR   retired trees go to DIR/.retired (DIR must be on the
#                     file system of what is retired: a rename, not a copy);
#                     an EXIT trap deletes them when the script ends
#   retire PATH...    move each PATH that exists out of the way
#   retire_contents DIR   retire everything in DIR but the retired trees
#
# Why not `rm -rf` before each measured run: on an ext4 file system without
# a journal (the root file system of the VMs these figures come from), a
# new inode never reuses one freed less than 60 s ago, or 360 s while its
# inode-table block is still dirty (fs/ext4/ialloc.c, recently_deleted(),
# consulted by find_inode_bit() in no-journal mode; the 60 s are Linux
# commit "ext4: increase wait time needed before reuse of deleted inode
# numbers", https://lore.kernel.org/r/20200414023925.273867-1-tytso@mit.edu).
# Each allocation then reads past the freed inodes' table blocks. A cold
# run creates about 1,000 inodes on the 64-kernel corpus (cache entries,
# their directories, the output tree) and 15,000 on 3,000 kernels; right
# after the previous runs' trees were deleted its sys time went from
# 0.2-0.4 s to 1.4-1.5 s on the corpus (docs/benchmarks.md, "What the
# scripts delete, and when").
# A user's cold run does not follow the deletion of thousands of files by
# seconds, and the `xz -dc` floor creates no file at all, so the scripts
# delete nothing while they measure. Deleting the retired trees at the end
# affects a script started within the next six minutes on such a file
# system: wait that long between scripts.

retire_dir=

retire_init() { # DIR
  retire_dir=$1/.retired
  mkdir -p "$retire_dir"
  trap 'rm -rf "$retire_dir"' EXIT
}

retire() { # PATH...
  local p
  for p in "$@"; do
    [ -e "$p" ] || continue
    mv "$p" "$(mktemp -d "$retire_dir/XXXXXX")/"
  done
}

retire_contents() { # DIR
  local p
  for p in "$1"/* "$1"/.[!.]*; do
    [ "$p" = "$retire_dir" ] || retire "$p"
  done
}
