#!/usr/bin/env bash
# Puts a device_run_v3.sh run's weights (the parts the device tool brought back) into RUN/export,
# beside 2.x's weights written out of the bundle, ready for STAGES="export eval".
#   training/device_unpack_v3.sh FILES_AT RUN
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:?usage: device_unpack_v3.sh FILES_AT RUN}
RUN=${2:?usage: device_unpack_v3.sh FILES_AT RUN}
PY=${PY:-/usr/bin/python3}
parts=("$FILES"/weights.tar.part*)
[ -e "${parts[0]}" ] || { echo "no weights.tar.part* in $FILES: did the device run finish? (see its log.txt)" >&2; exit 2; }
mkdir -p "$RUN/export"
cat "${parts[@]}" | tar -C "$RUN/export" -xf -
[ -f "$RUN/export/gpt.ckpt" ] || $PY -m training.checkpoints_from_bundle assets/models/tessera-landscapes-v1 "$RUN/export"
ls -l "$RUN/export"
