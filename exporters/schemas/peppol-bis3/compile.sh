#!/bin/sh
# Recompile the Peppol BIS Billing 3 schematrons into SVRL-producing XSLT 2.0
# with SchXslt and Saxon-HE. See README.md for the sources.
#
# usage: compile.sh PEPPOL_GIT_DIR SCHXSLT_GIT_DIR
#   PEPPOL_GIT_DIR   git dir of github.com/OpenPEPPOL/peppol-bis-invoice-3
#   SCHXSLT_GIT_DIR  git dir of github.com/schxslt/schxslt
# env: PEPPOL_COMMIT, SCHXSLT_COMMIT (pinned below), SAXON_JAR
set -eu

PEPPOL_GIT=${1:-/work/.mirror/OpenPEPPOL+peppol-bis-invoice-3/repo}
SCHXSLT_GIT=${2:-/work/.mirror/schxslt+schxslt/repo}
PEPPOL_COMMIT=${PEPPOL_COMMIT:-78d7f7dfa223f39f8ebd8d35c127f2690e646322}
SCHXSLT_COMMIT=${SCHXSLT_COMMIT:-17f63a42c2d417206e1289cf767359c4fa047919} # tag v1.10.1
SAXON_JAR=${SAXON_JAR:-/usr/share/java/Saxon-HE.jar}

HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

git --git-dir="$SCHXSLT_GIT" archive "$SCHXSLT_COMMIT" core/src/main/resources/xslt/2.0 | tar -x -C "$TMP"
git --git-dir="$PEPPOL_GIT" archive "$PEPPOL_COMMIT" rules/sch | tar -x -C "$TMP"

licence_of() {
  case "$1" in
    CEN-*) echo "EUPL-1.2 (CEN TC434 artefact, see its header comment in the .sch)" ;;
    *) echo "OpenPeppol AISBL copyright; business terms reproduced with permission from CEN" ;;
  esac
}

for name in CEN-EN16931-UBL PEPPOL-EN16931-UBL; do
  java -cp "$SAXON_JAR" net.sf.saxon.Transform \
    -s:"$TMP/rules/sch/$name.sch" \
    -xsl:"$TMP/core/src/main/resources/xslt/2.0/pipeline-for-svrl.xsl" \
    -o:"$TMP/$name.xslt" \
    '?schxslt.compile.metadata=false()'
  # keep the provenance/licence note that compilation drops (XML decl stays line 1)
  {
    head -n 1 "$TMP/$name.xslt"
    echo "<!-- Compiled by SchXslt (MIT, commit $SCHXSLT_COMMIT) with Saxon-HE from"
    echo "     OpenPEPPOL/peppol-bis-invoice-3 rules/sch/$name.sch (commit $PEPPOL_COMMIT)."
    echo "     Source licence: $(licence_of "$name"). Regenerate with compile.sh; do not edit. -->"
    tail -n +2 "$TMP/$name.xslt"
  } > "$HERE/$name.xslt"
  echo "compiled $name.xslt"
done

git --git-dir="$SCHXSLT_GIT" show "$SCHXSLT_COMMIT:LICENSE" > "$HERE/LICENSE-SchXslt-MIT.txt"
