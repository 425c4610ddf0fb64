#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The main job. Until the forwarding app lands this runs the test command.
set -eu
exec "$(dirname "$0")/test.sh"
