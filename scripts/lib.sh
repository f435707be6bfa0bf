# Shared by the scripts: install what is missing from Debian's packages, then build.
# Sourced, never run on its own.

tb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages every build needs. Extra names may be passed to tb_install.
tb_packages=(cmake ninja-build g++ pkg-config libboost-dev libboost-program-options-dev nlohmann-json3-dev
             libbenchmark-dev libgtest-dev libgmock-dev libzstd-dev)

tb_install() {
  local wanted=("${tb_packages[@]}" "$@") missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# tb_build_dir NAME: the build directory, absolute ($TRACEBENCH_BUILD_DIR overrides build/NAME).
tb_build_dir() {
  realpath -m "${TRACEBENCH_BUILD_DIR:-$tb_root/build/$1}"
}

# tb_build DIR [cmake args...]: configure Release (unless overridden) and build on all cores.
tb_build() {
  local dir="$1"; shift
  cmake -S "$tb_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
