# bench_xdp: XDP packets per second per core, bpfrt's port against the
# kernel's BPF_PROG_TEST_RUN on the same packets. The blocklist program is
# examples/xdp_block.bpf.c, loaded by bpfrt's loader and by libbpf (a
# benchmark dependency only) for the kernel side.
find_library(BENCH_XDP_LIBBPF bpf)
find_path(BENCH_XDP_LIBBPF_INCLUDE bpf/libbpf.h)
if(NOT BENCH_XDP_LIBBPF OR NOT BENCH_XDP_LIBBPF_INCLUDE)
  message(STATUS "bench: no libbpf, bench_xdp not built")
  return()
endif()
set(_xdp_block_o ${CMAKE_CURRENT_BINARY_DIR}/progs/xdp_block.bpf.o)
add_custom_command(
  OUTPUT ${_xdp_block_o}
  COMMAND ${BPF_CLANG} -O2 -g -target bpf -mcpu=v3 -Wall -Werror
          -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE} -I${BENCH_XDP_LIBBPF_INCLUDE}
          -c ${PROJECT_SOURCE_DIR}/examples/xdp_block.bpf.c -o ${_xdp_block_o}
  DEPENDS ${PROJECT_SOURCE_DIR}/examples/xdp_block.bpf.c
  COMMENT "Compiling BPF object xdp_block.bpf.c"
  VERBATIM)
add_custom_target(bench_xdp_obj DEPENDS ${_xdp_block_o})
add_executable(bench_xdp bench_xdp.c)
add_dependencies(bench_xdp bench_xdp_obj)
target_compile_definitions(bench_xdp PRIVATE BENCH_XDP_BLOCK_OBJ="${_xdp_block_o}")
target_link_libraries(bench_xdp PRIVATE bpfrt ${BENCH_XDP_LIBBPF})
if(BPFRT_TESTS)
  add_test(NAME bench_xdp_smoke COMMAND bench_xdp --quick)
  set_tests_properties(bench_xdp_smoke PROPERTIES SKIP_RETURN_CODE 77)
endif()

# bench_xdp_live: the same over veth between namespaces, bpfrt's `xdp attach`
# next to the kernel's generic and native XDP (root; run by hand, not a test).
set(_xdp_drop_o ${CMAKE_CURRENT_BINARY_DIR}/progs/xdp_drop.bpf.o)
add_custom_command(
  OUTPUT ${_xdp_drop_o}
  COMMAND ${BPF_CLANG} -O2 -g -target bpf -mcpu=v3 -Wall -Werror
          -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE} -I${BENCH_XDP_LIBBPF_INCLUDE}
          -c ${CMAKE_CURRENT_SOURCE_DIR}/progs/xdp/xdp_drop.bpf.c -o ${_xdp_drop_o}
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/progs/xdp/xdp_drop.bpf.c
  COMMENT "Compiling BPF object xdp_drop.bpf.c"
  VERBATIM)
add_custom_target(bench_xdp_drop_obj DEPENDS ${_xdp_drop_o})
find_package(Threads REQUIRED)
if(TARGET bpfrt-cli)
  add_executable(bench_xdp_live bench_xdp_live.c)
  add_dependencies(bench_xdp_live bench_xdp_obj bench_xdp_drop_obj bpfrt-cli)
  target_compile_definitions(bench_xdp_live PRIVATE BENCH_XDP_BLOCK_OBJ="${_xdp_block_o}"
    BENCH_XDP_DROP_OBJ="${_xdp_drop_o}" BENCH_BPFRT_CLI="$<TARGET_FILE:bpfrt-cli>")
  target_link_libraries(bench_xdp_live PRIVATE ${BENCH_XDP_LIBBPF} Threads::Threads)
endif()
