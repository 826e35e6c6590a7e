# bench_trace: the per-hit cost of bpfrt trace's hooks next to the kernel's
# (libbpf) and a plain ptrace tracer. It runs the trace tests' probed program
# and hook object, so it needs them and libbpf.
find_library(BENCH_LIBBPF bpf)
if(NOT TARGET trace_probed OR NOT BENCH_LIBBPF)
  message(STATUS "bench: bench_trace needs the trace tests and libbpf; skipped")
  return()
endif()
add_executable(bench_trace bench_trace.c)
target_compile_definitions(bench_trace PRIVATE
  BPFRT_BIN="$<TARGET_FILE:bpfrt-cli>"
  TRACE_PROGS="${PROJECT_BINARY_DIR}/tests/trace/progs"
  PROBED="$<TARGET_FILE:trace_probed>")
target_link_libraries(bench_trace PRIVATE ${BENCH_LIBBPF})
add_dependencies(bench_trace bpfrt-cli bpfrt_agent trace_progs trace_probed)
