#!/usr/bin/env bash
# Every lesson sample captured on this layout, run again and compared with the
# page (tests/lessons/check.py): host and unprivileged samples on the hybrid host,
# the v2 and v1 samples inside the VM parts of `make test`. Also the
# checker's own tests, and the zh-CN companions' copies (on the host).
# LESSON_STAGE=05 keeps one stage's samples (make check-05).
source "$(dirname "$0")/../lib.sh"
if [ "$(id -u)" = 0 ]; then
	ensure_busybox   # the 08 lessons run busybox:latest, as `make rootfs` made it (a VM's store starts empty)
fi
python3 tests/lessons/check.py check --selftest ${LESSON_STAGE:+--stage "$LESSON_STAGE"}
