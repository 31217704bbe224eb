#!/bin/sh
# `swift build` with a fixed environment, for the image's build stages: build arguments (the
# variant's port, say) reach RUN steps as environment variables, and SwiftPM rebuilds everything
# when its environment changes, which would defeat the cache mount.
# Usage: scripts/build/swift-build.sh SCRATCH [swift build arguments...]
scratch="$1"; shift
exec env -i PATH="$PATH" HOME="$HOME" ${GIT_CONFIG_GLOBAL:+GIT_CONFIG_GLOBAL="$GIT_CONFIG_GLOBAL"} \
  ${PKG_CONFIG_PATH:+PKG_CONFIG_PATH="$PKG_CONFIG_PATH"} swift build --scratch-path "$scratch" "$@"
