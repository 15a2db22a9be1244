# -*- Python -*-
#
# btfgen lit suite. Substitutions:
#   %btfgen      the driver (btfgen-driver)
#   %plugin      libBTFGenPass.so
#   %clang       clang-19
#   %bpfclang    %clang --target=bpf -g -O2 -fpass-plugin=%plugin -c
#   %inputs      test/Inputs
#   %corpus      ../shared/corpus (feature 'corpus' when present)
#   %linuxsrc    cached Debian linux source (feature 'linux-src')
#   %loadcheck   the libbpf load checker (feature 'bpf-load' when usable)
#   %verdict     btfgen-verdict (test/tools/verdict.cpp)
#   %uapi_cflags -I for the host's multiarch include directory (asm/ headers
#                that <linux/types.h> needs; clang --target=bpf does not
#                search it)
#   %verifier_referee  ../shared/referees/verifier/verifier-referee (feature
#                'verifier-referee': present, and bpf-load)
#   %referees    ../shared/referees (feature 'loader-referees': the libbpf
#                1.1.2, newest libbpf and cilium/ebpf referees present)
# Features: corpus, linux-src, bpftool, bpf-load (root + BPF syscall +
# /sys/kernel/btf/vmlinux), conformance (only with --param conformance=1).

import os
import shutil
import subprocess

import lit.formats

config.name = "btfgen"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test", ".c", ".ll"]
# gtest sources, fuzz targets and helper tools are not lit tests.
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unit", "unit-runtime", "fuzz", "tools"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.btfgen_obj_root, "test")

path = os.path.pathsep.join([config.btfgen_tools_dir, config.llvm_tools_dir,
                             config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
# Keep runs hermetic: no user cache, no colour.
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root, "xdg-cache")
config.environment["NO_COLOR"] = "1"
# Tests that build outside projects (test/integration) use the compiler the
# run asked for: scripts/sanitize.sh sets clang-19, whose UBSan runtime the
# sanitized static libraries need. lit drops unknown variables otherwise.
for var in ("CC", "CXX"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

inputs = os.path.join(config.btfgen_src_root, "test", "Inputs")
driver = os.path.join(config.btfgen_tools_dir, "btfgen-driver")
config.substitutions.append(("%btfgen", driver))
config.substitutions.append(("%plugin", config.plugin))
config.substitutions.append(("%bpfclang", "%s --target=bpf -g -O2 -fpass-plugin=%s -c"
                             % (config.clang, config.plugin)))
config.substitutions.append(("%clang", config.clang))
config.substitutions.append(("%inputs", inputs))
config.substitutions.append(("%srcroot", config.btfgen_src_root))
config.substitutions.append(("%python", "python3"))
config.substitutions.append(("%loadcheck", os.path.join(config.btfgen_tools_dir, "btfgen-loadcheck")))
config.substitutions.append(("%verdict", os.path.join(config.btfgen_tools_dir, "btfgen-verdict")))
try:
    multiarch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                               text=True, timeout=60).stdout.strip()
except (OSError, subprocess.SubprocessError):
    multiarch = ""
config.substitutions.append(("%uapi_cflags",
                             "-I/usr/include/" + multiarch if multiarch else ""))

corpus = os.path.realpath(config.corpus_dir)
config.substitutions.append(("%corpus", corpus))
if os.path.isfile(os.path.join(corpus, "MANIFEST.tsv")):
    config.available_features.add("corpus")
else:
    lit_config.note("corpus not found at %s: tests that need it are UNSUPPORTED" % corpus)

config.substitutions.append(("%linuxsrc", config.linux_src))
if os.path.isdir(os.path.join(config.linux_src, "tools", "testing", "selftests", "bpf")):
    config.available_features.add("linux-src")
else:
    lit_config.note("linux source not cached at %s (scripts/fetch-linux-src.sh): "
                    "tests that need it are UNSUPPORTED" % config.linux_src)

if shutil.which("bpftool"):
    config.available_features.add("bpftool")

# test/driver/Inputs/cache-tool.py rewrites cache entries with a valid
# checksum (xxh3) given Debian's python3-xxhash (scripts/install-deps.sh):
# %xxhash_python is the first of python3 and Debian's own /usr/bin/python3
# (python3 may be another installation) that has it.
def python_with_xxhash():
    for py in ("python3", "/usr/bin/python3"):
        try:
            if subprocess.run([py, "-c", "import xxhash"], capture_output=True,
                              timeout=60).returncode == 0:
                return py
        except (OSError, subprocess.SubprocessError):
            pass
    return None

python_xxhash = python_with_xxhash()
if python_xxhash:
    config.available_features.add("python-xxhash")
    config.substitutions.append(("%xxhash_python", python_xxhash))
else:
    lit_config.note("no python3 with the xxhash module (Debian's python3-xxhash, "
                    "scripts/install-deps.sh): tests that rewrite cache entries "
                    "are UNSUPPORTED")

# A real load needs root, the BPF syscall and the running kernel's BTF.
def bpf_load_usable():
    if os.geteuid() != 0 or not os.path.exists("/sys/kernel/btf/vmlinux"):
        return False
    probe = os.path.join(config.btfgen_tools_dir, "btfgen-loadcheck")
    if not os.path.exists(probe):
        return False
    try:
        return subprocess.run([probe, "--probe"], capture_output=True, timeout=60).returncode == 0
    except Exception:
        return False
if bpf_load_usable():
    config.available_features.add("bpf-load")
else:
    lit_config.note("BPF syscall/kernel BTF unavailable or not root: "
                    "real-load tests are UNSUPPORTED")

# The verifier referee sits next to the corpus (../shared/referees).
verifier_referee = os.path.join(os.path.dirname(corpus), "referees", "verifier",
                                "verifier-referee")
config.substitutions.append(("%verifier_referee", verifier_referee))
if "bpf-load" in config.available_features and os.access(verifier_referee, os.X_OK):
    config.available_features.add("verifier-referee")
else:
    lit_config.note("verifier referee not found at %s or no BPF syscall: tests "
                    "that compare verdicts with the verifier are UNSUPPORTED"
                    % verifier_referee)

# The loader referees (libbpf 1.1.2, newest libbpf, cilium/ebpf; no kernel
# needed) sit next to the corpus as well.
referees = os.path.join(os.path.dirname(corpus), "referees")
config.substitutions.append(("%referees", referees))
if all(os.access(os.path.join(referees, p), os.X_OK) for p in
       ("check-equivalence.sh", "libbpf-1.1.2/relo-oracle",
        "libbpf-latest/relo-oracle", "cilium/cilium-referee")):
    config.available_features.add("loader-referees")
else:
    lit_config.note("loader referees not found at %s: tests that compare "
                    "loaders' CO-RE results are UNSUPPORTED" % referees)

if lit_config.params.get("conformance", "0") == "1":
    config.available_features.add("conformance")
