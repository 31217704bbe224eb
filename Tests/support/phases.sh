#!/usr/bin/env bash
# `make test`: every phase CI runs, in order, each timed. At the end, passed or failed, it prints
# one table of what each phase cost and which compiles started cold, so that every CI log shows
# what a run cost and why.
#
# While the unit tests compile, the Docker stand-ins (Tests/support/docker-env.sh: engine, registry,
# qemu, builder and runtime bases: mostly downloads and unpacking) are prepared in the background;
# the image phase takes them over, waiting on the same script's lock.
#
# Usage: Tests/support/phases.sh [PHASE...]   (default: every phase; names as in the table)
set -euo pipefail
cd "$(dirname "$0")/../.."
FIGURES=build/figures
mkdir -p "$FIGURES"
PHASES="$FIGURES/test-phases.tsv"   # phase, seconds, result
COMPILES="$FIGURES/compiles.tsv"    # what, cold|incremental|cached, seconds (appended by the phases)
: >"$PHASES"; : >"$COMPILES"
MAKE="${MAKE:-make} --no-print-directory"
all=(deps unit release e2e images run-local fargate)
wanted=("${@:-${all[@]}}")
for phase in "${wanted[@]}"; do
  case " ${all[*]} " in *" $phase "*) ;; *) echo "unknown phase '$phase'; phases: ${all[*]}" >&2; exit 2 ;; esac
done

# A host build is cold when SwiftPM has not compiled the dependencies in its folder yet.
host_compile() {  # host_compile WHAT CONFIGURATION COMMAND...
  local what="$1" folder=".build/$2/NIOPosix.build" state=incremental started; shift 2
  [ -d "$folder" ] || state=cold
  started=$(date +%s)
  "$@"
  printf '%s\t%s\t%s\n' "$what" "$state" "$(($(date +%s) - started))" >>"$COMPILES"
}

standins_pid=""
standins_log="$FIGURES/test-docker-env.log"
standins_started=0
start_standins() {
  standins_started=$(date +%s)
  # Its own process group, so that a failed run can end it with everything it started.
  setsid bash -c 'started=$(date +%s); Tests/support/docker-env.sh; echo "exit $? after $(($(date +%s) - started)) s"' \
    >"$standins_log" 2>&1 </dev/null &
  standins_pid=$!
}

run_phase() {
  case "$1" in
    deps) scripts/ensure-deps.sh all ;;
    unit) $MAKE lint && scripts/write-version.sh "$($MAKE -s print-version)" && host_compile "host debug build (unit tests)" debug swift build --build-tests && $MAKE test-unit ;;
    release) host_compile "host release build" release $MAKE release ;;
    e2e) $MAKE test-e2e ;;
    images) $MAKE test-images ;;
    run-local) $MAKE test-run-local ;;
    fargate) $MAKE test-fargate ;;
  esac
}

report() {
  local code=$?
  if [ -n "$standins_pid" ] && kill -0 "$standins_pid" 2>/dev/null; then
    # Never leave the background set-up running past the run; it is idempotent and resumes.
    kill -- "-$standins_pid" 2>/dev/null || true
  fi
  echo
  echo "make test: what each phase cost (minutes)"
  awk -F'\t' '{ printf "  %-10s %7.1f  %s\n", $1, $2 / 60, $3; total += $2 } END { printf "  %-10s %7.1f\n", "total", total / 60 }' "$PHASES"
  if [ "$standins_started" != 0 ]; then
    echo "  (Docker stand-ins prepared in the background during the phases above: $(tail -n 1 "$standins_log" 2>/dev/null); log $standins_log)"
  fi
  if [ -s "$COMPILES" ]; then
    echo "compiles (cold: dependencies compiled from nothing; incremental: only what changed; cached: BuildKit reused the step)"
    awk -F'\t' '{ printf "  %-58s %-12s %6.1f min\n", $1, $2, $3 / 60 }' "$COMPILES"
  fi
  exit "$code"
}
trap report EXIT

for phase in "${wanted[@]}"; do
  [ "$phase" = unit ] && case " ${wanted[*]} " in *" images "*) start_standins ;; esac
  echo "== make test: $phase"
  started=$(date +%s)
  if run_phase "$phase"; then result=passed; else result=FAILED; fi
  printf '%s\t%s\t%s\n' "$phase" "$(($(date +%s) - started))" "$result" >>"$PHASES"
  [ "$result" = passed ] || exit 1
done
