#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. a normal build (warnings are errors) and its tests,
#   2. an ASan+UBSan build and the same tests under the sanitizers,
#   3. a short run of each fuzz target (libFuzzer, built with clang-19).
# Ends with one line "N passed, N failed, N skipped" over everything.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh || exit 1

jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-15}
passed=0 failed=0 skipped=0 status=0

count() { # add up ctest's summary from its log
	local log=$1 total fails skips
	total=$(grep -Eo 'tests failed out of [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
	fails=$(grep -Eo '[0-9]+ tests failed' "$log" | grep -Eo '^[0-9]+' || echo 0)
	skips=$(grep -c '\*\*\*Skipped\|Not Run.*Skipped' "$log" || true)
	passed=$((passed + total - fails - skips)); failed=$((failed + fails)); skipped=$((skipped + skips))
}

build() { # dir, cmake args...
	local dir=$1; shift
	cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
	cmake --build "$dir" -j"$jobs" 2>&1 | grep -E 'error|warning|Error' ; return "${PIPESTATUS[0]}"
}

for variant in "build:-DCMAKE_BUILD_TYPE=RelWithDebInfo" "build-asan:-DBPFRT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"; do
	dir=${variant%%:*}; args=${variant#*:}
	mkdir -p "$dir"
	echo "=== $dir: build"
	# shellcheck disable=SC2086
	if ! build "$dir" $args; then echo "=== $dir: BUILD FAILED"; failed=$((failed + 1)); status=1; continue; fi
	echo "=== $dir: tests"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$dir" -j"$jobs" --output-on-failure >"$dir/ctest.log" 2>&1 || status=1
	grep -E 'Failed|\*\*\*|tests passed|tests failed' "$dir/ctest.log" | grep -v '^ *[0-9]*/[0-9]* Test.*Passed' | tail -40
	count "$dir/ctest.log"
done

echo "=== fuzz: ${fuzz_seconds}s per target"
mkdir -p build-fuzz
# Configured with the tests (several folders define their own fuzz target),
# but only the fuzz targets are built.
fuzz_build() {
	cmake -S . -B build-fuzz -DBPFRT_FUZZ=ON -DBPFRT_TESTS=ON -DBPFRT_BENCH=OFF \
		-DCMAKE_C_COMPILER=clang-19 -DCMAKE_BUILD_TYPE=RelWithDebInfo >build-fuzz.configure.log 2>&1 ||
		{ cat build-fuzz.configure.log; return 1; }
	local targets
	targets=$(cmake --build build-fuzz --target help | grep -Eo 'fuzz_[a-z_]+' | sort -u)
	[ -n "$targets" ] || return 1
	# shellcheck disable=SC2086
	cmake --build build-fuzz -j"$jobs" --target $targets >build-fuzz.build.log 2>&1 ||
		{ grep -E 'error|Error' build-fuzz.build.log | head -30; return 1; }
}
if fuzz_build; then
	# Seeds per target: conformance programs as bytecode (interpreter), their
	# text (assembler), the test objects clang built (loader).
	mkdir -p build-fuzz/seeds-fuzz_interp build-fuzz/seeds-fuzz_asm build-fuzz/seeds-fuzz_object
	for v in ../shared/conformance/*.data tests/data/*.data; do
		[ -f "$v" ] || continue
		s=build-fuzz/seeds-fuzz_interp/$(basename "$v" .data)
		printf '\x00' >"$s" && build/bpfrt asm "$v" -o - >>"$s" 2>/dev/null || rm -f "$s"
		cp "$v" build-fuzz/seeds-fuzz_asm/
	done
	cp build/tests/loader/progs/*.o build-fuzz/seeds-fuzz_object/ 2>/dev/null || true
	for f in $(find build-fuzz -name 'fuzz_*' -type f -executable | sort); do
		[ -x "$f" ] || continue
		name=$(basename "$f"); corpus=build-fuzz/corpus-$name; mkdir -p "$corpus" "build-fuzz/seeds-$name"
		if "$f" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -print_final_stats=0 \
			"$corpus" "build-fuzz/seeds-$name" >"build-fuzz/$name.log" 2>&1; then
			echo "fuzz $name: ok ($(grep -Eo '#[0-9]+' "build-fuzz/$name.log" | tail -1 | tr -d '#') runs)"
			passed=$((passed + 1))
		else
			echo "fuzz $name: FAILED"; tail -30 "build-fuzz/$name.log"; failed=$((failed + 1)); status=1
		fi
	done
else
	echo "fuzz: BUILD FAILED"; failed=$((failed + 1)); status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
